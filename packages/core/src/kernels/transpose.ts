import type { TypedArray } from '../tensor/dtype.js';
import { type Shape, stridesOf } from '../tensor/shape.js';

/**
 * `out` = `x` (of `shape`) with its axes permuted: output axis i is input axis `perm[i]`.
 * The 2-D case is tiled for cache friendliness; the general case walks the output in order.
 */
export function transposeInto(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  const size = x.length;
  if (size === 0) return;
  let identity = true;
  for (let i = 0; i < rank; i++) if (perm[i] !== i) identity = false;
  if (identity) {
    out.set(x);
    return;
  }
  if (rank === 2) {
    const r = shape[0];
    const c = shape[1];
    const T = 32;
    for (let i0 = 0; i0 < r; i0 += T) {
      const i1 = Math.min(r, i0 + T);
      for (let j0 = 0; j0 < c; j0 += T) {
        const j1 = Math.min(c, j0 + T);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * r + i] = x[i * c + j];
      }
    }
    return;
  }
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const st = perm.map((p) => inStrides[p]); // input stride for each output axis
  const n = outShape[rank - 1];
  const ls = st[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < size; o += n) {
    for (let j = 0; j < n; j++) out[o + j] = x[src + j * ls];
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      src += st[d];
      if (counter[d] < outShape[d]) break;
      src -= st[d] * outShape[d];
      counter[d] = 0;
    }
  }
}

import { ValueError } from '../errors.js';
import { allocate, type DType, type TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';

/** The reductions of `reduce`. */
export type ReduceKind = 'sum' | 'max' | 'min';

/**
 * Reduces `x` (of `shape`) over the sorted, distinct `axes`, returning a buffer in the
 * keepdims shape (reduced axes of size 1). Sums accumulate in float64 even for float32 input.
 * max/min propagate NaN like numpy. Reducing an empty axis gives 0 for sum and ∓Infinity for
 * max/min (the op layer turns the latter into an error).
 */
export function reduce(
  kind: ReduceKind,
  x: TypedArray,
  shape: Shape,
  axes: readonly number[],
  dtype: DType,
): TypedArray {
  if (kind !== 'sum' && kind !== 'max' && kind !== 'min') {
    throw new ValueError('kernels.reduce', `unknown kind ${JSON.stringify(kind)}: expected 'sum', 'max' or 'min'`);
  }
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  let outSize = 1;
  for (let i = 0; i < rank; i++) if (!reduced[i]) outSize *= shape[i];
  const acc = new Float64Array(outSize);
  const init = kind === 'sum' ? 0 : kind === 'max' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (init !== 0) acc.fill(init);
  const out = allocate(dtype, outSize);
  if (x.length === 0) {
    out.set(acc);
    return out;
  }
  // Output strides in the keepdims layout, 0 on reduced axes.
  const os = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    if (!reduced[i]) {
      os[i] = s;
      s *= shape[i];
    }
  }
  if (rank === 0) {
    out[0] = x[0];
    return out;
  }
  const n = shape[rank - 1];
  const ls = os[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.length; i += n) {
    if (kind === 'sum') {
      if (ls === 0) {
        let t = 0;
        for (let j = 0; j < n; j++) t += x[i + j];
        acc[o] += t;
      } else for (let j = 0; j < n; j++) acc[o + j] += x[i + j];
    } else if (kind === 'max') {
      for (let j = 0; j < n; j++) {
        const v = x[i + j];
        const k = o + j * ls;
        if (v > acc[k] || v !== v) acc[k] = v;
      }
    } else {
      for (let j = 0; j < n; j++) {
        const v = x[i + j];
        const k = o + j * ls;
        if (v < acc[k] || v !== v) acc[k] = v;
      }
    }
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      o += os[d];
      if (counter[d] < shape[d]) break;
      o -= os[d] * shape[d];
      counter[d] = 0;
    }
  }
  out.set(acc);
  return out;
}

/** Index of the max (or min) along one axis, numpy's argmax/argmin (first occurrence). */
export function argReduce(kind: 'max' | 'min', x: TypedArray, shape: Shape, axis: number): Int32Array {
  const outer = shape.slice(0, axis).reduce((p, q) => p * q, 1);
  const len = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = x[base];
      let bi = 0;
      for (let j = 1; j < len; j++) {
        const v = x[base + j * inner];
        if (best !== best) break;
        if ((kind === 'max' ? v > best : v < best) || v !== v) {
          best = v;
          bi = j;
        }
      }
      out[o * inner + i] = bi;
    }
  }
  return out;
}

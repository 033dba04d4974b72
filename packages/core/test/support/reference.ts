// Straightforward reference implementations with numpy semantics, one element at a time and
// written independently of core's kernels: the forward tests compare core against these.
import type { IndexSpec, Slice } from '@zerograd/core';

/** A dense array with a shape, as plain numbers. */
export interface Ref {
  shape: number[];
  data: number[];
}

const size = (s: readonly number[]) => s.reduce((p, q) => p * q, 1);

/** Every multi-index of `shape` in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const n = size(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield idx.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Flat position of a multi-index. */
export function flat(shape: readonly number[], idx: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
  return f;
}

/** numpy's broadcast of shapes, or null when they do not broadcast. */
export function refBroadcastShape(...shapes: (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - rank + i] ?? 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) return null;
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** Element of `x` seen from a broadcast index `idx` (of a result of rank ≥ x's rank). */
function broadcastAt(x: Ref, idx: readonly number[]): number {
  const off = idx.length - x.shape.length;
  const own = x.shape.map((d, i) => (d === 1 ? 0 : idx[off + i]));
  return x.data[flat(x.shape, own)];
}

export function refBinary(a: Ref, b: Ref, f: (x: number, y: number) => number): Ref {
  const shape = refBroadcastShape(a.shape, b.shape);
  if (!shape) throw new Error('reference: shapes do not broadcast');
  const data: number[] = [];
  for (const idx of indices(shape)) data.push(f(broadcastAt(a, idx), broadcastAt(b, idx)));
  return { shape, data };
}

export function refReduce(
  x: Ref,
  axes: readonly number[],
  keepdims: boolean,
  init: number,
  f: (acc: number, v: number) => number,
): Ref {
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const acc = new Array<number>(size(keptShape)).fill(init);
  for (const idx of indices(x.shape)) {
    const o = flat(
      keptShape,
      idx.map((v, i) => (axes.includes(i) ? 0 : v)),
    );
    acc[o] = f(acc[o], x.data[flat(x.shape, idx)]);
  }
  const shape = keepdims ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  return { shape, data: acc };
}

export function refTranspose(x: Ref, perm: readonly number[]): Ref {
  const shape = perm.map((p) => x.shape[p]);
  const data: number[] = [];
  for (const idx of indices(shape)) {
    const src = new Array<number>(x.shape.length);
    perm.forEach((p, k) => {
      src[p] = idx[k];
    });
    data.push(x.data[flat(x.shape, src)]);
  }
  return { shape, data };
}

/** numpy.matmul, including the 1-D rules, by the definition. */
export function refMatmul(a: Ref, b: Ref): Ref {
  const A = a.shape.length === 1 ? { shape: [1, a.shape[0]], data: a.data } : a;
  const B = b.shape.length === 1 ? { shape: [b.shape[0], 1], data: b.data } : b;
  const m = A.shape[A.shape.length - 2];
  const k = A.shape[A.shape.length - 1];
  const n = B.shape[B.shape.length - 1];
  if (B.shape[B.shape.length - 2] !== k) throw new Error('reference: inner dimensions differ');
  const batchA = A.shape.slice(0, -2);
  const batchB = B.shape.slice(0, -2);
  const batch = refBroadcastShape(batchA, batchB);
  if (!batch) throw new Error('reference: batch shapes do not broadcast');
  const data: number[] = [];
  for (const bi of indices([...batch, m, n])) {
    const t = bi.slice(0, batch.length);
    const [i, j] = bi.slice(batch.length);
    let s = 0;
    for (let q = 0; q < k; q++) {
      const ai = [...t.slice(t.length - batchA.length).map((v, d) => (batchA[d] === 1 ? 0 : v)), i, q];
      const bj = [...t.slice(t.length - batchB.length).map((v, d) => (batchB[d] === 1 ? 0 : v)), q, j];
      s += A.data[flat(A.shape, ai)] * B.data[flat(B.shape, bj)];
    }
    data.push(s);
  }
  const shape = [...batch, m, n];
  if (b.shape.length === 1) shape.splice(shape.length - 1, 1);
  if (a.shape.length === 1) shape.splice(shape.length - (b.shape.length === 1 ? 1 : 2), 1);
  return { shape, data };
}

/** CPython's slice.indices(n), then the positions it visits. */
export function refSlicePositions(s: Slice, n: number): number[] {
  const step = s.step ?? 1;
  const lower = step > 0 ? 0 : -1;
  const upper = step > 0 ? n : n - 1;
  const adjust = (v: number | null | undefined, dflt: number) => {
    if (v === null || v === undefined) return dflt;
    if (v < 0) return Math.max(v + n, lower);
    return Math.min(v, upper);
  };
  const start = adjust(s.start, step > 0 ? lower : upper);
  const stop = adjust(s.stop, step > 0 ? upper : lower);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/**
 * numpy's `x[index]` for integers, slices, `null` (`:`) and 1-D integer arrays: with arrays,
 * integers join them as advanced indices; the broadcast advanced axes replace the indexed axes
 * in place when those are adjacent and move to the front otherwise.
 */
export function refGetItem(x: Ref, index: readonly IndexSpec[]): Ref {
  const r = x.shape.length;
  const specs = Array.from({ length: r }, (_, i) => (i < index.length ? index[i] : null));
  const isArr = (s: IndexSpec) => Array.isArray(s);
  const hasAdv = specs.some(isArr);
  const norm = (v: number, n: number) => (v < 0 ? v + n : v);
  type Axis = { kind: 'fixed'; pos: number } | { kind: 'range'; pos: number[] } | { kind: 'adv'; values: number[] };
  const axes: Axis[] = specs.map((s, i) => {
    const n = x.shape[i];
    if (s === null) return { kind: 'range', pos: Array.from({ length: n }, (_, j) => j) };
    if (typeof s === 'number')
      return hasAdv ? { kind: 'adv', values: [norm(s, n)] } : { kind: 'fixed', pos: norm(s, n) };
    if (Array.isArray(s)) return { kind: 'adv', values: (s as number[]).map((v) => norm(v, n)) };
    return { kind: 'range', pos: refSlicePositions(s as Slice, n) };
  });
  const advAxes = axes.map((a, i) => (a.kind === 'adv' ? i : -1)).filter((i) => i >= 0);
  // 1-D arrays (and integers as 0-d) broadcast to one common shape.
  const advDims = advAxes.map((i) => (isArr(specs[i]) ? [(axes[i] as { values: number[] }).values.length] : []));
  const bshape = hasAdv ? refBroadcastShape(...advDims) : [];
  if (bshape === null) throw new Error('reference: index arrays do not broadcast');
  const adjacent = advAxes.every((a, k) => k === 0 || a === advAxes[k - 1] + 1);
  // Output dims as a list of "slots": range axes, and (once) the advanced block.
  type Slot = { kind: 'range'; axis: number } | { kind: 'adv' };
  const slots: Slot[] = [];
  axes.forEach((a, i) => {
    if (a.kind === 'range') slots.push({ kind: 'range', axis: i });
    else if (a.kind === 'adv' && i === advAxes[0] && adjacent) slots.push({ kind: 'adv' });
  });
  if (hasAdv && !adjacent) slots.unshift({ kind: 'adv' });
  const shape: number[] = [];
  for (const s of slots) {
    if (s.kind === 'adv') shape.push(...bshape);
    else shape.push((axes[s.axis] as { pos: number[] }).pos.length);
  }
  const data: number[] = [];
  for (const idx of indices(shape)) {
    const src = new Array<number>(r);
    let k = 0;
    let advIdx: number[] = [];
    for (const s of slots) {
      if (s.kind === 'adv') {
        advIdx = idx.slice(k, k + bshape.length);
        k += bshape.length;
      } else src[s.axis] = (axes[s.axis] as { pos: number[] }).pos[idx[k++]];
    }
    axes.forEach((a, i) => {
      if (a.kind === 'fixed') src[i] = a.pos;
      if (a.kind === 'adv') {
        const vals = a.values;
        // A 1-D array of length L broadcast against bshape (rank ≤ 1 here) reads its last index.
        src[i] = vals.length === 1 ? vals[0] : vals[advIdx[advIdx.length - 1]];
      }
    });
    data.push(x.data[flat(x.shape, src)]);
  }
  return { shape, data };
}

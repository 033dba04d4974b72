/**
 * Element-wise and sum kernels on the WebAssembly backend, with the TypeScript kernels'
 * signatures (src/kernels/elementwise.ts, reduce.ts). Each returns false (or null) when it
 * does not take the case — an op it lacks, mixed dtypes, a broadcast that does not reduce to
 * two dimensions, or a size too small to repay the copies — and the caller runs the TS
 * kernel instead. Results are bit-identical to TS (see wasm/assembly/elementwise.ts), except
 * exp, log, tanh and sigmoid in float64, which are within two ulps (musl's libm against V8's
 * fdlibm; wasm/assembly/math.ts); in float32 those too come out equal.
 *
 * Any broadcast is first collapsed: axes of size 1 in the output are dropped and adjacent
 * axes merged wherever both operands stay contiguous across them. `[100, 50] + [50]` becomes
 * 100 rows × 50 columns with the bias's row stride 0; `[8, 100, 50] · [8, 100, 50]` becomes
 * one row of 40,000.
 */
import { allocate, type DType, type TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import type { WasmKernels } from './wasm-kernels.js';

/** Below this many output elements the TS loop is as fast as copying in and out. */
const MIN_ELEMENTS = 64;

const BINARY_CODES: Record<string, number> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  ge: 6,
  gt: 7,
  eq: 8,
  maskPositive: 9,
};
const UNARY_CODES: Record<string, number> = {
  neg: 0,
  abs: 1,
  square: 2,
  relu: 3,
  positive: 4,
  mulScalar: 5,
  addScalar: 6,
};

/** Transcendental ops (wasm/assembly/math.ts): within two ulps of TS in float64, equal in float32. */
const MATH_CODES: Record<string, number> = {
  exp: 0,
  log: 1,
  tanh: 2,
  sigmoid: 3,
  sqrt: 4,
};

/** A broadcast collapsed to rows × cols, with each operand's two strides (in elements). */
interface Collapsed {
  rows: number;
  cols: number;
  sa0: number;
  sa1: number;
  sb0: number;
  sb1: number;
}

/** Each output axis's stride into an operand of `shape` (0 where it broadcasts). */
function stridesIn(shape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const oi = rank - shape.length + i;
    strides[oi] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * A broadcast of `a` and `b` to `outShape` as rows × cols with each operand's two strides:
 * size-1 output axes dropped, adjacent axes merged where both operands stay contiguous across
 * them. Null when more than two dimensions remain.
 */
export function collapse(aShape: Shape, bShape: Shape, outShape: Shape): Collapsed | null {
  const sa = stridesIn(aShape, outShape);
  const sb = stridesIn(bShape, outShape);
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    const n = outShape[d];
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && as[last] === sa[d] * n && bs[last] === sb[d] * n) {
      dims[last] *= n;
      as[last] = sa[d];
      bs[last] = sb[d];
    } else {
      dims.push(n);
      as.push(sa[d]);
      bs.push(sb[d]);
    }
  }
  if (dims.length > 2) return null;
  if (dims.length === 0) return { rows: 1, cols: 1, sa0: 0, sa1: 0, sb0: 0, sb1: 0 };
  if (dims.length === 1) return { rows: 1, cols: dims[0], sa0: 0, sa1: as[0], sb0: 0, sb1: bs[0] };
  return { rows: dims[0], cols: dims[1], sa0: as[0], sa1: as[1], sb0: bs[0], sb1: bs[1] };
}

const sameType = (x: TypedArray, y: TypedArray) => x.constructor === y.constructor;

/** `out = a ⊙ b` with broadcasting, as `binaryInto`; false when not taken. */
export function wasmBinary(
  w: WasmKernels,
  kind: string,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  out: TypedArray,
  outShape: Shape,
): boolean {
  const code = BINARY_CODES[kind];
  if (code === undefined || out.length < MIN_ELEMENTS || !sameType(a, out) || !sameType(b, out)) return false;
  const c = collapse(aShape, bShape, outShape);
  if (!c) return false;
  const f64 = out instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const L = w.layout(a.length, b.length, out.length, bytes);
  if (!L) return false;
  const mem = w.view(f64);
  mem.set(a, L.a / bytes);
  mem.set(b, L.b / bytes);
  (f64 ? w.exports.binaryF64 : w.exports.binaryF32)(code, L.a, c.sa0, c.sa1, L.b, c.sb0, c.sb1, L.c, c.rows, c.cols);
  out.set(mem.subarray(L.c / bytes, L.c / bytes + out.length));
  return true;
}

/** `out = f(x)`, as `unaryInto`; false when not taken. */
export function wasmUnary(w: WasmKernels, kind: string, x: TypedArray, out: TypedArray, param: number): boolean {
  let code = UNARY_CODES[kind];
  if (kind === 'powScalar' && param === 2) code = UNARY_CODES.square;
  const math = MATH_CODES[kind];
  if ((code === undefined && math === undefined) || x.length < MIN_ELEMENTS || !sameType(x, out)) return false;
  const f64 = out instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const L = w.layout(x.length, 0, out.length, bytes);
  if (!L) return false;
  const mem = w.view(f64);
  mem.set(x, L.a / bytes);
  if (code !== undefined) (f64 ? w.exports.unaryF64 : w.exports.unaryF32)(code, L.a, L.c, x.length, param);
  else (f64 ? w.exports.mathF64 : w.exports.mathF32)(math, L.a, L.c, x.length);
  out.set(mem.subarray(L.c / bytes, L.c / bytes + out.length));
  return true;
}

/**
 * Sum of `x` over `axes` in the keepdims layout, as `reduce('sum', …)`, when the reduced
 * and kept axes collapse to [reduced, kept] or [kept, reduced]; null otherwise.
 */
export function wasmSum(
  w: WasmKernels,
  x: TypedArray,
  shape: Shape,
  axes: readonly number[],
  dtype: DType,
): TypedArray | null {
  if (x.length < MIN_ELEMENTS || (dtype === 'float64') !== x instanceof Float64Array) return null;
  const dims: number[] = [];
  const reduced: boolean[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const r = axes.includes(d);
    const last = dims.length - 1;
    if (last >= 0 && reduced[last] === r) dims[last] *= shape[d];
    else {
      dims.push(shape[d]);
      reduced.push(r);
    }
  }
  let rows: number;
  let cols: number;
  let overRows: boolean;
  if (dims.length === 1) {
    if (!reduced[0]) return null;
    rows = 1;
    cols = dims[0];
    overRows = false;
  } else if (dims.length === 2) {
    rows = dims[0];
    cols = dims[1];
    overRows = reduced[0];
  } else return null;
  // TS sums the input's last axis into a partial sum first, then adds that in: summing
  // across more than that axis in one run would round differently.
  const last = shape[shape.length - 1];
  if (!overRows && last !== 1 && cols !== last) return null;
  const outSize = overRows ? cols : rows;
  const f64 = dtype === 'float64';
  const bytes = f64 ? 8 : 4;
  // Region b is the float64 accumulator (cols doubles = 2·cols floats).
  const L = w.layout(x.length, f64 ? 0 : 2 * cols, outSize, bytes);
  if (!L) return null;
  const mem = w.view(f64);
  mem.set(x, L.a / bytes);
  (f64 ? w.exports.sumF64 : w.exports.sumF32)(L.a, rows, cols, overRows ? 1 : 0, L.b, L.c);
  const out = allocate(dtype, outSize);
  out.set(mem.subarray(L.c / bytes, L.c / bytes + outSize));
  return out;
}

/**
 * One optimizer step in place, as `updateInto` (src/kernels/optim.ts), bit for bit; false when
 * not taken (mixed types, or too small to repay the copies). `state` is written back too.
 */
export function wasmUpdate(
  w: WasmKernels,
  code: number,
  param: TypedArray,
  grad: TypedArray,
  state: readonly TypedArray[],
  hyper: readonly number[],
): boolean {
  const n = param.length;
  if (n < MIN_ELEMENTS || !sameType(param, grad) || !state.every((s) => sameType(s, param))) return false;
  const f64 = param instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const R = w.regions([n, n, n, n], bytes);
  if (!R) return false;
  const mem = w.view(f64);
  const buffers = [param, grad, ...state];
  for (let i = 0; i < buffers.length; i++) mem.set(buffers[i], R[i] / bytes);
  // n rounds up to whole vectors (regions leave room); the lanes past the end are not copied back.
  const lanes = f64 ? 2 : 4;
  const whole = Math.ceil(n / lanes) * lanes;
  (f64 ? w.exports.updateF64 : w.exports.updateF32)(code, whole, R[0], R[1], R[2], R[3], ...hyper);
  param.set(mem.subarray(R[0] / bytes, R[0] / bytes + n));
  for (let i = 0; i < state.length; i++) state[i].set(mem.subarray(R[2 + i] / bytes, R[2 + i] / bytes + n));
  return true;
}

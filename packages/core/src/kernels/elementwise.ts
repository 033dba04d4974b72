import { ValueError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';

/**
 * Elementwise kernels on flat row-major typed arrays. Binary kernels broadcast numpy-style:
 * shapes are aligned from the right and size-1 dimensions are read with stride 0. The op is
 * chosen by a switch outside the inner loop, so every inner loop is a plain monomorphic loop.
 */

/**
 * The elementwise binary operations of `binaryInto` (comparisons give 0/1). `maskPositive` is
 * a·(b > 0 ? 1 : 0), ReLU's gradient in one pass: exactly `mul(a, positive(b))`.
 */
export type BinaryKind =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'ge'
  | 'gt'
  | 'eq'
  | 'maskPositive';

/** The elementwise functions of `unaryInto`. */
export type UnaryKind =
  | 'copy'
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'tanh'
  | 'sigmoid'
  | 'abs'
  | 'sign'
  | 'square'
  | 'reciprocal'
  | 'relu'
  | 'positive'
  | 'sin'
  | 'cos'
  | 'powScalar'
  | 'mulScalar'
  | 'addScalar';

function row(
  kind: BinaryKind,
  out: TypedArray,
  o: number,
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
  n: number,
): void {
  switch (kind) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] + b[ib + j * sb];
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] - b[ib + j * sb];
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] * b[ib + j * sb];
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] / b[ib + j * sb];
      return;
    case 'pow':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] ** b[ib + j * sb];
      return;
    case 'maximum':
      for (let j = 0; j < n; j++) {
        const x = a[ia + j * sa];
        const y = b[ib + j * sb];
        out[o + j] = x >= y || x !== x ? x : y;
      }
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) {
        const x = a[ia + j * sa];
        const y = b[ib + j * sb];
        out[o + j] = x <= y || x !== x ? x : y;
      }
      return;
    case 'ge':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] >= b[ib + j * sb] ? 1 : 0;
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] > b[ib + j * sb] ? 1 : 0;
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] === b[ib + j * sb] ? 1 : 0;
      return;
    case 'maskPositive':
      for (let j = 0; j < n; j++) out[o + j] = a[ia + j * sa] * (b[ib + j * sb] > 0 ? 1 : 0);
      return;
    default:
      throw new ValueError('kernels.binary', `unknown kind ${JSON.stringify(kind)}`);
  }
}

/** Strides of `shape` seen from a broadcast `outShape`: 0 where the dimension is broadcast. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const oi = rank - shape.length + i;
    strides[oi] = shape[i] === 1 && outShape[oi] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * `out = a ⊙ b` with broadcasting. `outShape` must be the broadcast of both shapes (the caller
 * validates); `out` must have `outShape`'s size and may not alias `a` or `b` unless shapes match.
 */
export function binaryInto(
  kind: BinaryKind,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  out: TypedArray,
  outShape: Shape,
): void {
  const size = out.length;
  if (size === 0) return;
  if (a.length === size && b.length === size) {
    row(kind, out, 0, a, 0, 1, b, 0, 1, size);
    return;
  }
  if (a.length === size && b.length === 1) {
    row(kind, out, 0, a, 0, 1, b, 0, 0, size);
    return;
  }
  if (a.length === 1 && b.length === size) {
    row(kind, out, 0, a, 0, 0, b, 0, 1, size);
    return;
  }
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const n = outShape[rank - 1];
  const lsa = sa[rank - 1];
  const lsb = sb[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < size; o += n) {
    row(kind, out, o, a, ia, lsa, b, ib, lsb, n);
    // Advance the counter over the outer dimensions (odometer style).
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      ia += sa[d];
      ib += sb[d];
      if (counter[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      counter[d] = 0;
    }
  }
}

/** `out = f(x)` elementwise; `param` is the scalar of `powScalar`/`mulScalar`/`addScalar`. */
export function unaryInto(kind: UnaryKind, x: TypedArray, out: TypedArray, param = 0): void {
  const n = x.length;
  switch (kind) {
    case 'copy':
      out.set(x);
      return;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case 'sigmoid':
      // Two branches keep exp's argument non-positive: finite and exact for x = ±1000.
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      return;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      return;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]);
      return;
    case 'square':
      for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      return;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i];
      return;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : x[i] !== x[i] ? x[i] : 0;
      return;
    case 'positive':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0;
      return;
    case 'sin':
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
      return;
    case 'cos':
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
      return;
    case 'powScalar':
      if (param === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      else for (let i = 0; i < n; i++) out[i] = x[i] ** param;
      return;
    case 'mulScalar':
      for (let i = 0; i < n; i++) out[i] = x[i] * param;
      return;
    case 'addScalar':
      for (let i = 0; i < n; i++) out[i] = x[i] + param;
      return;
    default:
      throw new ValueError('kernels.unary', `unknown kind ${JSON.stringify(kind)}`);
  }
}

/** `out = x` broadcast from `shape` to `outShape` (the caller validates compatibility). */
export function broadcastInto(x: TypedArray, shape: Shape, out: TypedArray, outShape: Shape): void {
  if (x.length === out.length) {
    out.set(x);
    return;
  }
  if (x.length === 1) {
    out.fill(x[0]);
    return;
  }
  binaryInto('add', x, shape, ZERO, [], out, outShape);
}
const ZERO = new Float64Array(1);

/**
 * The tensor-level kernels: each validates shapes, allocates the result and runs the selected
 * backend's kernel, or the TypeScript one (src/kernels) where the backend does not take the
 * case. Ops (the graph layer) call only these, so a faster backend can replace a kernel here
 * without the graph noticing. Every backend gives the TypeScript kernels' bits, except in
 * matrix products (rounding order: fused multiply-adds, blocking) and in exp, log, tanh and
 * sigmoid in float64 (within two ulps).
 */
import { fmtShape, ShapeError } from '../errors.js';
import {
  type BinaryKind,
  binaryInto,
  broadcastInto,
  broadcastStrides,
  type UnaryKind,
  unaryInto,
} from '../kernels/elementwise.js';
import {
  checkUpdate,
  packHyper,
  UPDATE_RULES,
  type UpdateHyper,
  type UpdateRule,
  updateInto,
} from '../kernels/optim.js';
import { argReduce, type ReduceKind, reduce } from '../kernels/reduce.js';
import { transposeInto } from '../kernels/transpose.js';
import { allocate, type DType, promoteTypes, type TypedArray } from '../tensor/dtype.js';
import {
  broadcastShapes,
  canBroadcastTo,
  normalizeAxes,
  reducedShape,
  type Shape,
  shapesEqual,
  sizeOf,
} from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { kernelSet } from './select.js';
import { wasmBinary, wasmSum, wasmUnary, wasmUpdate } from './wasm-elementwise.js';

/** `a ⊙ b` with numpy broadcasting and type promotion. */
export function binary(kind: BinaryKind, a: Tensor, b: Tensor, op: string = kind): Tensor {
  const shape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  // Comparisons give bool masks; arithmetic computes in the operands' common float type.
  const dtype: DType = kind === 'gt' || kind === 'ge' || kind === 'eq' ? 'bool' : promoteTypes(a.dtype, b.dtype);
  const out = allocate(dtype, sizeOf(shape));
  const { wasm } = kernelSet();
  if (!wasm || !wasmBinary(wasm, kind, a.data, a.shape, b.data, b.shape, out, shape))
    binaryInto(kind, a.data, a.shape, b.data, b.shape, out, shape);
  return Tensor.unchecked(out, shape);
}

/** `f(x)` elementwise, same shape and dtype. */
export function unary(kind: UnaryKind, x: Tensor, param = 0): Tensor {
  const out = allocate(x.dtype, x.size);
  const { wasm } = kernelSet();
  if (!wasm || !wasmUnary(wasm, kind, x.data, out, param)) unaryInto(kind, x.data, out, param);
  return Tensor.unchecked(out, x.shape);
}

/** Sum/max/min over `axis` (all axes when omitted), optionally keeping reduced axes. */
export function reduceTensor(
  kind: ReduceKind,
  x: Tensor,
  axis?: number | readonly number[] | null,
  keepdims = false,
  op: string = kind,
): Tensor {
  const axes = normalizeAxes(op, axis, x.ndim);
  if (kind !== 'sum') {
    for (const a of axes) {
      if (x.shape[a] === 0)
        throw new ShapeError(op, `cannot take the ${kind} over axis ${a} of size 0 in shape ${fmtShape(x.shape)}`);
    }
  }
  const data = sumOrReduce(kind, x, axes);
  return new Tensor(data, reducedShape(x.shape, axes, keepdims));
}

/** `reduce`, with sums taken by the selected backend where it can. */
function sumOrReduce(kind: ReduceKind, x: Tensor, axes: readonly number[]): TypedArray {
  const { wasm } = kernelSet();
  return (
    (kind === 'sum' && wasm && wasmSum(wasm, x.data, x.shape, axes, x.dtype)) ||
    reduce(kind, x.data, x.shape, axes, x.dtype)
  );
}

/** Indices of the max/min along `axis`, as int32. */
export function argReduceTensor(kind: 'max' | 'min', x: Tensor, axis: number, op = `arg${kind}`): Tensor {
  const [a] = normalizeAxes(op, axis, x.ndim);
  if (x.shape[a] === 0) throw new ShapeError(op, `axis ${axis} has size 0 in shape ${fmtShape(x.shape)}`);
  const out = argReduce(kind, x.data, x.shape, a);
  return new Tensor(
    out,
    x.shape.filter((_, i) => i !== a),
  );
}

/** `x` broadcast to `shape` (a copy). */
export function broadcastTensor(x: Tensor, shape: Shape, op = 'BroadcastTo'): Tensor {
  if (!canBroadcastTo(x.shape, shape))
    throw new ShapeError(op, `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  const out = allocate(x.dtype, sizeOf(shape));
  broadcastInto(x.data, x.shape, out, shape);
  return new Tensor(out, shape);
}

/** Sums `x` down to `shape` — the inverse of broadcasting, used by every broadcasting backward. */
export function sumToTensor(x: Tensor, shape: Shape, op = 'sumTo'): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  if (!canBroadcastTo(shape, x.shape))
    throw new ShapeError(op, `cannot sum ${fmtShape(x.shape)} down to ${fmtShape(shape)}`);
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  const data = sumOrReduce('sum', x, axes);
  return new Tensor(data, shape);
}

/** Axes permuted; output axis i is input axis `perm[i]` (perm already normalised). */
export function transposeTensor(x: Tensor, perm: readonly number[]): Tensor {
  const out = allocate(x.dtype, x.size);
  transposeInto(x.data, x.shape, perm, out);
  return new Tensor(
    out,
    perm.map((p) => x.shape[p]),
  );
}

/**
 * Matrix product of tensors of rank ≥ 2, numpy's `matmul`: the last two axes multiply, the
 * leading (batch) axes broadcast. `transA`/`transB` read the last two axes transposed without
 * copying. 1-D operands are handled by the op layer.
 */
export function matmulTensor(a: Tensor, b: Tensor, transA = false, transB = false, op = 'MatMul'): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(op, `matmulTensor needs rank ≥ 2 operands, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const ar = a.ndim;
  const br = b.ndim;
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const ka = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = transB ? b.shape[br - 1] : b.shape[br - 2];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  if (ka !== kb) {
    throw new ShapeError(
      op,
      `inner dimensions differ: ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} @ ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''} (${ka} ≠ ${kb})`,
    );
  }
  const aBatch = a.shape.slice(0, ar - 2);
  const bBatch = b.shape.slice(0, br - 2);
  if (!broadcastable(aBatch, bBatch)) {
    throw new ShapeError(
      op,
      `cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: batch axes ${fmtShape(aBatch)} and ${fmtShape(bBatch)} cannot be broadcast together`,
    );
  }
  const batch = broadcastShapes(op, aBatch, bBatch);
  const dtype: DType = promoteTypes(a.dtype, b.dtype);
  const outShape = [...batch, m, n];
  const out = allocate(dtype, sizeOf(outShape));
  const A = a.dtype === dtype ? a.data : a.astype(dtype).data;
  const B = b.dtype === dtype ? b.data : b.astype(dtype).data;
  const count = sizeOf(batch);
  if (count === 0) return new Tensor(out, outShape);
  const sa = broadcastStrides(aBatch, batch);
  const sb = broadcastStrides(bBatch, batch);
  const matA = m * ka;
  const matB = ka * n;
  const counter = new Array<number>(batch.length).fill(0);
  let ia = 0;
  let ib = 0;
  const product = kernelSet().gemm; // the selected backend's
  for (let t = 0; t < count; t++) {
    product(m, n, ka, A, ia * matA, transA, B, ib * matB, transB, out, t * m * n);
    for (let d = batch.length - 1; d >= 0; d--) {
      counter[d]++;
      ia += sa[d];
      ib += sb[d];
      if (counter[d] < batch[d]) break;
      ia -= sa[d] * batch[d];
      ib -= sb[d] * batch[d];
      counter[d] = 0;
    }
  }
  return new Tensor(out, outShape);
}

/**
 * The fused Affine, `act(x·W + b)`: x `[m, k]`, W `[k, n]`, b `[n]` (or null), act ReLU when
 * `relu`. One pass over the output on the selected backend (the bias and ReLU are applied
 * before the product leaves WebAssembly memory); the same bits as `matmul`, `add` and `relu`
 * one after another.
 */
export function affineTensor(x: Tensor, W: Tensor, b: Tensor | null, relu = false, op = 'Affine'): Tensor {
  if (x.ndim !== 2 || W.ndim !== 2 || (b && b.ndim !== 1)) {
    throw new ShapeError(
      op,
      `expects x [m, k], W [k, n] and b [n], got ${fmtShape(x.shape)}, ${fmtShape(W.shape)}${b ? ` and ${fmtShape(b.shape)}` : ''}`,
    );
  }
  const [m, k] = x.shape;
  const [kw, n] = W.shape;
  if (k !== kw || (b && b.shape[0] !== n)) {
    throw new ShapeError(
      op,
      `shapes do not fit: x ${fmtShape(x.shape)} · W ${fmtShape(W.shape)}${b ? ` + b ${fmtShape(b.shape)}` : ''}`,
    );
  }
  const dtype = b ? promoteTypes(promoteTypes(x.dtype, W.dtype), b.dtype) : promoteTypes(x.dtype, W.dtype);
  const A = x.dtype === dtype ? x.data : x.astype(dtype).data;
  const B = W.dtype === dtype ? W.data : W.astype(dtype).data;
  const bias = b ? (b.dtype === dtype ? b.data : b.astype(dtype).data) : null;
  const out = allocate(dtype, m * n);
  kernelSet().affine(m, n, k, A, 0, false, B, 0, false, out, 0, bias, relu);
  return Tensor.unchecked(out, [m, n]);
}

/**
 * One optimizer step, in place: `w` (a parameter's buffer) and `state` (the rule's buffers,
 * `UPDATE_STATE[rule]`: momentum's v, AdaGrad/RMSprop's h, Adam's m and v, zeros at first)
 * are updated from the gradient `g`. All buffers must have `w`'s length and type. Runs on
 * the selected backend; every backend gives the same bits.
 */
export function updateParameter(
  rule: UpdateRule,
  w: TypedArray,
  g: TypedArray,
  state: readonly TypedArray[],
  hyper: UpdateHyper,
): void {
  checkUpdate(rule, w, g, state);
  const p = packHyper(rule, hyper);
  const { wasm } = kernelSet();
  if (!wasm || !wasmUpdate(wasm, UPDATE_RULES[rule], w, g, state, p)) updateInto(rule, w, g, state, p);
}

/**
 * `acc += g` for two tensors of one shape and dtype, written into `acc`, which the caller owns
 * alone (the backward engine's running sum of one variable's gradients). Same bits as
 * `binary('add', acc, g)`: a float32 0-d sum is rounded once, as the kernel rounds it.
 */
export function addInPlace(acc: Tensor, g: Tensor): void {
  if (acc.shape.length === 0) Tensor.setValue0d(acc, Tensor.valueOf0d(acc) + Tensor.valueOf0d(g));
  else {
    // No version bump: the engine's running sums are never the input of a recorded node.
    binaryInto('add', acc.data, acc.shape, g.data, g.shape, acc.data, acc.shape);
  }
}

/** Whether two shapes broadcast against each other (numpy's rule, axis by axis from the end). */
function broadcastable(a: Shape, b: Shape): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i];
    const y = b[b.length - i];
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

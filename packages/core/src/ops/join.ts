/**
 * Joining and cutting along an axis: `concat` and `split` are each other's adjoint — the
 * gradient of a concatenation is the upstream gradient split at the same places, and the
 * gradient of a split is the parts' gradients concatenated. `stack` is `unsqueeze` then
 * `concat`; `chunk` is `split` into parts of PyTorch's sizes.
 */
import { fmtShape, ShapeError, ValueError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { allocate, type DType, isFloat } from '../tensor/dtype.js';
import { describeValue, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { axisOf, unsqueeze } from './layout.js';

interface JoinAttrs {
  axis: number;
  /** Each part's length along `axis`. */
  sizes: number[];
}

/** A row-major tensor seen as `[outer, length along axis, inner]`: how big are outer and inner. */
function around(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) };
}

const ConcatDef: OpDefinition<JoinAttrs> = {
  name: 'Concat',
  promote: false, // moves values: int32 and bool tensors keep their dtype
  forward: (xs, { axis, sizes }) => {
    const shape = xs[0].shape.slice();
    const total = sizes.reduce((p, q) => p + q, 0);
    shape[axis] = total;
    const { outer, inner } = around(shape, axis);
    const out = allocate(xs[0].dtype, outer * total * inner);
    // Each outer index holds one block of every input, one after another.
    let at = 0;
    xs.forEach((x, k) => {
      const block = sizes[k] * inner;
      const d = x.data;
      for (let j = 0; j < outer; j++) out.set(d.subarray(j * block, (j + 1) * block), j * total * inner + at);
      at += block;
    });
    return new Tensor(out, shape);
  },
  backward: ([gy], { attrs }) => split(gy, attrs.sizes, attrs.axis),
  describe: (a) => ({ axis: a.axis, sizes: a.sizes }),
};

const SplitDef: OpDefinition<JoinAttrs> = {
  name: 'Split',
  promote: false,
  forward: ([x], { axis, sizes }) => {
    const { outer, inner } = around(x.shape, axis);
    const total = x.shape[axis];
    const d = x.data;
    let at = 0;
    return sizes.map((n) => {
      const shape = x.shape.slice();
      shape[axis] = n;
      const out = allocate(x.dtype, outer * n * inner);
      const block = n * inner;
      for (let j = 0; j < outer; j++)
        out.set(d.subarray(j * total * inner + at, j * total * inner + at + block), j * block);
      at += block;
      return new Tensor(out, shape);
    });
  },
  // Parts nobody used arrive as zeros (the engine's rule), so the concatenation has x's shape.
  backward: (gys, { attrs }) => concat(gys, attrs.axis),
  describe: (a) => ({ axis: a.axis, sizes: a.sizes }),
};

/**
 * The dtype of a join: the inputs' own when they agree; else the widest float among them
 * (float32 with float64 gives float64), or int32 for int32 with bool — numpy's result types.
 */
function joinDType(dtypes: readonly DType[]): DType {
  if (dtypes.every((d) => d === dtypes[0])) return dtypes[0];
  if (dtypes.includes('float64')) return 'float64';
  if (dtypes.some(isFloat)) return 'float32';
  return 'int32';
}

/** The operands as Variables of one dtype, refused when there are none. */
function joinInputs(op: string, xs: readonly Operand[]): Variable[] {
  if (!Array.isArray(xs) || xs.length === 0)
    throw new ValueError(op, `needs a non-empty array of tensors, got ${describeValue(xs)}`);
  const vs = xs.map((x) => asVariable(op, x));
  const dtype = joinDType(vs.map((v) => v.dtype));
  return vs.map((v) => cast(v, dtype));
}

/**
 * Joins tensors along an existing `axis` (default 0): numpy's `concatenate`, PyTorch's `cat`.
 * Every other axis must match; dtypes that differ are promoted (float32 with float64 gives
 * float64). The gradient of each input is its part of the upstream gradient.
 */
export function concat(xs: readonly Operand[], axis = 0): Variable {
  const vs = joinInputs('Concat', xs);
  const first = vs[0].shape;
  if (first.length === 0) throw new ShapeError('Concat', 'cannot join 0-d tensors along an axis; use stack');
  const a = axisOf('Concat', axis, first.length);
  const fits = (s: readonly number[]) => s.length === first.length && s.every((d, i) => i === a || d === first[i]);
  if (!vs.every((v) => fits(v.shape))) {
    throw new ShapeError(
      'Concat',
      `along axis ${a}, every other axis must match: got ${vs.map((v) => fmtShape(v.shape)).join(', ')}`,
    );
  }
  if (vs.length === 1) return vs[0];
  return applyOp(ConcatDef, vs, { axis: a, sizes: vs.map((v) => v.shape[a]) }) as Variable;
}

/**
 * Joins tensors of one shape along a new `axis` (default 0): `stack([a, b])` of two `(3,)`
 * vectors is `(2, 3)`. It is `concat` of the inputs with a size-1 axis added at `axis`.
 */
export function stack(xs: readonly Operand[], axis = 0): Variable {
  const vs = joinInputs('Stack', xs);
  const first = vs[0].shape;
  if (!vs.every((v) => v.shape.length === first.length && v.shape.every((d, i) => d === first[i]))) {
    throw new ShapeError('Stack', `needs tensors of one shape, got ${vs.map((v) => fmtShape(v.shape)).join(', ')}`);
  }
  const a = axisOf('Stack', axis, first.length + 1);
  return concat(
    vs.map((v) => unsqueeze(v, a)),
    a,
  );
}

/**
 * Cuts `x` along `axis` (default 0) into parts: `split(x, 3)` into 3 equal parts (numpy's
 * `split`; the length must divide evenly — `chunk` does not ask that), `split(x, [2, 1, 3])`
 * into parts of those lengths (PyTorch's list form). Careful, PyTorch user: `torch.split(x, 2)`
 * means parts of length 2; here a number is how many parts, as in numpy.
 */
export function split(x: Operand, sizesOrCount: number | readonly number[], axis = 0): Variable[] {
  const v = asVariable('Split', x);
  if (v.ndim === 0) throw new ShapeError('Split', 'cannot split a 0-d tensor');
  const a = axisOf('Split', axis, v.ndim);
  const n = v.shape[a];
  let sizes: number[];
  if (typeof sizesOrCount === 'number') {
    const count = sizesOrCount;
    if (!Number.isSafeInteger(count) || count < 1)
      throw new ValueError('Split', `the number of parts must be a positive integer, got ${count}`);
    if (n % count !== 0) {
      throw new ShapeError(
        'Split',
        `axis ${a} of ${fmtShape(v.shape)} has length ${n}, which does not divide into ${count} equal parts; pass the sizes, or use chunk`,
      );
    }
    sizes = new Array<number>(count).fill(n / count);
  } else if (Array.isArray(sizesOrCount) && sizesOrCount.length > 0) {
    sizes = sizesOrCount.slice();
    if (!sizes.every((s) => Number.isSafeInteger(s) && s >= 0))
      throw new ValueError('Split', `sizes must be non-negative integers, got [${sizes.join(', ')}]`);
    const total = sizes.reduce((p, q) => p + q, 0);
    if (total !== n) {
      throw new ShapeError(
        'Split',
        `sizes [${sizes.join(', ')}] add up to ${total}, but axis ${a} of ${fmtShape(v.shape)} has length ${n}`,
      );
    }
  } else
    throw new ValueError(
      'Split',
      `expects a number of parts or a non-empty array of sizes, got ${describeValue(sizesOrCount)}`,
    );
  if (sizes.length === 1) return [v];
  return applyOp(SplitDef, [v], { axis: a, sizes }) as Variable[];
}

/**
 * Cuts `x` along `axis` (default 0) into at most `n` parts of length ⌈length / n⌉, the last
 * one shorter (PyTorch's `chunk`: 5 rows in 3 chunks are 2 + 2 + 1, and 4 rows in 3 chunks
 * are only 2 + 2).
 */
export function chunk(x: Operand, n: number, axis = 0): Variable[] {
  const v = asVariable('Chunk', x);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ValueError('Chunk', `the number of chunks must be a positive integer, got ${describeValue(n)}`);
  if (v.ndim === 0) throw new ShapeError('Chunk', 'cannot chunk a 0-d tensor');
  const length = v.shape[axisOf('Chunk', axis, v.ndim)];
  const size = Math.ceil(length / n);
  const sizes: number[] = [];
  for (let at = 0; at < length; at += size) sizes.push(Math.min(size, length - at));
  return split(v, sizes.length > 0 ? sizes : [0], axis);
}

import { broadcastTensor, sumToTensor, transposeTensor } from '../backend/tensor-kernels.js';
import { fmtShape, ShapeError } from '../errors.js';
import { applyOp, defineOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { checkShape, normalizePermutation, resolveReshape, type Shape, shapesEqual } from '../tensor/shape.js';

// Shape ops move numbers around without changing them; each backward undoes its forward.

const ReshapeDef: OpDefinition<{ shape: number[] }> = {
  name: 'Reshape',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  forward: ([x], { shape }) => x.reshapeView(shape),
  backward: ([gy], { inputs }) => reshape(gy, inputs[0].shape),
  describe: (a) => ({ shape: a.shape }),
};

/** `x` with a new shape of the same size; one dimension may be -1. */
export function reshape(x: Operand, shape: Shape): Variable {
  const v = asVariable('Reshape', x);
  const target = resolveReshape('Reshape', v.shape, checkShapeAllowingMinusOne(shape));
  if (shapesEqual(target, v.shape)) return v;
  return applyOp(ReshapeDef, [v], { shape: target }) as Variable;
}

function checkShapeAllowingMinusOne(shape: Shape): number[] {
  if (!Array.isArray(shape)) throw new ShapeError('Reshape', `shape must be an array, got ${String(shape)}`);
  return shape.map((d) => {
    if (d === -1) return d;
    return checkShape('Reshape', [d])[0];
  });
}

/** `x` flattened to 2-D `(N, rest)`, keeping the first axis (the book's Affine input). */
export function flatten(x: Operand): Variable {
  const v = asVariable('Flatten', x);
  if (v.ndim === 0) throw new ShapeError('Flatten', 'cannot flatten a scalar to 2-D');
  const rest = v.shape.slice(1).reduce((p, q) => p * q, 1);
  return reshape(v, [v.shape[0], rest]);
}

const TransposeDef: OpDefinition<{ axes: number[] }> = {
  name: 'Transpose',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  forward: ([x], { axes }) => transposeTensor(x, axes),
  backward: ([gy], { attrs }) => {
    const inv = new Array<number>(attrs.axes.length);
    attrs.axes.forEach((a, i) => {
      inv[a] = i;
    });
    return transpose(gy, inv);
  },
  describe: (a) => ({ axes: a.axes }),
};

/** Permutes axes (default: reverses them, so a matrix is transposed). */
export function transpose(x: Operand, axes?: readonly number[]): Variable {
  const v = asVariable('Transpose', x);
  const perm = normalizePermutation('Transpose', axes, v.ndim);
  if (perm.every((p, i) => p === i)) return v;
  return applyOp(TransposeDef, [v], { axes: perm }) as Variable;
}

/** Swaps the last two axes (matrix transpose of a batch of matrices). */
export function mT(x: Operand): Variable {
  const v = asVariable('Transpose', x);
  if (v.ndim < 2) throw new ShapeError('Transpose', `mT needs rank ≥ 2, got ${fmtShape(v.shape)}`);
  const axes = v.shape.map((_, i) => i);
  axes[v.ndim - 2] = v.ndim - 1;
  axes[v.ndim - 1] = v.ndim - 2;
  return transpose(v, axes);
}

const BroadcastToDef: OpDefinition<{ shape: number[] }> = {
  name: 'BroadcastTo',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  forward: ([x], { shape }) => broadcastTensor(x, shape),
  backward: ([gy], { inputs }) => sumTo(gy, inputs[0].shape),
  describe: (a) => ({ shape: a.shape }),
};

/** `x` broadcast (copied) to `shape`. Its backward is `sumTo`. */
export function broadcastTo(x: Operand, shape: Shape): Variable {
  const v = asVariable('BroadcastTo', x);
  const s = checkShape('BroadcastTo', shape);
  if (shapesEqual(s, v.shape)) return v;
  return applyOp(BroadcastToDef, [v], { shape: s }) as Variable;
}

const SumToDef: OpDefinition<{ shape: number[] }> = {
  name: 'SumTo',
  forward: ([x], { shape }) => sumToTensor(x, shape),
  backward: ([gy], { inputs }) => broadcastTo(gy, inputs[0].shape),
  describe: (a) => ({ shape: a.shape }),
};

/** Sums `x` down to `shape` (the inverse of broadcasting). Its backward is `broadcastTo`. */
export function sumTo(x: Operand, shape: Shape): Variable {
  const v = asVariable('SumTo', x);
  const s = checkShape('SumTo', shape);
  if (shapesEqual(s, v.shape)) return v;
  return applyOp(SumToDef, [v], { shape: s }) as Variable;
}

/** Makes a copy that is its own node (identity op); handy for naming a value in a drawing. */
export const identity = defineOp({
  name: 'Identity',
  forward: ([x]) => x,
  backward: ([gy]) => gy,
});

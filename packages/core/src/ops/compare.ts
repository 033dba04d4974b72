import { binary, broadcastTensor } from '../backend/tensor-kernels.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, Variable } from '../graph/variable.js';
import { allocate } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { mul } from './arithmetic.js';

// Comparisons give masks of 0 and 1: constants, not differentiable (their derivative is 0
// almost everywhere), so they never record a node. `where` selects with such a mask.

function compare(kind: 'ge' | 'gt' | 'eq', op: string, a: Operand, b: Operand): Variable {
  const x = asVariable(op, a);
  const y = asVariable(op, b, x.dtype);
  return new Variable(binary(kind, x.data, y.data, op), { requiresGrad: false });
}

/** a > b elementwise, as a 0/1 mask (no gradient). */
export const greater = (a: Operand, b: Operand): Variable => compare('gt', 'Greater', a, b);
/** a ≥ b elementwise, as a 0/1 mask (no gradient). */
export const greaterEqual = (a: Operand, b: Operand): Variable => compare('ge', 'GreaterEqual', a, b);
/** a < b elementwise, as a 0/1 mask (no gradient). */
export const less = (a: Operand, b: Operand): Variable => compare('gt', 'Less', b, a);
/** a ≤ b elementwise, as a 0/1 mask (no gradient). */
export const lessEqual = (a: Operand, b: Operand): Variable => compare('ge', 'LessEqual', b, a);
/** a = b elementwise, as a 0/1 mask (no gradient). */
export const equal = (a: Operand, b: Operand): Variable => compare('eq', 'Equal', a, b);

const WhereDef: OpDefinition<{ cond: Tensor }> = {
  name: 'Where',
  broadcast: true,
  forward: ([a, b], { cond }) => {
    const shape = broadcastShapes('Where', cond.shape, a.shape, b.shape);
    const c = broadcastTensor(cond, shape, 'Where').data;
    const x = broadcastTensor(a, shape, 'Where').data;
    const y = broadcastTensor(b, shape, 'Where').data;
    const out = allocate(a.dtype, c.length);
    for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? x[i] : y[i];
    return new Tensor(out, shape);
  },
  // The gradient goes to whichever input was selected; the engine sums it back to each shape.
  backward: ([gy], { attrs: { cond }, needsGrad }) => [
    needsGrad[0] ? mul(gy, binary('eq', binary('eq', cond, zeroLike(cond)), zeroLike(cond))) : null,
    needsGrad[1] ? mul(gy, binary('eq', cond, zeroLike(cond))) : null,
  ],
};

const zeroLike = (t: Tensor) => new Tensor(allocate(t.dtype, 1), []);

/**
 * numpy's `where(cond, a, b)`: `a` where `cond` is non-zero, else `b`, all three broadcast.
 * `cond` is a constant mask (e.g. from `less(x, 1)`); gradients flow to `a` and `b`.
 */
export function where(cond: Operand, a: Operand, b: Operand): Variable {
  const c = asVariable('Where', cond).data;
  return applyOp(WhereDef, [a, b], { cond: c }) as Variable;
}

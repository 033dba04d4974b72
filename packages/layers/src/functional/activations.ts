/**
 * The notes' activation and output functions that core does not have: the perceptron's step,
 * softmax and log-softmax, composed from `@zerograd/core` ops so their gradients come from the
 * graph. ReLU, sigmoid, tanh and the identity are core ops: import them from `@zerograd/core`
 * (the layers `ReLU`, `Sigmoid`, `Tanh` wrap them).
 */
import {
  asVariable,
  defineOp,
  exp,
  log,
  type Operand,
  sub,
  sum,
  Tensor,
  ValueError,
  type Variable,
} from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';

const ZERO = new Tensor(new Float64Array(1), []);

const StepDef = defineOp({
  name: 'Step',
  // The notes' perceptron: 0 below zero, 1 from zero on (`0 if x < 0 else 1`).
  forward: ([x]) => kernels.binary('ge', x, ZERO).astype(x.dtype),
  // Flat on both sides of the jump: the derivative is zero wherever it exists, which is why
  // a network of step units cannot learn by gradients and the book moves on to sigmoid.
  backward: ([gy]) => kernels.unary('mulScalar', gy.data, 0),
});

/**
 * The perceptron's step function, `h(x) = 0` for `x < 0` and `1` for `x ≥ 0`, elementwise.
 * It is meant for the forward pass only: its derivative is 0 almost everywhere (and undefined
 * at the jump), so backpropagating through it gives zeros and nothing learns.
 */
export function step(x: Operand): Variable {
  return StepDef(x);
}

/** The axis as a non-negative index, with a clear error when it does not exist. */
export function resolveAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ValueError(op, `axis ${axis} is out of range for a tensor of rank ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * The maximum along `axis` as a constant (keepdims). Softmax is unchanged by subtracting any
 * constant per row, so the shift needs no gradient — and none is recorded for it.
 */
function rowMax(x: Variable, axis: number): Tensor {
  const m = kernels.reduceTensor('max', x.data, axis, true, 'Softmax');
  // An all −∞ row would give −∞ − (−∞) = NaN; shift such rows by 0 (their softmax is NaN anyway).
  const d = m.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) d[i] = 0;
  return m;
}

/**
 * Softmax along `axis` (default the last): `exp(x − max) / Σ exp(x − max)`. Subtracting the
 * maximum (as the notes do) keeps `exp` from overflowing: logits of ±1000 are fine.
 */
export function softmax(x: Operand, axis = -1): Variable {
  const v = asVariable('Softmax', x);
  const a = resolveAxis('Softmax', axis, v.ndim);
  const e = exp(sub(v, rowMax(v, a)));
  return e.div(sum(e, a, true));
}

/**
 * log(softmax(x)) along `axis` (default the last), computed as `x − max − log Σ exp(x − max)`
 * (log-sum-exp): finite where `log(softmax(x))` would give `log 0 = −∞`.
 */
export function logSoftmax(x: Operand, axis = -1): Variable {
  const v = asVariable('LogSoftmax', x);
  const a = resolveAxis('LogSoftmax', axis, v.ndim);
  const shifted = sub(v, rowMax(v, a));
  return sub(shifted, log(sum(exp(shifted), a, true)));
}

// A user-defined op from definition to a passing property test (see test/custom-op.test.ts).
import { abs, customGrad, defineOp, exp, less, log, maximum, neg, sigmoid, type Variable, where } from '@zerograd/core';

/** softplus(x) = log(1 + eˣ), computed stably as max(x, 0) + log(1 + e^−|x|). */
export const softplus = defineOp({
  name: 'Softplus',
  // Forward sees tensors; ops on plain tensors record no graph, so they are fine here.
  forward: ([x]) => maximum(x, 0).add(log(exp(neg(abs(x))).add(1))).data,
  // d/dx softplus = sigmoid(x); written with ops, so it can be differentiated again.
  backward: ([gy], { inputs: [x] }) => gy.mul(sigmoid(x)),
});

/** Smooth-L1 (Huber, δ = 1) as a composed function… */
const smoothL1Composed = (x: Variable): Variable => {
  const a = abs(x);
  return where(less(a, 1), x.mul(x).mul(0.5), a.sub(0.5));
};

/** …and the same function as one node with a hand-written gradient: clip(x, −1, 1). */
export const smoothL1 = customGrad('SmoothL1', smoothL1Composed, ([gy], { inputs: [x] }) => gy.mul(x.clip(-1, 1)));

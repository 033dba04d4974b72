// Hostile inputs that once crashed, did nothing, or answered wrongly (issue 11): each test
// failed before its fix.
import { backward, defineOp, GraphError, mul, noGrad, variable } from '@zerograd/core';
import { describe, expect, it } from 'vitest';

describe('backward() of an output that has no graph (#4)', () => {
  it('throws a GraphError instead of leaving every gradient null without a word', () => {
    const x = variable([1, 2]);
    const y = noGrad(() => x.mul(2).sum());
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => backward(y)).toThrow(/made without a graph/);
    expect(x.grad).toBeNull();
    // From constants only: nothing requires a gradient either.
    const c = mul(variable([1], { requiresGrad: false }), 3);
    expect(() => c.backward()).toThrow(GraphError);
  });

  it('inside a custom op’s backward too', () => {
    const x = variable([1, 2]);
    const bad = defineOp({
      name: 'Bad',
      forward: ([t]) => t,
      backward: ([gy]) => {
        noGrad(() => gy.mul(2)).backward();
        return gy;
      },
    });
    expect(() => bad(x).sum().backward()).toThrow(/^backward: the output \(2,\) was made without a graph/);
  });

  it('a leaf that requires a gradient still backpropagates to itself', () => {
    const x = variable(3);
    x.backward();
    expect(x.grad?.item()).toBe(1);
  });
});

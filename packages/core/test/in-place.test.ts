// Version counters: a graph recorded before an in-place write refuses to backpropagate
// (issue 11, item 2), as PyTorch's "modified by an inplace operation" check does.
import { GraphError, mul, parameter, sum, variable } from '@zerograd/core';
import { describe, expect, it } from 'vitest';

describe('in-place writes after the forward pass', () => {
  it('a second backward after the weights changed throws, naming the op and the variable', () => {
    const W = parameter([2], 'W');
    const x = variable([3], { name: 'x' });
    const y = sum(mul(W, x));
    y.backward();
    expect(x.grad?.toArray()).toEqual([2]);
    // An optimizer step writes into W's buffer and marks it (see @zerograd/layers' Optimizer).
    W.data.data[0] -= 1 * (W.grad?.item() ?? 0);
    W.data.markModified();
    x.clearGrad();
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => y.backward()).toThrow(/^Mul: .*modified in place.*input 0 'W' \(1,\) \(now at version 1\)/);
    // Nothing was written: x's gradient was not half-computed.
    expect(x.grad).toBeNull();
  });

  it('a fresh forward pass after the write backpropagates with the new values', () => {
    const W = parameter([2], 'W');
    const x = variable([3], { name: 'x' });
    sum(mul(W, x)).backward();
    W.data.data[0] = 5;
    W.data.markModified();
    x.clearGrad();
    sum(mul(W, x)).backward();
    expect(x.grad?.toArray()).toEqual([5]);
    expect(W.data.version).toBe(1);
  });

  it('versions start at 0 and only in-place writers bump them', () => {
    const a = variable([1, 2]);
    const b = a.mul(2);
    expect([a.data.version, b.data.version]).toEqual([0, 0]);
    expect(a.data.markModified().version).toBe(1);
  });

  it('gradient sums made in place by the engine do not trip the check', () => {
    // x is used three times: its gradient is summed in place when no graph is recorded.
    const x = variable([1, 2, 3]);
    const y = sum(mul(x, x).add(x));
    y.backward();
    expect(x.grad?.toArray()).toEqual([3, 5, 7]);
  });
});

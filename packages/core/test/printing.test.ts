// Printing tensors and variables like numpy (issue 11 #5, issue 17 "Readable when things go
// wrong"): aligned columns, summaries past a threshold, never building the whole nested array.
import { inspect } from 'node:util';
import { arange, fromArray, printOptions, ValueError, variable, zeros } from '@zerograd/core';
import { describe, expect, it } from 'vitest';

describe('String(tensor)', () => {
  it('an empty tensor of a huge shape prints at once (it used to exhaust the heap)', () => {
    const t = zeros([1e6, 1e6, 0]);
    const start = performance.now();
    expect(String(t)).toBe('Tensor([], shape=(1000000, 1000000, 0), dtype=float64)');
    expect(performance.now() - start).toBeLessThan(1000);
    expect(() => t.toArray()).toThrow(ValueError);
    expect(() => t.toArray()).toThrow(/1000000000000 nested arrays holding 0 values/);
  });

  it('aligns the numbers of every row in one column width', () => {
    expect(
      String(
        fromArray([
          [1, 2.5, -3],
          [4, 5, 6e-7],
        ]),
      ),
    ).toBe('Tensor([[   1,  2.5,   -3],\n        [   4,    5, 6e-7]], shape=(2, 3), dtype=float64)');
  });

  it('past the threshold, shows the first and last edgeItems of each axis with ...', () => {
    const s = String(arange(2000).reshapeView([40, 50]));
    const lines = s.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('Tensor([[   0,    1,    2, ...,   47,   48,   49],');
    expect(lines[3].trim()).toBe('...,');
    expect(lines[6]).toBe('        [1950, 1951, 1952, ..., 1997, 1998, 1999]], shape=(40, 50), dtype=float64)');
    // Under the threshold everything is shown.
    expect(String(arange(12).reshapeView([3, 4]))).not.toContain('...');
  });

  it('separates the blocks of a rank-3 tensor by a blank line, like numpy', () => {
    expect(String(arange(8).reshapeView([2, 2, 2]))).toBe(
      'Tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], shape=(2, 2, 2), dtype=float64)',
    );
  });

  it('the thresholds are settable', () => {
    const keep = { ...printOptions };
    try {
      printOptions.threshold = 5;
      printOptions.edgeItems = 1;
      expect(String(arange(10))).toBe('Tensor([0, ..., 9], shape=(10,), dtype=float64)');
    } finally {
      Object.assign(printOptions, keep);
    }
  });
});

describe('console.log(variable)', () => {
  it('shows name, values, shape, dtype, where it came from and its gradient — not internals', () => {
    const x = variable([1, 2], { name: 'x' });
    x.mul(x).sum().backward();
    const text = inspect(x);
    expect(text).toBe('Variable([1, 2], shape=(2,), dtype=float64, name=x, leaf, requiresGrad=true)\n  grad=[2, 4]');
    expect(text).not.toMatch(/_data|_scalar|creator:|generation/);
    expect(inspect(x.mul(3))).toBe('Variable([3, 6], shape=(2,), dtype=float64, creator=Mul, requiresGrad=true)');
  });
});

import { backwardSteps, onesLike, traceGraph } from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import { affine, apple, applesAndOranges, sigmoidDecomposed, sigmoidFused } from '../src/notes/backprop.js';

describe('notes: backpropagation', () => {
  it('apple: 220 yen; gradients 2.2, 110, 200', () => {
    const a = apple();
    a.price.backward();
    expect(a.price.item()).toBeCloseTo(220, 10);
    expect(a.apple.grad?.item()).toBeCloseTo(2.2, 12);
    expect(a.count.grad?.item()).toBeCloseTo(110, 10);
    expect(a.tax.grad?.item()).toBeCloseTo(200, 10);
  });

  it('apples and oranges: 715 yen; gradients as in the book', () => {
    const o = applesAndOranges();
    o.price.backward();
    expect(o.price.item()).toBeCloseTo(715, 10);
    expect(o.apple.grad?.item()).toBeCloseTo(2.2, 12);
    expect(o.appleNum.grad?.item()).toBeCloseTo(110, 10);
    expect(o.orange.grad?.item()).toBeCloseTo(3.3, 12);
    expect(o.orangeNum.grad?.item()).toBeCloseTo(165, 10);
    expect(o.tax.grad?.item()).toBeCloseTo(650, 10);
  });

  it('the decomposed sigmoid and the fused node agree: y(1 − y)', () => {
    for (const x0 of [-3, -0.5, 0, 0.5, 4]) {
      const d = sigmoidDecomposed(x0);
      d.y.backward();
      const f = sigmoidFused(x0);
      f.y.backward();
      const y = 1 / (1 + Math.exp(-x0));
      expect(d.y.item()).toBeCloseTo(y, 14);
      expect(d.x.grad?.item()).toBeCloseTo(y * (1 - y), 14);
      expect(f.x.grad?.item()).toBeCloseTo(y * (1 - y), 14);
    }
    // Four op nodes when decomposed (Neg, Exp, Add, Div), one when fused.
    const ops = (s: ReturnType<typeof traceGraph>) =>
      s.nodes.filter((n) => n.kind === 'op').map((n) => n.kind === 'op' && n.op);
    expect(ops(traceGraph(sigmoidDecomposed().y))).toEqual(['Neg', 'Exp', 'Add', 'Div']);
    expect(ops(traceGraph(sigmoidFused().y))).toEqual(['Sigmoid']);
  });

  it('the Affine graph boxes MatMul and Add in its scope, with the book’s shapes', () => {
    const { y, W, B } = affine();
    const snap = traceGraph(y);
    const ops = snap.nodes.filter((n) => n.kind === 'op');
    expect(ops.map((n) => n.kind === 'op' && n.op)).toEqual(['MatMul', 'Add']);
    for (const n of ops) expect(n.scope).toEqual(['Affine']);
    y.backward({ seed: onesLike(y.data) });
    // dW = Xᵀ·1, dB = Σ over the batch of 1.
    expect(W.grad?.toArray()).toEqual([
      [5, 5],
      [7, 7],
      [9, 9],
    ]);
    expect(B.grad?.toArray()).toEqual([2, 2]);
    const steps = backwardSteps(affine().y);
    expect(steps.length).toBe(3);
  });
});

// The losses beyond the book (issue 17): values against PyTorch's formulas written out with
// Math, every reduction, gradients (and second order where smooth) against central
// differences, the stable and clamped edges, and the errors.
import { gradgradcheck, Random, ShapeError, Tensor, tensor, ValueError, variable, zeros } from '@zerograd/core';
import { gradientProperty, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  huberLoss,
  l1Loss,
  logSoftmax,
  nllLoss,
  softmaxCrossEntropy,
} from '../src/index.js';

const RUNS = { numRuns: 12 };
const sizes = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }));

/** Predictions and targets of one generated shape. */
const pairArb = (y: { min: number; max: number }, t: { min: number; max: number }) =>
  sizes.chain(([n, c]) => fc.tuple(tensorArb([n, c], y), tensorArb([n, c], t)));

// PyTorch's per-element formulas.
const REF = {
  bce: (p: number, t: number) => -(t * Math.max(Math.log(p), -100) + (1 - t) * Math.max(Math.log(1 - p), -100)),
  bceLogits: (x: number, t: number) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))),
  bceLogitsPos: (x: number, t: number, w: number) => {
    const logSig = -(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)))); // log σ(x)
    const log1mSig = -(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))); // log(1 − σ(x))
    return -(w * t * logSig + (1 - t) * log1mSig);
  },
  l1: (y: number, t: number) => Math.abs(y - t),
  huber: (y: number, t: number, d: number) =>
    Math.abs(y - t) < d ? 0.5 * (y - t) ** 2 : d * (Math.abs(y - t) - 0.5 * d),
};

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-13) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i]), `[${i}] ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(want[i])),
    );
  }
}

/** Each reduction of `loss` against the per-element reference. */
function checkReductions(
  loss: (
    y: unknown,
    t: unknown,
    o: { reduction: 'mean' | 'sum' | 'none' },
  ) => { data: { data: ArrayLike<number> }; item(): number },
  y: ArrayLike<number>,
  t: ArrayLike<number>,
  yT: unknown,
  tT: unknown,
  ref: (a: number, b: number) => number,
) {
  const per = Array.from(y, (v, i) => ref(v, t[i]));
  const total = per.reduce((s, v) => s + v, 0);
  expectClose(loss(yT, tT, { reduction: 'none' }).data.data, per);
  expectClose([loss(yT, tT, { reduction: 'sum' }).item()], [total]);
  expectClose([loss(yT, tT, { reduction: 'mean' }).item()], [total / per.length]);
}

describe('values and reductions against the PyTorch formulas', () => {
  it('binaryCrossEntropy, binaryCrossEntropyWithLogits (also posWeight), l1Loss, huberLoss', () => {
    fc.assert(
      fc.property(
        pairArb({ min: -8, max: 8 }, { min: 0, max: 1 }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        ([x, t], k) => {
          const p = x.data.map((v) => 1 / (1 + Math.exp(-v)));
          const pT = new Tensor(Float64Array.from(p), x.shape);
          checkReductions(binaryCrossEntropy as never, p, t.data, pT, t, REF.bce);
          checkReductions(binaryCrossEntropyWithLogits as never, x.data, t.data, x, t, REF.bceLogits);
          const withPos = binaryCrossEntropyWithLogits(x, t, { posWeight: k, reduction: 'none' });
          expectClose(
            withPos.data.data,
            Array.from(x.data, (v, i) => REF.bceLogitsPos(v, t.data[i], k)),
            1e-12,
          );
          checkReductions(l1Loss as never, x.data, t.data, x, t, REF.l1);
          const huber = (a: unknown, b: unknown, o: object) => huberLoss(a as never, b as never, { ...o, delta: k });
          checkReductions(huber as never, x.data, t.data, x, t, (a, b) => REF.huber(a, b, k));
          // weight multiplies the per-element loss.
          const w = tensor(Array.from({ length: x.shape[1] }, (_, i) => i + 1));
          const weighted = binaryCrossEntropyWithLogits(x, t, { weight: w, reduction: 'none' }).data.data;
          expectClose(
            weighted,
            Array.from(x.data, (v, i) => (1 + (i % x.shape[1])) * REF.bceLogits(v, t.data[i])),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('nllLoss on logSoftmax equals the fused softmaxCrossEntropy; weights and ignoreIndex as PyTorch', () => {
    const r = new Random(0);
    const x = r.randn([5, 4]);
    const labels = [3, 0, 1, 1, 2];
    const lp = logSoftmax(x);
    expect(nllLoss(lp, labels).item()).toBeCloseTo(softmaxCrossEntropy(x, labels).item(), 14);
    const rows = (lp.toArray() as number[][]).map((row, i) => -row[labels[i]]);
    expectClose(nllLoss(lp, labels, { reduction: 'none' }).data.data, rows);
    expectClose([nllLoss(lp, labels, { reduction: 'sum' }).item()], [rows.reduce((s, v) => s + v, 0)]);
    // Weighted mean: Σ w[t]·loss / Σ w[t].
    const w = [0.5, 2, 1, 3];
    const num = rows.reduce((s, v, i) => s + w[labels[i]] * v, 0);
    const den = labels.reduce((s, k) => s + w[k], 0);
    expect(nllLoss(lp, labels, { weight: w }).item()).toBeCloseTo(num / den, 14);
    // −100 (PyTorch's default ignoreIndex) rows count for nothing, in the sum and the count.
    const ignored = [3, -100, 1, -100, 2];
    const kept = [0, 2, 4];
    expect(nllLoss(lp, ignored).item()).toBeCloseTo(kept.reduce((s, i) => s + rows[i], 0) / 3, 14);
    expect(nllLoss(lp, ignored, { reduction: 'none' }).toArray()).toEqual([rows[0], 0, rows[2], 0, rows[4]]);
    expect(nllLoss(lp, [7, 7, 7, 7, 7], { ignoreIndex: 7 }).item()).toBeNaN(); // 0/0, as in PyTorch
    // Classes on the last axis for any leading shape; a single row takes a scalar label.
    expect(nllLoss(lp.reshape([5, 1, 4]), tensor(labels.map((k) => [k]))).item()).toBeCloseTo(
      nllLoss(lp, labels).item(),
      14,
    );
    expect(nllLoss(tensor([-1, -2, -3]), tensor(2)).item()).toBe(3);
  });

  it('binaryCrossEntropy clamps its logs at −100 (p of exactly 0 or 1 gives 100, not ∞), gradients stay finite', () => {
    const p = variable([0, 1, 1e-50, 0.5]);
    const l = binaryCrossEntropy(p, [1, 0, 1, 1], { reduction: 'none' });
    expect(l.toArray()).toEqual([100, 100, 100, Math.LN2]);
    l.sum().backward();
    expect(p.grad?.toArray()).toEqual([0, 0, 0, -2]); // clamped: the clamped loss is flat there
    expect(binaryCrossEntropy([0.25], [0], { reduction: 'sum' }).item()).toBeCloseTo(-Math.log(0.75), 15);
  });

  it('binaryCrossEntropyWithLogits is exact and finite at ±1000, gradient σ(x) − t (½ − t at 0)', () => {
    const x = variable([-1000, -1000, 0, 0, 1000, 1000, 30]);
    const t = [0, 1, 0, 1, 0, 1, 1];
    const l = binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
    expect(l.toArray()).toEqual([0, 1000, Math.LN2, Math.LN2, 1000, 0, Math.log1p(Math.exp(-30))]);
    l.sum().backward();
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(x.grad!.data.data, [0, -1, 0.5, -0.5, 1, 0, sig(30) - 1], 1e-15);
  });
});

describe('gradients against central differences', () => {
  it('binary cross-entropy on probabilities and on logits (with weights), to second order', () => {
    gradientProperty((p, t) => binaryCrossEntropy(p, t), pairArb({ min: 0.05, max: 0.95 }, { min: 0, max: 1 }), {
      ...RUNS,
      label: 'layers.binaryCrossEntropy',
      secondOrder: true,
    });
    gradientProperty(
      (x, t) => binaryCrossEntropyWithLogits(x, t, { reduction: 'sum' }),
      pairArb({ min: -6, max: 6 }, { min: 0, max: 1 }),
      {
        ...RUNS,
        label: 'layers.binaryCrossEntropyWithLogits',
        secondOrder: true,
      },
    );
    gradientProperty(
      (x, t) => binaryCrossEntropyWithLogits(x, t, { posWeight: 3, weight: 0.5, reduction: 'none' }),
      pairArb({ min: -6, max: 6 }, { min: 0, max: 1 }),
      { ...RUNS, label: 'layers.binaryCrossEntropyWithLogits.posWeight', secondOrder: true },
    );
  });

  it('l1Loss and huberLoss away from their kinks (y = t; |y − t| = δ)', () => {
    // y − t kept away from 0 (and, for Huber with δ = 1, from ±1) through a fixed target of 0.
    const shaped = (awayFrom: number[]) => sizes.chain(([n, c]) => fc.tuple(tensorArb([n, c], { awayFrom })));
    gradientProperty((y) => l1Loss(y, zeros(y.shape)), shaped([0]), { ...RUNS, label: 'layers.l1Loss' });
    gradientProperty((y) => huberLoss(y, zeros(y.shape), { reduction: 'sum' }), shaped([0, -1, 1]), {
      ...RUNS,
      label: 'layers.huberLoss',
      secondOrder: true,
    });
    gradientProperty((y) => huberLoss(y, zeros(y.shape), { delta: 0.5 }), shaped([-0.5, 0.5]), {
      ...RUNS,
      label: 'layers.huberLoss.delta',
    });
  });

  it('nllLoss (with weights), to second order', () => {
    const cases = sizes.chain(([n, c]) =>
      fc.record({
        inputs: fc.tuple(tensorArb([n, c])),
        params: fc.record({ labels: fc.array(fc.nat(c - 1), { minLength: n, maxLength: n }) }),
      }),
    );
    gradientProperty(
      ({ labels }: { labels: number[] }) =>
        (x) =>
          nllLoss(logSoftmax(x), labels, { weight: Array.from({ length: x.shape[1] }, (_, i) => i + 0.5) }),
      cases,
      {
        ...RUNS,
        label: 'layers.nllLoss',
        secondOrder: true,
      },
    );
  });

  it('huberLoss gradient is d inside δ and ±δ outside', () => {
    const y = variable([0.5, 3, -3]);
    huberLoss(y, [0, 0, 0], { delta: 2, reduction: 'sum' }).backward();
    expect(y.grad?.toArray()).toEqual([0.5, 2, -2]);
    expect(gradgradcheck((v) => huberLoss(v, [0, 0, 0], { delta: 2 }), [tensor([0.5, 3, -3])]).ok).toBe(true);
  });
});

describe('errors name the loss and the shapes', () => {
  it('shapes must match exactly (no silent [N, 1] against [N] broadcast)', () => {
    expect(() => l1Loss(tensor([[1], [2]]), tensor([1, 2]))).toThrow(ShapeError);
    expect(() => l1Loss(tensor([[1], [2]]), tensor([1, 2]))).toThrow(
      /l1Loss: targets \(2,\) must have the predictions' shape \(2, 1\)/,
    );
    expect(() => binaryCrossEntropyWithLogits([1, 2], [1])).toThrow(/binaryCrossEntropyWithLogits: targets/);
    expect(() => huberLoss([1], [1, 2])).toThrow(ShapeError);
    expect(() => nllLoss(tensor([[0, 0]]), [0, 1])).toThrow(/nllLoss: labels \(2,\) must be one per row \(1,\)/);
    expect(() => nllLoss(tensor(1), tensor(0))).toThrow(ShapeError);
    expect(() => nllLoss(tensor([[0, 0]]), [0], { weight: [1, 2, 3] })).toThrow(
      /weight \(3,\) must have one value per class \[2\]/,
    );
  });

  it('values out of range and bad options are ValueErrors', () => {
    expect(() => binaryCrossEntropy([0.5, 1.5], [1, 1])).toThrow(ValueError);
    expect(() => binaryCrossEntropy([0.5, 1.5], [1, 1])).toThrow(/p\[1\] is 1.5/);
    expect(() => binaryCrossEntropy([Number.NaN], [1])).toThrow(/p\[0\] is NaN/);
    expect(() => nllLoss(tensor([[0, 0]]), [2])).toThrow(/label 2 at index 0 is not a class index in \[0, 2\)/);
    expect(() => nllLoss(tensor([[0, 0]]), [0.5])).toThrow(ValueError);
    expect(() => huberLoss([1], [1], { delta: 0 })).toThrow(/delta must be positive/);
    expect(() => l1Loss([1], [1], { reduction: 'avg' as never })).toThrow(/reduction must be 'mean', 'sum' or 'none'/);
    expect(() => nllLoss(tensor([[0, 0]]), [0], { reduction: 'avg' as never })).toThrow(/nllLoss: reduction/);
  });
});

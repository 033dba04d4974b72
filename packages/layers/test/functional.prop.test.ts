// Gradients of every function (first and, where the design asks, second order) against central
// differences over generated shapes and values; the fused softmax cross-entropy against its
// composed form; and the stability cases (logits and sigmoid inputs of ±1000).
import {
  backward,
  fromArray,
  grad,
  identity,
  Random,
  relu,
  ShapeError,
  sigmoid,
  type Tensor,
  tanh,
  traceGraph,
  ValueError,
  type Variable,
  variable,
} from '@zerograd/core';
import { checkProperty, gradientProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crossEntropyError,
  logSoftmax,
  meanSquaredError,
  softmax,
  softmaxCrossEntropy,
  softmaxCrossEntropyComposed,
  step,
} from '../src/index.js';

const small = shapeArb({ maxRank: 3, maxElements: 24 });
const RUNS = { numRuns: 12 };

/** `[N, C]` logits with labels `[N]` (as a float tensor). */
const logitsAndLabels = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })).chain(([n, c]) =>
  fc.record({
    inputs: fc.tuple(tensorArb([n, c], { min: -4, max: 4 })),
    params: fc.record({ labels: fc.array(fc.nat(c - 1), { minLength: n, maxLength: n }) }),
  }),
);

/** `[N, C]` logits with target rows of the same shape (one-hot or soft). */
const logitsAndRows = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }))
  .chain(([n, c]) => fc.tuple(tensorArb([n, c], { min: -4, max: 4 }), tensorArb([n, c], { min: 0, max: 1 })));

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])));
};

describe('activations: analytic vs numerical gradients', () => {
  it('identity, relu (away from 0), sigmoid, tanh', () => {
    gradientProperty((x) => identity(x), [tensorArb(small)], { ...RUNS, label: 'layers.identity' });
    gradientProperty((x) => relu(x), [tensorArb(small, { awayFrom: [0] })], { ...RUNS, label: 'layers.relu' });
    gradientProperty((x) => sigmoid(x), [tensorArb(small, { min: -6, max: 6 })], {
      ...RUNS,
      label: 'layers.sigmoid',
      secondOrder: true,
    });
    gradientProperty((x) => tanh(x), [tensorArb(small)], { ...RUNS, label: 'layers.tanh' });
  });

  it('softmax and logSoftmax along any axis, to second order', () => {
    const cases = shapeArb({ minRank: 1, maxRank: 3, maxElements: 24 }).chain((s) =>
      fc.record({
        inputs: fc.tuple(tensorArb(s)),
        params: fc.record({ axis: fc.integer({ min: -s.length, max: s.length - 1 }) }),
      }),
    );
    gradientProperty(
      ({ axis }: { axis: number }) =>
        (x) =>
          softmax(x, axis),
      cases,
      {
        ...RUNS,
        label: 'layers.softmax',
        secondOrder: true,
      },
    );
    gradientProperty(
      ({ axis }: { axis: number }) =>
        (x) =>
          logSoftmax(x, axis),
      cases,
      {
        ...RUNS,
        label: 'layers.logSoftmax',
        secondOrder: true,
      },
    );
  });

  it('step is the perceptron’s 0/1 with a zero gradient', () => {
    const x = variable([-2, -0.5, 0, 0.5, 3]);
    const y = step(x);
    expect(y.toArray()).toEqual([0, 0, 1, 1, 1]);
    y.backward({ seed: fromArray([1, 2, 3, 4, 5]) });
    expect(x.grad?.toArray()).toEqual([0, 0, 0, 0, 0]);
    expect(step(variable([1], { dtype: 'float32' })).dtype).toBe('float32');
  });

  it('softmax rows sum to 1 and softmax/logSoftmax validate the axis', () => {
    const r = new Random(3);
    const p = softmax(r.randn([4, 6]));
    const d = p.data.data;
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < 6; j++) s += d[i * 6 + j];
      expect(s).toBeCloseTo(1, 14);
    }
    expect(
      softmax(r.randn([3, 2]), 0)
        .sum(0)
        .toArray(),
    ).toEqual([1, 1].map((v) => expect.closeTo(v, 14)));
    expect(() => softmax(r.randn([2, 2]), 2)).toThrow(ValueError);
  });
});

describe('losses: analytic vs numerical gradients', () => {
  it('softmaxCrossEntropy (fused) with labels, to second order', () => {
    gradientProperty(
      ({ labels }: { labels: number[] }) =>
        (x) =>
          softmaxCrossEntropy(x, labels),
      logitsAndLabels,
      {
        ...RUNS,
        label: 'layers.softmaxCrossEntropy(labels)',
        secondOrder: true,
      },
    );
  });

  it('softmaxCrossEntropy (fused) with soft/one-hot rows, gradient to logits and targets', () => {
    gradientProperty((x, t) => softmaxCrossEntropy(x, t), logitsAndRows, {
      ...RUNS,
      label: 'layers.softmaxCrossEntropy(rows)',
      secondOrder: true,
    });
  });

  it('crossEntropyError on probabilities, labels and one-hot', () => {
    const probs = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 })).chain(([n, c]) =>
      fc.record({
        inputs: fc.tuple(tensorArb([n, c], { min: 0.05, max: 1 })),
        params: fc.record({ labels: fc.array(fc.nat(c - 1), { minLength: n, maxLength: n }) }),
      }),
    );
    gradientProperty(
      ({ labels }: { labels: number[] }) =>
        (y) =>
          crossEntropyError(y, labels),
      probs,
      {
        ...RUNS,
        label: 'layers.crossEntropyError(labels)',
      },
    );
    gradientProperty(
      ({ labels }: { labels: number[] }) =>
        (y) => {
          const c = y.shape[1];
          return crossEntropyError(
            y,
            labels.map((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0))),
          );
        },
      probs,
      { ...RUNS, label: 'layers.crossEntropyError(onehot)' },
    );
  });

  it('meanSquaredError in its three reductions, gradient to both arguments', () => {
    const pairs = small.chain((s) => fc.tuple(tensorArb(s), tensorArb(s)));
    for (const reduction of ['halfSum', 'mean', 'none'] as const) {
      gradientProperty((y, t) => meanSquaredError(y, t, { reduction }), pairs, {
        ...RUNS,
        label: `layers.meanSquaredError(${reduction})`,
      });
    }
  });
});

describe('the fused softmax cross-entropy agrees with its composed form', () => {
  const agree = (x: Tensor, t: number[] | Tensor) => {
    const a = variable(x);
    const b = variable(x);
    const fused = softmaxCrossEntropy(a, t);
    const composed = softmaxCrossEntropyComposed(b, t);
    close([fused.item()], [composed.item()], 1e-12);
    backward(fused);
    backward(composed);
    close(a.grad!.data.data, b.grad!.data.data, 1e-12);
  };

  it('in value and gradient, for labels and for rows', () => {
    checkProperty(
      'layers.sce fused = composed (labels)',
      fc.property(logitsAndLabels, ({ inputs: [x], params: { labels } }) => agree(x, labels)),
      RUNS,
    );
    checkProperty(
      'layers.sce fused = composed (rows)',
      fc.property(logitsAndRows, ([x, t]) => agree(x, t)),
      RUNS,
    );
  });

  it('the fused training backward (labels) gives the createGraph path’s gradient, float32 and float64', () => {
    const r = new Random(11);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = r.randn([37, 10], { std: 3 }).astype(dtype);
      const labels = Array.from({ length: 37 }, (_, i) => (i * 7) % 10);
      const a = variable(x);
      backward(softmaxCrossEntropy(a, labels).mul(2.5));
      // With createGraph the same gradient op runs, now recorded: one backward, the same bits.
      const b = variable(x);
      backward(softmaxCrossEntropy(b, labels).mul(2.5), { createGraph: true });
      expect(a.grad!.dtype).toBe(dtype);
      expect(Array.from(b.grad!.data.data)).toEqual(Array.from(a.grad!.data.data));
      expect(traceGraph(b.grad!).nodes.some((n) => n.kind === 'op' && n.op === 'SoftmaxCrossEntropyGrad')).toBe(true);
      // And the book's formula, (softmax(x) − onehot)·2.5/N, row by row.
      const p = softmax(x).data.data;
      const want = Array.from(p, (v, i) => ((v - (i % 10 === labels[Math.floor(i / 10)] ? 1 : 0)) * 2.5) / 37);
      close(a.grad!.data.data, want, dtype === 'float32' ? 1e-6 : 1e-14);
    }
  });

  it('gives the book’s gradient (y − t)/N', () => {
    const x = variable([
      [0.3, 2.9, 4.0],
      [1.0, -1.0, 0.5],
    ]);
    softmaxCrossEntropy(x, [2, 0]).backward();
    const y = softmax(x.data).data.data;
    const t = [0, 0, 1, 1, 0, 0];
    close(
      x.grad!.data.data,
      Array.from(y, (v, i) => (v - t[i]) / 2),
      1e-14,
    );
  });

  it('reads the notes’ single-example form: [C] logits with a scalar label', () => {
    const x = variable([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]);
    expect(softmaxCrossEntropy(x, 2).item()).toBeCloseTo(softmaxCrossEntropyComposed(x, 2).item(), 12);
  });

  it('refuses bad targets with the library’s errors', () => {
    const x = variable([
      [1, 2],
      [3, 4],
    ]);
    expect(() => softmaxCrossEntropy(x, [0, 2])).toThrow(ValueError);
    expect(() => softmaxCrossEntropy(x, [0.5, 1])).toThrow(/not a class index/);
    expect(() => softmaxCrossEntropy(x, [0, 1, 1])).toThrow(ShapeError);
    expect(() => meanSquaredError(x, [1, 2])).toThrow(ShapeError);
    expect(() => meanSquaredError(x, x, { reduction: 'sum' as 'mean' })).toThrow(ValueError);
  });
});

describe('stability', () => {
  it('softmaxCrossEntropy is finite and exact for logits of ±1000', () => {
    const x = variable([
      [1000, -1000, 0],
      [-1000, 1000, 1000],
    ]);
    const loss = softmaxCrossEntropy(x, [0, 0]);
    // Row 1: log Σ e^(x − 1000) = 0, loss 0. Row 2: lse = 1000 + ln 2, loss 2000 + ln 2.
    expect(loss.item()).toBeCloseTo((0 + 2000 + Math.LN2) / 2, 9);
    loss.backward();
    close(x.grad!.data.data, [0, 0, 0, -0.5, 0.25, 0.25], 1e-15);
    const onehot = softmaxCrossEntropy(variable(x.data), [
      [1, 0, 0],
      [1, 0, 0],
    ]);
    expect(onehot.item()).toBeCloseTo(loss.item(), 9);
    expect(softmaxCrossEntropyComposed(x.data, [0, 0]).item()).toBeCloseTo(loss.item(), 9);
  });

  it('float32 logits of ±1000 stay finite and float32', () => {
    const x = variable(new Float32Array([1000, -1000, -1000, 1000]), { dtype: 'float32' }).reshape([2, 2]);
    const loss = softmaxCrossEntropy(x, [1, 1]);
    expect(loss.dtype).toBe('float32');
    expect(loss.item()).toBeCloseTo(1000, 3);
  });

  it('softmax and logSoftmax at ±1000', () => {
    expect(softmax([1000, -1000, 1000]).toArray()).toEqual([0.5, 0, 0.5]);
    expect(logSoftmax([1000, -1000]).toArray()).toEqual([0, -2000]);
    const g = grad((x: Variable) => logSoftmax(x).getItem(1))([1000, -1000]);
    expect(g[0].toArray()).toEqual([-1, 1]);
  });

  it('sigmoid at ±1000 is exactly 1 and 0 with finite (zero) gradients', () => {
    const x = variable([1000, -1000]);
    const y = sigmoid(x);
    expect(y.toArray()).toEqual([1, 0]);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 0]);
  });

  it('crossEntropyError on a probability of 0 is −log(1e-7), the notes’ guard', () => {
    expect(crossEntropyError([0, 1], [1, 0]).item()).toBeCloseTo(-Math.log(1e-7), 9);
    const perRow = crossEntropyError(
      [
        [0.1, 0.9],
        [0.8, 0.2],
      ],
      [1, 1],
      { reduction: 'none' },
    );
    close(perRow.data.data, [-Math.log(0.9 + 1e-7), -Math.log(0.2 + 1e-7)], 1e-14);
  });

  it('meanSquaredError reproduces the book’s example values', () => {
    const t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    const good = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
    const bad = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0];
    expect(meanSquaredError(good, t).item()).toBeCloseTo(0.0975, 12);
    expect(meanSquaredError(bad, t).item()).toBeCloseTo(0.5975, 12);
    expect(crossEntropyError(good, t).item()).toBeCloseTo(0.510825457099338, 6);
    expect(crossEntropyError(bad, t).item()).toBeCloseTo(2.302584092994546, 6);
    expect(meanSquaredError(good, t, { reduction: 'mean' }).item()).toBeCloseTo(0.0195, 12);
  });
});

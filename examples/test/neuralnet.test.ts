import { gradcheck, Random } from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import {
  AND,
  activationCurves,
  lossComparison,
  multiLayerForward,
  NAND,
  OR,
  sinCos,
  softmaxForward,
  truthTable,
  XOR,
} from '../src/notes/neuralnet.js';
import { compareGradients, initNetwork, loss, main as numericalMain } from '../src/notes/numerical-training.js';

describe('notes: perceptron and forward passes', () => {
  it('sin & cos over 0…5.9', () => {
    const s = sinCos();
    expect(s.x.length).toBe(60);
    s.x.forEach((x, i) => {
      expect(s.sin[i]).toBeCloseTo(Math.sin(x), 14);
      expect(s.cos[i]).toBeCloseTo(Math.cos(x), 14);
    });
  });

  it('hand-set perceptrons are AND, NAND, OR; two layers make XOR', () => {
    expect(truthTable(AND)).toEqual([0, 0, 0, 1]);
    expect(truthTable(NAND)).toEqual([1, 1, 1, 0]);
    expect(truthTable(OR)).toEqual([0, 1, 1, 1]);
    expect(truthTable(XOR)).toEqual([0, 1, 1, 0]);
  });

  it('step, sigmoid and ReLU of the same totals behave as the notes plot', () => {
    const a = activationCurves(3);
    expect(a.step.length).toBe(200);
    a.total.forEach((t, i) => {
      expect(a.step[i]).toBe(t >= 0 ? 1 : 0);
      expect(a.sigmoid[i]).toBeCloseTo(1 / (1 + Math.exp(-t)), 14);
      expect(a.relu[i]).toBe(Math.max(0, t));
    });
    // Inputs grow row by row and weights are positive: the totals increase monotonically.
    for (let i = 1; i < 200; i++) expect(a.total[i]).toBeGreaterThan(a.total[i - 1]);
  });

  it('the 4-layer sigmoid net gives one probability per input, rising with the input', () => {
    const y = multiLayerForward(1);
    expect(y.length).toBe(200);
    for (const v of y) expect(v > 0 && v < 1).toBe(true);
    expect(y[199]).toBeGreaterThan(y[0]);
  });

  it('the softmax net outputs 200 rows of 5 probabilities summing to 1', () => {
    const s = softmaxForward(2);
    expect(s.length).toBe(200);
    for (const row of s) {
      expect(row.length).toBe(5);
      expect(row.reduce((p, q) => p + q, 0)).toBeCloseTo(1, 12);
    }
  });

  it('MSE and cross-entropy both fall as the prediction slides to the right answer; CE punishes more', () => {
    const l = lossComparison();
    for (let i = 1; i < 200; i++) {
      expect(l.mse[i]).toBeLessThan(l.mse[i - 1]);
      expect(l.crossEntropy[i]).toBeLessThan(l.crossEntropy[i - 1]);
    }
    // At p = 0.5: MSE = ½(0.5² + 0.5²) = 0.25, CE = −log 0.5.
    expect(l.mse[100]).toBeCloseTo(0.25, 12);
    expect(l.crossEntropy[100]).toBeCloseTo(-Math.log(0.5 + 1e-7), 10);
    expect(l.crossEntropy[1]).toBeGreaterThan(5);
  });
});

describe('notes: training by numerical gradients', () => {
  it('numerical and backprop gradients of the (4, 2, 3, 5) net agree', () => {
    const x = new Random(5).rand([4]);
    const cmp = compareGradients(x, initNetwork([4, 2, 3, 5], 6), [0, 0, 0, 1, 0]);
    expect(cmp.numerical.length).toBe(4 * 2 + 2 * 3 + 3 * 5 + 2 + 3 + 5);
    cmp.numerical.forEach((v, i) => expect(Math.abs(v - cmp.backprop[i])).toBeLessThan(1e-7));
  });

  it('gradcheck agrees: the backprop gradients of every weight and bias pass', () => {
    const x = new Random(7).rand([4]);
    const net = initNetwork([4, 2, 3, 5], 8);
    const params = [...net.w, ...net.b];
    const report = gradcheck(
      (...ps) => loss(x, ps.slice(0, net.w.length), ps.slice(net.w.length), [0, 0, 0, 1, 0]),
      params,
    );
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(39);
  });

  it('500 steps of numerical-gradient descent lower the loss', () => {
    const history = numericalMain(() => {});
    expect(history.length).toBe(500);
    expect(history[499]).toBeLessThan(history[0] * 0.8);
    for (let i = 1; i < 500; i++) expect(history[i]).toBeLessThanOrEqual(history[i - 1] + 1e-12);
  });
});

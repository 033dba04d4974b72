import { loadMnist } from '@zerograd/layers';
import { describe, expect, it } from 'vitest';
import { BATCH_NORM_QUICK, batchNormGrid, logspace } from '../src/chapter6/batch-norm.js';
import { tailMean } from '../src/chapter6/nets.js';
import { OPTIMIZERS_MNIST_QUICK, optimizersOnMnist } from '../src/chapter6/optimizers-mnist.js';

const data = loadMnist({ seed: 0 });

describe('6.2 the four optimizers on MNIST (5-layer ReLU net, quick run)', () => {
  it('start from the same weights, all learn, and SGD is the slowest', () => {
    const curves = optimizersOnMnist(data, OPTIMIZERS_MNIST_QUICK);
    expect(curves.map((c) => c.name)).toEqual(['SGD', 'Momentum', 'AdaGrad', 'Adam']);
    // Same seed, same first batch: the first loss is the same number for all four.
    const first = curves.map((c) => c.loss[0]);
    expect(new Set(first).size).toBe(1);
    for (const c of curves) {
      expect(c.loss).toHaveLength(OPTIMIZERS_MNIST_QUICK.iterations);
      expect(tailMean(c.loss), c.name).toBeLessThan((first[0] ?? 0) * 0.6);
    }
    const [sgd, ...others] = curves.map((c) => tailMean(c.loss));
    for (const o of others) expect(o).toBeLessThan((sgd ?? 0) * 0.5);
  });
});

describe('6.4 batch normalization', () => {
  it('logspace is numpy’s', () => {
    expect(logspace(0, -3, 4).map((v) => Number(v.toPrecision(12)))).toEqual([1, 0.1, 0.01, 0.001]);
    expect(logspace(0, -4, 16)).toHaveLength(16);
  });

  it('learns from small initial weights where the plain net does not', () => {
    const runs = batchNormGrid(data, BATCH_NORM_QUICK);
    expect(runs.map((r) => r.scale)).toEqual(BATCH_NORM_QUICK.scales);
    for (const r of runs) expect(r.withBatchNorm).toHaveLength(BATCH_NORM_QUICK.epochs);
    for (const scale of [0.1, 0.01]) {
      const r = runs.find((x) => Math.abs(x.scale - scale) < 1e-12);
      const bn = r?.withBatchNorm.at(-1) ?? 0;
      const plain = r?.without.at(-1) ?? 1;
      expect(bn - plain, `scale ${scale}`).toBeGreaterThan(0.3);
    }
    // At 0.01 and 0.001 the plain net is stuck at guessing one class (~10 % of the digits).
    for (const r of runs.filter((x) => x.scale < 0.05)) expect(Math.max(...r.without)).toBeLessThan(0.2);
  });
});

// The "coming from PyTorch" example: a model class with fields, a hand-written loop with a
// warm-up + cosine schedule and gradient clipping, on real digits. Observed on the development
// machine: test accuracy 0.9405 after 400 steps of 64 (about 5 s).
import { loadMnist } from '@zerograd/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FromPytorchRun, Mlp, trainFromPytorch } from '../src/from-pytorch.js';

describe('examples/src/from-pytorch.ts', () => {
  let run: FromPytorchRun;
  beforeAll(() => {
    run = trainFromPytorch({ data: loadMnist({ seed: 0 }) });
  }, 120_000);

  it('the model class registers its fields: named parameters, found by the optimizer', () => {
    expect(new Mlp().namedParameters().map(([n, p]) => `${n} ${p.shape}`)).toEqual([
      'fc1.W 784,128',
      'fc1.b 128',
      'norm.weight 128',
      'norm.bias 128',
      'fc2.W 128,10',
      'fc2.b 10',
    ]);
    expect(run.model.parameters()[0].dtype).toBe('float32');
  });

  it('reaches ≥ 0.93 test accuracy on 2,000 held-out digits in 400 steps', () => {
    expect(run.losses).toHaveLength(400);
    expect(run.testAccuracy).toBeGreaterThanOrEqual(0.93);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(run.losses.slice(-20))).toBeLessThan(mean(run.losses.slice(0, 20)) / 4);
  });

  it('the learning rate followed the schedule: linear warm-up to 2e-3 at step 40, then cosine down', () => {
    expect(run.lrs[0]).toBeCloseTo(2e-4, 12);
    expect(run.lrs[20]).toBeCloseTo(2e-4 + (1.8e-3 * 20) / 40, 12);
    expect(run.lrs[40]).toBeCloseTo(2e-3, 12);
    expect(run.lrs[40 + 180]).toBeCloseTo(1e-3, 12); // cosine midpoint: tMax = 360
    for (let i = 41; i < 400; i++) expect(run.lrs[i]).toBeLessThan(run.lrs[i - 1]);
  });

  it('clipping was active early on and every norm it returned is finite', () => {
    expect(run.clipped).toBeGreaterThan(0);
    expect(run.norms.every(Number.isFinite)).toBe(true);
    expect(run.norms.slice(0, 20).some((n) => n > 1)).toBe(true);
  });
});

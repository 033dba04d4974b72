import { backendInfo } from '@zerograd/core';
import { loadMnist } from '@zerograd/layers';
import { describe, expect, it } from 'vitest';
import { trainChapter5, trainStronger } from '../src/mnist.js';

/**
 * The training figures on the backends other than the default one: vitest.config.ts runs this
 * file once per backend with ZEROGRAD_BACKEND set (the default backend's figures are held by
 * mnist.test.ts). The stronger net is skipped on the TypeScript backend, where its 15 epochs
 * take about two minutes.
 */
const requested = process.env.ZEROGRAD_BACKEND;

describe.runIf(requested)(`MNIST figures on the ${requested} backend`, () => {
  const data = loadMnist({ seed: 0 });

  it('runs on the backend it was asked for', () => {
    expect(backendInfo()).toMatchObject({ name: requested, source: 'env' });
  });

  it('the book’s chapter-5 net reaches ≥ 0.92 test accuracy in 2,000 iterations', () => {
    const run = trainChapter5(data, 2000, false);
    expect(run.result.iterations).toBe(2000);
    expect(run.result.final?.testAccuracy).toBeGreaterThanOrEqual(0.92);
  }, 120_000);

  it.runIf(requested !== 'ts')(
    'the stronger net reaches ≥ 0.95',
    () => {
      const run = trainStronger(data, 15, false);
      expect(run.result.final?.testAccuracy).toBeGreaterThanOrEqual(0.95);
    },
    180_000,
  );
});

import { createRequire } from 'node:module';
import { DTypeError, Random, type Tensor, ValueError } from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../src/data/mnist.js';

/** Row `r` of an `[N, ...]` tensor as a string key (pixels are k/255, so exact). */
function rowKey(x: Tensor, r: number): string {
  const row = x.size / x.shape[0];
  const bytes = new Array<number>(row);
  for (let p = 0; p < row; p++) bytes[p] = Math.round(x.data[r * row + p] * 255);
  return String.fromCharCode(...bytes);
}

/** Exact equality of two buffers, without building arrays for the matcher. */
function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function counts(t: Tensor): number[] {
  const c = new Array(10).fill(0);
  for (const v of t.data) c[v]++;
  return c;
}

describe('loadMnist', () => {
  it('loads all 10,000 digits with plausible labels and pixels in [0, 1]', () => {
    const { train, test } = loadMnist({ trainSize: 10_000, testSize: 0 });
    expect(train.x.shape).toEqual([10_000, 784]);
    expect(train.t.shape).toEqual([10_000]);
    expect(train.x.dtype).toBe('float32');
    expect(test.x.shape).toEqual([0, 784]);
    const c = counts(train.t);
    expect(c.reduce((a, b) => a + b, 0)).toBe(10_000);
    for (const n of c) {
      expect(n).toBeGreaterThanOrEqual(800);
      expect(n).toBeLessThanOrEqual(1200);
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const v of train.x.data) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // MNIST's mean pixel is about 0.13: mostly background, some ink.
    expect(sum / train.x.size).toBeGreaterThan(0.1);
    expect(sum / train.x.size).toBeLessThan(0.16);
    for (const t of train.t.data) expect(Number.isInteger(t)).toBe(true);
  });

  it('reads the same pixels and labels as the mnist package itself', () => {
    const mnist = createRequire(import.meta.url)('mnist') as { raw: number[]; length: number }[];
    const seed = 7;
    const { train } = loadMnist({ trainSize: 10_000, testSize: 0, seed, dtype: 'float64' });
    const order = new Random(seed).permutation(10_000);
    // Image k of the package, counting class by class, is row order.indexOf(k) of ours.
    const where = new Int32Array(10_000);
    order.forEach((k, r) => {
      where[k] = r;
    });
    let k = 0;
    let worst = 0;
    for (let d = 0; d < 10; d++) {
      const raw = mnist[d].raw;
      for (let j = 0; j < mnist[d].length; j++, k++) {
        const r = where[k];
        expect(train.t.data[r]).toBe(d);
        const row = train.x.data.subarray(r * 784, (r + 1) * 784);
        for (let p = 0; p < 784; p++) worst = Math.max(worst, Math.abs(row[p] - raw[j * 784 + p]));
      }
    }
    expect(k).toBe(10_000);
    // The package stores byte / 255 rounded to three decimals; we store byte / 255 exactly.
    expect(worst).toBeLessThanOrEqual(0.0005 + 1e-12);
  });

  it('splits 8000 / 2000 by default into disjoint sets that together are the whole set', () => {
    const all = loadMnist({ trainSize: 10_000, testSize: 0 }).train;
    const { train, test } = loadMnist({ seed: 3 });
    expect(train.x.shape).toEqual([8000, 784]);
    expect(test.x.shape).toEqual([2000, 784]);
    expect(test.t.shape).toEqual([2000]);
    const pool = new Map<string, number>();
    for (let r = 0; r < 10_000; r++) {
      const key = `${all.t.data[r]}:${rowKey(all.x, r)}`;
      pool.set(key, (pool.get(key) ?? 0) + 1);
    }
    for (const set of [train, test]) {
      for (let r = 0; r < set.t.size; r++) {
        const key = `${set.t.data[r]}:${rowKey(set.x, r)}`;
        const left = pool.get(key) ?? 0;
        expect(left).toBeGreaterThan(0);
        pool.set(key, left - 1);
      }
    }
    // Every image of the whole set was used exactly once: train and test share none.
    for (const left of pool.values()) expect(left).toBe(0);
  });

  it('is deterministic for a seed, differs across seeds, and keeps the test set when trainSize shrinks', () => {
    const a = loadMnist({ seed: 11, trainSize: 300, testSize: 200 });
    const b = loadMnist({ seed: 11, trainSize: 300, testSize: 200 });
    const c = loadMnist({ seed: 12, trainSize: 300, testSize: 200 });
    const small = loadMnist({ seed: 11, trainSize: 50, testSize: 200 });
    expect(same(a.train.x.data, b.train.x.data)).toBe(true);
    expect(same(a.test.x.data, b.test.x.data)).toBe(true);
    expect(same(a.test.t.data, b.test.t.data)).toBe(true);
    expect(same(a.train.t.data, c.train.t.data)).toBe(false);
    expect(same(small.test.x.data, a.test.x.data)).toBe(true);
    expect(same(small.train.x.data, a.train.x.data.subarray(0, 50 * 784))).toBe(true);
    // Fresh tensors every call: mutating one result leaves the next untouched.
    a.train.x.data.fill(9);
    expect(loadMnist({ seed: 11, trainSize: 300, testSize: 200 }).train.x.data[0]).not.toBe(9);
  });

  it('gives one-hot targets, image shapes and float64 on request', () => {
    const plain = loadMnist({ seed: 5, trainSize: 100, testSize: 50 });
    const shaped = loadMnist({ seed: 5, trainSize: 100, testSize: 50, oneHot: true, flatten: false, dtype: 'float64' });
    expect(shaped.train.x.shape).toEqual([100, 1, 28, 28]);
    expect(shaped.test.x.shape).toEqual([50, 1, 28, 28]);
    expect(shaped.train.t.shape).toEqual([100, 10]);
    expect(shaped.train.x.dtype).toBe('float64');
    expect(shaped.train.t.dtype).toBe('float64');
    for (let r = 0; r < 100; r++) {
      const row = Array.from(shaped.train.t.data.subarray(r * 10, r * 10 + 10));
      expect(row.reduce((s, v) => s + v, 0)).toBe(1);
      expect(row.indexOf(1)).toBe(plain.train.t.data[r]);
    }
    // Same pixels, float64 being exactly byte / 255 and float32 its rounding.
    for (let i = 0; i < 784 * 3; i++) {
      expect(shaped.train.x.data[i]).toBe(Math.round(shaped.train.x.data[i] * 255) / 255);
      expect(plain.train.x.data[i]).toBe(Math.fround(shaped.train.x.data[i]));
    }
  });

  it('rejects bad options with ValueError (and a bad dtype with DTypeError)', () => {
    expect(() => loadMnist({ trainSize: 9000, testSize: 1001 })).toThrow(ValueError);
    expect(() => loadMnist({ trainSize: 9000, testSize: 1001 })).toThrow(/9000 \+ 1001 = 10001.*10000/);
    expect(() => loadMnist({ trainSize: -1 })).toThrow(ValueError);
    expect(() => loadMnist({ testSize: 2.5 })).toThrow(/testSize/);
    expect(() => loadMnist({ seed: Number.NaN })).toThrow(ValueError);
    expect(() => loadMnist({ oneHot: 1 } as never)).toThrow(ValueError);
    expect(() => loadMnist({ flatten: 'no' } as never)).toThrow(ValueError);
    expect(() => loadMnist({ trainsize: 10 } as never)).toThrow(/unknown option 'trainsize'/);
    expect(() => loadMnist({ dtype: 'int8' } as never)).toThrow(DTypeError);
    expect(() => loadMnist(null as never)).toThrow(ValueError);
  });
});

// The data augmentation of SimpleConvNet's full run: `shiftDigits` moves each image by its own
// random whole-pixel offset, and a training run with `maxShift` never changes the digits it
// was given (it shifts a working copy). Checked against a naive per-pixel reference.
import { Random, ShapeError, Tensor, ValueError } from '@zerograd/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shiftDigits, trainSimpleConvNet } from '../src/cnn.js';

/** Reads the image `i` of `[N, C, H, W]` at (ch, r, c), 0 outside. */
function at(x: Tensor, i: number, ch: number, r: number, c: number): number {
  const [, C, H, W] = x.shape;
  return r < 0 || r >= H || c < 0 || c >= W ? 0 : x.data[((i * C + ch) * H + r) * W + c];
}

/** The offset (dy, dx) within ±max that turns image i of `x` into image i of `y`, or null. */
function offsetOf(x: Tensor, y: Tensor, i: number, max: number): [number, number] | null {
  const [, C, H, W] = x.shape;
  const found: [number, number][] = [];
  for (let dy = -max; dy <= max; dy++) {
    for (let dx = -max; dx <= max; dx++) {
      let same = true;
      for (let ch = 0; ch < C && same; ch++)
        for (let r = 0; r < H && same; r++)
          for (let c = 0; c < W && same; c++) same = at(y, i, ch, r, c) === at(x, i, ch, r - dy, c - dx);
      if (same) found.push([dy, dx]);
    }
  }
  return found.length === 1 ? found[0] : null;
}

describe('shiftDigits', () => {
  it('moves every image by one whole offset within ±maxShift, filling with 0 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 4, max: 7 }),
        fc.integer({ min: 4, max: 7 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (n, c, h, w, max, seed) => {
          fc.pre(max < Math.min(h, w));
          // Distinct positive values: no two offsets can give the same picture.
          const x = new Tensor(
            Float32Array.from({ length: n * c * h * w }, (_, k) => k + 1),
            [n, c, h, w],
          );
          const y = shiftDigits(x, max, new Random(seed));
          expect(y.shape).toEqual(x.shape);
          expect(y.dtype).toBe('float32');
          for (let i = 0; i < n; i++) expect(offsetOf(x, y, i, max), `image ${i}`).not.toBeNull();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('draws different offsets for different images, the same for the same seed, and keeps a centred digit whole', () => {
    // One bright 2×2 blob in the middle of 12 frames 8×8: every shift of ±2 keeps it inside.
    const x = new Tensor(new Float64Array(12 * 64), [12, 1, 8, 8]);
    for (let i = 0; i < 12; i++) for (const k of [27, 28, 35, 36]) x.data[i * 64 + k] = 1;
    const y = shiftDigits(x, 2, new Random(5));
    const offsets = Array.from({ length: 12 }, (_, i) => String(offsetOf(x, y, i, 2)));
    expect(new Set(offsets).size).toBeGreaterThan(3);
    for (let i = 0; i < 12; i++)
      expect(Array.from(y.data.subarray(i * 64, (i + 1) * 64)).reduce((s, v) => s + v, 0)).toBe(4);
    expect(Array.from(shiftDigits(x, 2, new Random(5)).data)).toEqual(Array.from(y.data));
    const out = new Tensor(new Float64Array(12 * 64).fill(9), [12, 1, 8, 8]);
    expect(shiftDigits(x, 2, new Random(5), out)).toBe(out);
    expect(Array.from(out.data)).toEqual(Array.from(y.data)); // stale values cleared
    expect(Array.from(shiftDigits(x, 0, new Random(5)).data)).toEqual(Array.from(x.data));
  });

  it('refuses what is not a batch of images, a bad maxShift, or an out that cannot hold the result', () => {
    const x = new Tensor(new Float32Array(2 * 16), [2, 1, 4, 4]);
    expect(() => shiftDigits(new Tensor(new Float32Array(16), [2, 8]), 1, new Random(0))).toThrow(ShapeError);
    expect(() => shiftDigits(new Tensor(new Float32Array(16), [2, 8]), 1, new Random(0))).toThrow(
      /shiftDigits.*\(2, 8\)/,
    );
    expect(() => shiftDigits(x, 4, new Random(0))).toThrow(ValueError);
    expect(() => shiftDigits(x, 1.5, new Random(0))).toThrow(/maxShift must be a whole number in 0…3, got 1.5/);
    expect(() => shiftDigits(x, 1, new Random(0), x)).toThrow(ShapeError);
    expect(() => shiftDigits(x, 1, new Random(0), new Tensor(new Float32Array(16), [1, 1, 4, 4]))).toThrow(
      /out must be another float32 tensor of x's shape \(2, 1, 4, 4\)/,
    );
  });

  it('a run with maxShift trains on shifted copies and leaves the training and test digits as loaded', () => {
    const plain = trainSimpleConvNet({ trainSize: 200, testSize: 100, epochs: 2, progress: false });
    const shifted = trainSimpleConvNet({ trainSize: 200, testSize: 100, epochs: 2, maxShift: 1, progress: false });
    expect(Array.from(shifted.data.train.x.data)).toEqual(Array.from(plain.data.train.x.data));
    expect(Array.from(shifted.data.test.x.data)).toEqual(Array.from(plain.data.test.x.data));
    expect(shifted.settings.maxShift).toBe(1);
    // Same net, same seeds, same batches: only the shifted pictures make the losses differ.
    expect(shifted.result.history.loss[0]).not.toBe(plain.result.history.loss[0]);
    expect(shifted.result.history.loss.at(-1)).not.toBe(plain.result.history.loss.at(-1));
  });
});

// The 2×2 max-pooling fast path (kernels/pool.ts computes each winner's index without
// branches) against the definition written here: a window's winner is its first largest pixel
// in row-major order, and a NaN wins over numbers and stays. Values are drawn from a small set
// so windows tie often, hold NaN, and mix 0 with −0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convGeometry } from '../src/kernels/im2col.js';
import { maxPoolInto } from '../src/kernels/pool.js';

/** The first largest pixel of each window (NaN beats numbers), one window at a time. */
function reference(x: ArrayLike<number>, planes: number, h: number, w: number) {
  const oh = h / 2;
  const ow = w / 2;
  const y: number[] = [];
  const winners: number[] = [];
  for (let p = 0; p < planes; p++)
    for (let r = 0; r < oh; r++)
      for (let c = 0; c < ow; c++) {
        const window = [0, 1, w, w + 1].map((d) => p * h * w + 2 * r * w + 2 * c + d);
        let at = window[0];
        for (const i of window.slice(1)) {
          if (Number.isNaN(x[at])) break;
          if (Number.isNaN(x[i]) || x[i] > x[at]) at = i;
        }
        y.push(x[at]);
        winners.push(at);
      }
  return { y, winners };
}

const VALUES = [-1, 0, -0, 1, 2, Number.NaN, 0.5, -2.25];

describe('2×2 max pooling, the branch-free fast path', () => {
  it('picks the same winner and value as the definition, ties, −0 and NaN included', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          c: fc.integer({ min: 1, max: 3 }),
          h: fc.integer({ min: 1, max: 4 }).map((k) => 2 * k), // the output must be whole
          w: fc.integer({ min: 1, max: 4 }).map((k) => 2 * k),
          f64: fc.boolean(),
        }),
        fc.infiniteStream(fc.constantFrom(...VALUES)),
        ({ n, c, h, w, f64 }, values) => {
          const size = n * c * h * w;
          const x = (f64 ? Float64Array : Float32Array).from(values.take(size));
          const g = convGeometry('MaxPool', [n, c, h, w], [2, 2], [2, 2], [0, 0]);
          const y = new (f64 ? Float64Array : Float32Array)(n * c * g.oh * g.ow);
          const winners = new Int32Array(y.length);
          maxPoolInto(x, g, y, winners);
          const want = reference(x, n * c, h, w);
          expect(Array.from(winners)).toEqual(want.winners);
          want.y.forEach((v, k) => expect(Object.is(y[k], v)).toBe(true));
        },
      ),
      { numRuns: 300 },
    );
  });
});

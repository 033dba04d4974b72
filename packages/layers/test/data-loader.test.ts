import { arange, ShapeError, Tensor, ValueError } from '@zerograd/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataLoader } from '../src/data/loader.js';

/** A dataset whose row i of x is [i, i + 0.5] and whose t[i] is i, so batches reveal indices. */
function indexed(n: number, dtype: 'float32' | 'float64' = 'float64') {
  const x = new Tensor(dtype === 'float32' ? new Float32Array(n * 2) : new Float64Array(n * 2), [n, 2]);
  for (let i = 0; i < n; i++) {
    x.data[2 * i] = i;
    x.data[2 * i + 1] = i + 0.5;
  }
  return { x, t: arange(n, undefined, 1, { dtype }) };
}

function epochIndices(loader: DataLoader): number[][] {
  return Array.from(loader, (b) => Array.from(b.t.data));
}

describe('DataLoader', () => {
  it('cuts in order and keeps the last partial batch', () => {
    const loader = new DataLoader(indexed(7), { batchSize: 3 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.x.shape)).toEqual([
      [3, 2],
      [3, 2],
      [1, 2],
    ]);
    expect(batches.map((b) => b.t.shape)).toEqual([[3], [3], [1]]);
    expect(batches[2].x.toArray()).toEqual([[6, 6.5]]);
    expect(epochIndices(loader)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('drops the last partial batch only when asked', () => {
    const loader = new DataLoader(indexed(7), { batchSize: 3, dropLast: true });
    expect(loader.length).toBe(2);
    expect(epochIndices(loader)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(new DataLoader(indexed(6), { batchSize: 3, dropLast: true }).length).toBe(2);
    expect(new DataLoader(indexed(2), { batchSize: 3, dropLast: true }).length).toBe(0);
  });

  it('handles an empty dataset and a batch larger than the dataset', () => {
    expect([...new DataLoader(indexed(0), { batchSize: 4, shuffle: true })]).toEqual([]);
    const one = [...new DataLoader(indexed(3), { batchSize: 10, shuffle: true })];
    expect(one).toHaveLength(1);
    expect(Array.from(one[0].t.data).sort()).toEqual([0, 1, 2]);
  });

  it('copies rows: batches own contiguous buffers, rows stay paired, dtype and trailing shape kept', () => {
    const data = indexed(10, 'float32');
    const x = data.x.reshapeView([10, 1, 2]);
    const loader = new DataLoader({ x, t: data.t }, { batchSize: 4, shuffle: true, seed: 3 });
    for (const b of loader) {
      expect(b.x.dtype).toBe('float32');
      expect(b.x.shape.slice(1)).toEqual([1, 2]);
      expect(b.x.data.buffer).not.toBe(x.data.buffer);
      expect(b.x.data.byteOffset).toBe(0);
      expect(b.x.data.length).toBe(b.x.size);
      for (let r = 0; r < b.t.size; r++) {
        expect(b.x.data[2 * r]).toBe(b.t.data[r]);
        expect(b.x.data[2 * r + 1]).toBe(b.t.data[r] + 0.5);
      }
      b.x.data.fill(-1);
    }
    // Writing into a batch never reaches the dataset.
    expect(x.data[0]).toBe(0);
    expect(x.data[19]).toBe(9.5);
  });

  it('gathers one-hot (2-D) targets as rows', () => {
    const t = new Tensor(new Float64Array([1, 0, 0, 1, 0, 1]), [3, 2]);
    const x = arange(3);
    const batches = [...new DataLoader({ x, t }, { batchSize: 2, shuffle: true, seed: 5 })];
    for (const b of batches) {
      for (let r = 0; r < b.x.size; r++) {
        const i = b.x.data[r];
        expect([b.t.data[2 * r], b.t.data[2 * r + 1]]).toEqual([t.data[2 * i], t.data[2 * i + 1]]);
      }
    }
  });

  it('covers every index exactly once per epoch, in batches of the right sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (n, batchSize, shuffle, dropLast, seed) => {
          const loader = new DataLoader(indexed(n), { batchSize, shuffle, dropLast, seed });
          for (let epoch = 0; epoch < 3; epoch++) {
            const batches = epochIndices(loader);
            expect(batches).toHaveLength(loader.length);
            for (let b = 0; b < batches.length; b++) {
              const expected = b < Math.floor(n / batchSize) ? batchSize : n % batchSize;
              expect(batches[b]).toHaveLength(expected);
            }
            const seen = batches.flat();
            if (dropLast) {
              expect(seen).toHaveLength(n - (n % batchSize));
              expect(new Set(seen).size).toBe(seen.length);
            } else {
              expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
            }
            if (!shuffle) expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same epochs for the same seed, new orders per epoch, other orders for other seeds', () => {
    const a = new DataLoader(indexed(50), { batchSize: 8, shuffle: true, seed: 42 });
    const b = new DataLoader(indexed(50), { batchSize: 8, shuffle: true, seed: 42 });
    const c = new DataLoader(indexed(50), { batchSize: 8, shuffle: true, seed: 43 });
    const ea = [epochIndices(a), epochIndices(a), epochIndices(a)];
    const eb = [epochIndices(b), epochIndices(b), epochIndices(b)];
    expect(ea).toEqual(eb);
    expect(ea[0].flat()).not.toEqual(ea[1].flat());
    expect(ea[1].flat()).not.toEqual(ea[2].flat());
    expect(epochIndices(c).flat()).not.toEqual(ea[0].flat());
    expect(a.epoch).toBe(3);
  });

  it('starts a new epoch when iteration is abandoned and restarted', () => {
    const loader = new DataLoader(indexed(20), { batchSize: 5, shuffle: true, seed: 1 });
    const twin = new DataLoader(indexed(20), { batchSize: 5, shuffle: true, seed: 1 });
    const firstBatch = loader[Symbol.iterator]().next().value as { t: Tensor };
    expect(Array.from(firstBatch.t.data)).toEqual(epochIndices(twin)[0]);
    expect(epochIndices(loader)).toEqual(epochIndices(twin));
  });

  it('rejects bad datasets and options with the library errors', () => {
    const ok = indexed(4);
    expect(() => new DataLoader({ x: ok.x, t: arange(3) }, { batchSize: 2 })).toThrow(ShapeError);
    expect(() => new DataLoader({ x: ok.x, t: arange(3) }, { batchSize: 2 })).toThrow(/\(4, 2\).*\(3,\)/);
    expect(() => new DataLoader({ x: new Tensor(new Float64Array([1]), []), t: ok.t }, { batchSize: 1 })).toThrow(
      ShapeError,
    );
    expect(() => new DataLoader({ x: [1, 2], t: ok.t } as never, { batchSize: 1 })).toThrow(ValueError);
    for (const batchSize of [0, -1, 1.5, Number.NaN, '2']) {
      expect(() => new DataLoader(ok, { batchSize } as never)).toThrow(ValueError);
    }
    expect(() => new DataLoader(ok, { batchSize: 2, seed: Number.POSITIVE_INFINITY })).toThrow(ValueError);
    expect(() => new DataLoader(ok, { batchSize: 2, shuffle: 'yes' } as never)).toThrow(ValueError);
    expect(() => new DataLoader(ok, undefined as never)).toThrow(ValueError);
  });
});

import { broadcastShapes, defineOp, matmul, mul, type Tensor, type Variable, zeros } from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import {
  broadcastShapesArb,
  checkProperty,
  DEFAULT_NUM_RUNS,
  distinctValuesTensorArb,
  formatPropertyStats,
  gradientProperty,
  matmulShapesArb,
  mergePropertyStats,
  propertyParameters,
  propertyStats,
  shapeArb,
  tensorArb,
} from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const sample = <T>(arb: fc.Arbitrary<T>, n = 300) => fc.sample(arb, { numRuns: n, seed: 42 });

describe('arbitraries', () => {
  it('shapeArb respects rank, size and element bounds', () => {
    const c = { minRank: 1, maxRank: 4, minSize: 2, maxSize: 5, maxElements: 40 };
    for (const s of sample(shapeArb(c))) {
      expect(s.length).toBeGreaterThanOrEqual(1);
      expect(s.length).toBeLessThanOrEqual(4);
      for (const d of s) expect(d >= 2 && d <= 5).toBe(true);
      expect(s.reduce((p, q) => p * q, 1)).toBeLessThanOrEqual(40);
    }
    expect(() => shapeArb({ minRank: 3, minSize: 5, maxElements: 10 })).toThrow(/no shape/);
  });

  it('broadcastShapesArb gives compatible pairs and triples with rank differences and size-1 axes', () => {
    for (const n of [2, 3]) {
      let rankDiff = 0;
      let ones = 0;
      for (const shapes of sample(broadcastShapesArb(n))) {
        expect(shapes.length).toBe(n);
        expect(() => broadcastShapes('test', ...shapes)).not.toThrow();
        if (new Set(shapes.map((s) => s.length)).size > 1) rankDiff++;
        if (shapes.some((s) => s.includes(1))) ones++;
      }
      expect(rankDiff).toBeGreaterThan(30);
      expect(ones).toBeGreaterThan(30);
    }
  });

  it('tensorArb keeps values in range and a margin away from kinks, in the requested dtype', () => {
    const arb = tensorArb(shapeArb(), { min: -1, max: 1, awayFrom: [0, 0.5], margin: 0.1, dtype: 'float32' });
    for (const t of sample(arb)) {
      expect(t.dtype).toBe('float32');
      for (const v of t.data) {
        expect(v >= -1 && v <= 1).toBe(true);
        expect(Math.abs(v)).toBeGreaterThanOrEqual(0.1 - 1e-6);
        expect(Math.abs(v - 0.5)).toBeGreaterThanOrEqual(0.1 - 1e-6);
      }
    }
    for (const t of sample(tensorArb([2, 3]))) expect(t.shape).toEqual([2, 3]);
    expect(() => tensorArb([2], { min: -0.01, max: 0.01, awayFrom: [0], margin: 0.1 })).toThrow(/away from/);
  });

  it('distinctValuesTensorArb never ties', () => {
    for (const t of sample(distinctValuesTensorArb(shapeArb({ maxElements: 30 }), { gap: 0.01 }))) {
      const v = Array.from(t.data).sort((a, b) => a - b);
      for (let i = 1; i < v.length; i++) expect(v[i] - v[i - 1]).toBeGreaterThan(0.0099);
    }
  });

  it('matmulShapesArb gives shapes matmul accepts, with vectors and broadcast batches', () => {
    let vectors = 0;
    let batched = 0;
    for (const [a, b] of sample(matmulShapesArb())) {
      expect(() => matmul(zeros(a), zeros(b))).not.toThrow();
      if (a.length === 1 || b.length === 1) vectors++;
      if (a.length > 2 && b.length > 2 && a.length !== b.length) batched++;
    }
    expect(vectors).toBeGreaterThan(30);
    expect(batched).toBeGreaterThan(5);
  });
});

// A deliberately wrong op: d(x³)/dx claimed to be 2x² instead of 3x².
const badCube = defineOp({
  name: 'BadCube',
  forward: ([x]) => kernels.unary('powScalar', x, 3),
  backward: ([gy], { inputs: [x] }) => mul(gy, mul(mul(x, x), 2)),
});

// Right first derivative, but computed from raw numbers: not differentiable again.
const opaqueSquare = defineOp({
  name: 'OpaqueSquare',
  forward: ([x]) => kernels.unary('square', x),
  backward: ([gy], { inputs: [x] }) => mul(gy, kernels.unary('mulScalar', x.data, 2)),
});

// These tests count runs: an outer `pnpm proptest` environment must not change them.
beforeEach(() => {
  for (const k of ['RUNS', 'SCALE', 'SEED']) vi.stubEnv(`ZEROGRAD_PROPTEST_${k}`, '');
});
afterEach(() => vi.unstubAllEnvs());

describe('gradientProperty', () => {
  it('passes a correct op and records its statistics', () => {
    const r = gradientProperty((x: Variable) => mul(mul(x, x), x), [tensorArb(shapeArb())], {
      label: 'test:cube',
      numRuns: 10,
      secondOrder: true,
    });
    expect(r.runs).toBe(10);
    const rows = propertyStats().filter((s) => s.label === 'test:cube');
    expect(rows.map((s) => [s.order, s.runs, s.failures])).toEqual([
      [1, 10, 0],
      [2, 10, 0],
    ]);
    expect(rows[0].maxRelError).toBeLessThan(1e-5);
  });

  it('fails a wrong backward with the shrunk counterexample, the worst element and the seed', () => {
    let message = '';
    try {
      gradientProperty((x: Variable) => badCube(x), [tensorArb(shapeArb())], { label: 'test:bad', seed: 7 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/gradientProperty "test:bad" failed after \d+ run\(s\)/);
    expect(message).toMatch(/Counterexample:\n {2}input 0: shape \(.*\) float64 /);
    expect(message).toMatch(/Worst element: input 0 at \[.*\] \(flat \d+\)/);
    expect(message).toMatch(/expected \(numerical\) .*\n {2}got \(analytic\) /);
    expect(message).toMatch(/seed: 7, path: '[\d:]+'/);
    const row = propertyStats().find((s) => s.label === 'test:bad');
    expect(row?.failures).toBe(1);
    expect(row?.maxRelError).toBeGreaterThan(0.1);
    // The same seed replays the same counterexample.
    const again = (() => {
      try {
        gradientProperty((x: Variable) => badCube(x), [tensorArb(shapeArb())], { label: 'test:bad', seed: 7 });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(again).toBe(message);
  });

  it('second order catches a backward that is not written with ops', () => {
    expect(() =>
      gradientProperty((x: Variable) => opaqueSquare(x), [tensorArb(shapeArb())], {
        label: 'test:opaque',
        numRuns: 10,
      }),
    ).not.toThrow();
    expect(() =>
      gradientProperty((x: Variable) => opaqueSquare(x), [tensorArb(shapeArb())], {
        label: 'test:opaque',
        numRuns: 10,
        secondOrder: true,
      }),
    ).toThrow(/second-order \(gradgradcheck\)/);
    const rows = propertyStats().filter((s) => s.label === 'test:opaque');
    expect(rows.find((s) => s.order === 2)?.failures).toBe(1);
    expect(rows.find((s) => s.order === 1)?.failures).toBe(0);
  });

  it('takes parameters that depend on the generated shapes', () => {
    const cases = shapeArb({ minRank: 1 }).chain((s) =>
      fc.record({ inputs: fc.tuple(tensorArb(s)), params: fc.record({ axis: fc.nat(s.length - 1) }) }),
    );
    const r = gradientProperty(
      ({ axis }: { axis: number }) =>
        (x: Variable) =>
          x.mul(x).sum(axis),
      cases,
      {
        label: 'test:params',
        numRuns: 5,
      },
    );
    expect(r.runs).toBe(5);
  });

  it('reports an op that throws as a failure with its error', () => {
    const boom = (x: Variable) => x.reshape([7, 7, 7]);
    expect(() => gradientProperty(boom, [tensorArb([2])], { label: 'test:boom', numRuns: 3 })).toThrow(
      /ShapeError: Reshape: cannot reshape/,
    );
  });

  it('takes run counts and seeds from the environment', () => {
    expect(propertyParameters()).toEqual({ numRuns: DEFAULT_NUM_RUNS });
    vi.stubEnv('ZEROGRAD_PROPTEST_SCALE', '10');
    expect(propertyParameters({ numRuns: 3 }).numRuns).toBe(30);
    vi.stubEnv('ZEROGRAD_PROPTEST_RUNS', '123');
    vi.stubEnv('ZEROGRAD_PROPTEST_SEED', '99');
    expect(propertyParameters({ numRuns: 3 })).toEqual({ numRuns: 123, seed: 99 });
    vi.stubEnv('ZEROGRAD_PROPTEST_RUNS', 'many');
    expect(() => propertyParameters()).toThrow(/positive number/);
  });
});

describe('checkProperty and the statistics table', () => {
  it('records plain properties and throws with seed and path on failure', () => {
    checkProperty(
      'test:plain',
      fc.property(tensorArb(), (t: Tensor) => t.size >= 1),
      { numRuns: 7 },
    );
    expect(propertyStats().find((s) => s.label === 'test:plain')).toMatchObject({ order: 0, runs: 7, failures: 0 });
    expect(() =>
      checkProperty(
        'test:plain-bad',
        fc.property(fc.integer(), (n) => n < 100),
        { seed: 3 },
      ),
    ).toThrow(/Counterexample:\n {2}\[100\][\s\S]*seed: 3, path/);
  });

  it('merges worker statistics and prints a table', () => {
    const a = [{ label: 'Mul', order: 1, runs: 20, failures: 0, maxRelError: 1e-9, maxAbsError: 1e-10 }];
    const b = [
      { label: 'Mul', order: 1, runs: 30, failures: 1, maxRelError: 2e-8, maxAbsError: 1e-11 },
      { label: 'Add', order: 1, runs: 5, failures: 0, maxRelError: Number.NaN, maxAbsError: 0 },
    ];
    const merged = mergePropertyStats(a, b);
    expect(merged.map((s) => [s.label, s.runs, s.failures])).toEqual([
      ['Add', 5, 0],
      ['Mul', 50, 1],
    ]);
    expect(merged[1].maxRelError).toBe(2e-8);
    const table = formatPropertyStats(merged);
    expect(table.split('\n')[0]).toMatch(/label\s+order\s+runs\s+failures\s+worst rel err\s+worst abs err/);
    expect(table).toMatch(/Add\s+1\s+5\s+0\s+NaN\s+0/);
    expect(table).toMatch(/Mul\s+1\s+50\s+1\s+2\.00e-8\s+1\.00e-10/);
  });
});

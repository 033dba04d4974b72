import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm } from '../src/kernels/matmul.js';
import { gemmReference } from '../src/kernels/matmul-reference.js';
import { Random } from '../src/tensor/random.js';

// The blocked kernel is checked against the reference triple loop, element by element,
// within a rigorous bound on floating-point reordering error:
//   |gemm − ref| ≤ (k + 2) · ε · Σ_p |a_ip|·|b_pj|
// with ε the unit roundoff of C's type doubled (both sides round at most k times).
// Everything outside C's window must be left untouched, and the padding around A's and B's
// windows is NaN, so a kernel that reads out of bounds poisons its result.

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Deterministic uniform [0, 1) fills from core's seeded generator. */
function prng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

type Fill = 'uniform' | 'sparse' | 'special' | 'hostile';

/**
 * A value: uniform in [-2, 2]; 'sparse' adds exact (signed) zeros; 'special' adds a few NaN
 * and ±Infinity too; 'hostile' is mostly zeros and specials, for tiny matrices, so that a
 * kernel which skips zero terms (and so loses 0·∞ = NaN) is caught.
 */
function value(rand: () => number, fill: Fill): number {
  const u = rand();
  const zeros = fill === 'hostile' ? 0.4 : fill === 'uniform' ? 0 : 0.15;
  const specials = fill === 'hostile' ? 0.15 : fill === 'special' ? 0.015 : 0;
  if (u < zeros) return u < zeros / 2 ? 0 : -0;
  if (u > 1 - specials) return [Number.NaN, Infinity, -Infinity][Math.floor(rand() * 3)];
  return rand() * 4 - 2;
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  aOff: number;
  bOff: number;
  cOff: number;
  types: [Ctor, Ctor, Ctor];
  fill: Fill;
  seed: number;
}

/** Runs one case through both kernels and checks the result; returns nothing, throws on failure. */
function check(t: Case): void {
  const { m, n, k, transA, transB, aOff, bOff, cOff, types, fill, seed } = t;
  const rand = prng(seed);
  const pad = 3;
  const a = new types[0](aOff + m * k + pad).fill(Number.NaN);
  const b = new types[1](bOff + k * n + pad).fill(Number.NaN);
  for (let i = 0; i < m * k; i++) a[aOff + i] = value(rand, fill);
  for (let i = 0; i < k * n; i++) b[bOff + i] = value(rand, fill);

  const cLen = cOff + m * n + pad;
  const sentinel = 12345.5; // exactly representable in float32
  const got = new types[2](cLen).fill(sentinel);
  for (let i = 0; i < m * n; i++) got[cOff + i] = Number.NaN; // C must be overwritten
  const want = new types[2](cLen).fill(sentinel);
  gemm(m, n, k, a, aOff, transA, b, bOff, transB, got, cOff);
  gemmReference(m, n, k, a, aOff, transA, b, bOff, transB, want, cOff);

  // Σ|a||b| per element, in float64, for the error bound.
  const absA = Float64Array.from(a.subarray(aOff, aOff + m * k), Math.abs);
  const absB = Float64Array.from(b.subarray(bOff, bOff + k * n), Math.abs);
  const bound = new Float64Array(m * n);
  gemmReference(m, n, k, absA, 0, transA, absB, 0, transB, bound, 0);
  const eps = types[2] === Float32Array ? 2 ** -23 : 2 ** -52;

  for (let i = 0; i < cLen; i++) {
    const inside = i >= cOff && i < cOff + m * n;
    if (!inside) {
      if (got[i] !== sentinel) throw new Error(`wrote outside C at ${i} (${describeCase(t)})`);
      continue;
    }
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w)) throw new Error(`C[${i - cOff}] = ${g}, reference ${w} (${describeCase(t)})`);
      continue;
    }
    const tol = (k + 2) * eps * bound[i - cOff];
    if (!(Math.abs(g - w) <= tol)) {
      throw new Error(`C[${i - cOff}] = ${g}, reference ${w}, tolerance ${tol} (${describeCase(t)})`);
    }
  }
}

function describeCase(t: Case): string {
  const names = t.types.map((c) => (c === Float32Array ? 'f32' : 'f64')).join('/');
  return `m=${t.m} n=${t.n} k=${t.k} transA=${t.transA} transB=${t.transB} off=${t.aOff},${t.bOff},${t.cOff} ${names} ${t.fill} seed=${t.seed}`;
}

const ctor = fc.constantFrom<Ctor>(Float32Array, Float64Array);
const dim = fc.integer({ min: 0, max: 70 });
const caseArb = (fill: fc.Arbitrary<Fill>, types: fc.Arbitrary<[Ctor, Ctor, Ctor]>) =>
  fc.record<Case>({
    m: dim,
    n: dim,
    k: dim,
    transA: fc.boolean(),
    transB: fc.boolean(),
    aOff: fc.integer({ min: 0, max: 5 }),
    bOff: fc.integer({ min: 0, max: 5 }),
    cOff: fc.integer({ min: 0, max: 5 }),
    types,
    fill,
    seed: fc.integer(),
  });
const sameType = ctor.map((c): [Ctor, Ctor, Ctor] => [c, c, c]);

describe('gemm (blocked kernel) against gemmReference', () => {
  it('agrees for generated shapes 0..70, all transpositions, offsets, float32 and float64', () => {
    fc.assert(
      fc.property(caseArb(fc.constantFrom<Fill>('uniform', 'sparse'), sameType), (t) => check(t)),
      { numRuns: 400 },
    );
  });

  it('agrees when A, B and C have different dtypes (C decides the rounding)', () => {
    fc.assert(
      fc.property(caseArb(fc.constant<Fill>('uniform'), fc.tuple(ctor, ctor, ctor)), (t) => check(t)),
      {
        numRuns: 80,
      },
    );
  });

  it('propagates NaN and ±Infinity exactly as the reference does', () => {
    fc.assert(
      fc.property(caseArb(fc.constant<Fill>('special'), sameType), (t) => check(t)),
      { numRuns: 200 },
    );
  });

  it('covers every path and tile edge: every size from 0 to 9 in each dimension', () => {
    for (const c of [Float32Array, Float64Array])
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (let m = 0; m <= 9; m++)
            for (let n = 0; n <= 9; n++)
              for (let k = 0; k <= 9; k++)
                for (const fill of ['sparse', 'hostile'] as const) {
                  const seed = m * 100 + n * 10 + k;
                  check({ m, n, k, transA, transB, aOff: 1, bOff: 2, cOff: 3, types: [c, c, c], fill, seed });
                }
  });

  it('propagates NaN and ±Infinity through matrix–vector shapes (m = 1 or n = 1)', () => {
    const vectorCase = fc
      .tuple(caseArb(fc.constant<Fill>('hostile'), sameType), fc.boolean())
      .map(([t, rowVector]) => (rowVector ? { ...t, m: 1 } : { ...t, n: 1 }));
    fc.assert(
      fc.property(vectorCase, (t) => check(t)),
      { numRuns: 200 },
    );
  });

  it.each([
    [257, 129, 300],
    [130, 67, 513], // several k slices, ragged everywhere
    [5, 2061, 33], // more than one n panel
    [1, 300, 200], // row vector times matrix
    [300, 1, 200], // matrix times column vector
  ])('agrees at %i×%i×%i for all transpositions and both dtypes', (m, n, k) => {
    for (const c of [Float32Array, Float64Array])
      for (const transA of [false, true])
        for (const transB of [false, true]) {
          check({
            m,
            n,
            k,
            transA,
            transB,
            aOff: 7,
            bOff: 0,
            cOff: 2,
            types: [c, c, c],
            fill: 'uniform',
            seed: m + n + k,
          });
        }
  });

  it('gives exact results for small integers, where no rounding happens', () => {
    const m = 37;
    const n = 41;
    const k = 43;
    const a = Float64Array.from({ length: m * k }, (_, i) => ((i * 7) % 11) - 5);
    const b = Float64Array.from({ length: k * n }, (_, i) => ((i * 5) % 13) - 6);
    const got = new Float64Array(m * n);
    const want = new Float64Array(m * n);
    gemm(m, n, k, a, 0, false, b, 0, false, got, 0);
    gemmReference(m, n, k, a, 0, false, b, 0, false, want, 0);
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('never skips zeros: 0·∞ and 0·NaN give NaN, ∞ with finite weights stays ∞', () => {
    // A's row 0 starts [∞, 1], row 1 [NaN]; B's row 0 starts [0, 1, 2], row 1 is all ones;
    // everything else is 0. 6·7·5 is large enough to take the packed path.
    const m = 6;
    const n = 7;
    const k = 5;
    const a = new Float64Array(m * k);
    const b = new Float64Array(k * n);
    a[0] = Infinity;
    a[1] = 1;
    a[k] = Number.NaN;
    b[0] = 0;
    b[1] = 1;
    b[2] = 2;
    for (let j = 0; j < n; j++) b[n + j] = 1;
    const c = new Float64Array(m * n);
    gemm(m, n, k, a, 0, false, b, 0, false, c, 0);
    expect(c[0]).toBeNaN(); // ∞·0 + 1·1
    expect(c[1]).toBe(Infinity);
    expect(c[2]).toBe(Infinity);
    expect(c[3]).toBeNaN(); // ∞·0 (B's column 3 is zero in row 0)
    for (let j = 0; j < n; j++) expect(c[n + j]).toBeNaN(); // NaN times anything
    for (let i = 2 * n; i < m * n; i++) expect(Object.is(c[i], 0)).toBe(true); // +0, not -0
  });

  it('k = 0 writes zeros; m = 0 or n = 0 writes nothing', () => {
    const c = new Float64Array(12).fill(7);
    gemm(3, 4, 0, new Float64Array(0), 0, false, new Float64Array(0), 0, false, c, 0);
    expect(Array.from(c)).toEqual(new Array(12).fill(0));
    const d = new Float32Array(4).fill(7);
    gemm(0, 4, 3, new Float32Array(0), 0, false, new Float32Array(12), 0, false, d, 0);
    gemm(4, 0, 3, new Float32Array(12), 0, false, new Float32Array(0), 0, false, d, 0);
    expect(Array.from(d)).toEqual([7, 7, 7, 7]);
  });
});

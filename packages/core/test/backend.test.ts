import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GemmPool, PARALLEL_MIN_MACS } from '../src/backend/gemm-pool.js';
import { availableBackends, backendInfo, getBackend, setBackend } from '../src/backend/select.js';
import { matmulTensor } from '../src/backend/tensor-kernels.js';
import { WASM_SOURCE_HASH } from '../src/backend/wasm-binaries.generated.js';
import { wasmBinary, wasmSum, wasmUnary } from '../src/backend/wasm-elementwise.js';
import { WasmKernels } from '../src/backend/wasm-kernels.js';
import { variantBytes, variantSupported, type WasmVariant } from '../src/backend/wasm-module.js';
import { ValueError } from '../src/errors.js';
import { binaryInto, unaryInto } from '../src/kernels/elementwise.js';
import { gemmReference } from '../src/kernels/matmul-reference.js';
import { reduce } from '../src/kernels/reduce.js';
import type { TypedArray } from '../src/tensor/dtype.js';
import { Random } from '../src/tensor/random.js';
import { broadcastShapes, sizeOf } from '../src/tensor/shape.js';
import { Tensor } from '../src/tensor/tensor.js';

// Every WebAssembly kernel is checked against the TypeScript reference, in every binary
// variant this engine can run. Relaxed SIMD is off by default in Node 20; the test turns it
// on (this file runs in its own process) so the fused-multiply-add binaries are tested too.
if (!variantSupported('relaxed')) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const VARIANTS: WasmVariant[] = ['simd', 'relaxed', 'simd-shared', 'relaxed-shared'];
const runnable = VARIANTS.filter(variantSupported);
const kernels = new Map(
  runnable.map((v) => [v, new WasmKernels(v, new WebAssembly.Module(variantBytes(v) as BufferSource), gemmReference)]),
);

/** Runs an ES module script in a fresh Node (from this package) and parses its last line as JSON. */
function runNode(script: string, env: Record<string, string> = {}) {
  const out = execFileSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, ...env },
    },
  );
  return JSON.parse(out.trim().split('\n').pop() as string);
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
type Fill = 'uniform' | 'special';

/** Deterministic uniform [0, 1) fills from core's seeded generator. */
function prng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

function fillArray(arr: Float32Array | Float64Array, from: number, count: number, rand: () => number, fill: Fill) {
  for (let i = from; i < from + count; i++) {
    const u = rand();
    if (fill === 'special' && u < 0.02) arr[i] = [Number.NaN, Infinity, -Infinity][Math.floor(rand() * 3)];
    else if (u < 0.1) arr[i] = 0;
    else arr[i] = rand() * 4 - 2;
  }
}

interface GemmCase {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  aOff: number;
  bOff: number;
  cOff: number;
  ctor: Ctor;
  fill: Fill;
  seed: number;
}

/**
 * One product through a WebAssembly gemm and the reference, compared element by element
 * within the bound on reordered summation, |Δ| ≤ (k + 2)·ε·Σ_p |a_ip||b_pj|; non-finite
 * reference values must be reproduced exactly (NaN as NaN, ±∞ with its sign). Nothing outside
 * C's window may be written.
 */
function checkGemm(gemm: WasmKernels['gemm'], t: GemmCase): void {
  const { m, n, k, transA, transB, aOff, bOff, cOff, ctor, fill, seed } = t;
  const rand = prng(seed);
  const a = new ctor(aOff + m * k + 2).fill(Number.NaN);
  const b = new ctor(bOff + k * n + 2).fill(Number.NaN);
  fillArray(a, aOff, m * k, rand, fill);
  fillArray(b, bOff, k * n, rand, fill);
  const sentinel = 12345.5;
  const got = new ctor(cOff + m * n + 2).fill(sentinel);
  for (let i = 0; i < m * n; i++) got[cOff + i] = Number.NaN;
  const want = new ctor(cOff + m * n + 2).fill(sentinel);
  gemm(m, n, k, a, aOff, transA, b, bOff, transB, got, cOff);
  gemmReference(m, n, k, a, aOff, transA, b, bOff, transB, want, cOff);
  const absA = Float64Array.from(a.subarray(aOff, aOff + m * k), Math.abs);
  const absB = Float64Array.from(b.subarray(bOff, bOff + k * n), Math.abs);
  const bound = new Float64Array(m * n);
  gemmReference(m, n, k, absA, 0, transA, absB, 0, transB, bound, 0);
  const eps = ctor === Float32Array ? 2 ** -23 : 2 ** -52;
  const where = () => `m=${m} n=${n} k=${k} tA=${transA} tB=${transB} ${ctor.name} ${fill} seed=${seed}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    if (i < cOff || i >= cOff + m * n) {
      if (g !== sentinel) throw new Error(`wrote outside C at ${i} (${where()})`);
    } else if (!Number.isFinite(w)) {
      if (!Object.is(g, w)) throw new Error(`C[${i - cOff}] = ${g}, reference ${w} (${where()})`);
    } else {
      const tol = (k + 2) * eps * bound[i - cOff];
      if (!(Math.abs(g - w) <= tol)) throw new Error(`C[${i - cOff}] = ${g}, reference ${w} ± ${tol} (${where()})`);
    }
  }
}

const dim = fc.integer({ min: 0, max: 40 });
const gemmCase = (fill: Fill) =>
  fc.record<GemmCase>({
    m: dim,
    n: dim,
    k: dim,
    transA: fc.boolean(),
    transB: fc.boolean(),
    aOff: fc.integer({ min: 0, max: 3 }),
    bOff: fc.integer({ min: 0, max: 3 }),
    cOff: fc.integer({ min: 0, max: 3 }),
    ctor: fc.constantFrom<Ctor>(Float32Array, Float64Array),
    fill: fc.constant(fill),
    seed: fc.integer(),
  });

describe('WebAssembly binaries', () => {
  it('the SIMD binaries run here (Node 20 has SIMD128 and shared memory)', () => {
    expect(runnable).toContain('simd');
    expect(runnable).toContain('simd-shared');
  });

  it('were built from the kernel sources as they are (else run `pnpm build:wasm` in packages/core)', async () => {
    // @ts-expect-error: a plain .mjs build helper, untyped
    const { kernelSourceHash } = await import('../wasm/config.mjs');
    expect(WASM_SOURCE_HASH).toBe(kernelSourceHash());
  });

  // A rebuild takes a few seconds: worth it, it proves the shipped bytes are these sources'.
  it('rebuild reproduces the committed module byte for byte', async () => {
    // @ts-expect-error: a plain .mjs build helper, untyped
    const { generate } = await import('../wasm/build.mjs');
    const committed = readFileSync(new URL('../src/backend/wasm-binaries.generated.ts', import.meta.url), 'utf8');
    expect(await generate()).toBe(committed);
  }, 60_000);
});

describe.each(runnable)('gemm in the %s binary against the TypeScript reference', (variant) => {
  const gemm = (kernels.get(variant) as WasmKernels).gemm;

  it('agrees for generated shapes 0..40, transposes, offsets, both dtypes', () => {
    fc.assert(
      fc.property(gemmCase('uniform'), (t) => checkGemm(gemm, t)),
      { numRuns: 150 },
    );
  });

  it('propagates NaN and ±Infinity like the reference', () => {
    fc.assert(
      fc.property(gemmCase('special'), (t) => checkGemm(gemm, t)),
      { numRuns: 100 },
    );
  });

  it('covers every tile edge: each size 0..9 (and 13) in every dimension', () => {
    const sizes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13];
    for (const ctor of [Float32Array, Float64Array])
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const m of sizes)
            for (const n of sizes)
              for (const k of [0, 1, 3, 4, 5, 9]) {
                const c = { m, n, k, transA, transB, aOff: 1, bOff: 2, cOff: 3, ctor, fill: 'special' as Fill };
                checkGemm(gemm, { ...c, seed: m * 131 + n * 17 + k });
              }
  });

  it.each([
    [37, 21, 300], // several k slices (KC = 256), ragged m and n
    [200, 13, 20], // several m blocks (MC = 96)
    [5, 2053, 3], // more than one n panel (NC = 1024/2048)
    [1, 100, 60],
    [100, 1, 60],
  ])('agrees at %i×%i×%i, all transposes, both dtypes', (m, n, k) => {
    for (const ctor of [Float32Array, Float64Array])
      for (const transA of [false, true])
        for (const transB of [false, true])
          checkGemm(gemm, { m, n, k, transA, transB, aOff: 5, bOff: 0, cOff: 1, ctor, fill: 'uniform', seed: m + n });
  });

  it('falls back to the reference for mixed dtypes', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float64Array([1, 0.5, 0.25, 0.125]);
    const c = new Float64Array(4);
    gemm(2, 2, 2, a, 0, false, b, 0, false, c, 0);
    expect(Array.from(c)).toEqual([1.5, 0.75, 4, 2]);
  });
});

describe('backend selection', () => {
  const initial = backendInfo();
  afterAll(() => {
    setBackend(initial.requested, { threads: initial.threads });
  });

  it('reports what it chose, and honours ZEROGRAD_BACKEND when set', () => {
    const env = process.env.ZEROGRAD_BACKEND;
    if (env) {
      expect(initial.source).toBe('env');
      expect(initial.requested).toBe(env);
    } else {
      expect(initial.source).toBe('default');
      expect(initial.name).toBe(availableBackends()[0]);
    }
    expect(getBackend()).toBe(initial.name);
    expect(initial.available).toContain(initial.name);
  });

  it('turns relaxed SIMD on in a fresh Node process by default (V8 flag), and not when declined', () => {
    const script = `
      import { backendInfo, matmul, variable, Tensor } from '@zerograd/core';
      const x = variable(new Tensor(new Float32Array(64 * 64).fill(0.5), [64, 64]));
      const y = matmul(x, x);
      console.log(JSON.stringify({ v: y.data.data[0], info: backendInfo() }));`;
    const run = (env: Record<string, string>) => runNode(script, { ZEROGRAD_BACKEND: '', ...env });
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    const on = run({});
    expect(on.v).toBe(16);
    expect(on.info).toMatchObject({ name: 'wasm-relaxed', relaxedSimdFlag: nodeMajor < 22 ? 'set' : 'unneeded' });
    if (nodeMajor < 22) {
      const off = run({ ZEROGRAD_RELAXED_SIMD: '0' });
      expect(off.v).toBe(16);
      expect(off.info).toMatchObject({ name: 'wasm-simd', relaxedSimdFlag: 'declined' });
      expect(off.info.available).toEqual(['wasm-simd', 'ts']);
    }
  });

  it('finds relaxed SIMD when the engine has it, and ranks it first', () => {
    expect(availableBackends()).toEqual(['wasm-relaxed', 'wasm-simd', 'ts']);
  });

  it('setBackend switches, resolves aliases and rejects unknown or unavailable names', () => {
    expect(setBackend('ts')).toBe('ts');
    expect(getBackend()).toBe('ts');
    expect(backendInfo()).toMatchObject({ name: 'ts', requested: 'ts', source: 'setBackend', variant: null });
    expect(setBackend('wasm-simd', { threads: 1 })).toBe('wasm-simd');
    expect(backendInfo().variant).toBe('simd');
    expect(setBackend('wasm')).toBe('wasm-relaxed');
    expect(setBackend('auto')).toBe('wasm-relaxed');
    expect(() => setBackend('gpu' as never)).toThrow(ValueError);
    expect(() => setBackend('ts', { threads: 0 })).toThrow(/threads/);
  });

  it('matmulTensor gives the same numbers on every backend (batches, broadcast, transposes)', () => {
    const rand = prng(7);
    const make = (shape: number[], ctor: Ctor) => {
      const t = new ctor(shape.reduce((p, q) => p * q, 1));
      fillArray(t, 0, t.length, rand, 'uniform');
      return new Tensor(t, shape);
    };
    for (const ctor of [Float32Array, Float64Array]) {
      const cases: [Tensor, Tensor, boolean, boolean][] = [
        [make([2, 1, 5, 7], ctor), make([3, 7, 4], ctor), false, false],
        [make([3, 7, 5], ctor), make([1, 9, 7], ctor), true, true],
        [make([0, 5, 7], ctor), make([7, 4], ctor), false, false],
        [make([33, 65], ctor), make([65, 17], ctor), false, false],
      ];
      for (const [a, b, tA, tB] of cases) {
        setBackend('ts');
        const want = matmulTensor(a, b, tA, tB);
        for (const name of availableBackends()) {
          setBackend(name);
          const got = matmulTensor(a, b, tA, tB);
          expect(got.shape).toEqual(want.shape);
          expect(got.dtype).toBe(want.dtype);
          const tol = ctor === Float32Array ? 1e-4 : 1e-12;
          for (let i = 0; i < got.size; i++) expect(Math.abs(got.data[i] - want.data[i])).toBeLessThanOrEqual(tol);
        }
      }
    }
  });
});

describe.each(runnable)('element-wise kernels in the %s binary are bit-identical to TypeScript', (variant) => {
  const w = kernels.get(variant) as WasmKernels;
  const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5, 1e-40, 3e38];

  /** Values with a sprinkling of NaN, ±∞, ±0 and ties, so NaN and signed-zero rules are exercised. */
  function data(ctor: Ctor, size: number, rand: () => number): TypedArray {
    const d = new ctor(size);
    for (let i = 0; i < size; i++) {
      const u = rand();
      d[i] = u < 0.15 ? specials[Math.floor(rand() * specials.length)] : Math.round((rand() * 8 - 4) * 4) / 4;
    }
    return d;
  }
  const same = (got: TypedArray, want: TypedArray) => {
    expect(got.length).toBe(want.length);
    for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
  };

  // Shapes in pairs that broadcast: same shape, bias rows, columns, scalars, leading batch
  // axes, size-1 axes in the middle, and one that does not collapse to 2-D (TS must take it).
  const pairs: [number[], number[]][] = [
    [
      [100, 50],
      [100, 50],
    ],
    [[100, 50], [50]],
    [
      [100, 10],
      [100, 1],
    ],
    [
      [1, 37],
      [53, 1],
    ],
    [[257], []],
    [[], [3, 67]],
    [
      [4, 1, 33],
      [4, 5, 33],
    ],
    [[2, 3, 4, 11], [11]],
    [
      [3, 1, 5, 7],
      [1, 6, 1, 7],
    ],
    [[0, 70], [70]],
  ];

  it.each(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'ge', 'gt', 'eq', 'maskPositive'] as const)(
    'binary %s',
    (kind) => {
      const rand = prng(kind.length * 97);
      for (const ctor of [Float32Array, Float64Array])
        for (const [sa, sb] of pairs)
          for (const [as, bs] of [
            [sa, sb],
            [sb, sa],
          ]) {
            const outShape = broadcastShapes('test', as, bs);
            const a = data(ctor, sizeOf(as), rand);
            const b = data(ctor, sizeOf(bs), rand);
            const want = new ctor(sizeOf(outShape));
            const got = new ctor(sizeOf(outShape));
            binaryInto(kind, a, as, b, bs, want, outShape);
            if (!wasmBinary(w, kind, a, as, b, bs, got, outShape)) binaryInto(kind, a, as, b, bs, got, outShape);
            same(got, want);
          }
    },
  );

  it('binary takes the 2-D cases and leaves the rest (and mixed dtypes) to TypeScript', () => {
    const f = (n: number) => new Float32Array(n);
    expect(wasmBinary(w, 'add', f(5000), [100, 50], f(50), [50], f(5000), [100, 50])).toBe(true);
    expect(wasmBinary(w, 'add', f(210), [3, 1, 5, 7], f(42), [1, 6, 1, 7], f(630), [3, 6, 5, 7])).toBe(false);
    expect(wasmBinary(w, 'pow', f(100), [100], f(100), [100], f(100), [100])).toBe(false);
    expect(wasmBinary(w, 'add', f(100), [100], new Float64Array(100), [100], new Float64Array(100), [100])).toBe(false);
  });

  it.each(['neg', 'abs', 'square', 'relu', 'positive', 'mulScalar', 'addScalar', 'powScalar'] as const)(
    'unary %s',
    (kind) => {
      const rand = prng(kind.length * 31);
      for (const ctor of [Float32Array, Float64Array])
        for (const size of [0, 1, 3, 64, 65, 1001]) {
          const x = data(ctor, size, rand);
          const param = kind === 'powScalar' ? 2 : -1.75;
          const want = new ctor(size);
          const got = new ctor(size);
          unaryInto(kind, x, want, param);
          if (!wasmUnary(w, kind, x, got, param)) unaryInto(kind, x, got, param);
          same(got, want);
        }
    },
  );

  it.each(['exp', 'log', 'tanh', 'sigmoid', 'sqrt'] as const)(
    'unary %s: float32 equal to TypeScript, float64 within an ulp or two (sqrt exact)',
    (kind) => {
      // musl (AssemblyScript) and fdlibm (V8) are each within an ulp of the exact value.
      const rand = prng(kind.length * 131);
      const f64 = new Float64Array(1);
      const i64 = new BigInt64Array(f64.buffer);
      const f32 = new Float32Array(1);
      const i32 = new Int32Array(f32.buffer);
      const ulps = (a: number, b: number, single: boolean): number => {
        if (Object.is(a, b)) return 0;
        if (Number.isNaN(a) || Number.isNaN(b) || Math.sign(a) !== Math.sign(b)) return Infinity;
        if (single) {
          f32[0] = a;
          const x = i32[0];
          f32[0] = b;
          return Math.abs(x - i32[0]);
        }
        f64[0] = a;
        const x = i64[0];
        f64[0] = b;
        const d = x - i64[0];
        return Number(d < 0n ? -d : d);
      };
      for (const ctor of [Float32Array, Float64Array]) {
        const size = 4099;
        const x = new ctor(size);
        for (let i = 0; i < size; i++) {
          const u = rand();
          // Specials, the overflow/underflow edges of exp, tiny and huge magnitudes, ordinary values.
          x[i] =
            u < 0.05
              ? [Number.NaN, Infinity, -Infinity, 0, -0, 709.7, -745.1, 88.7, -103.9, 1e-300, 1e-40][
                  Math.floor(rand() * 11)
                ]
              : u < 0.2
                ? (rand() * 2 - 1) * 800
                : u < 0.3
                  ? rand() * 1e-6
                  : (rand() * 2 - 1) * 20;
        }
        const want = new ctor(size);
        const got = new ctor(size);
        unaryInto(kind, x, want);
        expect(wasmUnary(w, kind, x, got, 0)).toBe(true);
        let worst = 0;
        let differ = 0;
        const bound = kind === 'sqrt' ? 0 : kind === 'exp' || kind === 'log' ? 1 : 2;
        for (let i = 0; i < size; i++) {
          const d = ulps(got[i], want[i], ctor === Float32Array);
          if (d > worst) worst = d;
          if (d > 0) differ++;
          if (d > bound) expect([kind, x[i], got[i]]).toEqual([kind, x[i], want[i]]);
        }
        // float32 results are rounded from doubles an ulp or two apart: on these 4,099 values
        // none differs. In float64, exp and log differ by at most one ulp (on ~9% and ~2% of
        // values), sigmoid and tanh (an exp and a division) by at most two.
        if (ctor === Float32Array) expect(differ).toBe(0);
        else expect(worst).toBeLessThanOrEqual(bound);
      }
    },
  );

  it('sum over leading or trailing axes', () => {
    const rand = prng(5);
    const cases: [number[], number[]][] = [
      [[100, 50], [0]],
      [[100, 10], [1]],
      [
        [100, 10],
        [0, 1],
      ],
      [
        [8, 100, 10],
        [0, 1],
      ],
      [[8, 100, 10], [2]],
      [
        [8, 100, 10],
        [1, 2],
      ], // falls back: TS sums the last axis first
      [[7, 1, 9, 1], [0]],
      [[1000], [0]],
      [[4, 5, 6], [1]], // not 2-D: falls back
    ];
    for (const ctor of [Float32Array, Float64Array])
      for (const [shape, axes] of cases) {
        const dtype = ctor === Float32Array ? 'float32' : 'float64';
        const x = data(ctor, sizeOf(shape), rand);
        for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) x[i] = rand(); // sums of ±∞ are dull
        const want = reduce('sum', x, shape, axes, dtype);
        const got = wasmSum(w, x, shape, axes, dtype) ?? reduce('sum', x, shape, axes, dtype);
        same(got, want);
      }
  });
});

describe.runIf(runnable.includes('simd-shared'))('two threads (worker pool over shared memory)', () => {
  it('splits large products by rows or columns and agrees with the reference', async () => {
    const variant: WasmVariant = 'simd-shared';
    const w = new WasmKernels(variant, new WebAssembly.Module(variantBytes(variant) as BufferSource), gemmReference);
    const pool = new GemmPool(w);
    try {
      // The worker starts at the first large product and serves once it is ready.
      const big = { m: 200, n: 170, k: 130, aOff: 0, bOff: 1, cOff: 2, fill: 'uniform' as Fill, seed: 1 };
      expect(big.m * big.n * big.k).toBeGreaterThanOrEqual(PARALLEL_MIN_MACS);
      checkGemm(w.gemm, { ...big, transA: false, transB: false, ctor: Float32Array });
      for (let i = 0; i < 200 && !pool.ready; i++) await new Promise((r) => setTimeout(r, 10));
      expect(pool.ready).toBe(true);
      for (const ctor of [Float32Array, Float64Array])
        for (const transA of [false, true])
          for (const transB of [false, true]) {
            checkGemm(w.gemm, { ...big, transA, transB, ctor, fill: 'special' }); // split by rows
            checkGemm(w.gemm, { ...big, m: 101, n: 340, transA, transB, ctor }); // by columns
          }
      // The fused Affine's epilogue (bias row, ReLU) runs after both halves are in.
      for (const ctor of [Float32Array, Float64Array]) {
        const { m, n, k } = big;
        const rand = prng(3);
        const a = ctor.from({ length: m * k }, () => rand() * 2 - 1);
        const b = ctor.from({ length: k * n }, () => rand() * 2 - 1);
        const bias = ctor.from({ length: n }, () => rand() * 2 - 1);
        const want = new ctor(m * n);
        gemmReference(m, n, k, a, 0, false, b, 0, false, want, 0);
        for (let i = 0; i < m * n; i++) want[i] = Math.max(0, want[i] + bias[i % n]);
        const got = new ctor(m * n);
        w.affine(m, n, k, a, 0, false, b, 0, false, got, 0, bias, true);
        for (let i = 0; i < m * n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4);
        expect(got.some((v) => v === 0) && got.some((v) => v > 0)).toBe(true);
      }
      expect(pool.jobs).toBeGreaterThanOrEqual(16);
      expect(pool.workerParts).toBeGreaterThan(0);
      expect(pool.workerParts).toBeLessThanOrEqual(pool.jobs);
      // A worker that is not scheduled (here: told to sleep 400 ms before claiming) does not
      // hold the product up: the caller computes the second part itself, and the result is right.
      const before = pool.workerParts;
      pool.pauseWorker(400);
      checkGemm(w.gemm, { ...big, transA: false, transB: true, ctor: Float32Array, seed: 9 });
      expect(pool.workerParts).toBe(before); // the caller took the part back instead of waiting
      // Once awake, the worker finds the part taken and serves the next product.
      await new Promise((r) => setTimeout(r, 450));
      checkGemm(w.gemm, { ...big, transA: true, transB: false, ctor: Float64Array, seed: 10 });
    } finally {
      pool.close();
    }
  });

  it('lets a Node process exit by itself after using the worker', () => {
    const script = `
      import { matmul, setBackend, backendInfo, variable, Tensor } from '@zerograd/core';
      setBackend('wasm-simd', { threads: 2 });
      const x = variable(new Tensor(new Float32Array(300 * 300).fill(1), [300, 300]));
      for (let i = 0; i < 3; i++) { matmul(x, x); await new Promise((r) => setTimeout(r, 50)); }
      const y = matmul(x, x);
      console.log(JSON.stringify({ v: y.data.data[0], info: backendInfo() }));`;
    const { v, info } = runNode(script);
    expect(v).toBe(300);
    expect(info).toMatchObject({ name: 'wasm-simd', threads: 2, variant: 'simd-shared' });
  });
});

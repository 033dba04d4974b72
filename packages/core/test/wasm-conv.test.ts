import v8 from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GemmPool } from '../src/backend/gemm-pool.js';
import {
  wasmCol2im,
  wasmConv2d,
  wasmConv2dGradInput,
  wasmConv2dGradWeight,
  wasmIm2col,
} from '../src/backend/wasm-conv.js';
import { WasmKernels } from '../src/backend/wasm-kernels.js';
import { variantBytes, variantSupported, type WasmVariant } from '../src/backend/wasm-module.js';
import { type ConvGeometry, col2imInto, convGeometry, im2colInto } from '../src/kernels/im2col.js';
import type { Gemm } from '../src/kernels/matmul.js';
import { gemmReference } from '../src/kernels/matmul-reference.js';
import type { TypedArray } from '../src/tensor/dtype.js';
import { Random } from '../src/tensor/random.js';

// The WebAssembly convolution (wasm/assembly/conv.ts, backend/wasm-conv.ts) against the
// TypeScript loops of backend/conv-kernels.ts, run here over the *same* gemm (the instance's
// own, one call per image): every result must have the same bits, on one thread or two.
if (!variantSupported('relaxed')) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const runnable = (['simd', 'relaxed', 'simd-shared', 'relaxed-shared'] as WasmVariant[]).filter(variantSupported);
const instance = (v: WasmVariant) =>
  new WasmKernels(v, new WebAssembly.Module(variantBytes(v) as BufferSource), gemmReference);

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function filled(ctor: Ctor, length: number, r: Random): TypedArray {
  return ctor.from({ length }, () => r.next() * 2 - 1);
}

/**
 * `k`'s gemm kernel itself for every size (`k.gemm` hands the tiniest products to TypeScript,
 * which rounds once where the kernel rounds per step), with gemm's signature.
 */
function kernelGemm(k: WasmKernels): Gemm {
  return (m, n, kk, a, aOff, transA, b, bOff, transB, c, cOff) => {
    const f64 = c instanceof Float64Array;
    const bytes = f64 ? 8 : 4;
    const [pa, pb, pc] = k.regions([m * kk, kk * n, m * n], bytes) as number[];
    const mem = k.view(f64);
    mem.set(a.subarray(aOff, aOff + m * kk), pa / bytes);
    mem.set(b.subarray(bOff, bOff + kk * n), pb / bytes);
    const [ars, acs] = transA ? [1, m] : [kk, 1];
    const [brs, bcs] = transB ? [1, kk] : [n, 1];
    (f64 ? k.exports.gemmF64 : k.exports.gemmF32)(m, n, kk, pa, ars, acs, pb, brs, bcs, pc, n, k.scratchBase);
    c.set(mem.subarray(pc / bytes, pc / bytes + m * n), cOff);
  };
}

/** The TypeScript path of conv-kernels.ts over `k`'s gemm kernel: forward, input gradient, filter gradient. */
function reference(
  k: WasmKernels,
  ctor: Ctor,
  g: ConvGeometry,
  f: number,
  x: TypedArray,
  W: TypedArray,
  b: TypedArray,
  gy: TypedArray,
) {
  const gemm = kernelGemm(k);
  const pixels = g.oh * g.ow;
  const depth = g.c * g.kh * g.kw;
  const col = new ctor(g.n * pixels * depth);
  im2colInto(x, g, col);
  const y = new ctor(g.n * f * pixels);
  const gW = new ctor(f * depth);
  const term = new ctor(f * depth);
  const dcol = new ctor(g.n * pixels * depth);
  for (let n = 0; n < g.n; n++) {
    gemm(f, pixels, depth, W, 0, false, col, n * pixels * depth, true, y, n * f * pixels);
    gemm(pixels, depth, f, gy, n * f * pixels, true, W, 0, false, dcol, n * pixels * depth);
    gemm(f, depth, pixels, gy, n * f * pixels, false, col, n * pixels * depth, false, term, 0);
    for (let i = 0; i < f * depth; i++) gW[i] += term[i];
  }
  for (let i = 0; i < y.length; i++) y[i] += b[Math.floor(i / pixels) % f];
  const gx = new ctor(g.n * g.c * g.h * g.w);
  col2imInto(dcol, g, gx);
  return { col, y, gx, gW };
}

const geometry = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 3 }),
    f: fc.integer({ min: 1, max: 9 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    oh: fc.integer({ min: 1, max: 6 }),
    ow: fc.integer({ min: 1, max: 6 }),
    f64: fc.boolean(),
    seed: fc.nat(),
  })
  // Sizes that tile exactly: H + 2·pad − kernel = (OH − 1)·stride, with H ≥ 1.
  .map((s) => ({ ...s, h: (s.oh - 1) * s.sh + s.kh - 2 * s.ph, w: (s.ow - 1) * s.sw + s.kw - 2 * s.pw }))
  .filter((s) => s.h >= 1 && s.w >= 1);

describe.each(runnable)('convolution in the %s binary', (variant) => {
  const k = instance(variant);
  it('has the bits of the TypeScript loops over the same gemm: forward, both gradients, im2col, col2im', () => {
    fc.assert(
      fc.property(geometry, (s) => {
        const g = convGeometry('test', [s.n, s.c, s.h, s.w], [s.kh, s.kw], [s.sh, s.sw], [s.ph, s.pw]);
        const ctor = s.f64 ? Float64Array : Float32Array;
        const r = new Random(s.seed);
        const x = filled(ctor, s.n * s.c * s.h * s.w, r);
        const W = filled(ctor, s.f * s.c * s.kh * s.kw, r);
        const b = filled(ctor, s.f, r);
        const gy = filled(ctor, s.n * s.f * g.oh * g.ow, r);
        const want = reference(k, ctor, g, s.f, x, W, b, gy);
        const y = new ctor(want.y.length).fill(Number.NaN);
        const gx = new ctor(want.gx.length).fill(Number.NaN);
        const gW = new ctor(want.gW.length).fill(Number.NaN);
        const col = new ctor(want.col.length).fill(Number.NaN);
        const back = new ctor(want.gx.length).fill(Number.NaN);
        expect(wasmConv2d(k, x, W, b, s.f, g, y)).toBe(true);
        expect(wasmConv2dGradInput(k, gy, W, s.f, g, gx)).toBe(true);
        expect(wasmConv2dGradWeight(k, x, gy, s.f, g, gW)).toBe(true);
        expect(wasmIm2col(k, x, g, col)).toBe(true);
        expect(wasmCol2im(k, want.col, g, back)).toBe(true);
        const wantBack = new ctor(back.length);
        col2imInto(want.col, g, wantBack);
        expect(Array.from(y)).toEqual(Array.from(want.y));
        expect(Array.from(gx)).toEqual(Array.from(want.gx));
        expect(Array.from(gW)).toEqual(Array.from(want.gW));
        expect(Array.from(col)).toEqual(Array.from(want.col));
        expect(Array.from(back)).toEqual(Array.from(wantBack));
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('leaves mixed dtypes to the caller', () => {
    const g = convGeometry('test', [1, 1, 3, 3], [2, 2], [1, 1], [0, 0]);
    const y = new Float32Array(4);
    expect(wasmConv2d(k, new Float64Array(9), new Float32Array(4), null, 1, g, y)).toBe(false);
    expect(wasmConv2dGradWeight(k, new Float32Array(9), new Float64Array(4), 1, g, new Float32Array(4))).toBe(false);
  });
});

describe.runIf(runnable.includes('relaxed-shared'))('convolution on two threads', () => {
  it('splits the images in two halves with the bits of one thread, the filter gradient summed in image order', async () => {
    const k = instance('relaxed-shared');
    const pool = new GemmPool(k);
    try {
      const r = new Random(3);
      const s = { n: 7, c: 16, h: 32, w: 31, f: 32, kh: 3, kw: 3 }; // halves of ~1 ms: the worker wakes in time
      const g = convGeometry('test', [s.n, s.c, s.h, s.w], [s.kh, s.kw], [1, 2], [1, 0]);
      const x = filled(Float32Array, s.n * s.c * s.h * s.w, r);
      const W = filled(Float32Array, s.f * s.c * s.kh * s.kw, r);
      const b = filled(Float32Array, s.f, r);
      const gy = filled(Float32Array, s.n * s.f * g.oh * g.ow, r);
      const want = reference(k, Float32Array, g, s.f, x, W, b, gy);
      const check = () => {
        const y = new Float32Array(want.y.length);
        const gx = new Float32Array(want.gx.length);
        const gW = new Float32Array(want.gW.length);
        wasmConv2d(k, x, W, b, s.f, g, y);
        wasmConv2dGradInput(k, gy, W, s.f, g, gx);
        wasmConv2dGradWeight(k, x, gy, s.f, g, gW);
        expect(Array.from(y)).toEqual(Array.from(want.y));
        expect(Array.from(gx)).toEqual(Array.from(want.gx));
        return gW;
      };
      // Until the worker is ready the caller does everything: the filter gradient in image order.
      expect(Array.from(check())).toEqual(Array.from(want.gW));
      for (let i = 0; i < 200 && !pool.ready; i++) await new Promise((res) => setTimeout(res, 10));
      expect(pool.ready).toBe(true);
      const jobs = pool.jobs;
      expect(Array.from(check())).toEqual(Array.from(want.gW));
      expect(pool.jobs).toBe(jobs + 3); // forward, input gradient, filter gradient: each split
      // The worker's halves: on a busy machine it may miss a few jobs (the caller then takes them).
      for (let i = 0; i < 20 && pool.workerParts === 0; i++) expect(Array.from(check())).toEqual(Array.from(want.gW));
      expect(pool.workerParts).toBeGreaterThan(0);
      // A worker that does not wake in time: the caller computes its half too, with the same result.
      pool.pauseWorker(300);
      const parts = pool.workerParts;
      expect(Array.from(check())).toEqual(Array.from(want.gW));
      expect(pool.workerParts).toBeLessThan(parts + 3);
    } finally {
      pool.close();
    }
  });
});

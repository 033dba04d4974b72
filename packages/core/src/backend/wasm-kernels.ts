/**
 * One instance of the WebAssembly kernels on the JavaScript side: the linear memory they work
 * in, and wrappers with exactly the signatures of the TypeScript kernels (src/kernels), so a
 * backend can swap one for the other. The binaries themselves are in wasm-module.ts.
 *
 * Memory: the kernels allocate nothing. Linear memory is laid out here, once:
 *
 *   heapBase │ scratch slot 0 │ … │ scratch slot MAX_THREADS−1 │ operand arena …
 *
 * A scratch slot holds one thread's packing buffers. The operand arena is reused by every
 * call: operands are copied in (a `TypedArray.set`, i.e. memcpy), the kernel runs, the result
 * is copied out. Memory grows on demand and never shrinks, so steady-state calls neither
 * allocate nor grow; the only per-call cost besides the kernel is the copies, which are
 * O(m·k + k·n + m·n) against the kernel's O(m·n·k).
 */

import { biasActInto } from '../kernels/affine.js';
import type { Gemm } from '../kernels/matmul.js';
import type { TypedArray } from '../tensor/dtype.js';
import { createMemory, instantiate, type KernelExports, type WasmVariant } from './wasm-module.js';

/**
 * The exports a worker may run as one half of a job (gemm-pool.ts): each takes at most 12
 * integer arguments (addresses and sizes), so a job travels as integers.
 */
export const POOL_KERNELS = [
  'gemmF32',
  'gemmF64',
  'convForwardF32',
  'convForwardF64',
  'convGradInputF32',
  'convGradInputF64',
  'convGradWeightF32',
  'convGradWeightF64',
] as const;
export type PoolKernel = (typeof POOL_KERNELS)[number];

/** A worker beside the calling thread (gemm-pool.ts), as the kernels see it. */
export interface KernelPool {
  readonly ready: boolean;
  /** Jobs split so far. */
  readonly jobs: number;
  /** Runs `mine` here and `theirs` on the worker (or here, if it is late); false if no worker is ready. */
  split(kernel: PoolKernel, mine: readonly number[], theirs: readonly number[]): boolean;
}

/** Scratch slots reserved in every memory: the calling thread plus up to three workers. */
export const MAX_THREADS = 4;
const PAGE = 65536;
const ALIGN = 64;
/** Products of at most this many multiply-adds stay in TypeScript (measured: 2×2×2 is, 4×4×4 is not). */
const TINY = 27;

const alignUp = (x: number) => Math.ceil(x / ALIGN) * ALIGN;

/** Where a call's operands go: three regions of the arena, in bytes. */
export interface Layout {
  a: number;
  b: number;
  c: number;
}

/**
 * One instance of the kernels with its memory, and the typed-array wrappers around it.
 * `fallback` is the TypeScript gemm, used for what the kernels do not take (mixed dtypes).
 */
export class WasmKernels {
  readonly variant: WasmVariant;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  /** Bytes of one scratch slot. */
  readonly scratchBytes: number;
  /** Address of scratch slot 0 (slot t is at `scratchBase + t·scratchBytes`). */
  readonly scratchBase: number;
  /** Start of the operand arena. */
  readonly arena: number;
  private readonly fallback: Gemm;
  private f32: Float32Array;
  private f64: Float64Array;
  /** The worker pool serving `parallelGemm` and split convolutions, if one is attached. */
  pool: KernelPool | null = null;
  /**
   * Splits a large product across threads, when a pool is attached (see gemm-pool.ts). Returns
   * false to let the calling thread do it all.
   */
  parallelGemm:
    | ((
        f64: boolean,
        m: number,
        n: number,
        k: number,
        a: number,
        ars: number,
        acs: number,
        b: number,
        brs: number,
        bcs: number,
        c: number,
      ) => boolean)
    | null = null;

  constructor(variant: WasmVariant, module: WebAssembly.Module, fallback: Gemm, memory?: WebAssembly.Memory) {
    this.variant = variant;
    this.module = module;
    this.fallback = fallback;
    this.memory = memory ?? createMemory(variant, 64);
    this.exports = instantiate(module, this.memory);
    this.scratchBytes = alignUp(this.exports.gemmScratchBytes());
    this.scratchBase = alignUp(this.exports.heapBase());
    this.arena = this.scratchBase + MAX_THREADS * this.scratchBytes;
    this.f32 = new Float32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
    this.reserve(0);
  }

  /** Makes the arena at least `bytes` long (grows memory, then renews the views). */
  reserve(bytes: number): void {
    const need = this.arena + bytes;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    if (this.f32.buffer !== this.memory.buffer || this.f32.length * 4 !== this.memory.buffer.byteLength) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.f64 = new Float64Array(this.memory.buffer);
    }
  }

  /**
   * Lays out three operands of `sa`, `sb`, `sc` elements of `bytes` each in the arena; null
   * if memory cannot grow that far (the caller then runs the TS kernel).
   */
  layout(sa: number, sb: number, sc: number, bytes: number): Layout | null {
    const a = this.arena;
    const b = a + alignUp(sa * bytes);
    const c = b + alignUp(sb * bytes);
    try {
      this.reserve(c + alignUp(sc * bytes) - this.arena);
    } catch {
      return null;
    }
    return { a, b, c };
  }

  /**
   * Lays out operands of the given element counts one after another in the arena (each with
   * room for at least 16 bytes more: a vector past the end); their addresses, or null if
   * memory cannot grow.
   */
  regions(counts: readonly number[], bytes: number): number[] | null {
    const out: number[] = [];
    let at = this.arena;
    for (const n of counts) {
      out.push(at);
      at += alignUp(n * bytes + 16);
    }
    try {
      this.reserve(at - this.arena);
    } catch {
      return null;
    }
    return out;
  }

  /** The memory as float64 or float32 elements (renewed after every growth: call again after `layout`). */
  view(f64: boolean): TypedArray {
    return f64 ? this.f64 : this.f32;
  }

  /**
   * `gemm` with the TypeScript kernel's exact signature and semantics (src/kernels/matmul.ts):
   * `C[m×n] = op(A)·op(B)`, transposes read through strides, C overwritten.
   */
  readonly gemm: Gemm = (m, n, k, a, aOff, transA, b, bOff, transB, c, cOff) =>
    this.affine(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, null, false);

  /**
   * The fused Affine: `C = act(op(A)·op(B) + bias)`, `bias` a row of n (or null) and act ReLU
   * or nothing, applied in WebAssembly memory before the one copy out. Same bits as the
   * product followed by the element-wise add and ReLU.
   */
  affine(
    m: number,
    n: number,
    k: number,
    a: TypedArray,
    aOff: number,
    transA: boolean,
    b: TypedArray,
    bOff: number,
    transB: boolean,
    c: TypedArray,
    cOff: number,
    bias: TypedArray | null,
    relu: boolean,
  ): void {
    if (m === 0 || n === 0) return;
    const f64 = c instanceof Float64Array;
    const bytes = f64 ? 8 : 4;
    const mixed =
      a.constructor !== c.constructor ||
      b.constructor !== c.constructor ||
      (bias && bias.constructor !== c.constructor);
    // Mixed dtypes are not the kernels' business; the tiniest products are quicker in JS.
    const R = mixed || m * n * k <= TINY ? null : this.regions([m * k, k * n, m * n, bias ? n : 0], bytes);
    if (!R) {
      this.fallback(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff);
      if (bias || relu) biasActInto(c, cOff, m, n, bias, relu);
      return;
    }
    // k = 0 never gets here (m·n·k ≤ TINY): the fallback writes the zeros.
    const [pa, pb, pc, pbias] = R;
    const mem = this.view(f64);
    mem.set(a.subarray(aOff, aOff + m * k), pa / bytes);
    mem.set(b.subarray(bOff, bOff + k * n), pb / bytes);
    const ars = transA ? 1 : k;
    const acs = transA ? m : 1;
    const brs = transB ? 1 : n;
    const bcs = transB ? k : 1;
    if (!this.parallelGemm?.(f64, m, n, k, pa, ars, acs, pb, brs, bcs, pc)) {
      const kernel = f64 ? this.exports.gemmF64 : this.exports.gemmF32;
      kernel(m, n, k, pa, ars, acs, pb, brs, bcs, pc, n, this.scratchBase);
    }
    if (bias || relu) {
      if (bias) mem.set(bias.subarray(0, n), pbias / bytes);
      (f64 ? this.exports.biasActF64 : this.exports.biasActF32)(pc, bias ? pbias : 0, m, n, relu ? 1 : 0);
    }
    c.set(mem.subarray(pc / bytes, pc / bytes + m * n), cOff);
  }
}

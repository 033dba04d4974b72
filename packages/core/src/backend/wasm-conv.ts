/**
 * Convolution on the WebAssembly backend (wasm/assembly/conv.ts). The batch is copied into
 * linear memory once, every image is unfolded and multiplied there, and the result is copied
 * out once — where going through `gemm` would copy each image's operands in and out per call.
 * With a worker pool (two threads, shared memory) the images are cut into two halves, one per
 * thread, each with its own `col` buffer and packing scratch; the filter gradient's terms of
 * the second half are added to the first half's sum in image order.
 *
 * The results have the TypeScript path's bits (conv-kernels.ts over the same gemm kernel), on
 * one thread or two: a training run does not depend on the thread count.
 *
 * Each function returns false when it does not take the case (mixed dtypes, memory that
 * cannot grow) and the caller runs the TypeScript kernels.
 */
import type { ConvGeometry } from '../kernels/im2col.js';
import type { TypedArray } from '../tensor/dtype.js';
import { PARALLEL_MIN_MACS } from './gemm-pool.js';
import type { KernelSet } from './kernel-set.js';
import type { PoolKernel, WasmKernels } from './wasm-kernels.js';

/** Bytes of the geometry block the kernels read: 12 int32s. */
const GEOMETRY_BYTES = 48;

/** Elements of one image (C·H·W), of one image's col (OH·OW × C·KH·KW), and its pixels (OH·OW). */
function sizes(g: ConvGeometry) {
  const pixels = g.oh * g.ow;
  const depth = g.c * g.kh * g.kw;
  return { image: g.c * g.h * g.w, pixels, depth, col: pixels * depth };
}

/**
 * The instance a convolution of `macs` multiply-adds runs on: the shared-memory one (two
 * threads) when the work repays the handover and there are two images to share, else the plain one.
 */
export function convKernels(set: KernelSet, g: ConvGeometry, macs: number): WasmKernels | null {
  if (set.shared?.pool && g.n >= 2 && macs >= PARALLEL_MIN_MACS) return set.shared;
  return set.wasm;
}

/** Whether every array is of one type (the kernels take float32 or float64, not a mix). */
function sameType(...arrays: (TypedArray | null)[]): boolean {
  const type = arrays[0]?.constructor;
  return (type === Float32Array || type === Float64Array) && arrays.every((a) => a === null || a.constructor === type);
}

/** Lays out the geometry block and regions of `counts` elements; null if memory cannot grow. */
function prepare(k: WasmKernels, g: ConvGeometry, counts: number[], bytes: number): number[] | null {
  const at = k.regions([Math.ceil(GEOMETRY_BYTES / bytes), ...counts], bytes);
  if (!at) return null;
  new Int32Array(k.memory.buffer, at[0], 12).set([g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow]);
  return at;
}

/**
 * Calls `kernel` on images [0, N): in two halves on two threads when `two` (and a worker is
 * ready), else whole here. `args(first, last, thread)` are its arguments for one part.
 * Returns whether it was split.
 */
function run(
  k: WasmKernels,
  kernel: PoolKernel,
  n: number,
  two: boolean,
  args: (first: number, last: number, thread: 0 | 1) => number[],
): boolean {
  const half = Math.ceil(n / 2);
  if (two && k.pool?.split(kernel, args(0, half, 0), args(half, n, 1))) return true;
  (k.exports[kernel] as (...a: number[]) => void)(...args(0, n, 0));
  return false;
}

const scratchOf = (k: WasmKernels, thread: 0 | 1) => k.scratchBase + thread * k.scratchBytes;

/** y `[N, F, OH, OW]` = x ⊛ W (+ b), W `[F, C, KH, KW]`. */
export function wasmConv2d(
  k: WasmKernels,
  x: TypedArray,
  W: TypedArray,
  b: TypedArray | null,
  f: number,
  g: ConvGeometry,
  y: TypedArray,
): boolean {
  if (!sameType(y, x, W, b)) return false;
  const f64 = y instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const { image, pixels, depth, col } = sizes(g);
  const two = k.pool !== null;
  const at = prepare(k, g, [g.n * image, f * depth, b ? f : 0, g.n * f * pixels, col, two ? col : 0], bytes);
  if (!at) return false;
  const [geom, px, pw, pb, py, col0, col1] = at;
  const mem = k.view(f64);
  mem.set(x.subarray(0, g.n * image), px / bytes);
  mem.set(W.subarray(0, f * depth), pw / bytes);
  if (b) mem.set(b.subarray(0, f), pb / bytes);
  run(k, f64 ? 'convForwardF64' : 'convForwardF32', g.n, two, (first, last, t) => [
    geom,
    first,
    last,
    px,
    pw,
    f,
    b ? pb : 0,
    py,
    t ? col1 : col0,
    scratchOf(k, t),
  ]);
  y.set(mem.subarray(py / bytes, py / bytes + g.n * f * pixels));
  return true;
}

/** gx `[N, C, H, W]` = col2im of (gy per image)ᵀ · W: the convolution's input gradient. */
export function wasmConv2dGradInput(
  k: WasmKernels,
  gy: TypedArray,
  W: TypedArray,
  f: number,
  g: ConvGeometry,
  gx: TypedArray,
): boolean {
  if (!sameType(gx, gy, W)) return false;
  const f64 = gx instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const { image, pixels, depth, col } = sizes(g);
  const two = k.pool !== null;
  const at = prepare(k, g, [g.n * f * pixels, f * depth, g.n * image, col, two ? col : 0], bytes);
  if (!at) return false;
  const [geom, pgy, pw, pgx, col0, col1] = at;
  const mem = k.view(f64);
  mem.set(gy.subarray(0, g.n * f * pixels), pgy / bytes);
  mem.set(W.subarray(0, f * depth), pw / bytes);
  run(k, f64 ? 'convGradInputF64' : 'convGradInputF32', g.n, two, (first, last, t) => [
    geom,
    first,
    last,
    pgy,
    pw,
    f,
    pgx,
    t ? col1 : col0,
    scratchOf(k, t),
  ]);
  gx.set(mem.subarray(pgx / bytes, pgx / bytes + g.n * image));
  return true;
}

/** gW `[F, C, KH, KW]` = Σ over images of gyₙ · im2col(xₙ): the convolution's filter gradient. */
export function wasmConv2dGradWeight(
  k: WasmKernels,
  x: TypedArray,
  gy: TypedArray,
  f: number,
  g: ConvGeometry,
  gW: TypedArray,
): boolean {
  if (!sameType(gW, x, gy)) return false;
  const f64 = gW instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const { image, pixels, depth, col } = sizes(g);
  const two = k.pool !== null;
  const size = f * depth;
  // The second thread keeps each of its images' terms apart (`terms`), and this thread adds
  // them to its own sum in image order afterwards: the sum is the one a single thread makes.
  const half = Math.ceil(g.n / 2);
  const spare = two ? 1 : 0;
  const counts = [g.n * image, g.n * f * pixels, size, (g.n - half) * size * spare, col, col * spare, size];
  const at = prepare(k, g, counts, bytes);
  if (!at) return false;
  const [geom, px, pgy, sum, terms, col0, col1, term] = at;
  const mem = k.view(f64);
  mem.set(x.subarray(0, g.n * image), px / bytes);
  mem.set(gy.subarray(0, g.n * f * pixels), pgy / bytes);
  const split = run(k, f64 ? 'convGradWeightF64' : 'convGradWeightF32', g.n, two, (first, last, t) =>
    t === 0
      ? [geom, first, last, px, pgy, f, sum, col0, term, scratchOf(k, 0)]
      : [geom, first, last, px, pgy, f, terms, col1, 0, scratchOf(k, 1)],
  );
  if (split) (f64 ? k.exports.addTermsF64 : k.exports.addTermsF32)(sum, terms, g.n - half, size);
  gW.set(mem.subarray(sum / bytes, sum / bytes + size));
  return true;
}

/** The public im2col: x `[N, C, H, W]` into col `[N·OH·OW, C·KH·KW]`. */
export function wasmIm2col(k: WasmKernels, x: TypedArray, g: ConvGeometry, col: TypedArray): boolean {
  return fold(k, 'im2col', x, g, col);
}

/** The public col2im: col `[N·OH·OW, C·KH·KW]` summed into zeros `[N, C, H, W]`. */
export function wasmCol2im(k: WasmKernels, col: TypedArray, g: ConvGeometry, x: TypedArray): boolean {
  return fold(k, 'col2im', col, g, x);
}

function fold(k: WasmKernels, way: 'im2col' | 'col2im', from: TypedArray, g: ConvGeometry, to: TypedArray): boolean {
  if (!sameType(to, from)) return false;
  const f64 = to instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const { image, col } = sizes(g);
  const [nFrom, nTo] = way === 'im2col' ? [g.n * image, g.n * col] : [g.n * col, g.n * image];
  const at = prepare(k, g, [nFrom, nTo], bytes);
  if (!at) return false;
  const [geom, pFrom, pTo] = at;
  const mem = k.view(f64);
  mem.set(from.subarray(0, nFrom), pFrom / bytes);
  if (way === 'col2im') mem.fill(0, pTo / bytes, pTo / bytes + nTo);
  const kernel =
    way === 'im2col'
      ? f64
        ? k.exports.im2colF64
        : k.exports.im2colF32
      : f64
        ? k.exports.col2imF64
        : k.exports.col2imF32;
  kernel(geom, 0, g.n, pFrom, pTo);
  to.set(mem.subarray(pTo / bytes, pTo / bytes + nTo));
  return true;
}

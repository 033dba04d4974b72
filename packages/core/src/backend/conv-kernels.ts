/**
 * Convolution and pooling on tensors, the book's way: im2col turns every window into a row,
 * and matrix products do all the multiply-adds. On a WebAssembly backend the whole
 * convolution runs in linear memory (wasm-conv.ts: one copy in, one out, images split over
 * two threads); the TypeScript loops below are the `ts` backend and the reference. With `col` = im2col(x) `[N·OH·OW, C·KH·KW]`, whose rows for image n are
 * `colₙ` `[OH·OW, C·KH·KW]`, W read as `Wm` `[F, C·KH·KW]` and image n's gradient maps read as
 * `Gₙ` `[F, OH·OW]`:
 *
 *   forward          yₙ = Wm · colₙᵀ (+ b)        image n's F maps, already NCHW
 *   grad of input    gx = col2im(rows Gₙᵀ · Wm)
 *   grad of weight   gW = Σₙ Gₙ · colₙ
 *
 * One product per image (Caffe's order) rather than the book's single product over the batch:
 * the book's `[N·OH·OW, F]` result has to be transposed to NCHW and gy transposed back, and
 * those copies cost more than the products saved (measured in docs/decisions/0004). The
 * products read their transposed operands in place (gemm's `transA`/`transB`).
 *
 * Shapes are checked by the ops (ops/conv.ts, ops/pool.ts) through `convGeometry`; these
 * functions trust the geometry they are given. `col` is scratch: it lives in a module-level
 * buffer per dtype that only grows, so a training loop does not allocate (and zero) an 11 MB
 * matrix per step.
 */
import type { ConvGeometry } from '../kernels/im2col.js';
import { col2imInto, im2colInto } from '../kernels/im2col.js';
import { avgPoolBackInto, avgPoolInto, gatherInto, maxPoolInto, scatterAddInto } from '../kernels/pool.js';
import { allocate, type FloatDType, type TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { kernelSet } from './select.js';
import {
  convKernels,
  wasmCol2im,
  wasmConv2d,
  wasmConv2dGradInput,
  wasmConv2dGradWeight,
  wasmIm2col,
} from './wasm-conv.js';

/** Two scratch buffers per dtype: slot 0 holds windows (`col`), slot 1 one image's filter gradient. */
const scratchBuffers: Record<FloatDType, TypedArray[]> = { float32: [], float64: [] };

/** A scratch buffer; ops promote their inputs to a float dtype before a kernel sees them. */
function scratch(dtype: string, slot: 0 | 1, size: number): TypedArray {
  const key: FloatDType = dtype === 'float32' ? 'float32' : 'float64';
  const have = scratchBuffers[key][slot];
  if (have && have.length >= size) return have;
  const made = key === 'float32' ? new Float32Array(size) : new Float64Array(size);
  scratchBuffers[key][slot] = made;
  return made;
}

/** Sizes of the product: rows of col (N·OH·OW), its columns (C·KH·KW), pixels per map (OH·OW). */
function dims(g: ConvGeometry) {
  const pixels = g.oh * g.ow;
  return { rows: g.n * pixels, depth: g.c * g.kh * g.kw, pixels };
}

/** im2col of x `[N, C, H, W]`: a new `[N·OH·OW, C·KH·KW]` tensor. */
export function im2colTensor(x: Tensor, g: ConvGeometry): Tensor {
  const { rows, depth } = dims(g);
  const col = allocate(x.dtype, rows * depth);
  const { wasm } = kernelSet();
  if (!wasm || !wasmIm2col(wasm, x.data, g, col)) im2colInto(x.data, g, col);
  return Tensor.unchecked(col, [rows, depth]);
}

/** col2im of `col` `[N·OH·OW, C·KH·KW]`: a new `[N, C, H, W]` tensor (overlaps summed). */
export function col2imTensor(col: Tensor, g: ConvGeometry): Tensor {
  const x = allocate(col.dtype, g.n * g.c * g.h * g.w);
  const { wasm } = kernelSet();
  if (!wasm || !wasmCol2im(wasm, col.data, g, x)) col2imInto(col.data, g, x);
  return Tensor.unchecked(x, [g.n, g.c, g.h, g.w]);
}

/**
 * The convolution `[N, C, H, W]` ⊛ `[F, C, KH, KW]` (+ b `[F]`) → `[N, F, OH, OW]`: per image,
 * `Wm · colₙᵀ` is its F maps `[F, OH·OW]`, already in NCHW order.
 */
export function conv2dTensor(x: Tensor, W: Tensor, b: Tensor | null, g: ConvGeometry): Tensor {
  const { rows, depth, pixels } = dims(g);
  const f = W.shape[0];
  const y = allocate(x.dtype, rows * f);
  const set = kernelSet();
  const wasm = convKernels(set, g, rows * f * depth);
  if (wasm && wasmConv2d(wasm, x.data, W.data, b?.data ?? null, f, g, y))
    return Tensor.unchecked(y, [g.n, f, g.oh, g.ow]);
  const col = scratch(x.dtype, 0, rows * depth);
  im2colInto(x.data, g, col);
  const gemm = set.gemm;
  for (let img = 0; img < g.n; img++) {
    gemm(f, pixels, depth, W.data, 0, false, col, img * pixels * depth, true, y, img * f * pixels);
  }
  if (b) {
    const bias = b.data;
    for (let img = 0; img < g.n; img++) {
      for (let ch = 0; ch < f; ch++) {
        const start = (img * f + ch) * pixels;
        const v = bias[ch];
        for (let p = start; p < start + pixels; p++) y[p] += v;
      }
    }
  }
  return Tensor.unchecked(y, [g.n, f, g.oh, g.ow]);
}

/** The gradient of the convolution with respect to its input: gy `[N, F, OH, OW]`, W → `[N, C, H, W]`. */
export function conv2dGradInputTensor(gy: Tensor, W: Tensor, g: ConvGeometry): Tensor {
  const { rows, depth, pixels } = dims(g);
  const f = W.shape[0];
  const gx = allocate(gy.dtype, g.n * g.c * g.h * g.w);
  const set = kernelSet();
  const wasm = convKernels(set, g, rows * f * depth);
  if (wasm && wasmConv2dGradInput(wasm, gy.data, W.data, f, g, gx)) return Tensor.unchecked(gx, [g.n, g.c, g.h, g.w]);
  const dcol = scratch(gy.dtype, 0, rows * depth);
  const gemm = set.gemm;
  for (let img = 0; img < g.n; img++) {
    // Gₙᵀ · Wm: image n's rows of dcol, one per output pixel.
    gemm(pixels, depth, f, gy.data, img * f * pixels, true, W.data, 0, false, dcol, img * pixels * depth);
  }
  col2imInto(dcol, g, gx);
  return Tensor.unchecked(gx, [g.n, g.c, g.h, g.w]);
}

/** The gradient of the convolution with respect to its filters: x, gy `[N, F, OH, OW]` → `[F, C, KH, KW]`. */
export function conv2dGradWeightTensor(x: Tensor, gy: Tensor, g: ConvGeometry): Tensor {
  const { rows, depth, pixels } = dims(g);
  const f = gy.shape[1];
  const gW = allocate(x.dtype, f * depth);
  const set = kernelSet();
  const wasm = convKernels(set, g, rows * f * depth);
  if (wasm && wasmConv2dGradWeight(wasm, x.data, gy.data, f, g, gW)) return Tensor.unchecked(gW, [f, g.c, g.kh, g.kw]);
  const col = scratch(x.dtype, 0, rows * depth);
  im2colInto(x.data, g, col);
  const term = scratch(x.dtype, 1, f * depth);
  const gemm = set.gemm;
  for (let img = 0; img < g.n; img++) {
    // Gₙ · colₙ, summed over the images.
    gemm(f, depth, pixels, gy.data, img * f * pixels, false, col, img * pixels * depth, false, term, 0);
    for (let k = 0; k < f * depth; k++) gW[k] += term[k];
  }
  return Tensor.unchecked(gW, [f, g.c, g.kh, g.kw]);
}

/** Max pooling: the pooled tensor and, per output element, the flat index of its winner in x. */
export function maxPoolTensor(x: Tensor, g: ConvGeometry): { y: Tensor; winners: Int32Array } {
  const size = g.n * g.c * g.oh * g.ow;
  const y = allocate(x.dtype, size);
  const winners = new Int32Array(size);
  maxPoolInto(x.data, g, y, winners);
  return { y: Tensor.unchecked(y, [g.n, g.c, g.oh, g.ow]), winners };
}

/** `x` read at `winners`, shaped `shape`: max pooling with the winners already known. */
export function gatherTensor(x: Tensor, winners: Int32Array, shape: readonly number[]): Tensor {
  const y = allocate(x.dtype, winners.length);
  gatherInto(x.data, winners, y);
  return Tensor.unchecked(y, shape);
}

/** `gy` added at `winners` into zeros of `shape`: the adjoint of `gatherTensor`. */
export function scatterTensor(gy: Tensor, winners: Int32Array, shape: readonly number[]): Tensor {
  const gx = allocate(
    gy.dtype,
    shape.reduce((p, q) => p * q, 1),
  );
  scatterAddInto(gy.data, winners, gx);
  return Tensor.unchecked(gx, shape);
}

/** Average pooling (padding counts as zeros, divisor KH·KW). */
export function avgPoolTensor(x: Tensor, g: ConvGeometry): Tensor {
  const y = allocate(x.dtype, g.n * g.c * g.oh * g.ow);
  avgPoolInto(x.data, g, y);
  return Tensor.unchecked(y, [g.n, g.c, g.oh, g.ow]);
}

/** The adjoint of average pooling: each window's gradient spread evenly over its pixels. */
export function avgPoolBackTensor(gy: Tensor, g: ConvGeometry): Tensor {
  const gx = allocate(gy.dtype, g.n * g.c * g.h * g.w);
  avgPoolBackInto(gy.data, g, gx);
  return Tensor.unchecked(gx, [g.n, g.c, g.h, g.w]);
}

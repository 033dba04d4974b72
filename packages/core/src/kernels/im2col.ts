/*
 * im2col and col2im, the book's way of turning a convolution into one matrix product
 * (Deep Learning from Scratch, §7.4.3): every window the filter visits becomes one row of a
 * matrix, so `conv(x, W)` is `im2col(x) · Wᵀ`, and a gradient that comes back in rows is
 * folded into the image by col2im, which adds up the rows of overlapping windows.
 *
 * Layout, as in the book: x is `[N, C, H, W]` (NCHW); `col` is `[N·OH·OW, C·KH·KW]`, row
 * `(n, oh, ow)` holding the window at output pixel `(oh, ow)` of image n, column `(c, i, j)`
 * holding channel c at filter offset `(i, j)`. Pixels outside the image (padding) are zeros.
 *
 * `convGeometry` checks the shapes once and computes the output size; the loops below then
 * trust it. They write each row contiguously and branch on padding only per filter row.
 */
import { fmtShape, ShapeError, ValueError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';

/** Every size a convolution or pooling window needs, checked and with the output size. */
export interface ConvGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  /** Window (filter) height and width. */
  readonly kh: number;
  readonly kw: number;
  /** Steps between windows, vertical and horizontal. */
  readonly sh: number;
  readonly sw: number;
  /** Zeros added on each side, vertical and horizontal. */
  readonly ph: number;
  readonly pw: number;
  /** Output height and width: `(H + 2·pad − kernel) / stride + 1`. */
  readonly oh: number;
  readonly ow: number;
}

/** A window size, stride or padding: one number for both axes, or `[vertical, horizontal]`. */
export type Pair = number | readonly [number, number];

/** `pair` as `[vertical, horizontal]`, each a whole number ≥ `min`, or a `ValueError` naming `what`. */
export function toPair(op: string, what: string, pair: Pair, min: number): [number, number] {
  const p: readonly number[] = typeof pair === 'number' ? [pair, pair] : Array.isArray(pair) ? pair : [];
  if (p.length !== 2 || !p.every((v) => Number.isSafeInteger(v) && v >= min)) {
    throw new ValueError(op, `${what} must be a whole number ≥ ${min} or a pair of them, got ${JSON.stringify(pair)}`);
  }
  return [p[0], p[1]];
}

/**
 * The geometry of sliding a `kernel` window over an NCHW input of `shape`, or a `ShapeError`
 * naming `op` and the shapes: the input must have rank 4 and the windows must tile the padded
 * input exactly — `(H + 2·pad − kernel)` a multiple of the stride — so that no row or column
 * of the input is silently left out (numpy's book code and PyTorch round down instead).
 */
export function convGeometry(
  op: string,
  shape: readonly number[],
  kernel: readonly [number, number],
  stride: readonly [number, number],
  pad: readonly [number, number],
): ConvGeometry {
  if (shape.length !== 4) {
    throw new ShapeError(op, `expects an input of shape [N, C, H, W], got ${fmtShape(shape)}`);
  }
  const [n, c, h, w] = shape;
  const [kh, kw] = kernel;
  const [sh, sw] = stride;
  const [ph, pw] = pad;
  const spanH = h + 2 * ph - kh;
  const spanW = w + 2 * pw - kw;
  const win = `${kh}×${kw} window`;
  if (spanH < 0 || spanW < 0) {
    throw new ShapeError(op, `a ${win} does not fit the input ${fmtShape(shape)} padded by (${ph}, ${pw})`);
  }
  if (spanH % sh !== 0 || spanW % sw !== 0) {
    throw new ShapeError(
      op,
      `output size is not a whole number: input ${fmtShape(shape)}, ${win}, stride (${sh}, ${sw}), pad (${ph}, ${pw}) ` +
        `gives (${h} + 2·${ph} − ${kh}) / ${sh} + 1 = ${spanH / sh + 1} by (${w} + 2·${pw} − ${kw}) / ${sw} + 1 = ${spanW / sw + 1}`,
    );
  }
  return { n, c, h, w, kh, kw, sh, sw, ph, pw, oh: spanH / sh + 1, ow: spanW / sw + 1 };
}

/**
 * Unfolds x `[N, C, H, W]` into `col` `[N·OH·OW, C·KH·KW]` (every element written, padding as
 * zeros).
 */
export function im2colInto(x: TypedArray, g: ConvGeometry, col: TypedArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  let r = 0; // write position in col
  for (let img = 0; img < n; img++) {
    const xImg = img * c * plane;
    for (let y = 0; y < oh; y++) {
      const top = y * sh - ph;
      for (let xo = 0; xo < ow; xo++) {
        const left = xo * sw - pw;
        const inside = left >= 0 && left + kw <= w; // no horizontal padding in this window
        for (let ch = 0; ch < c; ch++) {
          const xPlane = xImg + ch * plane;
          for (let i = 0; i < kh; i++) {
            const row = top + i;
            if (row < 0 || row >= h) {
              col.fill(0, r, r + kw);
              r += kw;
              continue;
            }
            const src = xPlane + row * w + left;
            if (inside) {
              for (let j = 0; j < kw; j++) col[r++] = x[src + j];
            } else {
              for (let j = 0; j < kw; j++) {
                const cx = left + j;
                col[r++] = cx >= 0 && cx < w ? x[src + j] : 0;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Folds `col` `[N·OH·OW, C·KH·KW]` back into x `[N, C, H, W]`: the adjoint of im2col. Each
 * pixel receives the sum of every column entry that im2col copied from it (entries that fell
 * on padding are dropped). `x` must be zero-filled: sums are added into it.
 */
export function col2imInto(col: TypedArray, g: ConvGeometry, x: TypedArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const plane = h * w;
  let r = 0; // read position in col
  for (let img = 0; img < n; img++) {
    const xImg = img * c * plane;
    for (let y = 0; y < oh; y++) {
      const top = y * sh - ph;
      for (let xo = 0; xo < ow; xo++) {
        const left = xo * sw - pw;
        const inside = left >= 0 && left + kw <= w;
        for (let ch = 0; ch < c; ch++) {
          const xPlane = xImg + ch * plane;
          for (let i = 0; i < kh; i++) {
            const row = top + i;
            if (row < 0 || row >= h) {
              r += kw;
              continue;
            }
            const dst = xPlane + row * w + left;
            if (inside) {
              for (let j = 0; j < kw; j++) x[dst + j] += col[r++];
            } else {
              for (let j = 0; j < kw; j++, r++) {
                const cx = left + j;
                if (cx >= 0 && cx < w) x[dst + j] += col[r];
              }
            }
          }
        }
      }
    }
  }
}

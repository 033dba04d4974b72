/*
 * Pooling over NCHW images, one window per output pixel, every channel of every image on its
 * own (geometry from `convGeometry`, with C·N planes). Max pooling records which input pixel
 * won each window — its flat index into x — so the backward sends the gradient there and
 * nowhere else (the book's `arg_max`). Padding never wins a max (PyTorch's rule: pad with
 * −∞) and counts as zeros in an average (PyTorch's `count_include_pad`, the divisor is always
 * KH·KW), so both are linear maps of x once the winners are known.
 */
import type { TypedArray } from '../tensor/dtype.js';
import type { ConvGeometry } from './im2col.js';

/**
 * `y[n, c, oh, ow]` = max of the window; `winners` gets the flat index into x of the first
 * largest value of each window (a NaN wins over numbers, so it propagates).
 */
export function maxPoolInto(x: TypedArray, g: ConvGeometry, y: TypedArray, winners: Int32Array): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0) {
    maxPool2x2(x, n * c, h, w, y, winners);
    return;
  }
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let yy = 0; yy < oh; yy++) {
      const r0 = Math.max(0, yy * sh - ph);
      const r1 = Math.min(h, yy * sh - ph + kh);
      for (let xx = 0; xx < ow; xx++) {
        const c0 = Math.max(0, xx * sw - pw);
        const c1 = Math.min(w, xx * sw - pw + kw);
        let at = base + r0 * w + c0;
        let best = x[at];
        for (let r = r0; r < r1 && best === best; r++) {
          const row = base + r * w;
          for (let i = row + c0; i < row + c1; i++) {
            const v = x[i];
            if (v > best || v !== v) {
              best = v;
              at = i;
              if (v !== v) break; // NaN: the window's max is NaN
            }
          }
        }
        y[o] = best;
        winners[o++] = at;
      }
    }
  }
}

/**
 * The book's 2×2 pooling with stride 2 (the same winners as the general loop). Each window is
 * a tournament in row-major order: the better of the upper pair, the better of the lower pair,
 * then the better of those two, where a later pixel beats an earlier one only if it is larger
 * or it is NaN and the earlier one is not (see `beats`). The comparisons are used as numbers,
 * 0 or 1, to compute the winner's index rather than as branches: which pixel of a window wins
 * is a coin toss the processor cannot predict, and its mispredictions were most of the loop's
 * time. SimpleConvNet's 432,000 windows (float32): 7.6 → 3.8 ms on Node 20, 7.7 → 3.2 ms on
 * Node 22 and 24.
 */
function maxPool2x2(x: TypedArray, planes: number, h: number, w: number, y: TypedArray, winners: Int32Array): void {
  const oh = h >> 1;
  const ow = w >> 1;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let yy = 0; yy < oh; yy++) {
      const top = p * h * w + 2 * yy * w;
      for (let xx = 0; xx < ow; xx++) {
        const i = top + 2 * xx;
        const upper = i + beats(x[i + 1], x[i]);
        const lower = i + w + beats(x[i + w + 1], x[i + w]);
        const at = upper + beats(x[lower], x[upper]) * (lower - upper);
        y[o] = x[at];
        winners[o++] = at;
      }
    }
  }
}

/** 1 if `later` beats `earlier` in a max — larger, or NaN where `earlier` is not — else 0. */
function beats(later: number, earlier: number): number {
  return +(later > earlier) | (+(later !== later) & +(earlier === earlier));
}

/** `y[k] = x[winners[k]]`: max pooling with the winners already chosen. */
export function gatherInto(x: TypedArray, winners: Int32Array, y: TypedArray): void {
  for (let k = 0; k < winners.length; k++) y[k] = x[winners[k]];
}

/** `x[winners[k]] += y[k]`: the adjoint of `gatherInto`. `x` must be zero-filled. */
export function scatterAddInto(y: TypedArray, winners: Int32Array, x: TypedArray): void {
  for (let k = 0; k < winners.length; k++) x[winners[k]] += y[k];
}

/** `y[n, c, oh, ow]` = the window's sum divided by KH·KW (padding counts as zeros). */
export function avgPoolInto(x: TypedArray, g: ConvGeometry, y: TypedArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const scale = 1 / (kh * kw);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let yy = 0; yy < oh; yy++) {
      const r0 = Math.max(0, yy * sh - ph);
      const r1 = Math.min(h, yy * sh - ph + kh);
      for (let xx = 0; xx < ow; xx++) {
        const c0 = Math.max(0, xx * sw - pw);
        const c1 = Math.min(w, xx * sw - pw + kw);
        let s = 0;
        for (let r = r0; r < r1; r++) for (let col = c0; col < c1; col++) s += x[base + r * w + col];
        y[o++] = s * scale;
      }
    }
  }
}

/**
 * The adjoint of `avgPoolInto`: each window's `gy / (KH·KW)` added to every input pixel of the
 * window. `gx` must be zero-filled.
 */
export function avgPoolBackInto(gy: TypedArray, g: ConvGeometry, gx: TypedArray): void {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const scale = 1 / (kh * kw);
  let o = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let yy = 0; yy < oh; yy++) {
      const r0 = Math.max(0, yy * sh - ph);
      const r1 = Math.min(h, yy * sh - ph + kh);
      for (let xx = 0; xx < ow; xx++) {
        const c0 = Math.max(0, xx * sw - pw);
        const c1 = Math.min(w, xx * sw - pw + kw);
        const v = gy[o++] * scale;
        for (let r = r0; r < r1; r++) for (let col = c0; col < c1; col++) gx[base + r * w + col] += v;
      }
    }
  }
}

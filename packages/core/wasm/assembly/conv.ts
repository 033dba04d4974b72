/*
 * Convolution in WebAssembly, the book's im2col way, one image at a time. The TypeScript
 * kernels (src/kernels/im2col.ts, src/backend/conv-kernels.ts) are the reference: the same
 * loops in the same order, so every result has the same bits when the products do.
 *
 * Per image n, with colₙ = im2col(xₙ) `[OH·OW, C·KH·KW]` and W read as Wm `[F, C·KH·KW]`:
 *
 *   forward          yₙ  = Wm · colₙᵀ (+ b)        F maps of OH·OW, already NCHW
 *   grad of input    gxₙ = col2im(Wmᵀ · Gₙ)        Gₙ = image n's gradient maps `[F, OH·OW]`
 *   grad of weight   gW  = Σₙ Gₙ · colₙ
 *
 * All three work on colₙᵀ `[C·KH·KW, OH·OW]`, one row per filter tap: the forward and the
 * filter gradient unfold into it (`im2colImageT`: long contiguous copies), the input gradient
 * folds it back (`col2imImageT`: runs added as vectors, taps last to first so that every sum
 * is added in the TypeScript loop's order).
 *
 * Working image by image keeps `col` small (SimpleConvNet: 576×25 floats) and in cache
 * between the unfolding and the product, and lets two threads take half the images each:
 * every export works on the images `[first, last)`. The host copies the batch in once and
 * the result out once; nothing here allocates.
 *
 * The geometry is 12 int32s at `geom`: N, C, H, W, KH, KW, SH, SW, PH, PW, OH, OW (as
 * `convGeometry` checked them). Addresses are byte offsets; `bias` 0 means none.
 */
import { gemmF32, gemmF64 } from './gemm';

// Slots of the geometry block.
const C = 1;
const H = 2;
const W = 3;
const KH = 4;
const KW = 5;
const SH = 6;
const SW = 7;
const PH = 8;
const PW = 9;
const OH = 10;
const OW = 11;

function at(geom: usize, slot: i32): i32 {
  return load<i32>(geom + ((<usize>slot) << 2));
}

/** Address of element `i` of an array of T at `base`. */
function el<T>(base: usize, i: i32): usize {
  return base + <usize>i * sizeof<T>();
}

/** `c = op(a)·op(b)` on whichever precision T is. */
function gemm<T>(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  brs: i32,
  bcs: i32,
  c: usize,
  ldc: i32,
  scratch: usize,
): void {
  if (sizeof<T>() === 4) gemmF32(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, scratch);
  else gemmF64(m, n, k, a, ars, acs, b, brs, bcs, c, ldc, scratch);
}

/** Unfolds one image x `[C, H, W]` into col `[OH·OW, C·KH·KW]` (padding as zeros). */
function im2colImage<T>(geom: usize, x: usize, col: usize): void {
  const c = at(geom, C),
    h = at(geom, H),
    w = at(geom, W);
  const kh = at(geom, KH),
    kw = at(geom, KW),
    sh = at(geom, SH),
    sw = at(geom, SW);
  const ph = at(geom, PH),
    pw = at(geom, PW),
    oh = at(geom, OH),
    ow = at(geom, OW);
  const plane = h * w;
  let r = col;
  for (let y = 0; y < oh; y++) {
    const top = y * sh - ph;
    for (let xo = 0; xo < ow; xo++) {
      const left = xo * sw - pw;
      const inside = left >= 0 && left + kw <= w; // no horizontal padding in this window
      for (let ch = 0; ch < c; ch++) {
        for (let i = 0; i < kh; i++) {
          const row = top + i;
          if (row < 0 || row >= h) {
            memory.fill(r, 0, <usize>kw * sizeof<T>());
            r += <usize>kw * sizeof<T>();
            continue;
          }
          const src = ch * plane + row * w + left; // element index; < 0 only left of the image
          if (inside) {
            for (let j = 0; j < kw; j++, r += sizeof<T>()) store<T>(r, load<T>(el<T>(x, src + j)));
          } else {
            for (let j = 0; j < kw; j++, r += sizeof<T>()) {
              const cx = left + j;
              store<T>(r, cx >= 0 && cx < w ? load<T>(el<T>(x, src + j)) : <T>0);
            }
          }
        }
      }
    }
  }
}

/**
 * For filter column j, the output columns whose input column ox·sw − pw + j lies inside the
 * image are [firstInside, endInside). Both bounds divide numbers that may be negative, so they
 * are clamped before dividing (integer division truncates toward zero).
 */
function firstInside(j: i32, sw: i32, pw: i32, ow: i32): i32 {
  return min(ow, (max(0, pw - j) + sw - 1) / sw);
}
function endInside(j: i32, sw: i32, pw: i32, w: i32, ow: i32, first: i32): i32 {
  const last = w - 1 + pw - j; // ox·sw ≤ last
  return last < 0 ? first : max(first, min(ow, last / sw + 1));
}

/**
 * The same windows as im2colImage, stored transposed: colᵀ `[C·KH·KW, OH·OW]` (Caffe's
 * layout), one row per filter tap (c, i, j) holding that tap's pixel for every output pixel.
 * For a stride of 1 each output row of a tap is a run of the input row, copied whole, instead
 * of KW-long copies per window. Measured (batch 100, float32, one thread, forward / filter
 * gradient, ms): 16 channels of 28×28, 3×3 filters 26.6 → 15.5 / 24.7 → 15.0; SimpleConvNet's
 * first layer 8.7 → 7.9 / 5.8 → 5.0; 64 channels of 8×8 17.1 → 15.3 / 19.1 → 17.4. The products
 * read colᵀ through strides, and packing makes the same
 * panels from either layout, so every result keeps its bits.
 */
function im2colImageT<T>(geom: usize, x: usize, colT: usize): void {
  const c = at(geom, C),
    h = at(geom, H),
    w = at(geom, W);
  const kh = at(geom, KH),
    kw = at(geom, KW),
    sh = at(geom, SH),
    sw = at(geom, SW);
  const ph = at(geom, PH),
    pw = at(geom, PW),
    oh = at(geom, OH),
    ow = at(geom, OW);
  const size = sizeof<T>();
  let d = colT;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const ox0 = firstInside(j, sw, pw, ow);
        const ox1 = endInside(j, sw, pw, w, ow, ox0);
        for (let oy = 0; oy < oh; oy++, d += <usize>ow * size) {
          const iy = oy * sh - ph + i;
          if (iy < 0 || iy >= h) {
            for (let ox = 0; ox < ow; ox++) store<T>(d + <usize>ox * size, <T>0);
            continue;
          }
          for (let ox = 0; ox < ox0; ox++) store<T>(d + <usize>ox * size, <T>0);
          const src = (ch * h + iy) * w + ox0 * sw - pw + j; // input element of output column ox0
          // A long run is one memory.copy; short ones (small maps) are cheaper as a loop.
          if (sw === 1 && ox1 - ox0 >= 16) memory.copy(d + <usize>ox0 * size, el<T>(x, src), <usize>(ox1 - ox0) * size);
          else
            for (let ox = ox0, s = src; ox < ox1; ox++, s += sw) store<T>(d + <usize>ox * size, load<T>(el<T>(x, s)));
          for (let ox = ox1; ox < ow; ox++) store<T>(d + <usize>ox * size, <T>0);
        }
      }
    }
  }
}

/** Adds col `[OH·OW, C·KH·KW]` back into one image x `[C, H, W]`: the adjoint of im2colImage. */
function col2imImage<T>(geom: usize, col: usize, x: usize): void {
  const c = at(geom, C),
    h = at(geom, H),
    w = at(geom, W);
  const kh = at(geom, KH),
    kw = at(geom, KW),
    sh = at(geom, SH),
    sw = at(geom, SW);
  const ph = at(geom, PH),
    pw = at(geom, PW),
    oh = at(geom, OH),
    ow = at(geom, OW);
  const plane = h * w;
  let r = col;
  for (let y = 0; y < oh; y++) {
    const top = y * sh - ph;
    for (let xo = 0; xo < ow; xo++) {
      const left = xo * sw - pw;
      const inside = left >= 0 && left + kw <= w;
      for (let ch = 0; ch < c; ch++) {
        for (let i = 0; i < kh; i++) {
          const row = top + i;
          if (row < 0 || row >= h) {
            r += <usize>kw * sizeof<T>();
            continue;
          }
          const dst = ch * plane + row * w + left;
          for (let j = 0; j < kw; j++, r += sizeof<T>()) {
            const cx = left + j;
            if (inside || (cx >= 0 && cx < w)) {
              const p = el<T>(x, dst + j);
              store<T>(p, load<T>(p) + load<T>(r));
            }
          }
        }
      }
    }
  }
}

/**
 * Adds colᵀ `[C·KH·KW, OH·OW]` back into one image x `[C, H, W]`, one filter tap at a time: the
 * adjoint of im2colImageT. A tap's row lands on runs of input rows, added as vectors. Taps go
 * last to first: an input pixel's terms then arrive in the order col2imImage adds them (its
 * output pixels first to last), so the sums keep their bits.
 */
function col2imImageT<T>(geom: usize, colT: usize, x: usize): void {
  const c = at(geom, C),
    h = at(geom, H),
    w = at(geom, W);
  const kh = at(geom, KH),
    kw = at(geom, KW),
    sh = at(geom, SH),
    sw = at(geom, SW);
  const ph = at(geom, PH),
    pw = at(geom, PW),
    oh = at(geom, OH),
    ow = at(geom, OW);
  const size = sizeof<T>();
  const pixels = oh * ow;
  for (let ch = 0; ch < c; ch++) {
    for (let i = kh - 1; i >= 0; i--) {
      for (let j = kw - 1; j >= 0; j--) {
        const row = el<T>(colT, ((ch * kh + i) * kw + j) * pixels);
        const ox0 = firstInside(j, sw, pw, ow);
        const ox1 = endInside(j, sw, pw, w, ow, ox0);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + i;
          if (iy < 0 || iy >= h) continue;
          const src = row + <usize>(oy * ow + ox0) * size;
          const dst = el<T>(x, (ch * h + iy) * w + ox0 * sw - pw + j);
          if (sw === 1) addRun<T>(dst, src, ox1 - ox0);
          else
            for (let k = 0; k < ox1 - ox0; k++) {
              const p = dst + <usize>(k * sw) * size;
              store<T>(p, load<T>(p) + load<T>(src + <usize>k * size));
            }
        }
      }
    }
  }
}

/** `dst[k] += src[k]` for k < n, four floats (or two doubles) at a time. */
function addRun<T>(dst: usize, src: usize, n: i32): void {
  const lanes = 16 / sizeof<T>();
  let k = 0;
  for (; k + lanes <= n; k += lanes) {
    const d = dst + <usize>k * sizeof<T>();
    const v =
      sizeof<T>() === 4
        ? f32x4.add(v128.load(d), v128.load(src + <usize>k * 4))
        : f64x2.add(v128.load(d), v128.load(src + <usize>k * 8));
    v128.store(d, v);
  }
  for (; k < n; k++) {
    const d = dst + <usize>k * sizeof<T>();
    store<T>(d, load<T>(d) + load<T>(src + <usize>k * sizeof<T>()));
  }
}

function convForward<T>(
  geom: usize,
  first: i32,
  last: i32,
  x: usize,
  wts: usize,
  f: i32,
  bias: usize,
  y: usize,
  col: usize,
  scratch: usize,
): void {
  const pixels = at(geom, OH) * at(geom, OW);
  const depth = at(geom, C) * at(geom, KH) * at(geom, KW);
  const image = at(geom, C) * at(geom, H) * at(geom, W);
  for (let n = first; n < last; n++) {
    im2colImageT<T>(geom, el<T>(x, n * image), col);
    const yn = el<T>(y, n * f * pixels);
    gemm<T>(f, pixels, depth, wts, depth, 1, col, pixels, 1, yn, pixels, scratch);
    if (bias) {
      for (let ch = 0; ch < f; ch++) {
        const v = load<T>(el<T>(bias, ch));
        const map = el<T>(yn, ch * pixels);
        for (let p = 0; p < pixels; p++) store<T>(el<T>(map, p), load<T>(el<T>(map, p)) + v);
      }
    }
  }
}

function convGradInput<T>(
  geom: usize,
  first: i32,
  last: i32,
  gy: usize,
  wts: usize,
  f: i32,
  gx: usize,
  dcol: usize,
  scratch: usize,
): void {
  const pixels = at(geom, OH) * at(geom, OW);
  const depth = at(geom, C) * at(geom, KH) * at(geom, KW);
  const image = at(geom, C) * at(geom, H) * at(geom, W);
  for (let n = first; n < last; n++) {
    // Wmᵀ · Gₙ: one row of dcolᵀ per filter tap.
    gemm<T>(depth, pixels, f, wts, 1, depth, el<T>(gy, n * f * pixels), pixels, 1, dcol, pixels, scratch);
    const gxn = el<T>(gx, n * image);
    memory.fill(gxn, 0, <usize>image * sizeof<T>());
    col2imImageT<T>(geom, dcol, gxn);
  }
}

function convGradWeight<T>(
  geom: usize,
  first: i32,
  last: i32,
  x: usize,
  gy: usize,
  f: i32,
  gW: usize,
  col: usize,
  term: usize,
  scratch: usize,
): void {
  const pixels = at(geom, OH) * at(geom, OW);
  const depth = at(geom, C) * at(geom, KH) * at(geom, KW);
  const image = at(geom, C) * at(geom, H) * at(geom, W);
  const size = f * depth;
  if (term) memory.fill(gW, 0, <usize>size * sizeof<T>());
  for (let n = first; n < last; n++) {
    im2colImageT<T>(geom, el<T>(x, n * image), col);
    // Gₙ · colₙ, added to the sum in image order — or, without `term`, kept in its own slot.
    const into = term ? term : el<T>(gW, (n - first) * size);
    gemm<T>(f, depth, pixels, el<T>(gy, n * f * pixels), pixels, 1, col, 1, pixels, into, depth, scratch);
    if (term) addTerms<T>(gW, term, 1, size);
  }
}

/** `sum += terms[0] + terms[1] + …`, one term of `size` values after another, in that order. */
function addTerms<T>(sum: usize, terms: usize, count: i32, size: i32): void {
  for (let t = 0; t < count; t++) {
    const term = el<T>(terms, t * size);
    for (let k = 0; k < size; k++) store<T>(el<T>(sum, k), load<T>(el<T>(sum, k)) + load<T>(el<T>(term, k)));
  }
}

/** Forward convolution of images `[first, last)`: y `[N, F, OH, OW]` from x, W `[F, C·KH·KW]`, bias `[F]` or 0. */
export function convForwardF32(
  geom: usize,
  first: i32,
  last: i32,
  x: usize,
  wts: usize,
  f: i32,
  bias: usize,
  y: usize,
  col: usize,
  scratch: usize,
): void {
  convForward<f32>(geom, first, last, x, wts, f, bias, y, col, scratch);
}
/** float64 `convForwardF32`. */
export function convForwardF64(
  geom: usize,
  first: i32,
  last: i32,
  x: usize,
  wts: usize,
  f: i32,
  bias: usize,
  y: usize,
  col: usize,
  scratch: usize,
): void {
  convForward<f64>(geom, first, last, x, wts, f, bias, y, col, scratch);
}
/** The input gradient of images `[first, last)`: gx `[N, C, H, W]` (overwritten) from gy and W. */
export function convGradInputF32(
  geom: usize,
  first: i32,
  last: i32,
  gy: usize,
  wts: usize,
  f: i32,
  gx: usize,
  dcol: usize,
  scratch: usize,
): void {
  convGradInput<f32>(geom, first, last, gy, wts, f, gx, dcol, scratch);
}
/** float64 `convGradInputF32`. */
export function convGradInputF64(
  geom: usize,
  first: i32,
  last: i32,
  gy: usize,
  wts: usize,
  f: i32,
  gx: usize,
  dcol: usize,
  scratch: usize,
): void {
  convGradInput<f64>(geom, first, last, gy, wts, f, gx, dcol, scratch);
}
/**
 * The filter gradient summed over images `[first, last)` into gW `[F, C·KH·KW]` (overwritten);
 * `term` is F·C·KH·KW scratch. With `term` 0, gW instead receives each image's term in a slot
 * of its own (`[last − first, F, C·KH·KW]`), for the caller to add in image order (`addTerms`):
 * so two threads give the bits of one.
 */
export function convGradWeightF32(
  geom: usize,
  first: i32,
  last: i32,
  x: usize,
  gy: usize,
  f: i32,
  gW: usize,
  col: usize,
  term: usize,
  scratch: usize,
): void {
  convGradWeight<f32>(geom, first, last, x, gy, f, gW, col, term, scratch);
}
/** float64 `convGradWeightF32`. */
export function convGradWeightF64(
  geom: usize,
  first: i32,
  last: i32,
  x: usize,
  gy: usize,
  f: i32,
  gW: usize,
  col: usize,
  term: usize,
  scratch: usize,
): void {
  convGradWeight<f64>(geom, first, last, x, gy, f, gW, col, term, scratch);
}

/** Unfolds images `[first, last)` of x into their rows of col `[N·OH·OW, C·KH·KW]` (the public im2col). */
export function im2colF32(geom: usize, first: i32, last: i32, x: usize, col: usize): void {
  im2colBatch<f32>(geom, first, last, x, col);
}
/** float64 `im2colF32`. */
export function im2colF64(geom: usize, first: i32, last: i32, x: usize, col: usize): void {
  im2colBatch<f64>(geom, first, last, x, col);
}
/** Folds the rows of images `[first, last)` of col back into x (added: x must hold zeros or a sum). */
export function col2imF32(geom: usize, first: i32, last: i32, col: usize, x: usize): void {
  col2imBatch<f32>(geom, first, last, col, x);
}
/** float64 `col2imF32`. */
export function col2imF64(geom: usize, first: i32, last: i32, col: usize, x: usize): void {
  col2imBatch<f64>(geom, first, last, col, x);
}

function im2colBatch<T>(geom: usize, first: i32, last: i32, x: usize, col: usize): void {
  const perImage = at(geom, OH) * at(geom, OW) * at(geom, C) * at(geom, KH) * at(geom, KW); // col elements per image
  const image = at(geom, C) * at(geom, H) * at(geom, W);
  for (let n = first; n < last; n++) im2colImage<T>(geom, el<T>(x, n * image), el<T>(col, n * perImage));
}

function col2imBatch<T>(geom: usize, first: i32, last: i32, col: usize, x: usize): void {
  const perImage = at(geom, OH) * at(geom, OW) * at(geom, C) * at(geom, KH) * at(geom, KW); // col elements per image
  const image = at(geom, C) * at(geom, H) * at(geom, W);
  for (let n = first; n < last; n++) col2imImage<T>(geom, el<T>(col, n * perImage), el<T>(x, n * image));
}

/** `sum += terms[0] + … + terms[count − 1]` in that order (each term F·C·KH·KW values): the second thread's filter-gradient terms. */
export function addTermsF32(sum: usize, terms: usize, count: i32, size: i32): void {
  addTerms<f32>(sum, terms, count, size);
}
/** float64 `addTermsF32`. */
export function addTermsF64(sum: usize, terms: usize, count: i32, size: i32): void {
  addTerms<f64>(sum, terms, count, size);
}

/*
 * Matrix multiply in plain TypeScript, the GotoBLAS way (Goto & van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", 2008), scaled down to what a JS engine can use:
 *
 *   for each KC-deep slice of k:                      (cache blocking over k)
 *     for each NC-wide panel of op(B):                (cache blocking over n)
 *       pack the KC×NC panel of op(B) into NR-wide slivers          -> packedB
 *       for each MC-tall block of op(A):
 *         pack the MC×KC block of op(A) into MR-tall slivers        -> packedA
 *         for every MR×NR tile of C: micro-kernel over the two slivers
 *
 * The micro-kernel keeps a 4×4 tile of C in 16 local variables and, per step of k, reads 4
 * values of A and 4 of B and does 16 multiply-adds: 8 loads for 32 flops, against 2 loads
 * per 2 flops in the naive loop. Packing makes both slivers contiguous and unit-stride
 * whatever the layout of A and B, which is how transposed operands are read without ever
 * materialising the transpose. Edges are zero-padded in the packed buffers, so the
 * micro-kernel never branches; only the valid part of an edge tile is written to C.
 *
 * Packed buffers are Float64Array for both dtypes: JS arithmetic is double anyway, widening
 * float32 is exact, it is paid once per packed element (not once per use), and the hot
 * loop stays monomorphic (one array type), which V8 compiles much better. The scratch
 * buffers live at module level and only grow, so steady-state calls allocate nothing.
 *
 * Numerics: every C element is a sum that starts at +0 and adds every product a·b — no
 * term is ever skipped, so NaN and ±Infinity propagate exactly as in the reference loop.
 * Sums are accumulated in double and rounded to C's type when stored (for float32 that is
 * at least as accurate as the reference in matmul-reference.ts, which rounds after every step).
 */

import type { TypedArray } from '../tensor/dtype.js';

/** Tile of C held in registers by the micro-kernel. */
const MR = 4;
const NR = 4;
/** Depth of one k slice: a 4-wide sliver of it (8 KiB) stays in L1 while a tile is computed. */
const KC = 256;
/** Rows of A per packed block: MC×KC doubles (256 KiB) stay in L2 across the whole panel. */
const MC = 128;
/** Columns of B per packed panel (KC×NC doubles, 4 MiB at most), shared by every A block. */
const NC = 2048;
/**
 * Below this many multiply-adds (m·n·k) packing costs more than it saves. Measured: the
 * packed path already wins at 4×4×4, and loses only for the tiniest products and for
 * matrix–vector shapes (m = 1 or n = 1), where a 4×4 tile would be three-quarters padding.
 */
const SMALL = 48;

let packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(KC * NR * 16);
/** An MR×NR tile for the ragged edges of C (written here, then copied out in part). */
const edgeTile = new Float64Array(MR * NR);
/** One row of C being summed by the small-product path. */
let rowScratch = new Float64Array(64);

/** The signature every matrix-multiply kernel shares, the TypeScript and the WebAssembly ones. */
export type Gemm = typeof gemm;

/**
 * General matrix multiply on flat row-major buffers:
 * `C[m×n] = op(A)[m×k] · op(B)[k×n]`, where `op(A)` is A (stored m×k) or, with `transA`,
 * the transpose of A stored k×m; likewise `transB` reads B stored n×k.
 * `C` is overwritten. Buffers may be Float32Array or Float64Array (C's type decides rounding).
 * Correct for every m, n, k ≥ 0 (k = 0 gives zeros); NaN and ±Infinity propagate as IEEE
 * arithmetic says (no zero-skipping). `C` must not overlap `A` or `B`.
 */
export function gemm(
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
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    c.fill(0, cOff, cOff + m * n);
    return;
  }
  if (m * n * k <= SMALL || m === 1 || n === 1) {
    gemmSmall(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff);
    return;
  }
  const ars = transA ? 1 : k; // stride between rows of op(A)
  const acs = transA ? m : 1; // stride between columns of op(A)
  const brs = transB ? 1 : n;
  const bcs = transB ? k : 1;

  const mcMax = Math.min(MC, roundUp(m, MR));
  const kcMax = Math.min(KC, k);
  const ncMax = Math.min(NC, roundUp(n, NR));
  if (packedA.length < mcMax * kcMax) packedA = new Float64Array(mcMax * kcMax);
  if (packedB.length < kcMax * ncMax) packedB = new Float64Array(kcMax * ncMax);
  const pa = packedA;
  const pb = packedB;

  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc);
    const accumulate = pc > 0;
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      packPanel(pb, b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, NR);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        // op(A)'s block read as rows of its transpose: p runs along A's columns.
        packPanel(pa, a, aOff + ic * ars + pc * acs, acs, ars, kc, mc, MR);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bSliver = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            const cTile = cOff + (ic + ir) * n + jc + jr;
            if (mr === MR && nr === NR) {
              microKernel4x4(kc, pa, ir * kc, pb, bSliver, c, cTile, n, accumulate);
            } else {
              microKernel4x4(kc, pa, ir * kc, pb, bSliver, edgeTile, 0, NR, false);
              copyEdge(edgeTile, c, cTile, n, mr, nr, accumulate);
            }
          }
        }
      }
    }
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * Packs `rows`×`cols` of a strided matrix (element (p, j) at `src[off + p·rs + j·cs]`) into
 * `dst` as slivers `w` columns wide: sliver s holds columns s·w … s·w+w−1, row by row, so
 * the micro-kernel reads it with stride 1. Columns past `cols` are zero-filled.
 * Used for B's panel directly and for A's block as its transpose (rows = k, cols = m).
 */
function packPanel(
  dst: Float64Array,
  src: TypedArray,
  off: number,
  rs: number,
  cs: number,
  rows: number,
  cols: number,
  w: number,
): void {
  let d = 0;
  for (let j0 = 0; j0 < cols; j0 += w) {
    const jw = Math.min(w, cols - j0);
    const base = off + j0 * cs;
    if (jw === 4 && w === 4) {
      // The common case, unrolled: four source columns walked together.
      for (let p = 0; p < rows; p++) {
        const s = base + p * rs;
        dst[d] = src[s];
        dst[d + 1] = src[s + cs];
        dst[d + 2] = src[s + 2 * cs];
        dst[d + 3] = src[s + 3 * cs];
        d += 4;
      }
    } else {
      for (let p = 0; p < rows; p++) {
        const s = base + p * rs;
        for (let j = 0; j < jw; j++) dst[d + j] = src[s + j * cs];
        for (let j = jw; j < w; j++) dst[d + j] = 0;
        d += w;
      }
    }
  }
}

/**
 * The 4×4 register tile: C[0..4, 0..4] (=|+=) Σ_p A[p, 0..4]ᵀ · B[p, 0..4] over packed
 * slivers `pa` (4 values of op(A)'s column p) and `pb` (4 values of op(B)'s row p).
 */
// biome-ignore format: the 4×4 grid of accumulators reads best as a grid
function microKernel4x4(
  kc: number,
  pa: Float64Array,
  ia: number,
  pb: Float64Array,
  ib: number,
  c: TypedArray,
  ci: number,
  ldc: number,
  accumulate: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ia += 4;
    ib += 4;
  }
  const r1 = ci + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (accumulate) {
    c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02; c[ci + 3] += c03;
    c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12; c[r1 + 3] += c13;
    c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r2 + 3] += c23;
    c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32; c[r3 + 3] += c33;
  } else {
    c[ci] = c00; c[ci + 1] = c01; c[ci + 2] = c02; c[ci + 3] = c03;
    c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
    c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
    c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
  }
}

/** Writes (or adds) the valid `mr`×`nr` corner of an edge tile into C. */
function copyEdge(
  tile: Float64Array,
  c: TypedArray,
  ci: number,
  ldc: number,
  mr: number,
  nr: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < mr; i++) {
    const row = ci + i * ldc;
    for (let j = 0; j < nr; j++) {
      if (accumulate) c[row + j] += tile[i * NR + j];
      else c[row + j] = tile[i * NR + j];
    }
  }
}

/**
 * Tiny products and matrix–vector shapes, without packing. With B untransposed each row of
 * C is built as a sum of scaled rows of B (unit stride, no dependency chain between terms);
 * with B transposed (or n = 1) each element is a dot product over a unit-stride row of B.
 * Either way every element is summed in double from +0, term by term in order of p.
 */
function gemmSmall(
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
): void {
  const ars = transA ? 1 : k;
  const acs = transA ? m : 1;
  // With n = 1, op(B) is one contiguous column whichever way B is stored, so the dot
  // product form applies; likewise with m = 1 the single row of op(A) is contiguous.
  if (!transB && n > 1) {
    if (rowScratch.length < n) rowScratch = new Float64Array(n);
    const row = rowScratch;
    for (let i = 0; i < m; i++) {
      row.fill(0, 0, n);
      for (let p = 0; p < k; p++) {
        const av = a[aOff + i * ars + p * acs];
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) row[j] += av * b[bp + j];
      }
      const ci = cOff + i * n;
      for (let j = 0; j < n; j++) c[ci + j] = row[j];
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * ars;
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * acs] * b[bj + p];
      c[ci + j] = s;
    }
  }
}

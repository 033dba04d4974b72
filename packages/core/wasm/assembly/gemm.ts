/*
 * Matrix multiply in WebAssembly SIMD, float32 and float64, the GotoBLAS way (the same
 * structure as the TypeScript `gemm` in src/kernels/matmul.ts, which stays the reference):
 *
 *   for each NC-wide panel of op(B):
 *     for each KC-deep slice of k:
 *       pack the KC×NC panel of op(B) into NR-wide slivers
 *       for each MC-tall block of op(A):
 *         pack the MC×KC block of op(A) into MR-tall slivers
 *         for every MR×NR tile of C: the micro-kernel over two slivers
 *
 * float32: a 4×8 tile of C lives in eight f32x4 registers; per step of k the kernel loads two
 * vectors of B, splats four values of A, and does eight vector multiply-adds (64 flops for
 * 6 loads). float64: a 4×4 tile in eight f64x2 registers, the same shape in half the lanes.
 * With relaxed SIMD (a build flag, a separate binary) the multiply-add is fused. A 6×8 float32
 * tile (twelve accumulators, fifteen live vectors) was tried and measured 25–30% slower on
 * every bench shape (square 1024: 85 → 62 GFLOP/s on two threads): V8's register allocator
 * spills it.
 *
 * Operands are strided views: element (i, p) of op(A) is at a[i·ars + p·acs], so a transposed
 * operand is only a swap of its two strides and is never copied; packing reads it in whatever
 * order it is stored. Edges are zero-padded in the packed buffers, so the micro-kernel never
 * branches; edge tiles are computed into a scratch tile and only their valid part is written.
 * Every C element is a sum from +0 over every product: no term is skipped, so NaN and ±Inf
 * propagate as IEEE arithmetic says.
 *
 * `scratch` is caller-owned memory of `gemmScratchBytes()` bytes; each thread passes its own.
 */

const KC: i32 = 256;
const MC: i32 = 96;
const NC_F32: i32 = 2048;
const NC_F64: i32 = 1024;

const MR: i32 = 4;
const NR_F32: i32 = 8;
const NR_F64: i32 = 4;

const PACK_A_BYTES: i32 = MC * KC * 8;
const PACK_B_BYTES: i32 = KC * NC_F32 * 4;
const EDGE_BYTES: i32 = 256;

/** Bytes of scratch one gemm call needs (packed A block, packed B panel, an edge tile). */
export function gemmScratchBytes(): i32 {
  return PACK_A_BYTES + PACK_B_BYTES + EDGE_BYTES;
}

function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

// ---------------------------------------------------------------------------------------------
// float32

/**
 * `C[m×n] = op(A)·op(B)` in float32. Strides are in elements; `ldc` is C's row stride.
 * C is overwritten (k = 0 gives zeros).
 */
export function gemmF32(
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
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) memory.fill(c + ((<usize>(i * ldc)) << 2), 0, (<usize>n) << 2);
    return;
  }
  const pa = scratch;
  const pb = scratch + PACK_A_BYTES;
  const edge = pb + PACK_B_BYTES;
  for (let jc = 0; jc < n; jc += NC_F32) {
    const nc = min(NC_F32, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0;
      packB32(pb, b + ((<usize>(pc * brs + jc * bcs)) << 2), brs, bcs, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA32(pa, a + ((<usize>(ic * ars + pc * acs)) << 2), ars, acs, mc, kc);
        for (let jr = 0; jr < nc; jr += NR_F32) {
          const nr = min(NR_F32, nc - jr);
          const bs = pb + ((<usize>(jr * kc)) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const as = pa + ((<usize>(ir * kc)) << 2);
            const ct = c + ((<usize>((ic + ir) * ldc + jc + jr)) << 2);
            if (mr === MR && nr === NR_F32) {
              kernel32(kc, as, bs, ct, (<usize>ldc) << 2, accumulate);
            } else {
              kernel32(kc, as, bs, edge, NR_F32 << 2, false);
              copyEdge32(edge, ct, ldc, mr, nr, accumulate);
            }
          }
        }
      }
    }
  }
}

/** The 4×8 register tile: C (=|+=) Σ_p A[p, 0..4]ᵀ·B[p, 0..8] over packed slivers. */
function kernel32(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    c00 = madd32(a0, b0, c00);
    c01 = madd32(a0, b1, c01);
    const a1 = v128.load32_splat(pa, 4);
    c10 = madd32(a1, b0, c10);
    c11 = madd32(a1, b1, c11);
    const a2 = v128.load32_splat(pa, 8);
    c20 = madd32(a2, b0, c20);
    c21 = madd32(a2, b1, c21);
    const a3 = v128.load32_splat(pa, 12);
    c30 = madd32(a3, b0, c30);
    c31 = madd32(a3, b1, c31);
    pa += 16;
    pb += 32;
  }
  const r1 = c + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(r1));
    c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2));
    c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3));
    c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

function copyEdge32(tile: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: bool): void {
  for (let i = 0; i < mr; i++) {
    const row = c + ((<usize>(i * ldc)) << 2);
    const t = tile + ((<usize>(i * NR_F32)) << 2);
    for (let j = 0; j < nr; j++) {
      const o = (<usize>j) << 2;
      const v = load<f32>(t + o);
      store<f32>(row + o, accumulate ? load<f32>(row + o) + v : v);
    }
  }
}

/**
 * Packs kc×nc of op(B) (element (p, j) at b[p·rs + j·cs]) as 8-wide slivers: sliver s holds
 * columns 8s…8s+7, row by row. Columns past nc are zeros.
 */
function packB32(dst: usize, b: usize, rs: i32, cs: i32, kc: i32, nc: i32): void {
  const rsb = (<usize>rs) << 2;
  const csb = (<usize>cs) << 2;
  for (let j0 = 0; j0 < nc; j0 += NR_F32) {
    const w = min(NR_F32, nc - j0);
    const base = b + <usize>j0 * csb;
    if (w === NR_F32 && cs === 1) {
      // Rows of B are contiguous: two vector copies per row.
      let s = base;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        s += rsb;
        dst += 32;
      }
    } else if (w === NR_F32 && rs === 1) {
      // B transposed: each of the 8 columns is contiguous along p; transpose 4×4 blocks.
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = base + ((<usize>p) << 2);
        transpose4x4store32(dst, 32, s, csb);
        transpose4x4store32(dst + 16, 32, s + 4 * csb, csb);
        dst += 128;
      }
      for (; p < kc; p++) {
        const s = base + ((<usize>p) << 2);
        for (let j = 0; j < NR_F32; j++) store<f32>(dst + ((<usize>j) << 2), load<f32>(s + <usize>j * csb));
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + <usize>p * rsb;
        for (let j = 0; j < w; j++) store<f32>(dst + ((<usize>j) << 2), load<f32>(s + <usize>j * csb));
        for (let j = w; j < NR_F32; j++) store<f32>(dst + ((<usize>j) << 2), 0);
        dst += 32;
      }
    }
  }
}

/**
 * Packs mc×kc of op(A) (element (i, p) at a[i·rs + p·cs]) as 4-tall slivers: sliver s holds,
 * for each p, the four values of rows 4s…4s+3. Rows past mc are zeros.
 */
function packA32(dst: usize, a: usize, rs: i32, cs: i32, mc: i32, kc: i32): void {
  const rsb = (<usize>rs) << 2;
  const csb = (<usize>cs) << 2;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const h = min(MR, mc - i0);
    const base = a + <usize>i0 * rsb;
    if (h === MR && rs === 1) {
      // A transposed: the four values of a column are contiguous.
      let s = base;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        s += csb;
        dst += 16;
      }
    } else if (h === MR && cs === 1) {
      // Rows of A are contiguous along p: transpose 4×4 blocks into columns.
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        transpose4x4store32(dst, 16, base + ((<usize>p) << 2), rsb);
        dst += 64;
      }
      for (; p < kc; p++) {
        const s = base + ((<usize>p) << 2);
        store<f32>(dst, load<f32>(s));
        store<f32>(dst, load<f32>(s + rsb), 4);
        store<f32>(dst, load<f32>(s + 2 * rsb), 8);
        store<f32>(dst, load<f32>(s + 3 * rsb), 12);
        dst += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + <usize>p * csb;
        for (let i = 0; i < h; i++) store<f32>(dst + ((<usize>i) << 2), load<f32>(s + <usize>i * rsb));
        for (let i = h; i < MR; i++) store<f32>(dst + ((<usize>i) << 2), 0);
        dst += 16;
      }
    }
  }
}

/**
 * Reads four rows of four floats (row r at src + r·stride) and stores the four columns at
 * dst, dst + step, dst + 2·step, dst + 3·step.
 */
function transpose4x4store32(dst: usize, step: usize, src: usize, stride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + stride);
  const r2 = v128.load(src + 2 * stride);
  const r3 = v128.load(src + 3 * stride);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

// ---------------------------------------------------------------------------------------------
// float64

/** `C[m×n] = op(A)·op(B)` in float64; arguments as for `gemmF32`. */
export function gemmF64(
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
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (let i = 0; i < m; i++) memory.fill(c + ((<usize>(i * ldc)) << 3), 0, (<usize>n) << 3);
    return;
  }
  const pa = scratch;
  const pb = scratch + PACK_A_BYTES;
  const edge = pb + PACK_B_BYTES;
  for (let jc = 0; jc < n; jc += NC_F64) {
    const nc = min(NC_F64, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0;
      packB64(pb, b + ((<usize>(pc * brs + jc * bcs)) << 3), brs, bcs, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA64(pa, a + ((<usize>(ic * ars + pc * acs)) << 3), ars, acs, mc, kc);
        for (let jr = 0; jr < nc; jr += NR_F64) {
          const nr = min(NR_F64, nc - jr);
          const bs = pb + ((<usize>(jr * kc)) << 3);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const as = pa + ((<usize>(ir * kc)) << 3);
            const ct = c + ((<usize>((ic + ir) * ldc + jc + jr)) << 3);
            if (mr === MR && nr === NR_F64) {
              kernel64(kc, as, bs, ct, (<usize>ldc) << 3, accumulate);
            } else {
              kernel64(kc, as, bs, edge, NR_F64 << 3, false);
              copyEdge64(edge, ct, ldc, mr, nr, accumulate);
            }
          }
        }
      }
    }
  }
}

/** The 4×4 float64 register tile (two f64x2 per row). */
function kernel64(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f64x2.splat(0);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load64_splat(pa);
    c00 = madd64(a0, b0, c00);
    c01 = madd64(a0, b1, c01);
    const a1 = v128.load64_splat(pa, 8);
    c10 = madd64(a1, b0, c10);
    c11 = madd64(a1, b1, c11);
    const a2 = v128.load64_splat(pa, 16);
    c20 = madd64(a2, b0, c20);
    c21 = madd64(a2, b1, c21);
    const a3 = v128.load64_splat(pa, 24);
    c30 = madd64(a3, b0, c30);
    c31 = madd64(a3, b1, c31);
    pa += 32;
    pb += 32;
  }
  const r1 = c + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  if (accumulate) {
    c00 = f64x2.add(c00, v128.load(c));
    c01 = f64x2.add(c01, v128.load(c, 16));
    c10 = f64x2.add(c10, v128.load(r1));
    c11 = f64x2.add(c11, v128.load(r1, 16));
    c20 = f64x2.add(c20, v128.load(r2));
    c21 = f64x2.add(c21, v128.load(r2, 16));
    c30 = f64x2.add(c30, v128.load(r3));
    c31 = f64x2.add(c31, v128.load(r3, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

function copyEdge64(tile: usize, c: usize, ldc: i32, mr: i32, nr: i32, accumulate: bool): void {
  for (let i = 0; i < mr; i++) {
    const row = c + ((<usize>(i * ldc)) << 3);
    const t = tile + ((<usize>(i * NR_F64)) << 3);
    for (let j = 0; j < nr; j++) {
      const o = (<usize>j) << 3;
      const v = load<f64>(t + o);
      store<f64>(row + o, accumulate ? load<f64>(row + o) + v : v);
    }
  }
}

function packB64(dst: usize, b: usize, rs: i32, cs: i32, kc: i32, nc: i32): void {
  const rsb = (<usize>rs) << 3;
  const csb = (<usize>cs) << 3;
  for (let j0 = 0; j0 < nc; j0 += NR_F64) {
    const w = min(NR_F64, nc - j0);
    const base = b + <usize>j0 * csb;
    if (w === NR_F64 && cs === 1) {
      let s = base;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        s += rsb;
        dst += 32;
      }
    } else if (w === NR_F64 && rs === 1) {
      // B transposed: pairs of columns × pairs of p, transposed 2×2 at a time.
      let p = 0;
      for (; p + 2 <= kc; p += 2) {
        const s = base + ((<usize>p) << 3);
        transpose2x2store64(dst, 32, s, csb);
        transpose2x2store64(dst + 16, 32, s + 2 * csb, csb);
        dst += 64;
      }
      for (; p < kc; p++) {
        const s = base + ((<usize>p) << 3);
        for (let j = 0; j < NR_F64; j++) store<f64>(dst + ((<usize>j) << 3), load<f64>(s + <usize>j * csb));
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + <usize>p * rsb;
        for (let j = 0; j < w; j++) store<f64>(dst + ((<usize>j) << 3), load<f64>(s + <usize>j * csb));
        for (let j = w; j < NR_F64; j++) store<f64>(dst + ((<usize>j) << 3), 0);
        dst += 32;
      }
    }
  }
}

function packA64(dst: usize, a: usize, rs: i32, cs: i32, mc: i32, kc: i32): void {
  const rsb = (<usize>rs) << 3;
  const csb = (<usize>cs) << 3;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const h = min(MR, mc - i0);
    const base = a + <usize>i0 * rsb;
    if (h === MR && rs === 1) {
      let s = base;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        s += csb;
        dst += 32;
      }
    } else if (h === MR && cs === 1) {
      let p = 0;
      for (; p + 2 <= kc; p += 2) {
        const s = base + ((<usize>p) << 3);
        transpose2x2store64(dst, 32, s, rsb);
        transpose2x2store64(dst + 16, 32, s + 2 * rsb, rsb);
        dst += 64;
      }
      for (; p < kc; p++) {
        const s = base + ((<usize>p) << 3);
        store<f64>(dst, load<f64>(s));
        store<f64>(dst, load<f64>(s + rsb), 8);
        store<f64>(dst, load<f64>(s + 2 * rsb), 16);
        store<f64>(dst, load<f64>(s + 3 * rsb), 24);
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + <usize>p * csb;
        for (let i = 0; i < h; i++) store<f64>(dst + ((<usize>i) << 3), load<f64>(s + <usize>i * rsb));
        for (let i = h; i < MR; i++) store<f64>(dst + ((<usize>i) << 3), 0);
        dst += 32;
      }
    }
  }
}

/**
 * Reads two rows of two doubles (row r at src + r·stride) and stores column 0 at dst and
 * column 1 at dst + step.
 */
function transpose2x2store64(dst: usize, step: usize, src: usize, stride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + stride);
  v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2));
  v128.store(dst + step, v128.shuffle<f64>(r0, r1, 1, 3));
}

import type { TypedArray } from '../tensor/dtype.js';

/**
 * General matrix multiply on flat row-major buffers:
 * `C[m×n] = op(A)[m×k] · op(B)[k×n]`, where `op(A)` is A (stored m×k) or, with `transA`,
 * the transpose of A stored k×m; likewise `transB` reads B stored n×k.
 * `C` is overwritten. Buffers may be Float32Array or Float64Array (C's type decides rounding).
 *
 * This is the reference kernel; it must stay correct for every m, n, k ≥ 0 (including 0).
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
  const ars = transA ? 1 : k; // stride between rows of op(A)
  const acs = transA ? m : 1; // stride between columns of op(A)
  const brs = transB ? 1 : n;
  const bcs = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) c[ci + j] = 0;
    for (let p = 0; p < k; p++) {
      const av = a[aOff + i * ars + p * acs];
      const bp = bOff + p * brs;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j * bcs];
    }
  }
}

import type { TypedArray } from '../tensor/dtype.js';

/**
 * The reference triple loop, kept as the specification `gemm` is tested against: same
 * signature and semantics, no blocking. C accumulates in place in its own type.
 */
export function gemmReference(
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

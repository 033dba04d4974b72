/**
 * The fused Affine in plain TypeScript, `C = act(op(A)·op(B) + bias)`: the product, then the
 * bias row and ReLU in one pass over C. The WebAssembly backend does the same inside its
 * memory; this is what the `ts` backend runs and what both fall back to.
 */
import type { TypedArray } from '../tensor/dtype.js';
import { gemm } from './matmul.js';

/** `gemm`'s arguments, then the bias row of n (or null) and whether to apply ReLU. */
export type Affine = (
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
) => void;

/**
 * `C[m×n] = act(op(A)·op(B) + bias)`, `bias` a row of n added to every row (or null), act
 * ReLU when `relu`. Same bits as `gemm` followed by the element-wise add and ReLU.
 */
export const affine: Affine = (m, n, k, a, aOff, transA, b, bOff, transB, c, cOff, bias, relu) => {
  gemm(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff);
  if (bias || relu) biasActInto(c, cOff, m, n, bias, relu);
};

/**
 * The epilogue alone: `c[i, j] = act(c[i, j] + bias[j])` over an m × n block at `off`, with
 * the element-wise kernels' rounding (the sum is rounded to c's type before the ReLU).
 */
export function biasActInto(
  c: TypedArray,
  off: number,
  m: number,
  n: number,
  bias: TypedArray | null,
  relu: boolean,
): void {
  for (let i = 0; i < m; i++) {
    const row = off + i * n;
    if (bias) for (let j = 0; j < n; j++) c[row + j] += bias[j];
    if (relu) {
      for (let j = row; j < row + n; j++) {
        const v = c[j];
        // ReLU that keeps NaN (a comparison alone would turn it into 0).
        c[j] = v > 0 ? v : v !== v ? v : 0;
      }
    }
  }
}

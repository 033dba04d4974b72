/**
 * `gemm` as `@zerograd/core/internals` exports it: the same kernel, after checking that the
 * sizes are whole numbers and every buffer is long enough (a short buffer would be read past
 * its end as NaN, or written short). Core's own callers size their buffers themselves and call
 * the kernel directly.
 */
import { ValueError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';
import { type Gemm, gemm } from './matmul.js';

/** General matrix multiply `C = op(A)·op(B)` on flat row-major buffers (see `gemm` in matmul.ts). */
export const checkedGemm: Gemm = (m, n, k, a, aOff, transA, b, bOff, transB, c, cOff) => {
  for (const [name, v] of [
    ['m', m],
    ['n', n],
    ['k', k],
    ['aOff', aOff],
    ['bOff', bOff],
    ['cOff', cOff],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ValueError('gemm', `${name} must be a whole number, got ${v}`);
  }
  const need = (name: string, buf: TypedArray, off: number, count: number) => {
    if (count > 0 && off + count > buf.length) {
      throw new ValueError(
        'gemm',
        `${name} holds ${buf.length} elements, ${off} + ${count} are needed (m=${m}, n=${n}, k=${k})`,
      );
    }
  };
  need('a', a, aOff, m * k);
  need('b', b, bOff, k * n);
  need('c', c, cOff, m * n);
  gemm(m, n, k, a, aOff, transA, b, bOff, transB, c, cOff);
};

/**
 * Element types and the typed arrays that store them: checking and promotion, and `allocate`,
 * which every tensor buffer comes from (so the buffer pool can recycle them).
 */
import { DTypeError, ValueError } from '../errors.js';
import { bufferPool, takeBuffer } from '../state.js';

/** The element types a tensor can hold. `float64` is the default everywhere. */
export type DType = 'float32' | 'float64';

/** The contiguous storage behind a tensor. */
export type TypedArray = Float32Array | Float64Array;

/** Every supported dtype. */
export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** Throws a `DTypeError` unless `dtype` is one zerograd supports. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new DTypeError(op, `unsupported dtype ${JSON.stringify(dtype)}; expected 'float32' or 'float64'`);
}

/** numpy's promotion for the float types: float32 with float64 gives float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

/**
 * A zero-filled buffer of `size` elements: a recycled one from the buffer pool (state.ts)
 * when it holds one of this dtype and length, else a new one. Buffers below
 * `bufferPool.minElements` are never pooled, so small allocations skip the pool altogether.
 */
export function allocate(dtype: DType, size: number): TypedArray {
  if (size >= bufferPool.minElements) {
    const recycled = takeBuffer(dtype, size);
    if (recycled) return recycled;
  }
  try {
    return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  } catch (e) {
    // A shape too large for memory must surface as a library error, not a RangeError.
    throw new ValueError('allocate', `cannot allocate ${size} ${dtype} elements: ${(e as Error).message}`);
  }
}

/** The dtype that a typed array stores. */
export function dtypeOfArray(op: string, data: unknown): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  throw new DTypeError(op, 'expected a Float32Array or Float64Array');
}

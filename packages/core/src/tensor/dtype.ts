/**
 * Element types and the typed arrays that store them: checking and promotion, and `allocate`,
 * which every tensor buffer comes from (so the buffer pool can recycle them).
 */
import { DTypeError, ValueError } from '../errors.js';
import { bufferPool, takeBuffer } from '../state.js';

/**
 * The element types a tensor can hold. `float64` is the default everywhere; the float types
 * carry gradients. `int32` holds labels, indices and `argmax` results, `bool` the masks of
 * comparisons (stored as 0/1 bytes). Math ops compute in floating point: their int32 and bool
 * operands are converted first (see `promoteTypes`), and no gradient flows into them.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The dtypes that carry gradients. */
export type FloatDType = 'float32' | 'float64';

/** The contiguous storage behind a tensor. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every supported dtype. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** Throws a `DTypeError` unless `dtype` is one zerograd supports. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new DTypeError(op, `unsupported dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(', ')}`);
}

/** Throws a `DTypeError` unless `dtype` is float32 or float64 (random normals, gradients …). */
export function checkFloatDType(op: string, dtype: unknown): FloatDType {
  const d = checkDType(op, dtype);
  if (d !== 'float32' && d !== 'float64') throw new DTypeError(op, `needs a float dtype, got ${d}`);
  return d;
}

/** Whether `dtype` is a floating-point type (one that carries gradients). */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float64' || dtype === 'float32';
}

/**
 * The dtype math on `a` and `b` computes in: the wider float (float32 with float64 gives
 * float64, numpy's rule), an integer or bool operand taking the other operand's float type
 * (PyTorch's rule: int32 with float32 gives float32), and float64 when neither is a float.
 */
export function promoteTypes(a: DType, b: DType): FloatDType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'float64';
}

/**
 * A zero-filled buffer of `size` elements: a recycled one from the buffer pool (state.ts)
 * when it holds one of this dtype and length, else a new one. Buffers below
 * `bufferPool.minElements` are never pooled, so small allocations skip the pool altogether.
 */
export function allocate(dtype: DType, size: number): TypedArray {
  if (size >= bufferPool.minElements && isFloat(dtype)) {
    const recycled = takeBuffer(dtype, size);
    if (recycled) return recycled;
  }
  try {
    return dtype === 'float64'
      ? new Float64Array(size)
      : dtype === 'float32'
        ? new Float32Array(size)
        : dtype === 'int32'
          ? new Int32Array(size)
          : new Uint8Array(size);
  } catch (e) {
    // A shape too large for memory must surface as a library error, not a RangeError.
    throw new ValueError('allocate', `cannot allocate ${size} ${dtype} elements: ${(e as Error).message}`);
  }
}

/** The dtype that a typed array stores (a `Uint8Array` holds a bool tensor's 0/1 bytes). */
export function dtypeOfArray(op: string, data: unknown): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'bool';
  throw new DTypeError(op, 'expected a Float32Array, Float64Array, Int32Array or Uint8Array (bool)');
}

/**
 * Copies `src` into `dst` converting to `dst`'s type as numpy's `astype` does: to int32 by
 * truncation toward zero (NaN and values out of range are an error: they have no int32), to bool
 * by `v !== 0` (NaN is true), between floats by rounding.
 */
export function convertInto(op: string, src: TypedArray, dst: TypedArray): void {
  if (dst instanceof Uint8Array && !(src instanceof Uint8Array)) {
    for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  } else if (dst instanceof Int32Array && !(src instanceof Int32Array || src instanceof Uint8Array)) {
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (!(v > -2147483649 && v < 2147483648)) {
        throw new ValueError(op, `${v} at flat index ${i} has no int32 value (NaN, ±Infinity or out of range)`);
      }
      dst[i] = v;
    }
  } else dst.set(src);
}

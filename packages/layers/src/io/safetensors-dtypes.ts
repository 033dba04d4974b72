/**
 * The element types of the safetensors format and how zerograd reads each one. zerograd's
 * tensors hold float64, float32, int32 and bool; other types are converted when that loses
 * nothing a model needs — F16 and BF16 widen to float32 exactly, integers become int32 when
 * every value fits — and refused otherwise, with the tensor's name in the error. PyTorch writes
 * BatchNorm's `num_batches_tracked` as I64 and mixed-precision checkpoints as F16/BF16, which is
 * why these matter.
 */
import { type DType, type TypedArray, ValueError } from '@zerograd/core';

/** The safetensors dtype names zerograd reads (converting some) and writes (F64, F32, I32, I64, BOOL). */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of every dtype of the format, including those zerograd cannot read (F8, U16 …). */
export const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** What each readable dtype becomes in zerograd. */
const READ_AS: Readonly<Record<SafetensorsDType, DType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float32',
  BF16: 'float32',
  I64: 'int32',
  I32: 'int32',
  I16: 'int32',
  I8: 'int32',
  U8: 'int32',
  BOOL: 'bool',
};

/** The dtype names of the format (a header naming another is corrupt, not merely unreadable). */
export function isSafetensorsDType(dtype: string): boolean {
  return Object.hasOwn(BYTES_PER_ELEMENT, dtype);
}

/** Whether zerograd can read `dtype` (possibly converting it). */
export function isReadable(dtype: string): dtype is SafetensorsDType {
  return Object.hasOwn(READ_AS, dtype);
}

/** The zerograd dtype a readable safetensors dtype is read as. */
export function readAs(dtype: SafetensorsDType): DType {
  return READ_AS[dtype];
}

/** The list shown in errors. */
export const READABLE_DTYPES = 'F64, F32, F16, BF16 (as float32), I64, I32, I16, I8, U8 (as int32) and BOOL';

/**
 * Decodes `n` little-endian elements of `dtype` from `view` into a new typed array of the
 * zerograd dtype they are read as. Integers that do not fit int32 throw a `ValueError` naming
 * `what` (the tensor) and the value.
 */
export function decodeElements(op: string, what: string, dtype: SafetensorsDType, view: DataView): TypedArray {
  const n = view.byteLength / BYTES_PER_ELEMENT[dtype];
  switch (dtype) {
    case 'F64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case 'F32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift its bits back into place.
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw new ValueError(
            op,
            `${what}: I64 value ${v} at flat position ${i} does not fit int32, zerograd's integers`,
          );
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case 'I16': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
      return out;
    }
    case 'I8': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      return out;
    }
    case 'U8': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
      return out;
    }
    case 'BOOL': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const b = view.getUint8(i);
        if (b > 1) throw new ValueError(op, `${what}: a BOOL byte is neither 0 nor 1`);
        out[i] = b;
      }
      return out;
    }
  }
}

/** IEEE 754 half precision (1 sign, 5 exponent, 10 fraction bits) to a number, exactly. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

import { binary as binaryKernel, unary as unaryKernel } from '../backend/tensor-kernels.js';
import { type BinaryKind, binaryInto, type UnaryKind, unaryInto } from '../kernels/elementwise.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

// The elementwise entry points the ops use: the kernels' `binary` and `unary`, with a short
// path for 0-d tensors. A scalar graph (micrograd's) is all 0-d ops, and for them the shape
// work and the buffer around a one-element kernel call cost far more than the call. Here the
// result is a bufferless 0-d tensor (`Tensor.scalar`), and its value comes from the same flat
// kernel run on one-element scratch arrays of the dtype, so the numbers are the kernel's own,
// bit for bit, rounding included.

const SHAPE0: readonly number[] = [];
const A64 = new Float64Array(1);
const B64 = new Float64Array(1);
const OUT64 = new Float64Array(1);
const A32 = new Float32Array(1);
const B32 = new Float32Array(1);
const OUT32 = new Float32Array(1);

/** `x ⊙ y` for two values of `dtype`, as the kernel computes it. */
function binary0d(kind: BinaryKind, dtype: DType, x: number, y: number): number {
  if (dtype === 'float64') {
    A64[0] = x;
    B64[0] = y;
    binaryInto(kind, A64, SHAPE0, B64, SHAPE0, OUT64, SHAPE0);
    return OUT64[0];
  }
  A32[0] = x;
  B32[0] = y;
  binaryInto(kind, A32, SHAPE0, B32, SHAPE0, OUT32, SHAPE0);
  return OUT32[0];
}

/** `f(x)` for a value of `dtype`, as the kernel computes it. */
function unary0d(kind: UnaryKind, dtype: DType, x: number, param: number): number {
  if (dtype === 'float64') {
    A64[0] = x;
    unaryInto(kind, A64, OUT64, param);
    return OUT64[0];
  }
  A32[0] = x;
  unaryInto(kind, A32, OUT32, param);
  return OUT32[0];
}

/** `a ⊙ b` with broadcasting and promotion (`binary` of the kernels). */
export function binary(kind: BinaryKind, a: Tensor, b: Tensor, op: string = kind): Tensor {
  if (a.shape.length === 0 && b.shape.length === 0 && a.dtype === b.dtype) {
    const dtype = a.dtype;
    return Tensor.scalar(binary0d(kind, dtype, Tensor.valueOf0d(a), Tensor.valueOf0d(b)), dtype);
  }
  return binaryKernel(kind, a, b, op);
}

/** `f(x)` elementwise (`unary` of the kernels). */
export function unary(kind: UnaryKind, x: Tensor, param = 0): Tensor {
  if (x.shape.length === 0) {
    const dtype = x.dtype;
    return Tensor.scalar(unary0d(kind, dtype, Tensor.valueOf0d(x), param), dtype);
  }
  return unaryKernel(kind, x, param);
}

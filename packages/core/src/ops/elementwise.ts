import {
  type BinaryKind,
  binaryInto,
  binary as binaryKernel,
  type UnaryKind,
  unaryInto,
  unary as unaryKernel,
} from '../kernels/index.js';
import { Tensor } from '../tensor/tensor.js';

// The elementwise entry points the ops use: the kernels' `binary` and `unary`, with a short
// path for 0-d tensors. A scalar graph (micrograd's) is all 0-d ops, and for them the shape
// work and allocation around a one-element kernel call cost far more than the call: here the
// result is a slab cell (`Tensor.scalar`) and the same flat kernel fills it, so the numbers
// are the kernel's own, bit for bit.

/** `a ⊙ b` with broadcasting and promotion (`binary` of the kernels). */
export function binary(kind: BinaryKind, a: Tensor, b: Tensor, op: string = kind): Tensor {
  if (a.shape.length === 0 && b.shape.length === 0 && a.dtype === b.dtype) {
    const out = Tensor.scalar(0, a.dtype);
    binaryInto(kind, a.data, a.shape, b.data, b.shape, out.data, out.shape);
    return out;
  }
  return binaryKernel(kind, a, b, op);
}

/** `f(x)` elementwise (`unary` of the kernels). */
export function unary(kind: UnaryKind, x: Tensor, param = 0): Tensor {
  if (x.shape.length === 0) {
    const out = Tensor.scalar(0, x.dtype);
    unaryInto(kind, x.data, out.data, param);
    return out;
  }
  return unaryKernel(kind, x, param);
}

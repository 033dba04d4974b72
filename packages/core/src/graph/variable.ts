/**
 * Making variables: leaves from numbers, arrays and tensors (`variable`, `parameter`), and the
 * conversion every op applies to its operands (`asVariable`).
 */
import { DTypeError } from '../errors.js';
import { checkDType, type DType, fromArray, type NestedArray, type NestedBooleans, Tensor } from '../tensor/index.js';
import { Variable } from './node.js';

// The class is defined in node.ts beside OpNode; re-exported here for the ops, which import
// `variable`, `Operand` and `Variable` together.
export { Variable };

/** Anything an op accepts as an input. Plain numbers and arrays become constants. */
export type Operand =
  | Variable
  | Tensor
  | number
  | NestedArray
  | NestedBooleans
  | Float32Array
  | Float64Array
  | Int32Array;

/** Options of `variable(...)`. */
export interface VariableOptions {
  dtype?: DType;
  name?: string;
  /** Float leaves require a gradient by default (int32 and bool ones cannot); set false for data. */
  requiresGrad?: boolean;
}

/**
 * A leaf variable from a number, nested arrays, a typed array or a tensor. A float leaf
 * requires a gradient unless `requiresGrad: false` is given; an int32 or bool one never does.
 */
export function variable(data: Operand, options: VariableOptions = {}): Variable {
  if (options.dtype !== undefined) checkDType('variable', options.dtype);
  if (data instanceof Variable) {
    const t = options.dtype ? data.data.astype(options.dtype) : data.data;
    return new Variable(t, { name: options.name ?? data.name, requiresGrad: options.requiresGrad });
  }
  const t = fromArray(data, { dtype: options.dtype });
  return new Variable(t, { name: options.name, requiresGrad: options.requiresGrad });
}

/** A variable marked as a parameter (a layer's weight): requires grad, drawn as a parameter. */
export function parameter(data: Operand, name?: string): Variable {
  const v = variable(data, { name });
  v.isParameter = true;
  return v;
}

/**
 * Turns an operand into a Variable. Existing variables are returned as they are; tensors and
 * arrays become constants (no gradient). Plain numbers and nested arrays take `dtype`, so
 * `x.mul(2)` stays float32 for a float32 `x` (numpy's treatment of Python scalars).
 */
export function asVariable(op: string, x: Operand, dtype: DType = 'float64'): Variable {
  if (x instanceof Variable) return x;
  if (x instanceof Tensor) return new Variable(x, { requiresGrad: false });
  // A number constant (`x.mul(2)`) is a bufferless 0-d tensor, like the results of 0-d ops.
  if (typeof x === 'number' && (dtype === 'float64' || dtype === 'float32'))
    return new Variable(Tensor.scalar(x, dtype), { requiresGrad: false });
  if (typeof x === 'number' || Array.isArray(x)) {
    return new Variable(fromArray(x, { dtype }), { requiresGrad: false });
  }
  if (x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array)
    return new Variable(fromArray(x), { requiresGrad: false });
  if (typeof x === 'boolean') return new Variable(fromArray(x), { requiresGrad: false });
  throw new DTypeError(op, `cannot use ${x === null ? 'null' : typeof x} as a tensor operand`);
}

/** The dtype of an operand if it carries one (Variables, Tensors, typed arrays). */
export function strongDType(x: Operand): DType | null {
  if (x instanceof Variable) return x.dtype;
  if (x instanceof Tensor) return x.dtype;
  if (x instanceof Float32Array) return 'float32';
  if (x instanceof Float64Array) return 'float64';
  if (x instanceof Int32Array) return 'int32';
  return null;
}

import { DTypeError, ValueError } from '../errors.js';
import { checkDType, type DType } from '../tensor/dtype.js';
import { fromArray, type NestedArray, Tensor } from '../tensor/tensor.js';
import { mode } from './mode.js';
import type { OpNode } from './node.js';

/** Anything an op accepts as an input. Plain numbers and arrays become constants. */
export type Operand = Variable | Tensor | number | NestedArray | Float32Array | Float64Array;

/** Options of `variable(...)`. */
export interface VariableOptions {
  dtype?: DType;
  name?: string;
  /** Leaves require a gradient by default; set false for data and labels. */
  requiresGrad?: boolean;
}

/**
 * A value in the graph: a data `Tensor`, the gradient once backward has run, the op node that
 * created it (`creator`, null for leaves) and an optional name.
 *
 * The math methods (`x.add(y)`, `x.matmul(w)`, `x.backward()` …) are installed by the ops
 * module, so every op lives in one file with its forward and backward side by side.
 */
export class Variable {
  /** The value. Ops never write into it. */
  data: Tensor;
  /** The gradient of the last backward's output with respect to this variable, or null. */
  grad: Variable | null = null;
  /** The op node that produced this variable; null for a leaf. */
  creator: OpNode | null = null;
  name: string | null;
  /** Distance from the leaves; the backward engine's tie-breaker. */
  generation = 0;
  /** Scope path at creation (see `scope`). */
  readonly scope: readonly string[];
  /** @internal Backward engine scratch: gradient pending in pass `gradPass`. */
  pendingGrad: Variable | null = null;
  /** @internal */
  gradPass = 0;
  /**
   * @internal `requiresGrad`, `retainsGrad`, `isParameter` and the engine's slot flags as bits
   * of one field: a scalar graph keeps a Variable per node, and four fields were a fifth of it.
   */
  bits: number;

  constructor(data: Tensor, options: { name?: string | null; requiresGrad?: boolean } = {}) {
    if (!(data instanceof Tensor))
      throw new ValueError('Variable', 'data must be a Tensor; use variable(...) for other values');
    this.data = data;
    this.name = options.name ?? null;
    this.scope = mode.scope;
    this.bits = (options.requiresGrad ?? true) ? REQUIRES_GRAD : 0;
  }

  /** Whether gradients flow to (and through) this variable. */
  get requiresGrad(): boolean {
    return (this.bits & REQUIRES_GRAD) !== 0;
  }
  set requiresGrad(on: boolean) {
    this.bits = on ? this.bits | REQUIRES_GRAD : this.bits & ~REQUIRES_GRAD;
  }

  /** Keep this intermediate's gradient after backward (see `retainGrad`). */
  get retainsGrad(): boolean {
    return (this.bits & RETAINS_GRAD) !== 0;
  }
  set retainsGrad(on: boolean) {
    this.bits = on ? this.bits | RETAINS_GRAD : this.bits & ~RETAINS_GRAD;
  }

  /** Marks a layer-owned, optimizer-updated leaf (drawn differently). */
  get isParameter(): boolean {
    return (this.bits & IS_PARAMETER) !== 0;
  }
  set isParameter(on: boolean) {
    this.bits = on ? this.bits | IS_PARAMETER : this.bits & ~IS_PARAMETER;
  }

  /** @internal Flags of the pending gradient's slot in pass `gradPass` (see computeGrads). */
  get gradFlags(): number {
    return this.bits >> SLOT_SHIFT;
  }
  set gradFlags(flags: number) {
    this.bits = (this.bits & ((1 << SLOT_SHIFT) - 1)) | (flags << SLOT_SHIFT);
  }

  get shape(): readonly number[] {
    return this.data.shape;
  }
  get dtype(): DType {
    return this.data.dtype;
  }
  get size(): number {
    return this.data.size;
  }
  get ndim(): number {
    return this.data.ndim;
  }

  /** Keeps this intermediate's `.grad` after the next backward pass. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Forgets the gradient (gradients accumulate across backward calls until cleared). */
  clearGrad(): void {
    this.grad = null;
  }

  /** A new leaf sharing this data, cut off from the graph. */
  detach(): Variable {
    return new Variable(this.data, { name: this.name, requiresGrad: false });
  }

  toArray(): NestedArray {
    return this.data.toArray();
  }
  item(): number {
    return this.data.item();
  }

  toString(): string {
    const name = this.name ? `, name=${this.name}` : '';
    return `Variable(${this.data.valuesString()}, shape=(${this.shape.join(', ')}${this.shape.length === 1 ? ',' : ''})${name})`;
  }
}

/** @internal */
export const REQUIRES_GRAD = 1;
const RETAINS_GRAD = 2;
const IS_PARAMETER = 4;
const SLOT_SHIFT = 3;

/**
 * A leaf variable from a number, nested arrays, a typed array or a tensor.
 * It requires a gradient unless `requiresGrad: false` is given.
 */
export function variable(data: Operand, options: VariableOptions = {}): Variable {
  if (options.dtype !== undefined) checkDType('variable', options.dtype);
  if (data instanceof Variable) {
    const t = options.dtype ? data.data.astype(options.dtype) : data.data;
    return new Variable(t, { name: options.name ?? data.name, requiresGrad: options.requiresGrad ?? true });
  }
  const t = fromArray(data, { dtype: options.dtype });
  return new Variable(t, { name: options.name, requiresGrad: options.requiresGrad ?? true });
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
  if (x instanceof Float32Array || x instanceof Float64Array)
    return new Variable(fromArray(x), { requiresGrad: false });
  throw new DTypeError(op, `cannot use ${x === null ? 'null' : typeof x} as a tensor operand`);
}

/** The dtype of an operand if it carries one (Variables, Tensors, typed arrays). */
export function strongDType(x: Operand): DType | null {
  if (x instanceof Variable) return x.dtype;
  if (x instanceof Tensor) return x.dtype;
  if (x instanceof Float32Array) return 'float32';
  if (x instanceof Float64Array) return 'float64';
  return null;
}

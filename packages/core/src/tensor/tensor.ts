import { fmtShape, GraphError, ShapeError, ValueError } from '../errors.js';
import { allocate, checkDType, type DType, dtypeOfArray, type TypedArray } from './dtype.js';
import { checkShape, type Shape, sizeOf, stridesOf } from './shape.js';

/** Marks a constructor call from `Tensor.unchecked`. */
const TRUSTED: unique symbol = Symbol('trusted');

/** Nested arrays of numbers, as `fromArray` accepts and `toArray` returns. */
export type NestedArray = number | NestedArray[];

/**
 * Storage only: a dtype, a shape and a contiguous row-major typed array.
 *
 * Tensors carry no graph and no gradient; `Variable` wraps one for that. zerograd's ops never
 * write into a tensor they did not just create, so a tensor may be shared freely. Optimizers
 * are the one exception: they update parameter tensors in place, outside the graph.
 */
export class Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /**
   * The storage behind `data`; null while a 0-d tensor made by `Tensor.scalar` keeps its value
   * in `_scalar` (it gets a buffer when `data` is first read).
   * @internal
   */
  _data: TypedArray | null;
  /** The value of a 0-d tensor whose `_data` is null; meaningless otherwise. @internal */
  _scalar: number;

  /** Wraps `data` (not copied) as a tensor of `shape`. Prefer the creation functions. */
  constructor(data: TypedArray, shape: Shape, trusted?: typeof TRUSTED) {
    if (trusted === TRUSTED) {
      // Kernels computed the shape themselves: skip validation (it dominated scalar graphs),
      // but build the object the same way so every Tensor shares one hidden class.
      this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
      this.shape = shape === SCALAR_SHAPE || Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
      this._data = data;
      this._scalar = 0;
      return;
    }
    const dtype = dtypeOfArray('Tensor', data);
    const s = checkShape('Tensor', shape);
    const size = sizeOf(s);
    if (size !== data.length) {
      throw new ShapeError('Tensor', `shape ${fmtShape(s)} needs ${size} elements, the buffer has ${data.length}`);
    }
    this.dtype = dtype;
    this.shape = Object.freeze(s);
    this._data = data;
    this._scalar = 0;
  }

  /** The number of elements. */
  get size(): number {
    const d = this._data;
    return d !== null ? d.length : this.shape.length === 0 ? 1 : sizeOf(this.shape);
  }

  /** The contiguous row-major typed array holding the values. */
  get data(): TypedArray {
    const d = this._data;
    if (d !== null) return d;
    if (RELEASED.has(this)) throw releasedError(this);
    const cell = scalarCell(this.dtype);
    cell[0] = this._scalar;
    this._data = cell;
    return cell;
  }

  /**
   * Wraps `data` as `shape` without validation: for kernels and ops that computed a valid,
   * frozen shape themselves. The per-op bookkeeping of scalar graphs is dominated by checks
   * otherwise. Not for user input.
   * @internal
   */
  static unchecked(data: TypedArray, shape: readonly number[], _dtype?: DType): Tensor {
    return new Tensor(data, shape, TRUSTED);
  }

  /**
   * A 0-d tensor holding `value` (rounded to float32 for that dtype) without a buffer of its
   * own until `data` is read: a scalar graph makes several 0-d tensors per node, and most are
   * only ever read by ops that take their value directly (`Tensor.valueOf0d`).
   * For ops on scalars; user code wants `fromArray`.
   * @internal
   */
  static scalar(value: number, dtype: DType): Tensor {
    const t = new Tensor(dtype === 'float32' ? PLACEHOLDER32 : PLACEHOLDER64, SCALAR_SHAPE, TRUSTED);
    t._data = null;
    t._scalar = dtype === 'float32' ? Math.fround(value) : value;
    return t;
  }

  /** The value of a one-element tensor, without making it a buffer. @internal */
  static valueOf0d(t: Tensor): number {
    const d = t._data;
    return d === null ? t._scalar : d[0];
  }

  /**
   * Sets the value of a one-element tensor that its maker owns alone (the backward engine's
   * running sums); rounded to float32 for that dtype.
   * @internal
   */
  static setValue0d(t: Tensor, value: number): void {
    const d = t._data;
    if (d !== null) d[0] = value;
    else t._scalar = t.dtype === 'float32' ? Math.fround(value) : value;
  }

  /**
   * What identifies a tensor's memory: its buffer; for a slab cell (which shares its buffer
   * with unrelated scalars, never its element) the typed array itself; for a 0-d tensor with
   * no buffer yet, the tensor (no other tensor can share what it holds). Two tensors with
   * different keys never share an element.
   * @internal
   */
  static storageKey(t: Tensor): object {
    const d = t._data;
    if (d === null) return t;
    return d.length === 1 && SLABS.has(d.buffer) ? d : d.buffer;
  }

  /**
   * Gives this tensor's buffer back for reuse (see `releaseGraph`): from now on reading its
   * data throws a `GraphError` instead of showing values another tensor may be using.
   * @internal
   */
  static release(t: Tensor, why: string): void {
    t._data = null;
    t._scalar = Number.NaN;
    RELEASED.set(t, why);
  }

  /** Whether `release` was called on `t`. @internal */
  static isReleased(t: Tensor): boolean {
    return RELEASED.has(t);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Row-major strides in elements. */
  get strides(): number[] {
    return stridesOf(this.shape);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError('item', `only a one-element tensor has an item, got shape ${fmtShape(this.shape)}`);
    return Tensor.valueOf0d(this);
  }

  /** Nested arrays (a plain number for a scalar), like numpy's `tolist()`. */
  toArray(): NestedArray {
    if (this.shape.length === 0) return Tensor.valueOf0d(this);
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const out: NestedArray[] = new Array(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[offset + i];
        return out;
      }
      const stride = sizeOf(this.shape.slice(dim + 1));
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** A copy with its own buffer, optionally converted to another dtype. */
  clone(dtype: DType = this.dtype): Tensor {
    if (this._data === null) return Tensor.scalar(this._scalar, dtype);
    const out = allocate(dtype, this.size);
    out.set(this.data);
    return new Tensor(out, this.shape);
  }

  /** This tensor in `dtype` (itself when it already is). */
  astype(dtype: DType): Tensor {
    checkDType('astype', dtype);
    return dtype === this.dtype ? this : this.clone(dtype);
  }

  /** Same buffer, new shape (sizes must agree). */
  reshapeView(shape: Shape): Tensor {
    return new Tensor(this.data, shape);
  }

  toString(): string {
    return `Tensor(${this.valuesString()}, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
  }

  /** The values as nested brackets (NaN and ±Infinity as such), or a count above 64 elements. */
  valuesString(): string {
    if (this.size > 64) return `[${this.size} values]`;
    const show = (v: NestedArray): string => (Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v));
    return show(this.toArray());
  }
}

/** The shape of every 0-d tensor made here: one frozen array, so shape checks are identity checks. */
const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

/** Tensors whose buffer was given back for reuse, and by what (see `Tensor.release`). */
const RELEASED = new WeakMap<Tensor, string>();

function releasedError(t: Tensor): GraphError {
  return new GraphError(
    'Tensor',
    `this ${fmtShape(t.shape)} tensor's buffer was recycled by ${RELEASED.get(t)}; ` +
      'copy (clone) intermediate values you keep past the step that made them',
  );
}

/**
 * One-element buffers are views into shared slabs. A `Float64Array(1)` of its own costs an
 * ArrayBuffer besides the view — about 210 bytes and 3× the time to make and collect as a view
 * (measured) — and a scalar graph makes several per node. A slab is small, so a scalar that
 * outlives its neighbours keeps at most a few KB alive; cells are never reused, so a cell
 * belongs to one typed array for its whole life.
 */
const SLAB_CELLS = 512;
/** Stand-ins that give `Tensor.scalar`'s tensors their dtype and size before `_data` is cleared. */
const PLACEHOLDER64 = new Float64Array(1);
const PLACEHOLDER32 = new Float32Array(1);
const SLABS = new WeakSet<ArrayBufferLike>();
let slab64: ArrayBuffer | null = null;
let next64 = SLAB_CELLS;
let slab32: ArrayBuffer | null = null;
let next32 = SLAB_CELLS;

function newSlab(bytes: number): ArrayBuffer {
  const b = new ArrayBuffer(bytes);
  SLABS.add(b);
  return b;
}

/** A fresh zeroed one-element array of `dtype`, a view into the current slab. */
function scalarCell(dtype: DType): TypedArray {
  if (dtype === 'float32') {
    if (next32 === SLAB_CELLS) {
      slab32 = newSlab(4 * SLAB_CELLS);
      next32 = 0;
    }
    return new Float32Array(slab32 as ArrayBuffer, 4 * next32++, 1);
  }
  if (next64 === SLAB_CELLS) {
    slab64 = newSlab(8 * SLAB_CELLS);
    next64 = 0;
  }
  return new Float64Array(slab64 as ArrayBuffer, 8 * next64++, 1);
}

/** Creation options shared by the creation functions. */
export interface TensorOptions {
  dtype?: DType;
}

function inferShape(value: unknown, path: string, shape: number[], depth: number, seen = { leaf: false }): void {
  if (Array.isArray(value)) {
    if (depth === shape.length) {
      // Once a number has fixed the depth of the leaves, no array may add an axis: without
      // this check [1, [2]] was read as shape (2, 1).
      if (seen.leaf) {
        throw new ValueError('fromArray', `ragged nested array: ${path} is an array, expected a number`);
      }
      shape.push(value.length);
    } else if (shape[depth] !== value.length) {
      throw new ValueError(
        'fromArray',
        `ragged nested array: ${path} has ${value.length} elements, expected ${shape[depth]}`,
      );
    }
    for (let i = 0; i < value.length; i++) inferShape(value[i], `${path}[${i}]`, shape, depth + 1, seen);
    if (value.length === 0 && depth + 1 < shape.length) {
      throw new ValueError(
        'fromArray',
        `ragged nested array: ${path} is empty, expected depth ${shape.length - depth}`,
      );
    }
  } else {
    if (depth !== shape.length) {
      throw new ValueError(
        'fromArray',
        `ragged nested array: ${path} is a number, expected an array of depth ${shape.length - depth}`,
      );
    }
    if (typeof value !== 'number') {
      throw new ValueError('fromArray', `${path} is ${value === null ? 'null' : typeof value}, expected a number`);
    }
    seen.leaf = true;
  }
}

function fill(value: NestedArray, out: TypedArray, pos: { i: number }): void {
  if (Array.isArray(value)) for (const v of value) fill(v, out, pos);
  else out[pos.i++] = value;
}

/**
 * A tensor from a number, nested arrays, or a typed array with a shape.
 * Ragged input is a `ValueError` that names the offending path, e.g. `x[1][2]`.
 */
export function fromArray(
  value: NestedArray | TypedArray | Tensor,
  options: TensorOptions & { shape?: Shape } = {},
): Tensor {
  if (value instanceof Tensor) return value.astype(options.dtype ?? value.dtype);
  if (value instanceof Float32Array || value instanceof Float64Array) {
    const dtype = checkDType('fromArray', options.dtype ?? dtypeOfArray('fromArray', value));
    const shape = options.shape ?? [value.length];
    const data = dtype === dtypeOfArray('fromArray', value) ? value : allocate(dtype, value.length);
    if (data !== value) data.set(value);
    return new Tensor(data, shape);
  }
  if (ArrayBuffer.isView(value))
    throw new ValueError('fromArray', 'only Float32Array and Float64Array buffers are accepted');
  const dtype = checkDType('fromArray', options.dtype ?? 'float64');
  const shape: number[] = [];
  if (value === undefined || (typeof value !== 'number' && !Array.isArray(value))) {
    throw new ValueError(
      'fromArray',
      `expected a number, nested arrays or a typed array, got ${value === null ? 'null' : typeof value}`,
    );
  }
  inferShape(value, 'x', shape, 0);
  const out = allocate(dtype, sizeOf(shape));
  fill(value, out, { i: 0 });
  if (options.shape) return new Tensor(out, options.shape);
  return new Tensor(out, shape);
}

/** Shorthand for `fromArray`. */
export const tensor = fromArray;

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  const s = checkShape('full', shape);
  const data = allocate(checkDType('full', options.dtype ?? 'float64'), sizeOf(s));
  if (value !== 0) data.fill(value);
  return new Tensor(data, s);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros (or ones, or a value) with the shape and dtype of `t`. */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype });
}
/** Ones with the shape and dtype of `t`. */
export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype });
}

/** numpy's `arange(start, stop, step)`; `arange(n)` counts 0…n-1. */
export function arange(start: number, stop?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step) || step === 0) {
    throw new ValueError(
      'arange',
      `start, stop and step must be finite and step non-zero, got ${start}, ${stop}, ${step}`,
    );
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(checkDType('arange', options.dtype ?? 'float64'), n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** `num` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, num = 50, options: TensorOptions = {}): Tensor {
  if (!Number.isSafeInteger(num) || num < 0)
    throw new ValueError('linspace', `num must be a non-negative integer, got ${num}`);
  const data = allocate(checkDType('linspace', options.dtype ?? 'float64'), num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) data[i] = start + i * step;
  if (num > 1) data[num - 1] = stop;
  return new Tensor(data, [num]);
}

/** The `n × m` identity (ones on the diagonal). */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  const t = zeros(checkShape('eye', [n, m]), options);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/**
 * The `Tensor` class: a dtype, a shape and a contiguous buffer, with the storage tricks that
 * keep scalar graphs cheap (0-d tensors without a buffer, one-element buffers cut from shared
 * slabs) and the bookkeeping of buffers given back to the pool. The functions that make
 * tensors (`fromArray`, `zeros`, `arange` …) are in create.ts.
 */
import { fmtShape, GraphError, ShapeError, ValueError } from '../errors.js';
import { inPlaceWrites } from '../state.js';
import { allocate, checkDType, convertInto, type DType, dtypeOfArray, isFloat, type TypedArray } from './dtype.js';
import { formatValues } from './format.js';
import { isSlabCell, PLACEHOLDER64, PLACEHOLDERS, roundTo, scalarCell } from './scalar-cells.js';
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
  /** How many in-place writes this tensor has had (see `version`). @internal */
  _version = 0;

  /** Wraps `data` (not copied) as a tensor of `shape`. Prefer the creation functions. */
  constructor(data: TypedArray, shape: Shape, trusted?: typeof TRUSTED) {
    if (trusted === TRUSTED) {
      // Kernels computed the shape themselves: skip validation (it dominated scalar graphs),
      // but build the object the same way so every Tensor shares one hidden class.
      this.dtype =
        data instanceof Float64Array
          ? 'float64'
          : data instanceof Float32Array
            ? 'float32'
            : dtypeOfArray('Tensor', data);
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

  /**
   * How many times the values were written in place (optimizer steps, loading a checkpoint,
   * `markModified` …). Backward refuses to use values that changed since their node ran.
   */
  get version(): number {
    return this._version;
  }

  /** Declares an in-place write through `data` (zerograd's own writers call it; so should you). */
  markModified(): this {
    this._version++;
    inPlaceWrites.count++;
    return this;
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
   * Wraps `data` as `shape` without validation (the dtype is the buffer's): for kernels and
   * ops that computed a valid, frozen shape themselves. The per-op bookkeeping of scalar
   * graphs is dominated by checks otherwise. Not for user input.
   * @internal
   */
  static unchecked(data: TypedArray, shape: readonly number[]): Tensor {
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
    const t = new Tensor(dtype === 'float64' ? PLACEHOLDER64 : PLACEHOLDERS[dtype], SCALAR_SHAPE, TRUSTED);
    t._data = null;
    t._scalar = dtype === 'float64' ? value : roundTo(dtype, value); // float64 first: scalar graphs
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
    else t._scalar = roundTo(t.dtype, value);
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
    return isSlabCell(d) ? d : d.buffer;
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
    // An empty tensor can still have a huge shape ([1e6, 1e6, 0], [2 ** 40, 0, 5]): refuse to
    // build its lists. Every depth counts (n0, n0·n1, …): a zero stops only the deeper ones.
    let lists = 0;
    for (let d = 0, level = 1; d < this.shape.length - 1; d++) lists = Math.max(lists, (level *= this.shape[d]));
    if (lists > Math.max(this.size, 1 << 20)) {
      throw new ValueError(
        'toArray',
        `a tensor of shape ${fmtShape(this.shape)} would become ${lists} nested arrays holding ${this.size} values`,
      );
    }
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
    if (this._data === null && isFloat(dtype) && isFloat(this.dtype)) return Tensor.scalar(this._scalar, dtype);
    const out = allocate(dtype, this.size);
    convertInto('astype', this.data, out);
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

  /** `Tensor([[1, 2], [3, 4]], shape=(2, 2), dtype=float64)`, summarised like numpy when large. */
  toString(): string {
    return `Tensor(${this.valuesString('Tensor('.length)}, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
  }

  /** For `console.log` in Node: the same text as `toString`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /**
   * The values as nested brackets, aligned, with `...` in place of the middle of each axis above
   * `printOptions.threshold` elements (numpy's summary); `indent` is the column of the first `[`.
   */
  valuesString(indent = 0): string {
    const d = this._data;
    if (d === null && RELEASED.has(this)) return '<released>';
    return formatValues(d ?? (() => this._scalar), this.shape, indent);
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

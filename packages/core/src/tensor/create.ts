/**
 * The functions that make tensors: from nested arrays or typed arrays (`fromArray`), filled
 * (`zeros`, `ones`, `full`), and ranges (`arange`, `linspace`, `eye`). Random tensors are in
 * random.ts.
 */
import { ValueError } from '../errors.js';
import { allocate, checkDType, convertInto, type DType, dtypeOfArray, isFloat, type TypedArray } from './dtype.js';
import { checkShape, describeValue, type Shape, sizeOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

/** Creation options shared by the creation functions. */
export interface TensorOptions {
  dtype?: DType;
}

/** Nested arrays of booleans: a mask, made into a bool tensor by `fromArray`. */
export type NestedBooleans = boolean | NestedBooleans[];

/** The most axes a tensor may have (numpy's limit). */
export const MAX_NDIM = 64;

/**
 * Reads the shape of nested arrays into `shape`, one depth at a time; ragged input is a
 * `ValueError` naming the path of the first offence (`x[1][2]`).
 */
function inferShape(
  value: unknown,
  path: string,
  shape: number[],
  depth: number,
  seen = { leaf: false, bools: false, numbers: false },
): void {
  if (Array.isArray(value)) {
    if (depth >= MAX_NDIM) {
      // Deeper nesting (or an array that contains itself) would overflow the stack.
      throw new ValueError('fromArray', `nested arrays deeper than ${MAX_NDIM} levels at ${path.slice(0, 40)}…`);
    }
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
    if (typeof value === 'boolean') seen.bools = true;
    else if (typeof value === 'number') seen.numbers = true;
    else throw new ValueError('fromArray', `${path} is ${value === null ? 'null' : typeof value}, expected a number`);
    seen.leaf = true;
  }
}

/** Copies the numbers of nested arrays into `out` in row-major order. */
function fill(value: NestedArray | boolean, out: TypedArray, pos: { i: number }): void {
  if (Array.isArray(value)) for (const v of value) fill(v, out, pos);
  else out[pos.i++] = value === true ? 1 : value === false ? 0 : value;
}

/**
 * A tensor from a number, nested arrays, or a typed array with a shape.
 * Ragged input is a `ValueError` that names the offending path, e.g. `x[1][2]`.
 */
export function fromArray(
  value: NestedArray | NestedBooleans | TypedArray | Tensor,
  options: TensorOptions & { shape?: Shape } = {},
): Tensor {
  if (value instanceof Tensor) return value.astype(options.dtype ?? value.dtype);
  if (
    value instanceof Float32Array ||
    value instanceof Float64Array ||
    value instanceof Int32Array ||
    (value instanceof Uint8Array && options.dtype === 'bool')
  ) {
    const own = dtypeOfArray('fromArray', value);
    const dtype = checkDType('fromArray', options.dtype ?? own);
    const shape = options.shape ?? [value.length];
    const data = dtype === own ? value : allocate(dtype, value.length);
    if (data !== value) convertInto('fromArray', value, data);
    return new Tensor(data, shape);
  }
  if (ArrayBuffer.isView(value)) {
    throw new ValueError(
      'fromArray',
      'only Float32Array, Float64Array and Int32Array buffers are accepted (a Uint8Array with { dtype: "bool" })',
    );
  }
  const shape: number[] = [];
  if (value === undefined || (typeof value !== 'number' && typeof value !== 'boolean' && !Array.isArray(value))) {
    throw new ValueError(
      'fromArray',
      `expected a number, nested arrays or a typed array, got ${value === null ? 'null' : typeof value}`,
    );
  }
  const seen = { leaf: false, bools: false, numbers: false };
  inferShape(value, 'x', shape, 0, seen);
  // Nested booleans make a bool tensor (numpy's rule); numbers make float64 unless told.
  const dtype = checkDType('fromArray', options.dtype ?? (seen.bools && !seen.numbers ? 'bool' : 'float64'));
  const out = allocate(dtype, sizeOf(shape));
  if (isFloat(dtype)) fill(value as NestedArray, out, { i: 0 });
  else {
    const values = new Float64Array(out.length);
    fill(value as NestedArray, values, { i: 0 });
    convertInto('fromArray', values, out);
  }
  if (options.shape) return new Tensor(out, options.shape);
  return new Tensor(out, shape);
}

/** Shorthand for `fromArray`. */
export const tensor = fromArray;

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  const s = checkShape('full', shape);
  if (typeof value !== 'number')
    throw new ValueError('full', `the fill value must be a number, got ${describeValue(value)}`);
  const data = allocate(checkDType('full', options.dtype ?? 'float64'), sizeOf(s));
  if (!Object.is(value, 0)) data.fill(value); // a fresh buffer holds +0 already, not −0
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

/** Zeros with the shape and dtype of `t`. */
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

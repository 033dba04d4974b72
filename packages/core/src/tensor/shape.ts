import { fmtShape, ShapeError, ValueError } from '../errors.js';

/** A tensor shape: non-negative integer sizes, outermost first. `[]` is a scalar. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major (C order) strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Throws unless `shape` is an array of non-negative safe integers. Returns a frozen copy. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape))
    throw new ShapeError(op, `shape must be an array of integers, got ${describeValue(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(op, `invalid shape [${shape.join(', ')}]: sizes must be non-negative integers`);
    }
  }
  return shape.slice();
}

/** True when two shapes have the same sizes. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** numpy broadcasting: align from the right; sizes must match or one of them be 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      const o = out[off + i];
      if (o === d || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else {
        throw new ShapeError(op, `shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together`);
      }
    }
  }
  return out;
}

/** True when `from` broadcasts to exactly `to`. */
export function canBroadcastTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) if (from[i] !== 1 && from[i] !== to[off + i]) return false;
  return true;
}

/**
 * Normalises an axis argument against a rank: negative axes count from the end, duplicates and
 * out-of-range axes are errors. `undefined`/`null` means every axis. Returns sorted axes.
 */
export function normalizeAxes(op: string, axis: number | readonly number[] | null | undefined, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  // Anything but a number or an array is refused: Array.from({}) would silently mean "no axes".
  if (typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new ValueError(op, `axis must be an integer or an array of integers, got ${typeof axis}`);
  }
  const list = typeof axis === 'number' ? [axis] : Array.from(axis);
  const seen = new Set<number>();
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a))
      throw new ValueError(op, `axis must be an integer, got ${String(a)}`);
    if (a < -rank || a >= rank) throw new ShapeError(op, `axis ${a} is out of range for a tensor of rank ${rank}`);
    const n = a < 0 ? a + rank : a;
    if (seen.has(n)) throw new ValueError(op, `axis ${a} is repeated`);
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}

/** Normalises a full permutation of `rank` axes (default: reversed). */
export function normalizePermutation(op: string, axes: readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (!Array.isArray(axes)) {
    throw new ShapeError(op, `axes must be an array of ${rank} integers (a permutation), got ${describeValue(axes)}`);
  }
  if (axes.length !== rank) {
    throw new ShapeError(op, `axes [${axes.join(', ')}] must list all ${rank} axes of the tensor once`);
  }
  const norm = axes.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank)
      throw new ShapeError(op, `axis ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
  if (new Set(norm).size !== rank) throw new ShapeError(op, `axes [${axes.join(', ')}] are not a permutation`);
  return norm;
}

/** Shape after reducing `axes`, with or without the reduced axes kept as size 1. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdims) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}

/** Resolves one `-1` in a reshape target against the element count. */
export function resolveReshape(op: string, from: Shape, to: readonly number[]): number[] {
  const size = sizeOf(from);
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < to.length; i++) {
    const d = to[i];
    if (d === -1) {
      if (unknown >= 0) throw new ShapeError(op, `only one dimension can be -1, got [${to.join(', ')}]`);
      unknown = i;
    } else if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(op, `invalid target shape [${to.join(', ')}]`);
    } else known *= d;
  }
  const out = to.slice();
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(op, `cannot reshape ${fmtShape(from)} (size ${size}) into [${to.join(', ')}]`);
    }
    out[unknown] = size / known;
  }
  if (sizeOf(out) !== size)
    throw new ShapeError(op, `cannot reshape ${fmtShape(from)} (size ${size}) into ${fmtShape(out)}`);
  return out;
}

/** A value as an error message shows it: strings quoted, arrays and objects by kind. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object (${Object.getPrototypeOf(v)?.constructor?.name ?? 'null prototype'})`;
  return String(v);
}

/**
 * Storage for 0-d tensors: one-element buffers cut from shared slabs, the placeholders that give
 * bufferless scalars their dtype, and the rounding a one-element array of each dtype applies.
 */
import type { DType, TypedArray } from './dtype.js';

/**
 * One-element buffers are views into shared slabs. A `Float64Array(1)` of its own costs an
 * ArrayBuffer besides the view — about 210 bytes and 3× the time to make and collect as a view
 * (measured) — and a scalar graph makes several per node. A slab is small, so a scalar that
 * outlives its neighbours keeps at most a few KB alive; cells are never reused, so a cell
 * belongs to one typed array for its whole life.
 */
const SLAB_CELLS = 512;
/** Stand-ins that give `Tensor.scalar`'s tensors their dtype and size before `_data` is cleared. */
export const PLACEHOLDER64 = new Float64Array(1);
export const PLACEHOLDERS: Record<DType, TypedArray> = {
  float64: PLACEHOLDER64,
  float32: new Float32Array(1),
  int32: new Int32Array(1),
  bool: new Uint8Array(1),
};

/** `value` as a one-element array of `dtype` would store it. */
export function roundTo(dtype: DType, value: number): number {
  return dtype === 'float64'
    ? value
    : dtype === 'float32'
      ? Math.fround(value)
      : dtype === 'int32'
        ? value | 0
        : value !== 0
          ? 1
          : 0;
}
const SLABS = new WeakSet<ArrayBufferLike>();

/** Whether `d` is a one-element view into a slab (it shares its buffer with unrelated scalars). */
export function isSlabCell(d: TypedArray): boolean {
  return d.length === 1 && SLABS.has(d.buffer);
}
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
export function scalarCell(dtype: DType): TypedArray {
  if (dtype === 'int32') return new Int32Array(1);
  if (dtype === 'bool') return new Uint8Array(1);
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

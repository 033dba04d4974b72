/**
 * Recycled tensor buffers. A training iteration allocates the same buffers every time (the
 * forward values of the same graph); each allocation of a large typed array costs zeroing
 * fresh memory, and the garbage they become drives V8's mark-compact collections (external
 * memory). Buffers whose owner proves they are dead — only `releaseGraph`
 * (src/graph/release.ts) does — come back here and `allocate` hands them out again, zeroed.
 *
 * Only whole buffers of at least `POOL_MIN_ELEMENTS` elements are kept (small ones are cheap
 * to allocate, and views or slab cells share memory with other tensors), at most
 * `POOL_MAX_PER_SIZE` per dtype and length and `POOL_MAX_BYTES` in all, so a pool never holds
 * more than one iteration's worth of large buffers for long.
 */
import type { DType, TypedArray } from './dtype.js';

/** Smallest buffer worth recycling, in elements. */
export const POOL_MIN_ELEMENTS = 1024;
/** Most buffers kept per dtype and length. */
export const POOL_MAX_PER_SIZE = 32;
/** Most bytes kept in all. */
export const POOL_MAX_BYTES = 64 * 2 ** 20;

const lists: Record<DType, Map<number, TypedArray[]>> = { float32: new Map(), float64: new Map() };
let bytes = 0;
let given = 0;
let taken = 0;

/** A recycled zero-filled buffer of `size` elements, or null when the pool has none. */
export function takeBuffer(dtype: DType, size: number): TypedArray | null {
  if (bytes === 0) return null;
  const list = lists[dtype].get(size);
  const buffer = list?.pop();
  if (!buffer) return null;
  bytes -= buffer.byteLength;
  taken++;
  buffer.fill(0);
  return buffer;
}

/**
 * Gives `buffer` to the pool. The caller guarantees nothing reads or writes it any more.
 * Returns false (and keeps nothing) for views, small buffers, or a full pool.
 */
export function giveBuffer(buffer: TypedArray): boolean {
  const n = buffer.length;
  if (n < POOL_MIN_ELEMENTS || buffer.byteOffset !== 0 || buffer.byteLength !== buffer.buffer.byteLength) return false;
  if (typeof SharedArrayBuffer === 'function' && buffer.buffer instanceof SharedArrayBuffer) return false;
  if (bytes + buffer.byteLength > POOL_MAX_BYTES) return false;
  const map = lists[buffer instanceof Float64Array ? 'float64' : 'float32'];
  let list = map.get(n);
  if (!list) {
    list = [];
    map.set(n, list);
  }
  if (list.length >= POOL_MAX_PER_SIZE) return false;
  list.push(buffer);
  bytes += buffer.byteLength;
  given++;
  return true;
}

/** What the pool holds now, and how many buffers went in and out so far. */
export function bufferPoolStats(): { bytes: number; buffers: number; given: number; taken: number } {
  let buffers = 0;
  for (const map of Object.values(lists)) for (const list of map.values()) buffers += list.length;
  return { bytes, buffers, given, taken };
}

/** Empties the pool (its buffers become ordinary garbage). */
export function clearBufferPool(): void {
  for (const map of Object.values(lists)) map.clear();
  bytes = 0;
}

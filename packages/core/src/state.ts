/**
 * The engine's mutable module-level state, in one place, so a reader can see all of it at once:
 *
 * - `modes`: whether ops record a graph, whether outputs are checked for NaN/Infinity, the
 *   scope path that new nodes are tagged with, and which op's backward is running. User code
 *   changes them through the scoped functions of `graph/mode.ts` (`noGrad`, `detectAnomaly`,
 *   `scope` …); the backward engine (`graph/backward.ts`) sets `gradEnabled` and `backwardOf`
 *   for the length of a pass. Both restore them in `finally`.
 * - `nodeCounter`: the creation number each new op node takes as its `id`.
 * - `inPlaceWrites`: how many in-place writes there have been, so backward can skip its
 *   checks when there were none since a node was made.
 * - `detachedStorage`: the buffers `detach()` handed out, which `releaseGraph` must not recycle.
 * - `bufferPool`: large tensor buffers given back by `releaseGraph` for `allocate` to reuse,
 *   with the counts `bufferPoolStats()` reports.
 *
 * Elsewhere, and not the engine's: the kernel backend `setBackend` chooses (and its worker
 * threads) in `backend/select.ts`, with the relaxed-SIMD flag in `backend/relaxed-simd.ts`;
 * `printOptions` (tensor/format.ts); the global `Random` behind `seed()` (tensor/random.ts);
 * the packing buffers the TypeScript gemm reuses (kernels/matmul.ts); and the slabs that
 * one-element buffers are cut from (tensor/scalar-cells.ts).
 *
 * This module imports nothing, so every floor of the house may read it.
 */

/** The graph's scoped modes. */
export interface Modes {
  /** Ops record a graph (default true; off inside `noGrad`). */
  gradEnabled: boolean;
  /** Every op's output is checked for NaN/±Infinity (inside `detectAnomaly`). */
  anomaly: boolean;
  /** The scope path new variables are tagged with (layers set it; viz draws it as boxes). */
  scope: readonly string[];
  /** Name of the op whose backward is running, for anomaly messages; null outside backward. */
  backwardOf: string | null;
}

/** The live modes. */
export const modes: Modes = { gradEnabled: true, anomaly: false, scope: Object.freeze([]), backwardOf: null };

/**
 * How many op nodes have been made. Each `OpNode` takes the next number as its `id`, so ids
 * follow creation order (PyTorch's sequence number); backward runs nodes newest first.
 */
export const nodeCounter = { made: 0 };

/**
 * How many in-place writes `Tensor.markModified` has counted, over all tensors. A node remembers
 * the count when it was made; backward compares tensor versions only for nodes made before the
 * latest write (in a training loop the graph is rebuilt after each optimizer step, so almost
 * never).
 */
export const inPlaceWrites = { count: 0 };

/**
 * The storage (see `Tensor.storageKey`) of every tensor that `detach()` handed out as a new leaf:
 * such a value has escaped the graph, so `releaseGraph` must not recycle its buffer.
 */
export const detachedStorage = new WeakSet<object>();

/** The buffers a pool keeps: a tensor's storage. */
type Buffer = Float32Array | Float64Array;

/**
 * Recycled tensor buffers. A training iteration allocates the same buffers every time (the
 * forward values of the same graph); each allocation of a large typed array costs zeroing
 * fresh memory, and the garbage they become drives V8's mark-compact collections. Buffers
 * whose owner proves they are dead — only `releaseGraph` does — come back here and
 * `allocate` hands them out again, zeroed. Measured (core README, "Reusing buffers between
 * steps"): about 2% per training step and 12% fewer mark-compact collections.
 *
 * Only whole buffers of at least `minElements` are kept (small ones are cheap to allocate,
 * and views share memory with other tensors), at most `maxPerSize` per dtype and length and
 * `maxBytes` in all, so the pool never holds more than one iteration's large buffers.
 */
export const bufferPool = {
  /** Smallest buffer worth recycling, in elements. */
  minElements: 1024,
  /** Most buffers kept per dtype and length. */
  maxPerSize: 32,
  /** Most bytes kept in all. */
  maxBytes: 64 * 2 ** 20,
  /** Free buffers by dtype, then by length. */
  lists: { float32: new Map<number, Buffer[]>(), float64: new Map<number, Buffer[]>() },
  /** Bytes held now. */
  bytes: 0,
  /** Buffers given to the pool so far. */
  given: 0,
  /** Buffers handed out again so far. */
  taken: 0,
};

/** A recycled zero-filled buffer of `size` elements of `dtype`, or null when the pool has none. */
export function takeBuffer(dtype: 'float32' | 'float64', size: number): Buffer | null {
  if (bufferPool.bytes === 0 || size < bufferPool.minElements) return null;
  const buffer = bufferPool.lists[dtype].get(size)?.pop();
  if (!buffer) return null;
  bufferPool.bytes -= buffer.byteLength;
  bufferPool.taken++;
  buffer.fill(0);
  return buffer;
}

/**
 * Gives `buffer` to the pool; the caller guarantees nothing reads or writes it any more.
 * Returns false (and keeps nothing) for views, small buffers, shared memory or a full pool.
 */
export function giveBuffer(buffer: Buffer): boolean {
  const n = buffer.length;
  if (n < bufferPool.minElements || buffer.byteOffset !== 0 || buffer.byteLength !== buffer.buffer.byteLength)
    return false;
  if (typeof SharedArrayBuffer === 'function' && buffer.buffer instanceof SharedArrayBuffer) return false;
  if (bufferPool.bytes + buffer.byteLength > bufferPool.maxBytes) return false;
  const map = bufferPool.lists[buffer instanceof Float64Array ? 'float64' : 'float32'];
  let list = map.get(n);
  if (!list) {
    list = [];
    map.set(n, list);
  }
  if (list.length >= bufferPool.maxPerSize) return false;
  list.push(buffer);
  bufferPool.bytes += buffer.byteLength;
  bufferPool.given++;
  return true;
}

/** What the buffer pool holds now, and how many buffers went in and out so far. */
export function bufferPoolStats(): { bytes: number; buffers: number; given: number; taken: number } {
  let buffers = 0;
  for (const map of Object.values(bufferPool.lists)) for (const list of map.values()) buffers += list.length;
  return { bytes: bufferPool.bytes, buffers, given: bufferPool.given, taken: bufferPool.taken };
}

/** Empties the buffer pool (its buffers become ordinary garbage). */
export function clearBufferPool(): void {
  for (const map of Object.values(bufferPool.lists)) map.clear();
  bufferPool.bytes = 0;
}

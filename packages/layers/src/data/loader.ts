import { fmtShape, Random, ShapeError, Tensor, ValueError } from '@zerograd/core';
import { allocate, sizeOf } from '@zerograd/core/internals';
import type { Dataset } from './dataset.js';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Examples per batch (a positive integer). The last batch may be smaller unless `dropLast`. */
  batchSize: number;
  /** Visit the examples in a new random order every epoch (default false: in order). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0). The same seed gives the same sequence of epochs. */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize` (default false: keep it). */
  dropLast?: boolean;
}

/**
 * Splits a dataset into mini-batches `{ x, t }`, the book's `batch_mask` loop done properly:
 * each epoch visits every example exactly once (shuffling draws a permutation, without
 * replacement, not `np.random.choice` with it), and the last partial batch is kept, so an
 * evaluation over the loader counts every example.
 *
 * Iterating the loader runs one epoch; iterating again runs the next, with a new order when
 * `shuffle` is on. Orders come from a generator seeded once in the constructor, so two loaders
 * with the same seed yield the same batches epoch after epoch. Each batch is a pair of new
 * contiguous tensors (rows are copied, never shared with the dataset).
 *
 * @example
 * const loader = new DataLoader(train, { batchSize: 100, shuffle: true, seed: 1 });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const { x, t } of loader) step(x, t);
 * }
 */
export class DataLoader implements Iterable<Dataset> {
  /** The dataset the batches are cut from. */
  readonly dataset: Dataset;
  /** Examples per full batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the examples in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than `batchSize` is skipped. */
  readonly dropLast: boolean;
  /** Number of examples in the dataset. */
  readonly size: number;
  private readonly random: Random;
  private epochsStarted = 0;

  constructor(dataset: Dataset, options: DataLoaderOptions) {
    if (
      dataset === null ||
      typeof dataset !== 'object' ||
      !(dataset.x instanceof Tensor) ||
      !(dataset.t instanceof Tensor)
    ) {
      throw new ValueError('DataLoader', 'dataset must be an object { x: Tensor, t: Tensor }');
    }
    if (options === null || typeof options !== 'object') {
      throw new ValueError('DataLoader', 'options must be an object with at least { batchSize }');
    }
    const { x, t } = dataset;
    if (x.ndim === 0 || t.ndim === 0) {
      throw new ShapeError(
        'DataLoader',
        `x and t need a leading example axis, got x ${fmtShape(x.shape)} and t ${fmtShape(t.shape)}`,
      );
    }
    if (x.shape[0] !== t.shape[0]) {
      throw new ShapeError(
        'DataLoader',
        `x and t must hold the same number of examples, got x ${fmtShape(x.shape)} and t ${fmtShape(t.shape)}`,
      );
    }
    const { batchSize, shuffle = false, seed = 0, dropLast = false } = options;
    if (typeof batchSize !== 'number' || !Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new ValueError('DataLoader', `batchSize must be a positive integer, got ${String(batchSize)}`);
    }
    if (typeof shuffle !== 'boolean')
      throw new ValueError('DataLoader', `shuffle must be a boolean, got ${String(shuffle)}`);
    if (typeof dropLast !== 'boolean')
      throw new ValueError('DataLoader', `dropLast must be a boolean, got ${String(dropLast)}`);
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new ValueError('DataLoader', `seed must be a finite number, got ${String(seed)}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.size = x.shape[0];
    this.random = new Random(seed);
  }

  /** Batches per epoch: `ceil(N / batchSize)`, or `floor` with `dropLast`. */
  get length(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  /** Epochs begun so far (each iteration of the loader begins one). */
  get epoch(): number {
    return this.epochsStarted;
  }

  /**
   * One epoch of batches. The order is drawn when iteration begins, so breaking out early and
   * iterating again starts the next epoch.
   */
  *[Symbol.iterator](): Iterator<Dataset> {
    this.epochsStarted++;
    const order = this.shuffle ? this.random.permutation(this.size) : null;
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, this.size);
      yield order
        ? { x: takeRows(this.dataset.x, order, start, end), t: takeRows(this.dataset.t, order, start, end) }
        : { x: sliceRows(this.dataset.x, start, end), t: sliceRows(this.dataset.t, start, end) };
    }
  }
}

/** Rows `start…end-1` of `src` as a new tensor (one block copy). */
function sliceRows(src: Tensor, start: number, end: number): Tensor {
  const row = rowSize(src);
  const out = allocate(src.dtype, (end - start) * row);
  out.set(src.data.subarray(start * row, end * row));
  return new Tensor(out, [end - start, ...src.shape.slice(1)]);
}

/** Rows `order[start…end-1]` of `src` as a new tensor (one block copy per row). */
function takeRows(src: Tensor, order: readonly number[], start: number, end: number): Tensor {
  const row = rowSize(src);
  const out = allocate(src.dtype, (end - start) * row);
  const data = src.data;
  if (row === 1) {
    for (let k = start; k < end; k++) out[k - start] = data[order[k]];
  } else {
    for (let k = start; k < end; k++) {
      const i = order[k] * row;
      out.set(data.subarray(i, i + row), (k - start) * row);
    }
  }
  return new Tensor(out, [end - start, ...src.shape.slice(1)]);
}

function rowSize(t: Tensor): number {
  return sizeOf(t.shape.slice(1));
}

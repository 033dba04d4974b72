import { type DType, fmtShape, getItem, parameter, type Random, ValueError, type Variable } from '@zerograd/core';
import { type InitSpec, resolveInit, resolveRandom } from '../init.js';
import { Layer } from './layer.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /** Initialisation of the table (default 1: normal with standard deviation 1, PyTorch's). */
  init?: InitSpec;
  /** Generator for the table (default: a new one from `seed`, else core's global generator). */
  random?: Random;
  /** Seed of a private generator, when `random` is not given. */
  seed?: number;
  /** dtype of the table (default `'float64'`). */
  dtype?: DType;
}

/**
 * A lookup table: `forward(indices)` returns row `i` of `weight` (`[numEmbeddings,
 * embeddingDim]`) for every integer `i` in `indices`, so indices of shape `[N, T]` give
 * `[N, T, embeddingDim]`. It is one `GetItem` node (core's `getItem(weight, indices)`); its
 * backward scatters the gradient back into the rows that were read, adding where a row was read
 * more than once. The indices are data, not a differentiable input.
 *
 * @example
 * const emb = new Embedding(1000, 16, { seed: 0 });
 * emb.forward(tensor([[1, 5, 5]])).shape; // [1, 3, 16]
 */
export class Embedding extends Layer {
  readonly type = 'Embedding';
  /** The table, `[numEmbeddings, embeddingDim]`. */
  readonly weight: Variable;
  /** Rows in the table (indices run over `[0, numEmbeddings)`). */
  readonly numEmbeddings: number;
  /** Length of each row. */
  readonly embeddingDim: number;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [k, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new ValueError('Embedding', `${k} must be a positive integer, got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const ctx = { random: resolveRandom(options.random, options.seed), dtype: options.dtype ?? 'float64' };
    this.weight = this.registerParameter(
      'weight',
      parameter(resolveInit(options.init ?? 1)([numEmbeddings, embeddingDim], ctx)),
    );
  }

  protected call(indices: Variable): Variable {
    // A boolean mask would select rather than look up: refuse it rather than guess.
    if (String(indices.dtype) === 'bool') {
      throw new ValueError('Embedding', 'indices must be integers, got a boolean mask');
    }
    const d = indices.data.data;
    for (let i = 0; i < d.length; i++) {
      const k = d[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.numEmbeddings) {
        throw new ValueError(
          'Embedding',
          `index ${k} at flat position ${i} of indices ${fmtShape(indices.shape)} is not a row of the table [0, ${this.numEmbeddings})`,
        );
      }
    }
    return getItem(this.weight, indices.data);
  }
}

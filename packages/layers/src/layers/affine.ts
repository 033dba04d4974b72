import { add, type DType, flatten, matmul, parameter, type Random, ValueError, type Variable } from '@zerograd/core';
import { affine } from '../functional/affine.js';
import { type InitSpec, resolveInit, resolveRandom, zerosInit } from '../init.js';
import { Layer } from './layer.js';

/** Options of {@link Affine}. */
export interface AffineOptions {
  /** Weight initialisation (default 0.01, the book's fixed standard deviation); see `InitSpec`. */
  init?: InitSpec;
  /** Generator for the weights (default: a new one from `seed`, else core's global generator). */
  random?: Random;
  /** Seed of a private generator, when `random` is not given. */
  seed?: number;
  /** dtype of the parameters (default `'float64'`; `'float32'` trains faster). */
  dtype?: DType;
  /** Whether to learn a bias `b` (default true). */
  bias?: boolean;
  /**
   * Compute `x·W + b` as one fused `Affine` node (one kernel pass) instead of the book's
   * `MatMul` and `Add` nodes (default false, so drawings show the book's graph). Values and
   * gradients are the same.
   */
  fused?: boolean;
  /**
   * Apply ReLU inside the layer, fused with the product and the bias (implies `fused`):
   * `new Affine(784, 50, { activation: 'relu' })` replaces `Affine(784, 50)` then `ReLU()`.
   */
  activation?: 'relu' | null;
}

/**
 * The fully connected layer `y = x·W + b`, with `W` of shape `[inFeatures, outFeatures]` and
 * `b` of shape `[outFeatures]`. Like the book's Affine, an input of rank > 2 (images
 * `[N, C, H, W]`) is flattened to `[N, C·H·W]` first; its gradient comes back in the input's
 * shape through the Reshape node. Backward (from the graph) is the book's
 * `dx = dy·Wᵀ`, `dW = xᵀ·dy`, `db = Σₙ dy`.
 */
export class Affine extends Layer {
  readonly type = 'Affine';
  /** The weights, `[inFeatures, outFeatures]`. */
  readonly W: Variable;
  /** The bias, `[outFeatures]`, or null without one. */
  readonly b: Variable | null;
  /** Features per input example. */
  readonly inFeatures: number;
  /** Features per output example. */
  readonly outFeatures: number;
  /** Whether forward makes one fused `Affine` node. */
  readonly fused: boolean;
  /** The activation fused into the layer, if any. */
  readonly activation: 'relu' | null;

  constructor(inFeatures: number, outFeatures: number, options: AffineOptions = {}) {
    super();
    for (const [k, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new ValueError('Affine', `${k} must be a positive integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const activation = options.activation ?? null;
    if (activation !== null && activation !== 'relu') {
      throw new ValueError('Affine', `activation must be 'relu' or null, got ${JSON.stringify(activation)}`);
    }
    this.activation = activation;
    this.fused = options.fused === true || activation !== null;
    const ctx = { random: resolveRandom(options.random, options.seed), dtype: options.dtype ?? 'float64' };
    this.W = this.registerParameter('W', parameter(resolveInit(options.init ?? 0.01)([inFeatures, outFeatures], ctx)));
    this.b = options.bias === false ? null : this.registerParameter('b', parameter(zerosInit()([outFeatures], ctx)));
  }

  protected call(x: Variable): Variable {
    const x2 = x.ndim > 2 ? flatten(x) : x;
    if (this.fused) return affine(x2, this.W, this.b, { activation: this.activation });
    const y = matmul(x2, this.W);
    return this.b ? add(y, this.b) : y;
  }
}

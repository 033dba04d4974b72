import {
  add,
  type DType,
  div,
  fmtShape,
  mean,
  mul,
  ones,
  parameter,
  ShapeError,
  sqrt,
  sub,
  Tensor,
  ValueError,
  type Variable,
  zeros,
} from '@zerograd/core';
import { Layer } from './layer.js';

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  /** Weight of the old value in the running averages (default 0.9, the book's). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** dtype of the parameters and running statistics (default `'float64'`). */
  dtype?: DType;
}

/**
 * Batch normalisation over the batch axis, `y = γ·(x − μ)/√(σ² + ε) + β`, composed of ops so
 * its (long) backward comes from the graph. Like the book's, inputs of rank > 2 are flattened
 * to `[N, features]` first and reshaped back.
 *
 * Training mode normalises with the batch's mean and (biased) variance and updates the running
 * statistics, `running = momentum·running + (1 − momentum)·batch` (the variance entering the
 * running average is the unbiased one, as in PyTorch). Evaluation mode normalises with the
 * running statistics, so a single example gives a deterministic answer. Running statistics are
 * buffers: saved and loaded with the parameters, never trained.
 */
export class BatchNorm extends Layer {
  readonly type = 'BatchNorm';
  /** Scale γ, `[features]`, initially ones. */
  readonly gamma: Variable;
  /** Shift β, `[features]`, initially zeros. */
  readonly beta: Variable;
  /** Features normalised (the size of γ and β). */
  readonly features: number;
  /** Weight of the old value in the running averages. */
  readonly momentum: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Training batches seen (PyTorch's `num_batches_tracked`; not part of zerograd's own checkpoints). */
  batchesTracked = 0;

  constructor(features: number, options: BatchNormOptions = {}) {
    super();
    if (!Number.isSafeInteger(features) || features < 1) {
      throw new ValueError('BatchNorm', `features must be a positive integer, got ${features}`);
    }
    const { momentum = 0.9, eps = 1e-5, dtype = 'float64' } = options;
    if (!(momentum >= 0 && momentum <= 1))
      throw new ValueError('BatchNorm', `momentum must be in [0, 1], got ${momentum}`);
    if (!(eps > 0)) throw new ValueError('BatchNorm', `eps must be positive, got ${eps}`);
    this.features = features;
    this.momentum = momentum;
    this.eps = eps;
    this.gamma = this.registerParameter('gamma', parameter(ones([features], { dtype })));
    this.beta = this.registerParameter('beta', parameter(zeros([features], { dtype })));
    this.registerBuffer('runningMean', zeros([features], { dtype }));
    this.registerBuffer('runningVar', ones([features], { dtype }));
  }

  /** The running mean of the features (a buffer). */
  get runningMean(): Tensor {
    return this.buffer('runningMean');
  }

  /** The running variance of the features (a buffer). */
  get runningVar(): Tensor {
    return this.buffer('runningVar');
  }

  protected call(x: Variable): Variable {
    // One example [features] is a batch of one; images [N, C, H, W] are flattened per example.
    const x2 = x.ndim === 2 ? x : x.reshape(x.ndim <= 1 ? [1, -1] : [x.shape[0], -1]);
    if (x2.shape[1] !== this.features) {
      throw new ShapeError(
        'BatchNorm',
        `expected ${this.features} features per example, got input ${fmtShape(x.shape)}`,
      );
    }
    let xn: Variable;
    if (this.training) {
      const n = x2.shape[0];
      if (n === 0) throw new ShapeError('BatchNorm', 'cannot normalise an empty batch');
      if (n === 1) {
        throw new ShapeError(
          'BatchNorm',
          `a training batch of one example ${fmtShape(x.shape)} has no variance to normalise by; use batches of 2 or more, or eval() mode`,
        );
      }
      const mu = mean(x2, 0);
      const xc = sub(x2, mu);
      const variance = mean(mul(xc, xc), 0);
      xn = div(xc, sqrt(add(variance, this.eps)));
      this.updateRunning(mu.data, variance.data, n);
    } else {
      const rm = this.runningMean;
      const rv = this.runningVar;
      const inv = new Tensor(
        rv.data.map((v) => 1 / Math.sqrt(v + this.eps)),
        rv.shape,
      );
      xn = mul(sub(x2, rm), inv);
    }
    const y = add(mul(xn, this.gamma), this.beta);
    return x.ndim === 2 ? y : y.reshape(x.shape);
  }

  private updateRunning(mu: Tensor, variance: Tensor, n: number): void {
    const m = this.momentum;
    const unbias = n > 1 ? n / (n - 1) : 1;
    const rm = this.runningMean.data;
    const rv = this.runningVar.data;
    for (let i = 0; i < rm.length; i++) {
      rm[i] = m * rm[i] + (1 - m) * mu.data[i];
      rv[i] = m * rv[i] + (1 - m) * variance.data[i] * unbias;
    }
    this.batchesTracked++;
    this.runningMean.markModified();
    this.runningVar.markModified();
  }
}

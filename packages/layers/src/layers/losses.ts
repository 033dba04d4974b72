import type { Operand, Variable } from '@zerograd/core';
import { type MeanSquaredErrorOptions, meanSquaredError, softmaxCrossEntropy } from '../functional/losses.js';
import { Layer } from './layer.js';

/**
 * The book's last layer: softmax and cross-entropy in one, `forward(scores, t)` returning the
 * mean loss over the batch. `t` is labels `[N]` or one-hot rows `[N, C]`. One fused node
 * (`SoftmaxCrossEntropy`, log-sum-exp, no epsilon); its gradient with respect to the scores is
 * `(y − t)/N` with `y = softmax(scores)`, the clean result the book derives.
 */
export class SoftmaxWithLoss extends Layer<[t: Operand]> {
  readonly type = 'SoftmaxWithLoss';
  protected call(x: Variable, t: Operand): Variable {
    return softmaxCrossEntropy(x, t);
  }
}

/** Squared error as a loss layer, `forward(y, t)`; see `meanSquaredError` for the reductions. */
export class MeanSquaredError extends Layer<[t: Operand]> {
  readonly type = 'MeanSquaredError';
  /** The reduction used. */
  readonly options: MeanSquaredErrorOptions;
  constructor(options: MeanSquaredErrorOptions = {}) {
    super();
    this.options = { ...options };
  }
  protected call(x: Variable, t: Operand): Variable {
    return meanSquaredError(x, t, this.options);
  }
}

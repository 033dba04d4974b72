import { fmtShape, noGrad, type Operand, ShapeError, type Tensor, ValueError, Variable } from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import type { Dataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import type { AnyLayer } from '../layers/layer.js';

/**
 * How many rows of `y` (`[N, C]` scores or probabilities) pick the right class: the argmax of
 * each row against the label in `t` (`[N]` labels, or `[N, C]` one-hot rows, whose argmax is
 * the label). A row holding NaN counts as wrong; a label that is not a class index is an error.
 */
export function countCorrect(y: Variable | Tensor, t: Tensor): number {
  const yt = y instanceof Variable ? y.data : y;
  if (yt.ndim !== 2) throw new ShapeError('accuracy', `predictions must be [N, classes], got ${fmtShape(yt.shape)}`);
  const [n, c] = yt.shape;
  const labels = t.ndim === 2 ? kernels.argReduceTensor('max', t, 1) : t;
  if (labels.ndim !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(
      'accuracy',
      `targets ${fmtShape(t.shape)} do not match predictions ${fmtShape(yt.shape)} (expected [${n}] or [${n}, ${c}])`,
    );
  }
  const d = yt.data;
  const l = labels.data;
  for (let r = 0; r < n; r++) {
    if (!Number.isInteger(l[r]) || l[r] < 0 || l[r] >= c) {
      throw new ValueError('accuracy', `label ${l[r]} at row ${r} is not a class index in [0, ${c})`);
    }
  }
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const o = r * c;
    // A row holding NaN has no argmax: it is wrong, whatever its label (a diverged net must
    // not score the share of its most common label).
    let best = Number.isNaN(d[o]) ? -1 : 0;
    for (let k = 1; k < c && best >= 0; k++) {
      if (Number.isNaN(d[o + k])) best = -1;
      else if (d[o + k] > d[o + best]) best = k;
    }
    if (best === l[r]) correct++;
  }
  return correct;
}

/**
 * Whether outputs `y` and targets `t` are a classification: scores `[N, C]` with C ≥ 2 against
 * integer labels `[N]` or rows `[N, C]`. Anything else (one output column, real-valued targets)
 * is a regression, for which accuracy means nothing.
 */
export function isClassification(y: Tensor, t: Tensor): boolean {
  if (y.ndim !== 2 || y.shape[1] < 2) return false;
  if (t.ndim === 2) return t.shape[1] === y.shape[1];
  return t.ndim === 1 && t.data.every((v) => Number.isInteger(v));
}

/** The fraction of rows of `y` whose argmax is the label in `t` (see `countCorrect`). */
export function accuracy(y: Variable | Tensor, t: Tensor): number {
  const n = (y instanceof Variable ? y.data : y).shape[0];
  return n === 0 ? Number.NaN : countCorrect(y, t) / n;
}

/** A loss as the training loop and `evaluate` take it: a loss layer or a function. */
export type LossFunction = AnyLayer | ((y: Variable, t: Tensor) => Variable);

/** Applies a loss given as a layer or a function. */
export function applyLoss(loss: LossFunction, y: Variable, t: Tensor): Variable {
  return typeof loss === 'function' ? loss(y, t) : loss.forward(y, t as Operand);
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Examples per forward pass (default 1000); the last, smaller batch is counted too. */
  batchSize?: number;
  /** Also compute the mean loss with this loss (weighted by batch size). */
  loss?: LossFunction;
}

/** What {@link evaluate} measured. */
export interface Evaluation {
  /**
   * Fraction of examples classified correctly — absent for a regression model (outputs with one
   * column, or targets that are neither class labels nor one-hot rows of the outputs' width).
   */
  accuracy?: number;
  /** Mean loss over the examples, when a loss was given. */
  loss?: number;
  /** Examples seen (all of them). */
  count: number;
}

/**
 * Accuracy (and optionally mean loss) of `model` on a dataset: in evaluation mode (Dropout
 * off, BatchNorm on running statistics), without recording a graph, over every example —
 * the last partial batch included. Each layer's mode is restored afterwards.
 */
export function evaluate(model: AnyLayer, data: Dataset, options: EvaluateOptions = {}): Evaluation {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ValueError('evaluate', `batchSize must be a positive integer, got ${batchSize}`);
  }
  const modes = [...model.layers()].map((l) => [l, l.training] as const);
  const dtype = model.parameters()[0]?.dtype;
  model.eval();
  try {
    return noGrad(() => {
      let correct = 0;
      let count = 0;
      let lossSum = 0;
      let classifies: boolean | undefined;
      for (const batch of new DataLoader(data, { batchSize })) {
        const x = dtype ? batch.x.astype(dtype) : batch.x;
        const y = model.forward(x);
        classifies ??= isClassification(y.data, batch.t);
        if (classifies) correct += countCorrect(y, batch.t);
        if (options.loss) lossSum += applyLoss(options.loss, y, batch.t).item() * batch.x.shape[0];
        count += batch.x.shape[0];
      }
      const out: Evaluation = { count };
      if (classifies !== false) out.accuracy = count === 0 ? Number.NaN : correct / count;
      if (options.loss) out.loss = count === 0 ? Number.NaN : lossSum / count;
      return out;
    });
  } finally {
    for (const [l, m] of modes) l.training = m;
  }
}

/**
 * The shapes `train` and `trainAsync` share (and `trainSteps`, the generator inside both): their options, the events they report
 * and the history they return.
 */
import type { Dataset } from '../data/dataset.js';
import type { AnyLayer } from '../layers/layer.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedules.js';
import type { LossFunction } from './metrics.js';
import type { ProgressMode, ProgressStream } from './progress.js';

/** Something with Node's `EventEmitter.emit` (an `EventEmitter` works as it is). */
export interface TrainEventSink {
  emit(event: 'iteration' | 'evaluate' | 'epoch' | 'end', payload: unknown): unknown;
}

/** Passed to `onIteration` and emitted as `'iteration'` after each optimizer step. */
export interface IterationEvent {
  /** Iterations done so far (1-based). */
  readonly iteration: number;
  /** The epoch this iteration belongs to (1-based). */
  readonly epoch: number;
  /** The batch's loss, before the step. */
  readonly loss: number;
  /** Examples in the batch. */
  readonly batchSize: number;
}

/** One evaluation, recorded in `history.evaluations` and emitted as `'evaluate'`. */
export interface EvaluationRecord {
  /** Iterations done when it ran. */
  readonly iteration: number;
  /** Epochs done when it ran (fractional when it fell inside an epoch). */
  readonly epoch: number;
  /** Accuracy on the whole training set (unless `trainAccuracy: false`, or the model is a regression). */
  readonly trainAccuracy?: number;
  /** Accuracy on the whole test set (when there is one). */
  readonly testAccuracy?: number;
  /** Mean loss on the test set (when there is one). */
  readonly testLoss?: number;
  /** Milliseconds the evaluation took. */
  readonly ms: number;
}

/** Passed to `onEpoch` and emitted as `'epoch'` at the end of each epoch. */
export interface EpochEvent {
  /** The epoch that ended (1-based). */
  readonly epoch: number;
  /** Iterations done so far. */
  readonly iteration: number;
  /** Mean of the epoch's batch losses. */
  readonly loss: number;
  /** Milliseconds of training in the epoch (evaluation excluded). */
  readonly ms: number;
  /** The evaluation at the end of the epoch, if one ran. */
  readonly evaluation?: EvaluationRecord;
}

/** Everything a run recorded. */
export interface TrainHistory {
  /** The loss of every iteration. */
  readonly loss: number[];
  /** Every evaluation, in order. */
  readonly evaluations: EvaluationRecord[];
  /** Training accuracy at each evaluation (by default once per epoch). */
  readonly trainAccuracy: number[];
  /** Test accuracy at each evaluation. */
  readonly testAccuracy: number[];
  /** Per finished epoch: its mean loss and training time. */
  readonly epochs: EpochEvent[];
}

/** What `train` returns. */
export interface TrainResult {
  readonly history: TrainHistory;
  /** Iterations run. */
  readonly iterations: number;
  /** Milliseconds spent in training steps (forward, backward, update). */
  readonly trainMs: number;
  /** Milliseconds spent evaluating. */
  readonly evalMs: number;
  /** `trainMs / iterations`. */
  readonly msPerIteration: number;
  /** The last evaluation (after the last iteration). */
  readonly final: EvaluationRecord | undefined;
  /** True when a callback stopped the run early. */
  readonly stopped: boolean;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** The network: `model.forward(x)` gives scores `[N, classes]`. */
  model: AnyLayer;
  /** The loss on the model's output and the targets: a loss layer (`SoftmaxWithLoss`) or a function. */
  loss: LossFunction;
  /** Updates the model's parameters after each backward. */
  optimizer: Optimizer;
  /** Training data and (optionally) held-out test data, `{ x, t }` each. */
  data: { train: Dataset; test?: Dataset };
  /** Passes over the training data. Give `epochs` or `iterations` (default: 1 epoch). */
  epochs?: number;
  /** Total optimizer steps, the book's `iters_num`; epochs continue as needed. */
  iterations?: number;
  /** Examples per step (default 100). */
  batchSize?: number;
  /** Seed of the shuffling (default 0): the same seed and model give the same run. */
  seed?: number;
  /**
   * Evaluate every this many iterations (default: at the end of every epoch, like the book's
   * `iter_per_epoch`). The run always ends with an evaluation.
   */
  evalEvery?: number;
  /** Examples per forward pass in evaluation (default 1000). */
  evalBatchSize?: number;
  /** Measure accuracy on the whole training set at each evaluation (default true). */
  trainAccuracy?: boolean;
  /**
   * After each step, give the step's intermediate buffers (the forward values of its graph)
   * back to core's buffer pool with `releaseGraph`, so the next step reuses them instead of
   * allocating (default false). Safe when the model and loss keep no intermediate tensor
   * past the step (the built-in layers keep none); one that does finds it released (reading
   * it throws). Measured: ~2% per iteration and ~12% fewer mark-compact collections on the
   * stronger MNIST net, nothing on the chapter-5 net (its buffers are small).
   */
  recycle?: boolean;
  /**
   * What a NaN or ±Infinity loss does: `'error'` (default) throws an `AnomalyError` naming the
   * iteration, before that step's update, so the model keeps its last finite weights; `'warn'`
   * prints one warning naming the iteration and trains on (the accuracies will show the damage).
   */
  nonFiniteLoss?: 'error' | 'warn';
  /**
   * A learning-rate schedule built on `optimizer` (`StepLR`, `CosineAnnealingLR`,
   * `LinearWarmup`, …), stepped after the optimizer: at the end of every epoch (default, as in
   * PyTorch's examples) or after every iteration with `scheduleEvery: 'iteration'`. A
   * `ReduceLROnPlateau` is given the test loss of the epoch's evaluation (else the epoch's mean
   * training loss; per iteration, the batch's loss).
   */
  schedule?: LRScheduler;
  /** When `schedule` steps: `'epoch'` (default) or `'iteration'`. */
  scheduleEvery?: 'epoch' | 'iteration';
  /** After each step; return `false` to stop the run. */
  onIteration?: (event: IterationEvent) => unknown;
  /** After each evaluation; return `false` to stop the run. */
  onEvaluate?: (record: EvaluationRecord) => unknown;
  /** At the end of each epoch; return `false` to stop the run. */
  onEpoch?: (event: EpochEvent) => unknown;
  /** Receives `'iteration'`, `'evaluate'`, `'epoch'` and `'end'` events (e.g. an `EventEmitter`). */
  events?: TrainEventSink;
  /**
   * Progress display: `true`/`'auto'` (default) draws a bar on a terminal and prints a line per
   * epoch elsewhere; `'lines'`, `'bar'`, or `false` for none.
   */
  progress?: boolean | ProgressMode | 'auto';
  /** Where the progress goes (default stdout). */
  progressStream?: ProgressStream;
  /** Text in front of the progress bar. */
  label?: string;
}

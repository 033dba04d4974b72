import { AnomalyError, fmtShape, releaseGraph, ShapeError, ValueError } from '@zerograd/core';
import { DataLoader } from '../data/loader.js';
import type { AnyLayer } from '../layers/layer.js';
import type { Optimizer } from '../optim/optimizer.js';
import { applyLoss, evaluate } from './metrics.js';
import { createProgress } from './progress.js';
import type {
  EpochEvent,
  EvaluationRecord,
  IterationEvent,
  TrainHistory,
  TrainOptions,
  TrainResult,
} from './train-types.js';

export type {
  EpochEvent,
  EvaluationRecord,
  IterationEvent,
  TrainEventSink,
  TrainHistory,
  TrainOptions,
  TrainResult,
} from './train-types.js';

/**
 * What would otherwise fail late or train nothing, checked before the first step: an optimizer
 * that updates none of the model's parameters, a test set whose examples have another shape
 * than the training set's (found only after a full epoch), and a BatchNorm that would see a
 * training batch of one example (no variance to normalise by).
 */
function checkBeforeTraining(model: AnyLayer, optimizer: Optimizer, data: TrainOptions['data'], batchSize: number) {
  const own = new Set(model.parameters());
  if (!optimizer.params.some((p) => own.has(p))) {
    throw new ValueError(
      'train',
      `the optimizer updates none of the model's ${own.size} parameters (was it built for another model?)`,
    );
  }
  const { train, test } = data;
  if (test && fmtShape(test.x.shape.slice(1)) !== fmtShape(train.x.shape.slice(1))) {
    throw new ShapeError(
      'train',
      `test examples ${fmtShape(test.x.shape)} do not have the training examples' shape ${fmtShape(train.x.shape)} (after the batch axis)`,
    );
  }
  const n = train.x.shape[0];
  const hasBatchNorm = [...model.layers()].some((l) => l.type === 'BatchNorm');
  if (hasBatchNorm && Number.isSafeInteger(batchSize) && (batchSize === 1 || n % batchSize === 1)) {
    throw new ValueError(
      'train',
      `BatchNorm would see a training batch of one example (${n} examples in batches of ${batchSize}); use another batchSize`,
    );
  }
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new ValueError('train', `${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/**
 * Trains `model` by mini-batch gradient descent: for each batch (shuffled without replacement,
 * seeded), forward, loss, backward, optimizer step; evaluation on the training and test sets
 * at the end of each epoch (or every `evalEvery` iterations) in evaluation mode and without a
 * graph, counting every example. Records the loss of every iteration and the accuracies of
 * every evaluation, reports progress, and calls the callbacks/emits events for live plots.
 *
 * Batches are converted to the dtype of the model's parameters, so a float32 model trains in
 * float32 on float64 data.
 *
 * @example
 * const net = new Sequential([new Affine(784, 50), new ReLU(), new Affine(50, 10)]).astype('float32');
 * const { history, final } = train({
 *   model: net, loss: new SoftmaxWithLoss(), optimizer: new SGD(net, { lr: 0.1 }),
 *   data: loadMnist(), iterations: 2000, batchSize: 100,
 * });
 */
export function train(options: TrainOptions): TrainResult {
  const steps = trainSteps(options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * The loop of {@link train} as a generator that pauses after every optimizer step (and its
 * evaluation, when one falls there), yielding that step's event and returning the result. `train`
 * runs it to the end in one go; `trainAsync` awaits the event loop between steps. Both therefore
 * compute exactly the same numbers. Ending it early (`return()`) runs its cleanup.
 */
export function* trainSteps(options: TrainOptions): Generator<IterationEvent, TrainResult, void> {
  const { model, loss, optimizer, data } = options;
  if (!model || typeof model.forward !== 'function') throw new ValueError('train', 'model must be a Layer');
  if (!optimizer || typeof optimizer.step !== 'function')
    throw new ValueError('train', 'optimizer must be an Optimizer');
  if (!data?.train) throw new ValueError('train', 'data must be { train, test? }');
  if (!loss || (typeof loss !== 'function' && typeof (loss as { forward?: unknown }).forward !== 'function')) {
    throw new ValueError('train', 'loss must be a loss layer (SoftmaxWithLoss) or a function (y, t) => loss');
  }
  checkBeforeTraining(model, optimizer, data, options.batchSize ?? 100);
  if (options.epochs !== undefined && options.iterations !== undefined) {
    throw new ValueError('train', 'give either epochs or iterations, not both');
  }
  const batchSize = positiveInt('batchSize', options.batchSize ?? 100);
  const loader = new DataLoader(data.train, { batchSize, shuffle: true, seed: options.seed ?? 0 });
  const perEpoch = loader.length;
  if (perEpoch === 0) throw new ValueError('train', 'the training set is empty');
  const total =
    options.iterations !== undefined
      ? positiveInt('iterations', options.iterations)
      : positiveInt('epochs', options.epochs ?? 1) * perEpoch;
  const epochs = Math.ceil(total / perEpoch);
  const evalEvery = options.evalEvery === undefined ? undefined : positiveInt('evalEvery', options.evalEvery);
  const evalBatchSize = positiveInt('evalBatchSize', options.evalBatchSize ?? 1000);
  const dtype = model.parameters()[0]?.dtype;
  const p = options.progress ?? 'auto';
  const progress = createProgress({
    total,
    epochs,
    enabled: p !== false,
    mode: p === true ? 'auto' : p === false ? 'silent' : p,
    stream: options.progressStream,
    label: options.label,
  });

  const onNonFinite = options.nonFiniteLoss ?? 'error';
  if (onNonFinite !== 'error' && onNonFinite !== 'warn') {
    throw new ValueError('train', `nonFiniteLoss must be 'error' or 'warn', got ${String(onNonFinite)}`);
  }
  const { schedule, scheduleEvery = 'epoch' } = options;
  if (schedule !== undefined && schedule?.optimizer !== optimizer) {
    throw new ValueError('train', 'schedule must be a learning-rate schedule built on the optimizer given to train');
  }
  if (scheduleEvery !== 'epoch' && scheduleEvery !== 'iteration') {
    throw new ValueError('train', `scheduleEvery must be 'epoch' or 'iteration', got ${String(scheduleEvery)}`);
  }
  let warned = false;
  const nonFinite = (value: number, at: number, epoch: number): void => {
    const what = `the loss is ${value} at iteration ${at} (epoch ${epoch}): training diverged`;
    if (onNonFinite === 'error') {
      throw new AnomalyError('train', `${what}; the update of this step was not applied. Try a smaller learning rate.`);
    }
    if (!warned) console.warn(`zerograd train: ${what}; training continues (nonFiniteLoss: 'warn').`);
    warned = true;
  };
  const history: TrainHistory = { loss: [], evaluations: [], trainAccuracy: [], testAccuracy: [], epochs: [] };
  let iteration = 0;
  let trainMs = 0;
  let evalMs = 0;
  let stopped = false;
  let last: EvaluationRecord | undefined;

  const runEvaluation = (epoch: number): EvaluationRecord => {
    const start = performance.now();
    const trainEval =
      options.trainAccuracy === false ? undefined : evaluate(model, data.train, { batchSize: evalBatchSize });
    const testEval = data.test ? evaluate(model, data.test, { batchSize: evalBatchSize, loss }) : undefined;
    const ms = performance.now() - start;
    evalMs += ms;
    const record: EvaluationRecord = {
      iteration,
      epoch,
      ...(trainEval?.accuracy !== undefined ? { trainAccuracy: trainEval.accuracy } : {}),
      ...(testEval?.accuracy !== undefined ? { testAccuracy: testEval.accuracy } : {}),
      ...(testEval ? { testLoss: testEval.loss } : {}),
      ms,
    };
    history.evaluations.push(record);
    if (record.trainAccuracy !== undefined) history.trainAccuracy.push(record.trainAccuracy);
    if (record.testAccuracy !== undefined) history.testAccuracy.push(record.testAccuracy);
    last = record;
    options.events?.emit('evaluate', record);
    if (options.onEvaluate?.(record) === false) stopped = true;
    return record;
  };

  try {
    model.train();
    for (let epoch = 1; epoch <= epochs && !stopped; epoch++) {
      let epochLoss = 0;
      let epochSteps = 0;
      let epochMs = 0;
      let evaluation: EvaluationRecord | undefined;
      for (const batch of loader) {
        const start = performance.now();
        const x = dtype ? batch.x.astype(dtype) : batch.x;
        const t = dtype && batch.t.ndim > 1 ? batch.t.astype(dtype) : batch.t;
        optimizer.zeroGrad();
        model.zeroGrad();
        const y = model.forward(x);
        const l = applyLoss(loss, y, t);
        const value = l.item();
        if (!Number.isFinite(value)) nonFinite(value, iteration + 1, epoch);
        l.backward();
        optimizer.step();
        if (schedule && scheduleEvery === 'iteration') schedule.step(value);
        if (options.recycle) releaseGraph(l);
        const ms = performance.now() - start;
        trainMs += ms;
        epochMs += ms;
        iteration++;
        epochLoss += value;
        epochSteps++;
        history.loss.push(value);
        progress.update(iteration, { epoch, loss: value });
        const event: IterationEvent = { iteration, epoch, loss: value, batchSize: batch.x.shape[0] };
        options.events?.emit('iteration', event);
        if (options.onIteration?.(event) === false) stopped = true;
        const epochDone = epochSteps === perEpoch || iteration === total;
        if (evalEvery !== undefined ? iteration % evalEvery === 0 || iteration === total : epochDone) {
          evaluation = runEvaluation(epoch - 1 + epochSteps / perEpoch);
          model.train();
        }
        yield event;
        if (stopped || iteration === total) break;
      }
      const summary: EpochEvent = {
        epoch,
        iteration,
        loss: epochLoss / Math.max(1, epochSteps),
        ms: epochMs,
        ...(evaluation && evaluation.iteration === iteration ? { evaluation } : {}),
      };
      history.epochs.push(summary);
      if (schedule && scheduleEvery === 'epoch') schedule.step(summary.evaluation?.testLoss ?? summary.loss);
      progress.endEpoch(epoch, {
        loss: summary.loss,
        trainAccuracy: summary.evaluation?.trainAccuracy,
        testAccuracy: summary.evaluation?.testAccuracy,
      });
      options.events?.emit('epoch', summary);
      if (options.onEpoch?.(summary) === false) stopped = true;
    }
    if (!last || last.iteration !== iteration) runEvaluation(iteration / perEpoch);
  } finally {
    progress.stop();
  }
  const result: TrainResult = {
    history,
    iterations: iteration,
    trainMs,
    evalMs,
    msPerIteration: iteration > 0 ? trainMs / iteration : Number.NaN,
    final: last,
    stopped,
  };
  options.events?.emit('end', result);
  return result;
}

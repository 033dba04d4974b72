/**
 * What every section of chapter 6 shares: the book's `MultiLayerNet` (Affine · [BatchNorm] ·
 * activation · [Dropout] per hidden layer, then Affine), rows taken out of a dataset, and the
 * book's way of smoothing a noisy loss curve before plotting it.
 */
import { Random, Tensor } from '@zerograd/core';
import {
  Affine,
  BatchNorm,
  type Dataset,
  Dropout,
  type InitSpec,
  type Layer,
  type MnistData,
  type Optimizer,
  ReLU,
  Sequential,
  Sigmoid,
  SoftmaxWithLoss,
  Tanh,
  train,
} from '@zerograd/layers';

/** The activations the chapter compares. */
export type Activation = 'relu' | 'sigmoid' | 'tanh';

/** Options of {@link multiLayerNet} (the book's `MultiLayerNet` / `MultiLayerNetExtend`). */
export interface NetOptions {
  /** Widths of the hidden layers, e.g. `[100, 100, 100, 100]` (the book's `hidden_size_list`). */
  hidden: readonly number[];
  /** Weight init of every Affine: a standard deviation, `'he'` or `'xavier'` (default `'he'`). */
  init?: InitSpec;
  /** Hidden activation (default ReLU). */
  activation?: Activation;
  /** BatchNorm between each hidden Affine and its activation (default false). */
  batchNorm?: boolean;
  /** Dropout ratio after each hidden activation (default none). */
  dropout?: number;
  /** Seed of the weights (and of the dropout masks). */
  seed?: number;
  /** Input width (default 784, a flattened digit) and classes (default 10). */
  inputs?: number;
  classes?: number;
}

function activationLayer(name: Activation): Layer {
  if (name === 'sigmoid') return new Sigmoid();
  if (name === 'tanh') return new Tanh();
  return new ReLU();
}

/** The book's multi-layer net in float32: same options and seed, same weights. */
export function multiLayerNet(options: NetOptions): Sequential {
  const { hidden, init = 'he', activation = 'relu', seed = 0, inputs = 784, classes = 10 } = options;
  const random = new Random(seed);
  const layers: Layer[] = [];
  let width = inputs;
  hidden.forEach((h, i) => {
    layers.push(new Affine(width, h, { init, random }));
    if (options.batchNorm) layers.push(new BatchNorm(h));
    layers.push(activationLayer(activation));
    if (options.dropout) layers.push(new Dropout(options.dropout, { seed: seed * 100 + i }));
    width = h;
  });
  layers.push(new Affine(width, classes, { init, random }));
  return new Sequential(layers).astype('float32');
}

/** The rows `rows` of a dataset (e.g. the first 300 digits, or a validation split), copied. */
export function takeRows(data: Dataset, rows: readonly number[]): Dataset {
  const take = (t: Tensor) => {
    const width = t.size / t.shape[0];
    const out = new (t.data.constructor as Float32ArrayConstructor)(rows.length * width);
    rows.forEach((r, i) => {
      out.set(t.data.subarray(r * width, (r + 1) * width), i * width);
    });
    return new Tensor(out, [rows.length, ...t.shape.slice(1)]);
  };
  return { x: take(data.x), t: take(data.t) };
}

/** `[0, 1, …, n − 1]`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * A noisy curve averaged over a sliding window (`window` points, centred; shorter at the ends),
 * as the book smooths its loss curves before plotting them (`smooth_curve`).
 */
export function smooth(values: readonly number[], window = 11): number[] {
  const half = Math.floor(window / 2);
  return values.map((_, i) => {
    const from = Math.max(0, i - half);
    const to = Math.min(values.length, i + half + 1);
    let s = 0;
    for (let k = from; k < to; k++) s += values[k] as number;
    return s / (to - from);
  });
}

/** The mean of the last `n` values (how the tests read where a noisy loss curve ended). */
export function tailMean(values: readonly number[], n = 20): number {
  const tail = values.slice(-n);
  return tail.reduce((s, v) => s + v, 0) / tail.length;
}

/** Seconds since `start` (a `performance.now()`), for the run times the pages print. */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/** One labelled training run: the loss of every iteration and where it ended. */
export interface Curve {
  name: string;
  /** Loss of every iteration. */
  loss: number[];
  /** Test accuracy after the last iteration. */
  testAccuracy: number;
  /** Milliseconds per iteration in this run. */
  msPerIteration: number;
}

/**
 * Trains `net` with `optimizer` for `iterations` mini-batches of `batchSize` (shuffling seed 0,
 * the same for every run so only the compared setting differs) and returns its loss curve.
 */
export function trainCurve(
  name: string,
  net: Sequential,
  optimizer: Optimizer,
  data: MnistData,
  iterations: number,
  batchSize = 128,
): Curve {
  const result = train({
    model: net,
    loss: new SoftmaxWithLoss(),
    optimizer,
    data,
    iterations,
    batchSize,
    seed: 0,
    trainAccuracy: false,
    evalEvery: iterations,
    progress: false,
  });
  return {
    name,
    loss: result.history.loss,
    testAccuracy: result.final?.testAccuracy ?? Number.NaN,
    msPerIteration: result.msPerIteration,
  };
}

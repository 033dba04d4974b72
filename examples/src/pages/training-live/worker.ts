/**
 * The training page's Web Worker: it owns the network and trains it with `trainAsync`, so the
 * page's thread only draws. Bundled (with core and layers) into one script that the page starts
 * from a blob URL, which is why the page works from `file://`.
 *
 * Messages in: `data` (the digits), `train` (start or resume), `pause`, `reset`, `predict`.
 * Messages out: `ready`, `loss` (batched), `epoch` (accuracies and the grid's predictions),
 * `prediction` (class probabilities of a drawn digit), `done`, `error`.
 */
import { argmax, noGrad, Random, Tensor, variable } from '@zerograd/core';
import {
  Adam,
  Affine,
  Dropout,
  Momentum,
  type Optimizer,
  ReLU,
  Sequential,
  SGD,
  SoftmaxWithLoss,
  softmax,
  trainAsync,
} from '@zerograd/layers';
import type { FromPage, TrainConfig } from './protocol.js';

interface Digits {
  train: { x: Tensor; t: Tensor };
  test: { x: Tensor; t: Tensor };
}

const post = (message: unknown) => (self as unknown as { postMessage(m: unknown): void }).postMessage(message);

/** The book's TwoLayerNet, or a stronger net (He init, 2×200 hidden, Dropout). */
function buildNet(kind: TrainConfig['net'], seed: number): Sequential {
  const random = new Random(seed);
  if (kind === 'chapter5') {
    return new Sequential([
      new Affine(784, 50, { init: 0.01, random }),
      new ReLU(),
      new Affine(50, 10, { init: 0.01, random }),
    ]).astype('float32');
  }
  return new Sequential([
    new Affine(784, 200, { init: 'he', random }),
    new ReLU(),
    new Dropout(0.2, { seed }),
    new Affine(200, 200, { init: 'he', random }),
    new ReLU(),
    new Dropout(0.2, { seed: seed + 1 }),
    new Affine(200, 10, { init: 'he', random }),
  ]).astype('float32');
}

function buildOptimizer(config: TrainConfig, net: Sequential): Optimizer {
  if (config.optimizer === 'adam') return new Adam(net, { lr: config.lr });
  if (config.optimizer === 'momentum') return new Momentum(net, { lr: config.lr });
  return new SGD(net, { lr: config.lr });
}

/** Unpacks `count` digits of 784 bytes + 1 label byte each into float32 tensors. */
function unpack(bytes: Uint8Array, from: number, count: number): { x: Tensor; t: Tensor } {
  const x = new Float32Array(count * 784);
  const t = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const base = (from + i) * 785;
    t[i] = bytes[base] ?? 0;
    for (let p = 0; p < 784; p++) x[i * 784 + p] = (bytes[base + 1 + p] ?? 0) / 255;
  }
  return { x: new Tensor(x, [count, 784]), t: new Tensor(t, [count]) };
}

let digits: Digits | null = null;
let gridSize = 0;
let net: Sequential | null = null;
let controller: AbortController | null = null;
let resume: (() => void) | null = null;
let paused: Promise<void> | null = null;
let running = false;

/** Predictions of the current net for rows of `x` (evaluation mode, no graph). */
function predict(x: Tensor): { classes: number[]; probs: Float32Array } {
  const model = net as Sequential;
  model.eval();
  return noGrad(() => {
    const scores = model.forward(variable(x, { requiresGrad: false }));
    const probs = softmax(scores, -1).data.data as Float32Array;
    return { classes: Array.from(argmax(scores, 1).data.data, Number), probs: Float32Array.from(probs) };
  });
}

async function train(config: TrainConfig, run: number): Promise<void> {
  if (!digits) throw new Error('the digits have not arrived yet');
  if (running) {
    resume?.(); // Train while paused resumes
    return;
  }
  running = true;
  net = buildNet(config.net, config.seed);
  controller = new AbortController();
  const data = digits;
  const model = net;
  const grid = data.test.x.data.subarray(0, gridSize * 784) as Float32Array;
  let losses: number[] = [];
  let lastPost = 0;
  try {
    await trainAsync({
      model,
      loss: new SoftmaxWithLoss(),
      optimizer: buildOptimizer(config, model),
      data,
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      trainAccuracy: false,
      progress: false,
      signal: controller.signal,
      yieldEvery: 15, // a message can arrive every 15 ms; a task switch per 1-ms step would cost ~10%
      onIteration: (e) => {
        losses.push(e.loss);
        const now = performance.now();
        if (now - lastPost > 100) {
          post({ type: 'loss', run, losses });
          losses = [];
          lastPost = now;
        }
      },
      onStep: () => paused ?? undefined,
      onEpoch: (e) => {
        if (losses.length > 0) post({ type: 'loss', run, losses });
        losses = [];
        const { classes } = predict(new Tensor(grid, [gridSize, 784]));
        model.train();
        post({
          type: 'epoch',
          run,
          epoch: e.epoch,
          loss: e.loss,
          ms: e.ms,
          testAccuracy: e.evaluation?.testAccuracy,
          testLoss: e.evaluation?.testLoss,
          predictions: classes,
        });
      },
    });
    post({ type: 'done', run });
  } catch (err) {
    if (!controller?.signal.aborted) throw err;
  } finally {
    running = false;
  }
}

function onMessage(message: FromPage): void {
  switch (message.type) {
    case 'data': {
      const bytes = new Uint8Array(message.bytes);
      digits = {
        train: unpack(bytes, 0, message.trainCount),
        test: unpack(bytes, message.trainCount, message.testCount),
      };
      gridSize = Math.min(message.gridSize, message.testCount);
      post({ type: 'ready' });
      return;
    }
    case 'train':
      train(message.config, message.run).catch((err: unknown) =>
        post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
      );
      return;
    case 'pause':
      if (running && !paused) {
        // `onStep` awaits this promise, so training stops after the step under way until Train
        paused = new Promise<void>((r) => {
          resume = () => {
            paused = null;
            resume = null;
            r();
          };
        });
      }
      post({ type: 'paused' });
      return;
    case 'resume':
      resume?.();
      return;
    case 'reset':
      controller?.abort();
      resume?.();
      net = null;
      return;
    case 'predict': {
      if (!net) {
        post({ type: 'prediction', probs: null });
        return;
      }
      const wasTraining = net.training;
      const { probs } = predict(new Tensor(new Float32Array(message.pixels), [1, 784]));
      if (wasTraining) net.train();
      post({ type: 'prediction', probs: Array.from(probs) });
      return;
    }
  }
}

(self as unknown as { onmessage: (e: MessageEvent<FromPage>) => void }).onmessage = (e) => {
  try {
    onMessage(e.data);
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

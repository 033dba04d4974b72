/**
 * Chapter 5 on real digits: the book's two-layer net, trained as the book trains it, and a
 * stronger network — both on the same seeded 8,000/2,000 split of the `mnist` package's 10,000
 * real digits. Everything printed comes from the run.
 */
import { argmax, noGrad, Random, type Tensor, variable } from '@zerograd/core';
import {
  Adam,
  Affine,
  Dropout,
  loadMnist,
  type MnistData,
  ReLU,
  Sequential,
  SGD,
  SoftmaxWithLoss,
  saveParameters,
  type TrainResult,
  train,
} from '@zerograd/layers';
import { exportChapter5 } from './onnx.js';

/** The book's TwoLayerNet: Affine(784→50) · ReLU · Affine(50→10), weights N(0, 0.01²). */
export function chapter5Net(seed = 1): Sequential {
  const random = new Random(seed);
  return new Sequential([
    new Affine(784, 50, { init: 0.01, random }),
    new ReLU(),
    new Affine(50, 10, { init: 0.01, random }),
  ]).astype('float32');
}

/** He init, two hidden layers of 400 with Dropout(0.3), trained with Adam. */
export function strongerNet(seed = 2): Sequential {
  const random = new Random(seed);
  return new Sequential([
    new Affine(784, 400, { init: 'he', random }),
    new ReLU(),
    new Dropout(0.3, { seed }),
    new Affine(400, 400, { init: 'he', random }),
    new ReLU(),
    new Dropout(0.3, { seed: seed + 1 }),
    new Affine(400, 10, { init: 'he', random }),
  ]).astype('float32');
}

export interface MnistRun {
  name: string;
  net: Sequential;
  result: TrainResult;
  seconds: number;
}

/** Trains the chapter-5 net: SGD lr 0.1, batch 100, 2,000 iterations (the book's settings). */
export function trainChapter5(data: MnistData, iterations = 2000, progress: boolean | 'auto' = 'auto'): MnistRun {
  const net = chapter5Net();
  const t0 = performance.now();
  const result = train({
    model: net,
    loss: new SoftmaxWithLoss(),
    optimizer: new SGD(net, { lr: 0.1 }),
    data,
    iterations,
    batchSize: 100,
    seed: 0,
    progress,
    label: 'chapter 5',
  });
  return { name: 'chapter-5 two-layer net', net, result, seconds: (performance.now() - t0) / 1000 };
}

/** Trains the stronger net: Adam lr 5e-4, batch 100, 15 epochs. */
export function trainStronger(data: MnistData, epochs = 15, progress: boolean | 'auto' = 'auto'): MnistRun {
  const net = strongerNet();
  const t0 = performance.now();
  const result = train({
    model: net,
    loss: new SoftmaxWithLoss(),
    optimizer: new Adam(net, { lr: 5e-4 }),
    data,
    epochs,
    batchSize: 100,
    seed: 0,
    progress,
    trainAccuracy: false,
    label: 'stronger',
  });
  return { name: 'stronger net (He, Dropout, Adam)', net, result, seconds: (performance.now() - t0) / 1000 };
}

/** Predicted classes for the first `n` test digits. */
export function predict(net: Sequential, x: Tensor, n: number): number[] {
  net.eval();
  const rows = x.reshapeView([x.shape[0], 784]);
  const head = new Float32Array(rows.data.subarray(0, n * 784));
  return noGrad(() =>
    Array.from(argmax(net.forward(variable(head, { requiresGrad: false }).reshape([n, 784])), 1).data.data),
  );
}

export async function main(outDir: string, log: (line: string) => void = console.log) {
  const data = loadMnist({ seed: 0 });
  log(`MNIST: ${data.train.x.shape[0]} train / ${data.test.x.shape[0]} test real digits (the mnist package), seed 0`);
  const runs = [trainChapter5(data), trainStronger(data)];
  for (const r of runs) {
    const f = r.result.final;
    const epochs = r.result.history.epochs;
    const perEpoch = epochs.length ? epochs.reduce((s, e) => s + (e.ms ?? 0), 0) / epochs.length / 1000 : Number.NaN;
    log(
      `${r.name}: test accuracy ${f?.testAccuracy?.toFixed(4)} after ${r.result.iterations} iterations; ` +
        `${r.result.msPerIteration.toFixed(2)} ms/iteration, ${perEpoch.toFixed(2)} s/epoch training, ${r.seconds.toFixed(1)} s in all`,
    );
  }
  const path = `${outDir}/chapter5-two-layer-net.safetensors`;
  await saveParameters(runs[0].net, path);
  log(`saved the chapter-5 weights to ${path}`);
  const onnx = await exportChapter5(runs[0].net, data, outDir);
  log(
    `exported it to ${onnx.path} (${(onnx.bytes / 1024).toFixed(0)} KiB): ONNX Runtime's test accuracy ` +
      `${onnx.accuracy.toFixed(4)}, zerograd's ${runs[0].result.final?.testAccuracy?.toFixed(4)}`,
  );
  return { data, runs };
}

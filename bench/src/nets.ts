import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type DType, Random, releaseGraph, type Tensor } from '@zerograd/core';
import {
  Adam,
  Affine,
  DataLoader,
  Dropout,
  type Layer,
  loadMnist,
  ReLU,
  Sequential,
  SGD,
  SoftmaxWithLoss,
} from '@zerograd/layers';

/**
 * The networks the training and memory suites time, built the way examples/src/mnist.ts
 * builds them, and the files that hand numpy (bench/numpy_twolayer.py) the same batches and
 * the same initial parameters, so both sides do the same arithmetic on the same numbers.
 */

export const BATCH_SIZE = 100;

export interface NetSpec {
  /** Short key, used in row names and file names. */
  key: 'chapter5' | 'stronger';
  label: string;
  sizes: number[];
  dropout: number;
  optimizer: 'sgd' | 'adam';
  lr: number;
}

/** The book's TwoLayerNet: Affine(784→50) · ReLU · Affine(50→10), weights N(0, 0.01²), SGD lr 0.1. */
export const CHAPTER5: NetSpec = {
  key: 'chapter5',
  label: 'chapter-5 net 784-50-10, SGD',
  sizes: [784, 50, 10],
  dropout: 0,
  optimizer: 'sgd',
  lr: 0.1,
};

/** examples/src/mnist.ts's stronger net: He init, 784-400-400-10, ReLU, Dropout 0.3, Adam lr 5e-4. */
export const STRONGER: NetSpec = {
  key: 'stronger',
  label: 'stronger net 784-400-400-10, Dropout 0.3, Adam',
  sizes: [784, 400, 400, 10],
  dropout: 0.3,
  optimizer: 'adam',
  lr: 5e-4,
};

export interface BuiltNet {
  net: Sequential;
  loss: SoftmaxWithLoss;
  optimizer: SGD | Adam;
}

/** Builds `spec` in zerograd (seeded like the example), in `dtype`. */
export function buildNet(spec: NetSpec, dtype: DType, seed = 1, fused = false): BuiltNet {
  const random = new Random(seed);
  const init = spec.key === 'chapter5' ? 0.01 : 'he';
  const layers: Layer[] = [];
  const last = spec.sizes.length - 2;
  for (let i = 0; i + 1 < spec.sizes.length; i++) {
    if (i > 0) {
      if (!fused) layers.push(new ReLU());
      if (spec.dropout > 0) layers.push(new Dropout(spec.dropout, { seed: seed + i }));
    }
    // Fused: Affine+ReLU as one node (`activation: 'relu'`), the last Affine as one node; the
    // same parameters, draws and arithmetic, so the same numbers.
    const options = fused ? (i < last ? { activation: 'relu' as const } : { fused: true }) : {};
    layers.push(new Affine(spec.sizes[i], spec.sizes[i + 1], { init, random, ...options }));
  }
  const net = new Sequential(layers).astype(dtype);
  const optimizer = spec.optimizer === 'adam' ? new Adam(net, { lr: spec.lr }) : new SGD(net, { lr: spec.lr });
  return { net, loss: new SoftmaxWithLoss(), optimizer };
}

/** One training iteration, as `train` runs it: forward, loss, backward, update. */
export function trainStep({ net, loss, optimizer }: BuiltNet, x: Tensor, t: Tensor, recycle = false): number {
  optimizer.zeroGrad();
  net.zeroGrad();
  const l = loss.forward(net.forward(x), t);
  l.backward();
  optimizer.step();
  const value = l.item();
  // As train({ recycle: true }) does: the graph's values go back to the buffer pool.
  if (recycle) releaseGraph(l);
  return value;
}

/** The parameters (W1, b1, W2, b2, …) as one float64 buffer, the order numpy_twolayer.py reads. */
export function parameterBytes(net: Sequential): Uint8Array {
  const params = net.parameters();
  const out = new Float64Array(params.reduce((n, p) => n + p.size, 0));
  let at = 0;
  for (const p of params) {
    out.set(p.data.data, at);
    at += p.size;
  }
  return new Uint8Array(out.buffer);
}

export interface EpochBatches {
  /** One epoch of the 8,000 training digits in shuffled batches of 100, per dtype asked for. */
  batches: Partial<Record<DType, { x: Tensor; t: Tensor }[]>>;
  rows: number;
  /** A temporary directory holding x.u8 and t.u8 (the same batches, row after row) for numpy. */
  dir: string;
  /** Writes a parameter file into `dir` and returns its name. */
  writeParams(name: string, net: Sequential): string;
  dispose(): void;
}

/**
 * One shuffled epoch of MNIST (seeded split and order), cut by `DataLoader` into batches of 100,
 * in float32 and float64, and written for numpy as pixel bytes (pixels are `byte / 255`, so
 * `round(x · 255)` recovers the byte exactly) with the labels.
 */
export function epochBatches(seed = 0, dtypes: readonly DType[] = ['float32', 'float64']): EpochBatches {
  const batches = {} as EpochBatches['batches'];
  for (const dtype of dtypes) {
    const data = loadMnist({ seed, dtype });
    batches[dtype] = [...new DataLoader(data.train, { batchSize: BATCH_SIZE, shuffle: true, seed, dropLast: true })];
  }
  const first = batches[dtypes[0]] ?? [];
  const rows = first.length * BATCH_SIZE;
  const x = new Uint8Array(rows * 784);
  const t = new Uint8Array(rows);
  first.forEach((b, i) => {
    const px = b.x.data;
    for (let j = 0; j < px.length; j++) x[i * BATCH_SIZE * 784 + j] = Math.round(px[j] * 255);
    t.set(Array.from(b.t.data), i * BATCH_SIZE);
  });
  const dir = mkdtempSync(join(os.tmpdir(), 'zerograd-bench-'));
  writeFileSync(join(dir, 'x.u8'), x);
  writeFileSync(join(dir, 't.u8'), t);
  return {
    batches,
    rows,
    dir,
    writeParams(name, net) {
      const file = `${name}.f64`;
      writeFileSync(join(dir, file), parameterBytes(net));
      return file;
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

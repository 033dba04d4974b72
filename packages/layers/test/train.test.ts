// Training for real on MNIST (short runs with thresholds a broken step would miss), the loop's
// history and callbacks, evaluation over every example, determinism, and checkpoints.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferPoolStats, clearBufferPool, fromArray, Random, ShapeError, Tensor, ValueError } from '@zerograd/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Affine,
  BatchNorm,
  Dropout,
  evaluate,
  type IterationEvent,
  loadMnist,
  loadParameters,
  type MnistData,
  parametersFromBytes,
  parametersToBytes,
  ReLU,
  Sequential,
  SGD,
  SoftmaxWithLoss,
  saveParameters,
  train,
} from '../src/index.js';

let mnist: MnistData;
let dir: string;
beforeAll(async () => {
  mnist = loadMnist({ seed: 0 });
  dir = await mkdtemp(join(tmpdir(), 'zerograd-layers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The book's chapter-5 network (TwoLayerNet): Affine(784→50)·ReLU·Affine(50→10), init std 0.01. */
function twoLayerNet(seed: number, hidden = 50) {
  const random = new Random(seed);
  return new Sequential([
    new Affine(784, hidden, { init: 0.01, random }),
    new ReLU(),
    new Affine(hidden, 10, { init: 0.01, random }),
  ]).astype('float32');
}

describe('training on real MNIST digits', () => {
  it('the book’s chapter-5 net with SGD (lr 0.1, batch 100) learns: > 0.85 test accuracy in 400 iterations', () => {
    const net = twoLayerNet(1);
    const before = evaluate(net, mnist.test).accuracy;
    const result = train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: new SGD(net, { lr: 0.1 }),
      data: mnist,
      iterations: 400,
      batchSize: 100,
      trainAccuracy: false,
      progress: false,
    });
    const acc = result.final?.testAccuracy ?? 0;
    console.log(
      `chapter-5 net, 400 iterations: test accuracy ${acc.toFixed(4)} (before ${before.toFixed(4)}), ${result.msPerIteration.toFixed(2)} ms/iteration`,
    );
    expect(before).toBeLessThan(0.3);
    expect(acc).toBeGreaterThan(0.85);
    expect(result.history.loss).toHaveLength(400);
    expect(result.history.testAccuracy).toHaveLength(5); // 8000 / 100 = 80 iterations per epoch
    const early = result.history.loss.slice(0, 20).reduce((a, b) => a + b) / 20;
    const late = result.history.loss.slice(-20).reduce((a, b) => a + b) / 20;
    expect(late).toBeLessThan(early / 3);
  });

  it('He init, BatchNorm and Adam learn faster: > 0.9 test accuracy in 2 epochs', () => {
    const random = new Random(2);
    const net = new Sequential([
      new Affine(784, 64, { init: 'he', random }),
      new BatchNorm(64),
      new ReLU(),
      new Affine(64, 10, { init: 'he', random }),
    ]).astype('float32');
    const result = train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: new Adam(net, { lr: 0.003 }),
      data: mnist,
      epochs: 2,
      batchSize: 100,
      trainAccuracy: false,
      progress: false,
    });
    const acc = result.final?.testAccuracy ?? 0;
    console.log(`He + BatchNorm + Adam, 2 epochs: test accuracy ${acc.toFixed(4)}`);
    expect(acc).toBeGreaterThan(0.9);
  });
});

describe('the training loop', () => {
  /** A small slice of MNIST for fast loop tests. */
  const slice = (n: number) => {
    const { x, t } = mnist.train;
    return {
      x: new Tensor(x.data.slice(0, n * 784), [n, 784]),
      t: new Tensor(t.data.slice(0, n), [n]),
    };
  };

  it('is deterministic: the same seed gives the same weights, another seed others', () => {
    const run = (seed: number) => {
      const net = twoLayerNet(5, 16);
      train({
        model: net,
        loss: new SoftmaxWithLoss(),
        optimizer: new Adam(net),
        data: { train: slice(300) },
        iterations: 12,
        batchSize: 50,
        seed,
        trainAccuracy: false,
        progress: false,
      });
      return net.stateDict();
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)['affine1.W'].data).not.toEqual(a['affine1.W'].data);
  });

  it('recycle: reuses the buffers of each step and trains to the very same numbers (Dropout, BatchNorm, Adam)', () => {
    const run = (recycle: boolean) => {
      clearBufferPool();
      const random = new Random(4);
      const net = new Sequential([
        new Affine(784, 64, { init: 'he', random }),
        new BatchNorm(64),
        new ReLU(),
        new Dropout(0.3, { seed: 3 }),
        new Affine(64, 10, { init: 'he', random, activation: null }),
      ]).astype('float32');
      const result = train({
        model: net,
        loss: new SoftmaxWithLoss(),
        optimizer: new Adam(net),
        data: { train: slice(400), test: slice(100) },
        iterations: 16,
        batchSize: 50,
        seed: 1,
        progress: false,
        recycle,
      });
      return {
        loss: result.history.loss,
        acc: result.final?.testAccuracy,
        state: net.stateDict(),
        pool: bufferPoolStats(),
      };
    };
    const plain = run(false);
    const recycled = run(true);
    expect(recycled.loss).toEqual(plain.loss);
    expect(recycled.acc).toBe(plain.acc);
    expect(recycled.state).toEqual(plain.state);
    expect(plain.pool.taken).toBe(0);
    expect(recycled.pool.taken).toBeGreaterThan(15 * 3); // every step after the first reused its values
  });

  it('reports every iteration, evaluation and epoch through callbacks and events, and can stop', () => {
    const net = twoLayerNet(3, 8);
    const events = new EventEmitter();
    const seen: string[] = [];
    for (const e of ['iteration', 'evaluate', 'epoch', 'end']) events.on(e, () => seen.push(e));
    const iterations: IterationEvent[] = [];
    const lines: string[] = [];
    const result = train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: new SGD(net, { lr: 0.1 }),
      data: { train: slice(250), test: slice(120) },
      epochs: 2,
      batchSize: 100,
      evalEvery: 2,
      onIteration: (e) => {
        iterations.push(e);
      },
      events,
      progress: 'lines',
      progressStream: { write: (s: string) => lines.push(s) },
    });
    // 250 examples in batches of 100: 3 iterations per epoch (the last one of 50).
    expect(iterations.map((e) => [e.iteration, e.epoch, e.batchSize])).toEqual([
      [1, 1, 100],
      [2, 1, 100],
      [3, 1, 50],
      [4, 2, 100],
      [5, 2, 100],
      [6, 2, 50],
    ]);
    expect(result.history.evaluations.map((e) => e.iteration)).toEqual([2, 4, 6]);
    expect(seen.filter((e) => e === 'epoch')).toHaveLength(2);
    expect(seen.at(-1)).toBe('end');
    expect(lines.join('')).toMatch(/epoch 2\/2 · loss \d\.\d{4} · train acc/);
    const stopped = train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: new SGD(net, { lr: 0.1 }),
      data: { train: slice(250) },
      epochs: 5,
      onIteration: (e) => e.iteration < 4,
      progress: false,
    });
    expect(stopped.stopped).toBe(true);
    expect(stopped.iterations).toBe(4);
    expect(stopped.final?.iteration).toBe(4);
    expect(() =>
      train({
        model: net,
        loss: new SoftmaxWithLoss(),
        optimizer: new SGD(net),
        data: mnist,
        epochs: 1,
        iterations: 2,
      }),
    ).toThrow(ValueError);
  });

  it('evaluates every example, the last partial batch included, in eval mode without a graph', () => {
    // x is one-hot of a class; the identity network predicts it. The last 5 of 25 labels are wrong.
    const labels = Array.from({ length: 25 }, (_, i) => i % 3);
    const x = fromArray(labels.map((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))));
    const t = fromArray(labels.map((k, i) => (i >= 20 ? (k + 1) % 3 : k)));
    const net = new Sequential([new Affine(3, 3, { init: 0 })]);
    (net.get(0) as Affine).W.data = fromArray([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    const r = evaluate(net, { x, t }, { batchSize: 10, loss: new SoftmaxWithLoss() });
    expect(r.count).toBe(25);
    expect(r.accuracy).toBe(20 / 25);
    expect(r.loss).toBeGreaterThan(0);
    expect(net.training).toBe(true);
  });
});

describe('checkpoints (.safetensors)', () => {
  const model = (seed: number) =>
    new Sequential([new Affine(4, 3, { seed }), new BatchNorm(3), new ReLU(), new Affine(3, 2, { seed: seed + 1 })]);

  it('round-trips parameters and buffers through a file', async () => {
    const a = model(1);
    a.forward(new Random(0).randn([5, 4])); // moves BatchNorm's running statistics
    const path = join(dir, 'net.safetensors');
    await saveParameters(a, path, { metadata: { note: 'test' } });
    const b = model(9);
    await loadParameters(b, path);
    expect(b.stateDict()).toEqual(a.stateDict());
    const x = new Random(4).randn([2, 4]);
    a.eval();
    b.eval();
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    const c = model(3).astype('float32');
    parametersFromBytes(c, parametersToBytes(a));
    expect(c.stateDict()['affine1.W'].dtype).toBe('float32');
  });

  it('rejects a model of another shape, or a corrupt file, and loads nothing', async () => {
    const path = join(dir, 'small.safetensors');
    await saveParameters(model(1), path);
    const other = new Sequential([new Affine(4, 5), new BatchNorm(5), new ReLU(), new Affine(5, 2)]);
    const before = other.stateDict();
    await expect(loadParameters(other, path)).rejects.toThrow(ShapeError);
    await expect(loadParameters(other, path)).rejects.toThrow(
      /small\.safetensors: nothing was loaded: 'affine1\.W' has shape \(4, 3\), the model expects \(4, 5\)/,
    );
    expect(other.stateDict()).toEqual(before);
    const bytes = parametersToBytes(model(1));
    const bad = join(dir, 'truncated.safetensors');
    await writeFile(bad, bytes.subarray(0, bytes.length - 7));
    const target = model(2);
    const kept = target.stateDict();
    await expect(loadParameters(target, bad)).rejects.toThrow(/truncated\.safetensors/);
    expect(target.stateDict()).toEqual(kept);
  });
});

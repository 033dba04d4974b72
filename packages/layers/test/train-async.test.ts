// trainAsync: the same numbers as train for the same seed, a yield to the event loop between
// steps, a pause through an awaited onStep, and a stop through an AbortSignal.
import { Random } from '@zerograd/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Affine,
  type IterationEvent,
  loadMnist,
  type MnistData,
  ReLU,
  Sequential,
  SGD,
  SoftmaxWithLoss,
  train,
  trainAsync,
} from '../src/index.js';

let mnist: MnistData;
beforeAll(() => {
  mnist = loadMnist({ seed: 0 });
});

/** The book's chapter-5 net, seeded. */
function net(seed: number) {
  const random = new Random(seed);
  return new Sequential([
    new Affine(784, 30, { init: 0.01, random }),
    new ReLU(),
    new Affine(30, 10, { init: 0.01, random }),
  ]).astype('float32');
}

function weights(model: Sequential): number[][] {
  return model.parameters().map((p) => Array.from(p.data.data as Float32Array));
}

const common = { loss: new SoftmaxWithLoss(), batchSize: 100, seed: 3, progress: false as const, trainAccuracy: false };

describe('trainAsync', () => {
  it('computes exactly what train computes for the same seed (losses, accuracies, weights)', async () => {
    const a = net(7);
    const b = net(7);
    const sync = train({
      ...common,
      model: a,
      optimizer: new Adam(a, { lr: 0.01 }),
      data: mnist,
      iterations: 120,
      evalEvery: 50,
      trainAccuracy: true,
    });
    const async = await trainAsync({
      ...common,
      model: b,
      optimizer: new Adam(b, { lr: 0.01 }),
      data: mnist,
      iterations: 120,
      evalEvery: 50,
      trainAccuracy: true,
    });
    expect(async.history.loss).toEqual(sync.history.loss);
    expect(async.history.testAccuracy).toEqual(sync.history.testAccuracy);
    expect(async.history.trainAccuracy).toEqual(sync.history.trainAccuracy);
    expect(async.iterations).toBe(120);
    expect(weights(b)).toEqual(weights(a));
    // and it learned something, so the equality is not between two untrained nets
    expect(sync.final?.testAccuracy).toBeGreaterThan(0.8);
  });

  it('yields to the event loop between steps: a timer set before the run fires during it', async () => {
    const model = net(1);
    let done = 0;
    let timerAt = -1;
    setTimeout(() => {
      timerAt = done;
    }, 0);
    const result = await trainAsync({
      ...common,
      model,
      optimizer: new SGD(model, { lr: 0.1 }),
      data: mnist,
      iterations: 40,
      onIteration: (e: IterationEvent) => {
        done = e.iteration;
      },
    });
    expect(result.iterations).toBe(40);
    expect(timerAt).toBeGreaterThanOrEqual(1);
    expect(timerAt).toBeLessThan(40);
  });

  it('train blocks instead: the same timer fires only after the whole run', () => {
    // the contrast that makes the test above mean something
    const model = net(1);
    let done = 0;
    let timerAt = -1;
    const fired = new Promise<void>((resolve) =>
      setTimeout(() => {
        timerAt = done;
        resolve();
      }, 0),
    );
    train({
      ...common,
      model,
      optimizer: new SGD(model, { lr: 0.1 }),
      data: mnist,
      iterations: 10,
      onIteration: (e) => {
        done = e.iteration;
      },
    });
    return fired.then(() => expect(timerAt).toBe(10));
  });

  it('reports progress: an onStep per step, an onEpoch per epoch, in order', async () => {
    const model = net(2);
    const seen: string[] = [];
    await trainAsync({
      ...common,
      model,
      optimizer: new SGD(model, { lr: 0.1 }),
      data: { train: mnist.test }, // 2,000 digits: 20 steps an epoch
      epochs: 2,
      onStep: (e) => {
        seen.push(`step ${e.iteration}`);
      },
      onEpoch: (e) => {
        seen.push(`epoch ${e.epoch}`);
      },
    });
    expect(seen.filter((s) => s.startsWith('step'))).toHaveLength(40);
    expect(seen.indexOf('epoch 1')).toBe(seen.indexOf('step 20') + 1);
    expect(seen.at(-1)).toBe('epoch 2');
  });

  it('pauses while onStep’s promise is pending and resumes where it stopped', async () => {
    const model = net(4);
    const reference = net(4);
    train({ ...common, model: reference, optimizer: new SGD(reference, { lr: 0.1 }), data: mnist, iterations: 12 });
    let resume: () => void = () => {};
    let steps = 0;
    const run = trainAsync({
      ...common,
      model,
      optimizer: new SGD(model, { lr: 0.1 }),
      data: mnist,
      iterations: 12,
      onIteration: () => {
        steps++;
      },
      onStep: (e) => (e.iteration === 5 ? new Promise<void>((r) => (resume = r)) : undefined),
    });
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1));
    expect(steps).toBe(5); // paused: twenty timer turns and not one more step
    resume();
    const result = await run;
    expect(result.iterations).toBe(12);
    expect(weights(model)).toEqual(weights(reference)); // the pause changed no number
  });

  it('stops on an AbortSignal after the step under way, with the weights of that step', async () => {
    const model = net(5);
    const reference = net(5);
    train({ ...common, model: reference, optimizer: new SGD(reference, { lr: 0.1 }), data: mnist, iterations: 7 });
    const controller = new AbortController();
    let steps = 0;
    const run = trainAsync({
      ...common,
      model,
      optimizer: new SGD(model, { lr: 0.1 }),
      data: mnist,
      iterations: 500,
      signal: controller.signal,
      onIteration: (e) => {
        steps = e.iteration;
        if (e.iteration === 7) controller.abort(new Error('reset pressed'));
      },
    });
    await expect(run).rejects.toThrow('reset pressed');
    expect(steps).toBe(7);
    expect(weights(model)).toEqual(weights(reference));
  });

  it('an already aborted signal rejects with an AbortError before any step', async () => {
    const model = net(6);
    const before = weights(model);
    let steps = 0;
    const run = trainAsync({
      ...common,
      model,
      optimizer: new SGD(model, { lr: 0.1 }),
      data: mnist,
      iterations: 5,
      signal: AbortSignal.abort(),
      onIteration: () => {
        steps++;
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(steps).toBe(0);
    expect(weights(model)).toEqual(before);
  });

  it('bad options throw the library’s errors naming trainAsync or train', async () => {
    const model = net(8);
    const optimizer = new SGD(model, { lr: 0.1 });
    await expect(trainAsync({ ...common, model, optimizer, data: mnist, yieldEvery: -1 })).rejects.toThrow(
      /trainAsync: .*yieldEvery/,
    );
    await expect(trainAsync({ ...common, model, optimizer, data: mnist, iterations: 0 })).rejects.toThrow(
      /train.*iterations must be a positive integer/,
    );
  });
});

/**
 * Coming from PyTorch: the shape of a PyTorch training script, in zerograd. A model class whose
 * layers are fields (`nn.Module`), a hand-written loop over a `DataLoader` with
 * `optimizer.zeroGrad()`, `loss.backward()`, `clipGradNorm`, `optimizer.step()` and a
 * learning-rate schedule stepped after it (warm-up, then cosine annealing), and an evaluation
 * on held-out digits. Every number printed comes from the run.
 *
 * Run it: `node --conditions=source --import tsx examples/src/from-pytorch.ts`.
 */
import { pathToFileURL } from 'node:url';
import { Random, type Variable } from '@zerograd/core';
import {
  Adam,
  Affine,
  CosineAnnealingLR,
  clipGradNorm,
  DataLoader,
  Dropout,
  evaluate,
  GELU,
  Layer,
  LayerNorm,
  LinearWarmup,
  loadMnist,
  type MnistData,
  softmaxCrossEntropy,
} from '@zerograd/layers';

/**
 * `class Mlp(nn.Module)`: 784 → 128 → LayerNorm → GELU → Dropout → 10. `registerChild` is
 * `nn.Module`'s attribute assignment: it names the child (`fc1`) and makes its parameters the
 * model's (`fc1.W`, `fc1.b`), so `model.parameters()` and the optimizer find them.
 */
export class Mlp extends Layer {
  readonly type = 'Mlp';
  readonly fc1: Affine;
  readonly norm: LayerNorm;
  readonly act: GELU;
  readonly drop: Dropout;
  readonly fc2: Affine;

  constructor(hidden = 128, seed = 0) {
    super();
    const random = new Random(seed);
    // PyTorch's nn.Linear draws U(±1/√in); 'he' (N(0, 2/in)) is the nearest of zerograd's inits
    // (the default, std 0.01, is the book's).
    this.fc1 = this.registerChild('fc1', new Affine(784, hidden, { init: 'he', random }));
    this.norm = this.registerChild('norm', new LayerNorm(hidden));
    this.act = this.registerChild('act', new GELU());
    this.drop = this.registerChild('drop', new Dropout(0.1, { seed }));
    this.fc2 = this.registerChild('fc2', new Affine(hidden, 10, { init: 'xavier', random }));
  }

  /** `forward(self, x)`: called through `model.forward(x)`, which scopes it for drawings. */
  protected call(x: Variable): Variable {
    const h = this.drop.forward(this.act.forward(this.norm.forward(this.fc1.forward(x))));
    return this.fc2.forward(h);
  }
}

/** Options of {@link trainFromPytorch}. */
export interface FromPytorchOptions {
  /** Optimizer steps (default 400). */
  iterations?: number;
  /** Examples per step (default 64). */
  batchSize?: number;
  /** Peak learning rate, reached after the warm-up (default 2e-3). */
  lr?: number;
  /** Steps of linear warm-up (default 40). */
  warmup?: number;
  /** Gradient norm limit (default 1). */
  maxNorm?: number;
  /** The digits (default: `loadMnist({ seed: 0 })`, 8,000 train / 2,000 test). */
  data?: MnistData;
}

/** What a run measured. */
export interface FromPytorchRun {
  model: Mlp;
  /** Test accuracy after training. */
  testAccuracy: number;
  /** Mean test loss after training. */
  testLoss: number;
  /** Loss of every step. */
  losses: number[];
  /** Learning rate used at every step. */
  lrs: number[];
  /** Gradient norm (before clipping) of every step. */
  norms: number[];
  /** Steps whose gradient norm was above `maxNorm` (and so were clipped). */
  clipped: number;
  seconds: number;
}

/** The PyTorch-style loop, on float32 MNIST. */
export function trainFromPytorch(options: FromPytorchOptions = {}): FromPytorchRun {
  const { iterations = 400, batchSize = 64, lr = 2e-3, warmup = 40, maxNorm = 1 } = options;
  const data = options.data ?? loadMnist({ seed: 0 });
  const model = new Mlp().astype('float32'); // zerograd's default dtype is float64, PyTorch's float32
  const optimizer = new Adam(model, { lr });
  // SequentialLR([LinearLR, CosineAnnealingLR]): build the cosine first, the warm-up drives it.
  const cosine = new CosineAnnealingLR(optimizer, { tMax: iterations - warmup });
  const schedule = new LinearWarmup(optimizer, { steps: warmup, startFactor: 0.1, after: cosine });
  const loader = new DataLoader(data.train, { batchSize, shuffle: true, seed: 0 });

  const losses: number[] = [];
  const lrs: number[] = [];
  const norms: number[] = [];
  const start = performance.now();
  model.train();
  for (let step = 0; step < iterations; ) {
    for (const { x, t } of loader) {
      optimizer.zeroGrad(); // gradients accumulate across backward() calls until cleared
      const loss = softmaxCrossEntropy(model.forward(x), t); // F.cross_entropy(model(x), t)
      loss.backward();
      norms.push(clipGradNorm(model, maxNorm)); // torch.nn.utils.clip_grad_norm_
      lrs.push(optimizer.lr);
      optimizer.step();
      schedule.step(); // after optimizer.step(), as in PyTorch
      losses.push(loss.item());
      if (++step === iterations) break;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const test = evaluate(model, data.test, { loss: (y, t) => softmaxCrossEntropy(y, t) }); // eval mode, no graph
  return {
    model,
    testAccuracy: test.accuracy ?? Number.NaN,
    testLoss: test.loss ?? Number.NaN,
    losses,
    lrs,
    norms,
    clipped: norms.filter((n) => n > maxNorm).length,
    seconds,
  };
}

/** Runs the example and prints what it measured. */
export function main(log: (line: string) => void = console.log): FromPytorchRun {
  const run = trainFromPytorch();
  const first = run.losses.slice(0, 20).reduce((s, v) => s + v, 0) / 20;
  const last = run.losses.slice(-20).reduce((s, v) => s + v, 0) / 20;
  log(`model: ${run.model.parameterCount()} parameters\n${run.model}`);
  log(
    `${run.losses.length} steps in ${run.seconds.toFixed(1)} s; mean loss of the first 20 ${first.toFixed(3)}, last 20 ${last.toFixed(3)}`,
  );
  log(
    `learning rate: ${run.lrs[0].toExponential(2)} → peak ${Math.max(...run.lrs).toExponential(2)} → ${run.lrs.at(-1)?.toExponential(2)}`,
  );
  log(
    `gradient norm clipped at 1 in ${run.clipped} of ${run.norms.length} steps (largest ${Math.max(...run.norms).toFixed(2)})`,
  );
  log(`test accuracy ${run.testAccuracy.toFixed(4)}, test loss ${run.testLoss.toFixed(4)}`);
  return run;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

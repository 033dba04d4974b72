/**
 * Chapters 7 and 8 on real digits. SimpleConvNet — Conv 30@5×5 → ReLU → MaxPool 2×2 →
 * Affine 100 → ReLU → Affine 10, trained with Adam — and DeepConvNet, on the seeded
 * 8,000/2,000 split of the `mnist` package's real digits. `trainSimpleConvNet` runs it at any
 * size (the test runs a reduced one); `main` runs the full run — the book's settings plus
 * shifted digits and a cosine learning rate, {@link SIMPLE_CONV_NET_FULL_RUN} — and DeepConvNet
 * with `{ book: true }` (`pnpm demo --book`). Everything printed comes from the run.
 */
import { fmtShape, noGrad, Random, ShapeError, type Tensor, ValueError, variable, zerosLike } from '@zerograd/core';
import {
  Adam,
  Affine,
  Conv2d,
  CosineAnnealingLR,
  Dropout,
  type InitSpec,
  loadMnist,
  MaxPool2d,
  type MnistData,
  ReLU,
  Sequential,
  SoftmaxWithLoss,
  type TrainResult,
  train,
} from '@zerograd/layers';

/**
 * The book's SimpleConvNet for 1×28×28 digits, in float32. `init` is every layer's weight
 * initialisation: `'he'` (default) or the book's fixed standard deviation 0.01.
 */
export function simpleConvNet(seed = 3, init: InitSpec = 'he'): Sequential {
  const random = new Random(seed);
  return new Sequential([
    new Conv2d(1, 30, 5, { init, random }), // → [N, 30, 24, 24]
    new ReLU(),
    new MaxPool2d(2), // → [N, 30, 12, 12]
    new Affine(30 * 12 * 12, 100, { init, random }), // flattens the maps itself
    new ReLU(),
    new Affine(100, 10, { init, random }),
  ]).astype('float32');
}

/**
 * The book's DeepConvNet (chapter 8) for 1×28×28 digits, He-initialised, in float32: six 3×3
 * convolutions (16, 16, 32, 32, 64, 64 filters) with ReLU, 2×2 max pooling after every second,
 * then Affine 50 → ReLU → Dropout 0.5 → Affine 10 → Dropout 0.5. The fourth convolution pads
 * by 2, as the book's does, so its 16×16 maps pool to 8×8 exactly.
 */
export function deepConvNet(seed = 4): Sequential {
  const random = new Random(seed);
  const conv = (c: number, f: number, pad: number) => new Conv2d(c, f, 3, { pad, random });
  return new Sequential([
    conv(1, 16, 1),
    new ReLU(),
    conv(16, 16, 1),
    new ReLU(),
    new MaxPool2d(2), // → 16×14×14
    conv(16, 32, 1),
    new ReLU(),
    conv(32, 32, 2),
    new ReLU(),
    new MaxPool2d(2), // → 32×8×8
    conv(32, 64, 1),
    new ReLU(),
    conv(64, 64, 1),
    new ReLU(),
    new MaxPool2d(2), // → 64×4×4
    new Affine(64 * 4 * 4, 50, { init: 'he', random }),
    new ReLU(),
    new Dropout(0.5, { seed }),
    new Affine(50, 10, { init: 'he', random }),
    new Dropout(0.5, { seed: seed + 1 }),
  ]).astype('float32');
}

/** How much of the book's run to do. */
export interface CnnRunOptions {
  /** Training digits (default 8,000) and held-out test digits (default 2,000). */
  trainSize?: number;
  testSize?: number;
  /** Passes over the training digits (default 10). */
  epochs?: number;
  /** Adam's learning rate (default 0.001, the book's). */
  lr?: number;
  /** L2 weight decay λ (the book's `weight_decay_lambda`, chapter 6; default 0). */
  weightDecay?: number;
  /** Digits per step (default 100, the book's). */
  batchSize?: number;
  /** Weight initialisation of every layer (default `'he'`; the book used 0.01). */
  init?: InitSpec;
  /**
   * Data augmentation: every epoch trains on freshly shifted copies of the training digits,
   * each moved by up to this many pixels in each direction ({@link shiftDigits}; default 0,
   * none). The test digits are never touched.
   */
  maxShift?: number;
  /**
   * The learning rate over the run: `'constant'` (default, the book's) or `'cosine'`, from `lr`
   * down to 0 along half a cosine, stepped every iteration (`CosineAnnealingLR`).
   */
  schedule?: 'constant' | 'cosine';
  progress?: boolean | 'auto';
}

/** A finished run: the net, its filters before training, the history and the timings. */
export interface CnnRun {
  net: Sequential;
  data: MnistData;
  /** The first layer's filters `[30, 1, 5, 5]` as they were initialised. */
  filtersBefore: Tensor;
  result: TrainResult;
  /** The settings it ran with, defaults filled in. */
  settings: Required<Omit<CnnRunOptions, 'init' | 'progress'>>;
  seconds: number;
  /** Mean seconds of one training epoch (evaluations excluded). */
  secondsPerEpoch: number;
}

/**
 * The full run of SimpleConvNet, which reaches the issue's 0.975 on the 2,000 held-out digits
 * (0.9765 measured; the book's settings alone give 0.966): the book's Adam 0.001, batch 100 and
 * He init, but 15 epochs, each on the 8,000 training digits shifted anew by up to one pixel,
 * with the learning rate annealed to 0 along a cosine. docs/decisions/0004 has the runs that
 * chose it: the shifts are what help; the cosine makes the last epochs agree.
 */
export const SIMPLE_CONV_NET_FULL_RUN: Readonly<CnnRunOptions> = Object.freeze({
  epochs: 15,
  maxShift: 1,
  schedule: 'cosine',
});

/**
 * The full run of DeepConvNet, which reaches the issue's 0.985 on the 2,000 held-out digits
 * (0.9855 measured, 0.985–0.9855 over the last five epochs): Adam 0.002 annealed to 0 along a
 * cosine over 30 epochs, each on the 8,000 training digits shifted anew by up to one pixel.
 * With the book's settings (Adam 0.001, 15 epochs, no shifts) it ended at 0.968, swinging by a
 * point between epochs; docs/decisions/0004 has the runs that chose this one.
 */
export const DEEP_CONV_NET_FULL_RUN: Readonly<CnnRunOptions> = Object.freeze({
  epochs: 30,
  lr: 0.002,
  maxShift: 1,
  schedule: 'cosine',
});

/** Trains SimpleConvNet with Adam, batch 100, as the book does (its default: 8,000/2,000 digits, 10 epochs). */
export function trainSimpleConvNet(options: CnnRunOptions = {}): CnnRun {
  return trainConvNet(simpleConvNet(3, options.init ?? 'he'), 'SimpleConvNet', options);
}

/** Trains DeepConvNet with Adam, batch 100, on 8,000/2,000 digits: {@link DEEP_CONV_NET_FULL_RUN} unless `options` say otherwise. */
export function trainDeepConvNet(options: CnnRunOptions = {}): CnnRun {
  return trainConvNet(deepConvNet(), 'DeepConvNet', { ...DEEP_CONV_NET_FULL_RUN, ...options });
}

/** Trains `net` on MNIST images `[N, 1, 28, 28]` with Adam and the softmax loss. */
export function trainConvNet(net: Sequential, label: string, options: CnnRunOptions = {}): CnnRun {
  const {
    trainSize = 8000,
    testSize = 2000,
    epochs = 10,
    lr = 0.001,
    weightDecay = 0,
    batchSize = 100,
    maxShift = 0,
    schedule = 'constant',
    progress = 'auto',
  } = options;
  const data = loadMnist({ seed: 0, trainSize, testSize, flatten: false });
  const filtersBefore = firstFilters(net).astype('float64');
  const optimizer = new Adam(net, { lr, weightDecay });
  // Augmentation rewrites one working copy of the training digits before every epoch, so each
  // epoch sees every digit once, shifted anew; `data` itself keeps the digits as they are.
  const shifts = new Random(1);
  const trainSet = maxShift > 0 ? { x: shiftDigits(data.train.x, maxShift, shifts), t: data.train.t } : data.train;
  const perEpoch = Math.ceil(trainSize / batchSize); // train's steps per epoch: the cosine spans them all
  const t0 = performance.now();
  const result = train({
    model: net,
    loss: new SoftmaxWithLoss(),
    optimizer,
    data: { train: trainSet, test: data.test },
    epochs,
    batchSize,
    seed: 0,
    progress,
    trainAccuracy: false,
    recycle: true,
    label,
    ...(schedule === 'cosine'
      ? { schedule: new CosineAnnealingLR(optimizer, { tMax: epochs * perEpoch }), scheduleEvery: 'iteration' as const }
      : {}),
    onEpoch: () => {
      if (maxShift > 0) shiftDigits(data.train.x, maxShift, shifts, trainSet.x);
    },
  });
  const ms = result.history.epochs.map((e) => e.ms ?? 0);
  return {
    net,
    data,
    filtersBefore,
    result,
    settings: { trainSize, testSize, epochs, lr, weightDecay, batchSize, maxShift, schedule },
    seconds: (performance.now() - t0) / 1000,
    secondsPerEpoch: ms.reduce((s, v) => s + v, 0) / Math.max(1, ms.length) / 1000,
  };
}

/**
 * Each image of `x` `[N, C, H, W]` moved by its own random whole number of pixels, drawn
 * uniformly from −maxShift…maxShift across and down, written into `out` (a new tensor if none
 * is given; not `x` itself). Pixels that move in from outside are 0, the digits' background.
 * MNIST draws each digit in a 20×20 box inside its 28×28 frame, so a shift of a pixel or two
 * keeps the stroke in the picture and the label true: the net sees new pictures of the same
 * digits, which is all data augmentation asks.
 */
export function shiftDigits(x: Tensor, maxShift: number, random: Random, out?: Tensor): Tensor {
  if (x.ndim !== 4) throw new ShapeError('shiftDigits', `x must be images [N, C, H, W], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  if (!Number.isSafeInteger(maxShift) || maxShift < 0 || maxShift >= Math.min(h, w)) {
    throw new ValueError('shiftDigits', `maxShift must be a whole number in 0…${Math.min(h, w) - 1}, got ${maxShift}`);
  }
  if (out && (out === x || fmtShape(out.shape) !== fmtShape(x.shape) || out.dtype !== x.dtype)) {
    throw new ShapeError('shiftDigits', `out must be another ${x.dtype} tensor of x's shape ${fmtShape(x.shape)}`);
  }
  const dst = out ?? zerosLike(x);
  const src = x.data;
  const res = dst.data;
  res.fill(0); // what no pixel moves into stays background, also in a reused `out`
  for (let i = 0; i < n; i++) {
    const dy = random.int(-maxShift, maxShift + 1);
    const dx = random.int(-maxShift, maxShift + 1);
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * h * w;
      for (let r = Math.max(0, dy); r < Math.min(h, h + dy); r++) {
        const from = base + (r - dy) * w;
        const to = base + r * w;
        for (let col = Math.max(0, dx); col < Math.min(w, w + dx); col++) res[to + col] = src[from + col - dx];
      }
    }
  }
  return dst;
}

/** The first layer's filters `[30, 1, 5, 5]` (a copy). */
export function firstFilters(net: Sequential): Tensor {
  return (net.get(0) as Conv2d).W.data.astype('float64');
}

/** The first layer's 30 feature maps `[30, 24, 24]` of one digit (784 pixels), after ReLU. */
export function featureMaps(net: Sequential, digit: Float32Array): Tensor {
  return noGrad(() => {
    const x = variable(new Float32Array(digit), { requiresGrad: false }).reshape([1, 1, 28, 28]);
    return net.get(1).forward(net.get(0).forward(x)).data.reshapeView([30, 24, 24]);
  });
}

/** What `main` ran: SimpleConvNet, and DeepConvNet in the book's mode. */
export interface CnnDemo extends CnnRun {
  deep: CnnRun | null;
}

/** One line of figures from a run. */
function describeRun(name: string, run: CnnRun): string {
  const { lr, maxShift, schedule } = run.settings;
  const extras = `${schedule === 'cosine' ? ', cosine schedule' : ''}${maxShift > 0 ? `, shifts ±${maxShift} px` : ''}`;
  return (
    `${name}: ${run.data.train.x.shape[0]} train / ${run.data.test.x.shape[0]} test digits, ` +
    `${run.result.history.epochs.length} epochs, Adam ${lr}${extras}; test accuracy ${run.result.final?.testAccuracy?.toFixed(4)}; ` +
    `${run.result.msPerIteration.toFixed(1)} ms/iteration, ${run.secondsPerEpoch.toFixed(2)} s/epoch, ${run.seconds.toFixed(1)} s in all`
  );
}

/**
 * Runs SimpleConvNet and prints what it measured: with `book`, its full run (8,000 / 2,000
 * digits, {@link SIMPLE_CONV_NET_FULL_RUN}) and DeepConvNet ({@link DEEP_CONV_NET_FULL_RUN}, about ten
 * minutes); else a short
 * SimpleConvNet run with the book's settings.
 */
export function main(log: (line: string) => void = console.log, { book = false } = {}): CnnDemo {
  const run = trainSimpleConvNet(book ? SIMPLE_CONV_NET_FULL_RUN : { trainSize: 2000, testSize: 1000, epochs: 3 });
  log(
    describeRun(
      book ? 'SimpleConvNet, the full run' : 'SimpleConvNet, a short run (`pnpm demo --book` runs the full one)',
      run,
    ),
  );
  const deep = book ? trainDeepConvNet() : null;
  if (deep) log(describeRun('DeepConvNet', deep));
  return { ...run, deep };
}

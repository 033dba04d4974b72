/**
 * The layers of the book's chapter 7: convolution, pooling, and Flatten to hand images to an
 * Affine layer. Each is a thin shell around one core op (`conv2d`, `maxPool2d`, `avgPool2d`),
 * so a drawing shows one `Conv2d` or `MaxPool` node in the layer's box and the gradients come
 * from the graph.
 */
import {
  avgPool2d,
  conv2d,
  type DType,
  flatten,
  maxPool2d,
  type Pair,
  type Pool2dOptions,
  parameter,
  type Random,
  type Shape,
  ValueError,
  type Variable,
} from '@zerograd/core';
import { type Initializer, type InitSpec, resolveInit, resolveRandom, zerosInit } from '../init.js';
import { Layer } from './layer.js';

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions {
  /** Step between windows: one number or `[vertical, horizontal]` (default 1). */
  stride?: Pair;
  /** Zeros added around each image (default 0). */
  pad?: Pair;
  /**
   * Filter initialisation (default `'he'`, for ReLU networks). `'he'` and `'xavier'` count
   * each filter's inputs, C·KH·KW, as the fan-in — the book's `pre_node_nums`; a number is a
   * fixed standard deviation (the book's SimpleConvNet used 0.01); a function gets the shape.
   */
  init?: InitSpec;
  /** Generator for the filters (default: a new one from `seed`, else core's global generator). */
  random?: Random;
  /** Seed of a private generator, when `random` is not given. */
  seed?: number;
  /** dtype of the parameters (default `'float64'`). */
  dtype?: DType;
  /** Whether to learn a bias `b`, one per filter (default true). */
  bias?: boolean;
}

/** The initialiser for filters `[F, C, KH, KW]`: fan-in C·KH·KW (core's `fans` reads `[in, out]`). */
function filterInit(spec: InitSpec, fanIn: number): Initializer {
  if (spec === 'he' || spec === 'relu')
    return (s, { random, dtype }) => random.randn(s, { std: Math.sqrt(2 / fanIn), dtype });
  if (spec === 'xavier' || spec === 'sigmoid')
    return (s, { random, dtype }) => random.randn(s, { std: Math.sqrt(1 / fanIn), dtype });
  return resolveInit(spec);
}

/**
 * The convolution layer: filters W `[outChannels, inChannels, KH, KW]` and a bias b
 * `[outChannels]`; an input `[N, inChannels, H, W]` gives `[N, outChannels, OH, OW]`
 * (`OH = (H + 2·pad − KH) / stride + 1`). One `Conv2d` node.
 *
 * @example
 * new Conv2d(1, 30, 5); // the book's SimpleConvNet: 30 filters of 5×5 over one channel
 */
export class Conv2d extends Layer {
  readonly type = 'Conv2d';
  /** The filters, `[outChannels, inChannels, KH, KW]`. */
  readonly W: Variable;
  /** One bias per filter, `[outChannels]`, or null. */
  readonly b: Variable | null;
  readonly inChannels: number;
  readonly outChannels: number;
  /** Window height and width. */
  readonly kernel: [number, number];
  readonly stride: Pair;
  readonly pad: Pair;

  constructor(inChannels: number, outChannels: number, kernel: Pair, options: Conv2dLayerOptions = {}) {
    super();
    const k = typeof kernel === 'number' ? [kernel, kernel] : Array.isArray(kernel) ? kernel : [];
    const sizes = [inChannels, outChannels, ...k];
    if (k.length !== 2 || !sizes.every((v) => Number.isSafeInteger(v) && v >= 1)) {
      throw new ValueError(
        'Conv2d',
        `inChannels, outChannels and the kernel must be positive integers, got ${inChannels}, ${outChannels}, ${JSON.stringify(kernel)}`,
      );
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernel = [k[0], k[1]];
    if (!isPair(options.stride, 1) || !isPair(options.pad, 0)) {
      throw new ValueError(
        'Conv2d',
        `stride must be ≥ 1 and pad ≥ 0 (whole numbers or pairs), got ${JSON.stringify({ stride: options.stride, pad: options.pad })}`,
      );
    }
    this.stride = options.stride ?? 1;
    this.pad = options.pad ?? 0;
    const ctx = { random: resolveRandom(options.random, options.seed), dtype: options.dtype ?? 'float64' };
    const shape: Shape = [outChannels, inChannels, k[0], k[1]];
    this.W = this.registerParameter(
      'W',
      parameter(filterInit(options.init ?? 'he', inChannels * k[0] * k[1])(shape, ctx)),
    );
    this.b = options.bias === false ? null : this.registerParameter('b', parameter(zerosInit()([outChannels], ctx)));
  }

  protected call(x: Variable): Variable {
    return conv2d(x, this.W, this.b, { stride: this.stride, pad: this.pad });
  }
}

/** Whether `p` is a whole number ≥ `min` or a pair of them (undefined: the default). */
function isPair(p: unknown, min: number): boolean {
  const values =
    typeof p === 'number' ? [p] : Array.isArray(p) && p.length === 2 ? p : p === undefined ? [] : [Number.NaN];
  return values.every((v) => Number.isSafeInteger(v) && v >= min);
}

/** Checks a pooling layer's options now, not at the first forward. */
function poolOptions(type: string, kernel: Pair, options: Omit<Pool2dOptions, 'kernel'>): Pool2dOptions {
  if (kernel === undefined || !isPair(kernel, 1) || !isPair(options.stride, 1) || !isPair(options.pad, 0)) {
    throw new ValueError(
      type,
      `bad window ${JSON.stringify({ kernel, ...options })}: whole numbers (or pairs), kernel and stride ≥ 1`,
    );
  }
  return { kernel, stride: options.stride, pad: options.pad };
}

/**
 * Max pooling as a layer: the largest value of every `kernel` window (stride defaults to the
 * window, so `new MaxPool2d(2)` halves height and width, as the book's `Pooling(2, 2, stride=2)`).
 * No parameters. One `MaxPool` node.
 */
export class MaxPool2d extends Layer {
  readonly type = 'MaxPool2d';
  /** The window, stride and padding. */
  readonly options: Pool2dOptions;
  constructor(kernel: Pair, options: Omit<Pool2dOptions, 'kernel'> = {}) {
    super();
    this.options = poolOptions('MaxPool2d', kernel, options);
  }
  protected call(x: Variable): Variable {
    return maxPool2d(x, this.options);
  }
}

/** Average pooling as a layer: the mean of every `kernel` window. No parameters. One `AvgPool` node. */
export class AvgPool2d extends Layer {
  readonly type = 'AvgPool2d';
  /** The window, stride and padding. */
  readonly options: Pool2dOptions;
  constructor(kernel: Pair, options: Omit<Pool2dOptions, 'kernel'> = {}) {
    super();
    this.options = poolOptions('AvgPool2d', kernel, options);
  }
  protected call(x: Variable): Variable {
    return avgPool2d(x, this.options);
  }
}

/**
 * `[N, …]` to `[N, rest]`: images `[N, C, H, W]` become rows for an Affine layer (which also
 * flattens by itself; this layer makes the step visible in a drawing). One `Reshape` node.
 */
export class Flatten extends Layer {
  readonly type = 'Flatten';
  protected call(x: Variable): Variable {
    return flatten(x);
  }
}

/**
 * Weight initialisers. Each draws from a seeded `Random`, so the same seed gives the same
 * network. The scale matters: the book shows activations collapsing with a too small fixed
 * standard deviation, and fixes it with Xavier (sigmoid, tanh) and He (ReLU) initialisation.
 */
import { type DType, globalRandom, Random, type Shape, type Tensor, ValueError, zeros } from '@zerograd/core';

/** What an initialiser gets besides the shape. */
export interface InitContext {
  /** The generator to draw from. */
  random: Random;
  /** dtype of the tensor to make. */
  dtype: DType;
}

/** Makes a parameter tensor of `shape`. */
export type Initializer = (shape: Shape, context: InitContext) => Tensor;

/**
 * How a layer's weights are initialised: a number is a fixed standard deviation (the book's
 * `weight_init_std`), `'he'`/`'relu'` and `'xavier'`/`'sigmoid'` are the book's scaled inits,
 * and any `Initializer` function is used as it is.
 */
export type InitSpec = number | 'he' | 'relu' | 'xavier' | 'sigmoid' | Initializer;

/** Fan-in and fan-out of a weight shape: `[in, out]` for a matrix (the book's `W` layout). */
export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(2).reduce((p, q) => p * q, 1);
  return { fanIn: shape[0] * receptive, fanOut: shape[1] * receptive };
}

/** Normal values with mean 0 and a fixed standard deviation (the book's default is 0.01). */
export function stdInit(std = 0.01): Initializer {
  if (!(std >= 0) || !Number.isFinite(std)) {
    throw new ValueError('stdInit', `std must be a finite non-negative number, got ${std}`);
  }
  return (shape, { random, dtype }) => random.randn(shape, { std, dtype });
}

/** He initialisation for ReLU layers: normal with standard deviation `√(2 / fanIn)`. */
export function heInit(): Initializer {
  return (shape, { random, dtype }) =>
    random.randn(shape, { std: Math.sqrt(2 / Math.max(1, fans(shape).fanIn)), dtype });
}

/**
 * Xavier initialisation for sigmoid/tanh layers: normal with standard deviation `√(1 / fanIn)`
 * as in the book, or Glorot's `√(2 / (fanIn + fanOut))` with `mode: 'average'`.
 */
export function xavierInit(mode: 'fanIn' | 'average' = 'fanIn'): Initializer {
  if (mode !== 'fanIn' && mode !== 'average') {
    throw new ValueError('xavierInit', `mode must be 'fanIn' or 'average', got ${String(mode)}`);
  }
  return (shape, { random, dtype }) => {
    const { fanIn, fanOut } = fans(shape);
    const std = mode === 'fanIn' ? Math.sqrt(1 / Math.max(1, fanIn)) : Math.sqrt(2 / Math.max(1, fanIn + fanOut));
    return random.randn(shape, { std, dtype });
  };
}

/** All zeros (the book's bias initialisation). */
export function zerosInit(): Initializer {
  return (shape, { dtype }) => zeros(shape, { dtype });
}

/** The initialiser an `InitSpec` stands for. */
export function resolveInit(spec: InitSpec): Initializer {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'number') return stdInit(spec);
  if (spec === 'he' || spec === 'relu') return heInit();
  if (spec === 'xavier' || spec === 'sigmoid') return xavierInit();
  throw new ValueError(
    'init',
    `unknown init ${JSON.stringify(spec)}; expected a standard deviation, 'he', 'relu', 'xavier', 'sigmoid' or a function`,
  );
}

/** The generator a layer draws from: `random`, else a new one from `seed`, else core's global one. */
export function resolveRandom(random?: Random, seed?: number): Random {
  if (random !== undefined) {
    if (!(random instanceof Random)) throw new ValueError('init', 'random must be a core Random');
    return random;
  }
  return seed !== undefined ? new Random(seed) : globalRandom;
}

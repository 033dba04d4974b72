/**
 * The functions a program may call, by name. Each entry says how many tensor arguments it takes
 * and which keyword arguments it knows; arguments that are sizes or axes must be plain numbers.
 * Nothing else is reachable from a program: names are looked up in this table, never in JS scope.
 */

import type { Operand, Variable } from '@zerograd/core';
import * as core from '@zerograd/core';
import { logSoftmax, softmax } from '@zerograd/layers';

/** A function of the language: what it needs, and how to apply it. */
export interface PlaygroundFunction {
  /** Tensor arguments (they may be expressions with variables). */
  readonly tensors: number;
  /** Whether more plain-number arguments may follow (`reshape(x, 2, 3)`, `randn(3, 4)`). */
  readonly sizes?: boolean;
  /** Keyword arguments it accepts, all plain numbers. */
  readonly keywords: readonly string[];
  /** One line for the page's help. */
  readonly help: string;
  apply(tensors: Operand[], sizes: number[], keywords: Record<string, number>): Variable | core.Tensor;
}

const unary = (f: (x: Operand) => Variable, help: string): PlaygroundFunction => ({
  tensors: 1,
  keywords: [],
  help,
  apply: ([x]) => f(x as Operand),
});

const reduction = (
  f: (x: Operand, axis?: number, keepdims?: boolean) => Variable,
  help: string,
): PlaygroundFunction => ({
  tensors: 1,
  keywords: ['axis', 'keepdims'],
  help,
  apply: ([x], _s, k) => f(x as Operand, k.axis, k.keepdims === undefined ? false : k.keepdims !== 0),
});

const binary = (f: (a: Operand, b: Operand) => Variable, help: string): PlaygroundFunction => ({
  tensors: 2,
  keywords: [],
  help,
  apply: ([a, b]) => f(a as Operand, b as Operand),
});

/** Seeded random data: `randn(3, 4, seed=1)`; without a seed, seed 0 (a program always gives the same numbers). */
const random = (kind: 'randn' | 'rand', help: string): PlaygroundFunction => ({
  tensors: 0,
  sizes: true,
  keywords: kind === 'randn' ? ['seed', 'std', 'mean'] : ['seed', 'low', 'high'],
  help,
  apply: (_t, sizes, k) => {
    const { seed = 0, ...rest } = k;
    const r = new core.Random(seed);
    return kind === 'randn' ? r.randn(sizes, rest) : r.rand(sizes, rest);
  },
});

/** Every function a program can call. */
export const FUNCTIONS: Readonly<Record<string, PlaygroundFunction>> = {
  exp: unary(core.exp, 'eˣ'),
  log: unary(core.log, 'natural logarithm'),
  tanh: unary(core.tanh, 'hyperbolic tangent'),
  sigmoid: unary(core.sigmoid, '1 / (1 + e⁻ˣ)'),
  relu: unary(core.relu, 'max(x, 0)'),
  sin: unary(core.sin, 'sine'),
  cos: unary(core.cos, 'cosine'),
  sqrt: unary(core.sqrt, 'square root'),
  abs: unary(core.abs, 'absolute value'),
  square: unary(core.square, 'x²'),
  sum: reduction(core.sum, 'sum (axis=, keepdims=)'),
  mean: reduction(core.mean, 'mean (axis=, keepdims=)'),
  max: reduction(core.max, 'maximum (axis=, keepdims=)'),
  min: reduction(core.min, 'minimum (axis=, keepdims=)'),
  matmul: binary((a, b) => core.matmul(a, b), 'matrix product, same as @'),
  maximum: binary(core.maximum, 'elementwise maximum'),
  minimum: binary(core.minimum, 'elementwise minimum'),
  transpose: {
    tensors: 1,
    sizes: true,
    keywords: [],
    help: 'reverse the axes, or transpose(x, 1, 0, 2)',
    apply: ([x], sizes) => core.transpose(x as Operand, sizes.length > 0 ? sizes : undefined),
  },
  reshape: {
    tensors: 1,
    sizes: true,
    keywords: [],
    help: 'reshape(x, 2, -1)',
    apply: ([x], sizes) => core.reshape(x as Operand, sizes),
  },
  softmax: {
    tensors: 1,
    keywords: ['axis'],
    help: 'softmax along axis (default the last)',
    apply: ([x], _s, k) => softmax(x as Operand, k.axis ?? -1),
  },
  logSoftmax: {
    tensors: 1,
    keywords: ['axis'],
    help: 'log of softmax, by log-sum-exp',
    apply: ([x], _s, k) => logSoftmax(x as Operand, k.axis ?? -1),
  },
  randn: random('randn', 'normal random numbers: randn(3, 4, seed=1)'),
  rand: random('rand', 'uniform random numbers in [0, 1): rand(3, seed=2)'),
  zeros: { tensors: 0, sizes: true, keywords: [], help: 'zeros(2, 3)', apply: (_t, s) => core.zeros(s) },
  ones: { tensors: 0, sizes: true, keywords: [], help: 'ones(2, 3)', apply: (_t, s) => core.ones(s) },
};

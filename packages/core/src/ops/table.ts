/**
 * The op table: every op zerograd exports, in one place, with what the rest of the house needs
 * to know about it. `Variable`'s methods are installed from it (`ops/methods.ts`), and the
 * property tests read it: which values an op's gradient is checked on, whether to check the
 * second order too, and a plain-number reference for the forward. A test fails when an
 * exported op is missing here.
 */
import type { Variable } from '../graph/node.js';
import { cumsum, gather, scatterAdd } from './along-axis.js';
import { add, div, mul, neg, sub } from './arithmetic.js';
import { cast } from './cast.js';
import { equal, greater, greaterEqual, less, lessEqual, where } from './compare.js';
import { conv2d } from './conv.js';
import { col2im, im2col } from './im2col.js';
import { getItem } from './indexing.js';
import { chunk, concat, split, stack } from './join.js';
import { flip, pad, squeeze, unsqueeze } from './layout.js';
import { abs, clip, cos, exp, log, maximum, minimum, pow, relu, sigmoid, sin, sqrt, square, tanh } from './math.js';
import { dot, matmul } from './matmul.js';
import { avgPool2d, maxPool2d } from './pool.js';
import { argmax, argmin, max, mean, min, sum } from './reduce.js';
import { broadcastTo, flatten, identity, mT, reshape, sumTo, transpose } from './shape.js';

/** What an op does to its inputs, which decides how it is tested. */
export type OpKind =
  | 'unary' // elementwise, one input
  | 'binary' // elementwise, two inputs broadcast against each other
  | 'reduction' // over axes, with keepdims
  | 'shape' // moves values without changing them
  | 'indexing'
  | 'linalg'
  | 'selection' // where, and the constant masks of comparisons
  | 'dtype'
  | 'scan' // running folds along an axis (cumsum)
  | 'conv'; // windows over NCHW images: convolution, pooling, im2col (test/conv.prop.test.ts)

/** Values a property test draws for one input: a range, and points to keep away from (kinks). */
export interface Domain {
  readonly min?: number;
  readonly max?: number;
  readonly awayFrom?: readonly number[];
  readonly margin?: number;
}

/** One row of the table. */
export interface OpEntry {
  // biome-ignore lint/suspicious/noExplicitAny: the table holds functions of every signature
  readonly fn: (...args: any[]) => Variable | Variable[]; // split and chunk give several
  readonly kind: OpKind;
  /**
   * How many inputs it takes: 1 for `concat` and `stack` (one list of variables), 3 for
   * `conv2d` (the bias may be left out).
   */
  readonly arity: number;
  /** Installed as a `Variable` method of the same name (`x.exp()`), the variable as first input. */
  readonly method: boolean;
  /** Whether it has a gradient at all (comparisons and argmax give constants). */
  readonly differentiable: boolean;
  /** Whether the property tests check second derivatives too. */
  readonly secondOrder: boolean;
  /** Values its gradient is checked on, one domain per input (default: anything in [-3, 3]). */
  readonly domain?: readonly Domain[];
  /** Kinked where values tie (max, min): tests draw distinct values. */
  readonly kinkedAtTies?: boolean;
  /** What it computes on plain numbers: per element (unary, binary), or the fold of a reduction. */
  readonly reference?: (...values: number[]) => number;
  /** Where a reduction's fold starts (0 for sum, −∞ for max). */
  readonly foldFrom?: number;
}

const positive: Domain = { min: 0.2, max: 4 };
const awayFromZero: Domain = { awayFrom: [0], margin: 0.3 };

type Fn = OpEntry['fn'];
type Extra = Omit<Partial<OpEntry>, 'fn' | 'kind' | 'arity' | 'method'>;

/** A row; `method` stays a literal type, so `Variable`'s method types can be read off the table. */
function row<F extends Fn, M extends boolean>(fn: F, kind: OpKind, arity: number, method: M, extra: Extra = {}) {
  return { fn, kind, arity, method, differentiable: true, secondOrder: true, ...extra };
}
const unaryRow = <F extends Fn>(fn: F, reference: (x: number) => number, domain: Domain = {}) =>
  row(fn, 'unary', 1, true, { domain: [domain], reference });
const binaryRow = <F extends Fn>(fn: F, reference: (a: number, b: number) => number, extra: Extra = {}) =>
  row(fn, 'binary', 2, true, { reference, ...extra });
/** Extra for an op whose outputs carry no gradient (comparisons, argmax). */
const noGradient = { differentiable: false, secondOrder: false } as const;

/** Every op of `@zerograd/core`, by its exported name. */
export const OPS = {
  // arithmetic.ts
  add: binaryRow(add, (a, b) => a + b),
  sub: binaryRow(sub, (a, b) => a - b),
  mul: binaryRow(mul, (a, b) => a * b),
  div: binaryRow(div, (a, b) => a / b, { domain: [{}, awayFromZero] }),
  neg: unaryRow(neg, (x) => -x),
  // math.ts
  pow: binaryRow(pow, (a, b) => a ** b, {
    domain: [
      { min: 0.3, max: 2.5 },
      { min: -2, max: 2 },
    ],
  }),
  square: unaryRow(square, (x) => x * x),
  exp: unaryRow(exp, Math.exp),
  log: unaryRow(log, Math.log, positive),
  sqrt: unaryRow(sqrt, Math.sqrt, positive),
  tanh: unaryRow(tanh, Math.tanh),
  sigmoid: unaryRow(sigmoid, (x) => 1 / (1 + Math.exp(-x)), { min: -6, max: 6 }),
  relu: unaryRow(relu, (x) => Math.max(x, 0), { awayFrom: [0] }),
  sin: unaryRow(sin, Math.sin),
  cos: unaryRow(cos, Math.cos),
  abs: unaryRow(abs, Math.abs, { awayFrom: [0] }),
  maximum: binaryRow(maximum, Math.max, { kinkedAtTies: true }),
  minimum: binaryRow(minimum, Math.min, { kinkedAtTies: true }),
  clip: row(clip, 'unary', 1, true, { secondOrder: false }),
  // reduce.ts
  sum: row(sum, 'reduction', 1, true, { reference: (acc, x) => acc + x, foldFrom: 0 }),
  mean: row(mean, 'reduction', 1, true),
  max: row(max, 'reduction', 1, true, { kinkedAtTies: true, reference: Math.max, foldFrom: -Infinity }),
  min: row(min, 'reduction', 1, true, { kinkedAtTies: true, reference: Math.min, foldFrom: Infinity }),
  argmax: row(argmax, 'reduction', 1, false, noGradient),
  argmin: row(argmin, 'reduction', 1, false, noGradient),
  // shape.ts
  reshape: row(reshape, 'shape', 1, true),
  flatten: row(flatten, 'shape', 1, true),
  transpose: row(transpose, 'shape', 1, true),
  mT: row(mT, 'shape', 1, false), // a getter, `x.mT`, like `x.T`
  broadcastTo: row(broadcastTo, 'shape', 1, true),
  sumTo: row(sumTo, 'shape', 1, true),
  identity: row(identity, 'shape', 1, false),
  // layout.ts
  squeeze: row(squeeze, 'shape', 1, true),
  unsqueeze: row(unsqueeze, 'shape', 1, true),
  flip: row(flip, 'shape', 1, true),
  pad: row(pad, 'shape', 1, true),
  // join.ts (concat and stack take an array of tensors: functions only; split and chunk give arrays)
  concat: row(concat, 'shape', 1, false),
  stack: row(stack, 'shape', 1, false),
  split: row(split, 'shape', 1, true),
  chunk: row(chunk, 'shape', 1, true),
  // along-axis.ts (the index is an attribute, not an input: no gradient flows into it)
  gather: row(gather, 'indexing', 1, true),
  scatterAdd: row(scatterAdd, 'indexing', 2, true),
  cumsum: row(cumsum, 'scan', 1, true),
  // indexing.ts
  getItem: row(getItem, 'indexing', 1, true),
  // matmul.ts
  matmul: row(matmul, 'linalg', 2, true),
  dot: row(dot, 'linalg', 2, false),
  // conv.ts, im2col.ts, pool.ts (bias optional: 2 or 3 inputs; max pooling kinks where a window ties)
  conv2d: row(conv2d, 'conv', 3, false),
  im2col: row(im2col, 'conv', 1, false),
  col2im: row(col2im, 'conv', 1, false),
  maxPool2d: row(maxPool2d, 'conv', 1, false, { kinkedAtTies: true }),
  avgPool2d: row(avgPool2d, 'conv', 1, false),
  // compare.ts
  where: row(where, 'selection', 3, false),
  greater: row(greater, 'selection', 2, false, noGradient),
  greaterEqual: row(greaterEqual, 'selection', 2, false, noGradient),
  less: row(less, 'selection', 2, false, noGradient),
  lessEqual: row(lessEqual, 'selection', 2, false, noGradient),
  equal: row(equal, 'selection', 2, false, noGradient),
  // cast.ts (the method is `x.astype(dtype)`, numpy's name)
  cast: row(cast, 'dtype', 1, false),
} as const satisfies Record<string, OpEntry>;

/** The table's rows with their names, in table order. */
export function opEntries(): [name: string, entry: OpEntry][] {
  return Object.entries(OPS);
}

/**
 * The ops: one file per family, each op's forward and backward side by side. Loading this
 * module installs `Variable`'s methods from the op table and hands the graph the three ops its
 * machinery uses (`graph/engine-ops.ts`).
 */
import { provideEngineOps } from '../graph/engine-ops.js';
import { add } from './arithmetic.js';
import { cast } from './cast.js';
import './methods.js';
import { sumTo } from './shape.js';

provideEngineOps({ add, sumTo, cast });

export { cumsum, gather, scatterAdd } from './along-axis.js';
export { add, div, mul, neg, sub } from './arithmetic.js';
export { cast } from './cast.js';
export { equal, greater, greaterEqual, less, lessEqual, where } from './compare.js';
export { type Conv2dOptions, conv2d } from './conv.js';
export { col2im, type Im2colOptions, im2col } from './im2col.js';
export { getItem, type IndexDescription, type IndexSpec, newAxis, type Slice, slice } from './indexing.js';
export { chunk, concat, split, stack } from './join.js';
export { flip, type PadOptions, type PadWidths, pad, squeeze, unsqueeze } from './layout.js';
export { abs, clip, cos, exp, log, maximum, minimum, pow, relu, sigmoid, sin, sqrt, square, tanh } from './math.js';
export { dot, type MatMulOptions, matmul } from './matmul.js';
export { avgPool2d, maxPool2d, type Pool2dOptions } from './pool.js';
export { type Axis, argmax, argmin, max, mean, min, sum } from './reduce.js';
export { broadcastTo, flatten, identity, mT, reshape, sumTo, transpose } from './shape.js';

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

export { add, div, mul, neg, sub } from './arithmetic.js';
export { cast } from './cast.js';
export { equal, greater, greaterEqual, less, lessEqual, where } from './compare.js';
export { getItem, type IndexSpec, newAxis, type Slice, slice } from './indexing.js';
export { abs, clip, cos, exp, log, maximum, minimum, pow, relu, sigmoid, sin, sqrt, square, tanh } from './math.js';
export { dot, type MatMulOptions, matmul } from './matmul.js';
export { type Axis, argmax, argmin, max, mean, min, sum } from './reduce.js';
export { broadcastTo, flatten, identity, mT, reshape, sumTo, transpose } from './shape.js';

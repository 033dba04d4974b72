import { type BackwardOptions, backward } from '../graph/backward.js';
import { cast } from '../graph/node.js';
import { type Operand, Variable } from '../graph/variable.js';
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul, neg, pow, sub } from './arithmetic.js';
import { getItem, type IndexSpec } from './indexing.js';
import { abs, clip, cos, exp, log, maximum, minimum, relu, sigmoid, sin, sqrt, tanh } from './math.js';
import { matmul } from './matmul.js';
import { type Axis, max, mean, min, sum } from './reduce.js';
import { broadcastTo, flatten, mT, reshape, sumTo, transpose } from './shape.js';

export * from './arithmetic.js';
export * from './compare.js';
export * from './indexing.js';
export * from './math.js';
export * from './matmul.js';
export * from './reduce.js';
export { broadcastTo, flatten, identity, mT, reshape, sumTo, transpose } from './shape.js';

declare module '../graph/variable.js' {
  interface Variable {
    add(other: Operand): Variable;
    sub(other: Operand): Variable;
    mul(other: Operand): Variable;
    div(other: Operand): Variable;
    neg(): Variable;
    pow(exponent: Operand): Variable;
    exp(): Variable;
    log(): Variable;
    sqrt(): Variable;
    tanh(): Variable;
    sigmoid(): Variable;
    relu(): Variable;
    sin(): Variable;
    cos(): Variable;
    abs(): Variable;
    clip(lo: number, hi: number): Variable;
    maximum(other: Operand): Variable;
    minimum(other: Operand): Variable;
    matmul(other: Operand): Variable;
    sum(axis?: Axis, keepdims?: boolean): Variable;
    mean(axis?: Axis, keepdims?: boolean): Variable;
    max(axis?: Axis, keepdims?: boolean): Variable;
    min(axis?: Axis, keepdims?: boolean): Variable;
    reshape(shape: Shape): Variable;
    flatten(): Variable;
    transpose(axes?: readonly number[]): Variable;
    /** Transpose (reversed axes). */
    readonly T: Variable;
    /** Swap of the last two axes. */
    readonly mT: Variable;
    broadcastTo(shape: Shape): Variable;
    sumTo(shape: Shape): Variable;
    getItem(...index: IndexSpec[]): Variable;
    astype(dtype: DType): Variable;
    /** Backpropagates from this variable (see `backward`). */
    backward(options?: BackwardOptions & { seed?: Variable | Tensor }): void;
  }
}

const proto = Variable.prototype;
Object.assign(proto, {
  add(this: Variable, o: Operand) {
    return add(this, o);
  },
  sub(this: Variable, o: Operand) {
    return sub(this, o);
  },
  mul(this: Variable, o: Operand) {
    return mul(this, o);
  },
  div(this: Variable, o: Operand) {
    return div(this, o);
  },
  neg(this: Variable) {
    return neg(this);
  },
  pow(this: Variable, e: Operand) {
    return pow(this, e);
  },
  exp(this: Variable) {
    return exp(this);
  },
  log(this: Variable) {
    return log(this);
  },
  sqrt(this: Variable) {
    return sqrt(this);
  },
  tanh(this: Variable) {
    return tanh(this);
  },
  sigmoid(this: Variable) {
    return sigmoid(this);
  },
  relu(this: Variable) {
    return relu(this);
  },
  sin(this: Variable) {
    return sin(this);
  },
  cos(this: Variable) {
    return cos(this);
  },
  abs(this: Variable) {
    return abs(this);
  },
  clip(this: Variable, lo: number, hi: number) {
    return clip(this, lo, hi);
  },
  maximum(this: Variable, o: Operand) {
    return maximum(this, o);
  },
  minimum(this: Variable, o: Operand) {
    return minimum(this, o);
  },
  matmul(this: Variable, o: Operand) {
    return matmul(this, o);
  },
  sum(this: Variable, axis?: Axis, keepdims?: boolean) {
    return sum(this, axis, keepdims);
  },
  mean(this: Variable, axis?: Axis, keepdims?: boolean) {
    return mean(this, axis, keepdims);
  },
  max(this: Variable, axis?: Axis, keepdims?: boolean) {
    return max(this, axis, keepdims);
  },
  min(this: Variable, axis?: Axis, keepdims?: boolean) {
    return min(this, axis, keepdims);
  },
  reshape(this: Variable, shape: Shape) {
    return reshape(this, shape);
  },
  flatten(this: Variable) {
    return flatten(this);
  },
  transpose(this: Variable, axes?: readonly number[]) {
    return transpose(this, axes);
  },
  broadcastTo(this: Variable, shape: Shape) {
    return broadcastTo(this, shape);
  },
  sumTo(this: Variable, shape: Shape) {
    return sumTo(this, shape);
  },
  getItem(this: Variable, ...index: IndexSpec[]) {
    return getItem(this, ...index);
  },
  astype(this: Variable, dtype: DType) {
    return cast(this, dtype);
  },
  backward(this: Variable, options?: BackwardOptions & { seed?: Variable | Tensor }) {
    backward(this, options);
  },
});
Object.defineProperty(proto, 'T', {
  get(this: Variable) {
    return transpose(this);
  },
});
Object.defineProperty(proto, 'mT', {
  get(this: Variable) {
    return mT(this);
  },
});

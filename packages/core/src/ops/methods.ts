/**
 * `Variable`'s math methods, installed from the op table: `x.add(y)` is `add(x, y)`, and so on
 * for every op the table marks as a method. Four more are spelled differently: `x.T` and
 * `x.mT` (getters, as in numpy and PyTorch), `x.astype(dtype)` (numpy's name for `cast`), and
 * `x.backward()`.
 */
import { type BackwardOptions, backward } from '../graph/backward.js';
import { Variable } from '../graph/node.js';
import type { DType, Tensor } from '../tensor/index.js';
import type { cumsum, gather, scatterAdd } from './along-axis.js';
import type { add, div, mul, neg, sub } from './arithmetic.js';
import { cast } from './cast.js';
import type { getItem } from './indexing.js';
import type { chunk, split } from './join.js';
import type { flip, pad, squeeze, unsqueeze } from './layout.js';
import type {
  abs,
  clip,
  cos,
  exp,
  log,
  maximum,
  minimum,
  pow,
  relu,
  sigmoid,
  sin,
  sqrt,
  square,
  tanh,
} from './math.js';
import type { matmul } from './matmul.js';
import type { max, mean, min, sum } from './reduce.js';
import { type broadcastTo, type flatten, mT, type reshape, type sumTo, transpose } from './shape.js';
import { OPS } from './table.js';

/** An op function `f(x, ...rest)` as the method `x.f(...rest)`. */
type AsMethod<F> = F extends (x: never, ...rest: infer R) => infer Y ? (...rest: R) => Y : never;

/**
 * The methods the op table installs, one per row marked `method: true`. TypeScript cannot
 * derive an interface's members from a table that itself refers to `Variable`, so they are
 * listed here, and the two checks below fail to compile, naming the op, until this list and
 * the table agree.
 */
export interface OpMethods {
  add: AsMethod<typeof add>;
  sub: AsMethod<typeof sub>;
  mul: AsMethod<typeof mul>;
  div: AsMethod<typeof div>;
  neg: AsMethod<typeof neg>;
  pow: AsMethod<typeof pow>;
  square: AsMethod<typeof square>;
  exp: AsMethod<typeof exp>;
  log: AsMethod<typeof log>;
  sqrt: AsMethod<typeof sqrt>;
  tanh: AsMethod<typeof tanh>;
  sigmoid: AsMethod<typeof sigmoid>;
  relu: AsMethod<typeof relu>;
  sin: AsMethod<typeof sin>;
  cos: AsMethod<typeof cos>;
  abs: AsMethod<typeof abs>;
  maximum: AsMethod<typeof maximum>;
  minimum: AsMethod<typeof minimum>;
  clip: AsMethod<typeof clip>;
  sum: AsMethod<typeof sum>;
  mean: AsMethod<typeof mean>;
  max: AsMethod<typeof max>;
  min: AsMethod<typeof min>;
  reshape: AsMethod<typeof reshape>;
  flatten: AsMethod<typeof flatten>;
  transpose: AsMethod<typeof transpose>;
  broadcastTo: AsMethod<typeof broadcastTo>;
  sumTo: AsMethod<typeof sumTo>;
  getItem: AsMethod<typeof getItem>;
  matmul: AsMethod<typeof matmul>;
  squeeze: AsMethod<typeof squeeze>;
  unsqueeze: AsMethod<typeof unsqueeze>;
  flip: AsMethod<typeof flip>;
  pad: AsMethod<typeof pad>;
  split: AsMethod<typeof split>;
  chunk: AsMethod<typeof chunk>;
  gather: AsMethod<typeof gather>;
  scatterAdd: AsMethod<typeof scatterAdd>;
  cumsum: AsMethod<typeof cumsum>;
}

declare module '../graph/node.js' {
  interface Variable extends OpMethods {
    /** Transpose (reversed axes). */
    readonly T: Variable;
    /** Swap of the last two axes. */
    readonly mT: Variable;
    /** `cast(this, dtype)`. */
    astype(dtype: DType): Variable;
    /** Backpropagates from this variable (see `backward`). */
    backward(options?: BackwardOptions & { seed?: Variable | Tensor }): void;
  }
}

type Table = typeof OPS;
/** The names of the ops the table marks as methods. */
type MethodName = { [K in keyof Table]: Table[K]['method'] extends true ? K : never }[keyof Table];
// "Property 'softplus' is missing in type '{}'" below means a table row marked as a method has
// no line in OpMethods (first check), or a line in OpMethods has no such row (second check).
const everyMethodRowIsDeclared: Record<Exclude<MethodName, keyof OpMethods>, never> = {};
const everyDeclaredMethodHasARow: Record<Exclude<keyof OpMethods, MethodName>, never> = {};
void [everyMethodRowIsDeclared, everyDeclaredMethodHasARow];

const proto = Variable.prototype as unknown as Record<string, unknown>;
for (const [name, entry] of Object.entries(OPS)) {
  if (!entry.method) continue;
  const f = entry.fn as (...args: unknown[]) => Variable | Variable[];
  proto[name] = function (this: Variable, ...rest: unknown[]) {
    return f(this, ...rest);
  };
}
Object.assign(proto, {
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

/**
 * The three ops the graph machinery itself uses. Applying an op promotes mixed dtypes with
 * `cast`; backward sums the gradients a variable receives from several consumers with `add`,
 * sums a broadcast gradient back to its input's shape with `sumTo`, and casts it to the
 * input's dtype. They are ops like any other (so a recorded backward can be differentiated
 * again), and ops are built on the graph, so the graph cannot import them: `ops/index.ts`
 * hands them in once, when it loads (tfjs-core registers its kernels the same way).
 */
import { GraphError } from '../errors.js';
import type { DType } from '../tensor/index.js';
import type { Variable } from './node.js';

/** What `ops/` provides to the graph. */
export interface EngineOps {
  /** a + b for two gradients of one variable (same shape and dtype). */
  add(a: Variable, b: Variable): Variable;
  /** `x` summed down to `shape` (undoes broadcasting). */
  sumTo(x: Variable, shape: readonly number[]): Variable;
  /** `x` converted to `dtype` (differentiable). */
  cast(x: Variable, dtype: DType): Variable;
}

const notLoaded = (): never => {
  throw new GraphError(
    'graph',
    "the ops are not loaded: import zerograd from '@zerograd/core', not from a file inside it",
  );
};

/** The ops in use; filled in by `provideEngineOps`. */
export const engineOps: EngineOps = { add: notLoaded, sumTo: notLoaded, cast: notLoaded };

/** Called once by `ops/index.ts`. */
export function provideEngineOps(ops: EngineOps): void {
  Object.assign(engineOps, ops);
}

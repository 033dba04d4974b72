import { GraphError } from '../errors.js';
import { zeros } from '../tensor/index.js';
import { computeGrads } from './backward.js';
import { isGradEnabled } from './mode.js';
import { Variable } from './node.js';
import { type Operand, variable } from './variable.js';

/** The value of `f` and the gradient with respect to every argument. */
export interface ValueAndGrad {
  value: Variable;
  grads: Variable[];
}

/** Options of `grad` / `valueAndGrad`. */
export interface GradOptions {
  /**
   * Record the gradient computation so it can be differentiated again. Defaults to true when
   * an argument is already a Variable in a recording context (a nested `grad`), else false.
   */
  createGraph?: boolean;
}

/**
 * `valueAndGrad(f)(...args)` evaluates `f` and differentiates its output (seeded with ones, so
 * a non-scalar output is treated as its sum) with respect to every argument. Arguments that
 * are not Variables become fresh leaves; Variables are used as they are, which is what lets
 * `grad(grad(f))` compute second derivatives. An argument the output does not depend on gets
 * zeros of its shape, never null. No `.grad` field is touched.
 */
export function valueAndGrad(f: (...args: Variable[]) => Variable, options: GradOptions = {}) {
  if (typeof f !== 'function') throw new GraphError('grad', 'expected a function');
  return (...args: Operand[]): ValueAndGrad => {
    const vars = args.map((a) => (a instanceof Variable ? a : variable(a)));
    const nested = vars.some((v) => v.creator !== null || v.requiresGrad) && isGradEnabled();
    const createGraph = options.createGraph ?? (nested && args.some((a) => a instanceof Variable));
    // The arguments must require a gradient for it to flow to them.
    const leaves = vars.map((v) => (v.requiresGrad ? v : variable(v.data, { name: v.name ?? undefined })));
    const value = f(...leaves);
    if (!(value instanceof Variable)) throw new GraphError('grad', 'the function must return a Variable');
    const map = computeGrads([value], [], { createGraph });
    const grads = leaves.map(
      (v) => map.get(v) ?? new Variable(zeros(v.shape, { dtype: v.dtype }), { requiresGrad: false }),
    );
    return { value, grads };
  };
}

/** `grad(f)(...args)`: the gradients of `f` with respect to every argument (see `valueAndGrad`). */
export function grad(f: (...args: Variable[]) => Variable, options: GradOptions = {}) {
  const vg = valueAndGrad(f, options);
  return (...args: Operand[]): Variable[] => vg(...args).grads;
}

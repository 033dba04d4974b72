import { GraphError } from '../errors.js';
import { applyOp } from './apply.js';
import { noGrad } from './mode.js';
import type { BackwardContext, GradResult, OpDefinition } from './node.js';
import { Variable } from './node.js';
import type { Operand } from './variable.js';

/** A function made by `customGrad`: a single op node in the graph, with the hand-written backward. */
export interface CustomGradFunction {
  (...inputs: Operand[]): Variable;
  /** The composed function, whose graph-derived gradient the custom one must match. */
  readonly composed: (...inputs: Variable[]) => Variable;
  readonly def: OpDefinition<undefined>;
}

/**
 * Gives a composed function a hand-written gradient — for numerical stability (a log-sum-exp)
 * or speed (one node instead of many). The forward runs `fn` without recording a graph; the
 * result is one op node named `name`, whose backward is `backward`, written with ops so it
 * stays differentiable. `composed` keeps the original so tests can check that both gradients
 * agree (see `gradcheck` and the testing helpers).
 *
 * @example
 * const logSumExp = customGrad('LogSumExp',
 *   (x) => x.sub(x.max()).exp().sum().log().add(x.max()),
 *   ([gy], { inputs: [x], outputs: [y] }) => gy.mul(x.sub(y).exp()));
 */
export function customGrad(
  name: string,
  fn: (...inputs: Variable[]) => Variable,
  backward: (gys: Variable[], ctx: BackwardContext<undefined>) => GradResult[] | GradResult,
): CustomGradFunction {
  if (typeof fn !== 'function' || typeof backward !== 'function') {
    throw new GraphError('customGrad', 'needs a forward function and a backward function');
  }
  const def: OpDefinition<undefined> = {
    name,
    forward: (tensors) =>
      noGrad(() => {
        const out = fn(...tensors.map((t) => new Variable(t, { requiresGrad: false })));
        if (!(out instanceof Variable)) throw new GraphError(name, 'the function must return a Variable');
        return out.data;
      }),
    backward,
  };
  const f = ((...inputs: Operand[]) => applyOp(def, inputs, undefined) as Variable) as CustomGradFunction;
  Object.defineProperty(f, 'composed', { value: fn });
  Object.defineProperty(f, 'def', { value: def });
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

import { argReduceTensor, binary, reduceTensor } from '../backend/tensor-kernels.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, Variable } from '../graph/variable.js';
import { normalizeAxes, reducedShape } from '../tensor/shape.js';
import { div, mul } from './arithmetic.js';
import { broadcastTo, reshape } from './shape.js';

/** Which axes to reduce: one, several, or all (omitted/null). */
export type Axis = number | readonly number[] | null | undefined;

interface ReduceAttrs {
  axes: number[];
  keepdims: boolean;
}

/** Puts back the reduced axes as size 1 so the gradient broadcasts against the input. */
function expandBack(gy: Variable, inputShape: readonly number[], { axes, keepdims }: ReduceAttrs): Variable {
  return keepdims ? gy : reshape(gy, reducedShape(inputShape, axes, true));
}

const SumDef: OpDefinition<ReduceAttrs> = {
  name: 'Sum',
  forward: ([x], { axes, keepdims }) => reduceTensor('sum', x, axes, keepdims, 'Sum'),
  // Every summed element contributes with weight 1: the gradient is broadcast back.
  backward: ([gy], { inputs: [x], attrs }) => broadcastTo(expandBack(gy, x.shape, attrs), x.shape),
  describe: (a) => ({ axes: a.axes, keepdims: a.keepdims }),
};

function extremum(name: 'Max' | 'Min'): OpDefinition<ReduceAttrs> {
  const kind = name === 'Max' ? 'max' : 'min';
  return {
    name,
    forward: ([x], { axes, keepdims }) => reduceTensor(kind, x, axes, keepdims, name),
    // The gradient flows to the element(s) that won; ties share it equally.
    backward: ([gy], { inputs: [x], outputs: [y], attrs }) => {
      const yk = expandBack(y, x.shape, attrs).data;
      const mask = binary('eq', x.data, yk);
      const count = reduceTensor('sum', mask, attrs.axes, true);
      const share = binary('div', mask, count);
      return mul(broadcastTo(expandBack(gy, x.shape, attrs), x.shape), share);
    },
    describe: (a) => ({ axes: a.axes, keepdims: a.keepdims }),
  };
}
const MaxDef = extremum('Max');
const MinDef = extremum('Min');

function reduceOp(def: OpDefinition<ReduceAttrs>, x: Operand, axis: Axis, keepdims: boolean): Variable {
  const v = asVariable(def.name, x);
  const axes = normalizeAxes(def.name, axis, v.ndim);
  return applyOp(def, [v], { axes, keepdims }) as Variable;
}

/** Sum over `axis` (all axes when omitted). */
export function sum(x: Operand, axis?: Axis, keepdims = false): Variable {
  return reduceOp(SumDef, x, axis, keepdims);
}

/** Mean over `axis` (all axes when omitted): a Sum divided by the count. */
export function mean(x: Operand, axis?: Axis, keepdims = false): Variable {
  const v = asVariable('Mean', x);
  const axes = normalizeAxes('Mean', axis, v.ndim);
  let count = 1;
  for (const a of axes) count *= v.shape[a];
  return div(sum(v, axes, keepdims), count);
}

/** Max over `axis` (all when omitted); the gradient goes to the maximal elements. */
export function max(x: Operand, axis?: Axis, keepdims = false): Variable {
  return reduceOp(MaxDef, x, axis, keepdims);
}

/** Min over `axis` (all when omitted). */
export function min(x: Operand, axis?: Axis, keepdims = false): Variable {
  return reduceOp(MinDef, x, axis, keepdims);
}

/** Index of the largest element along `axis` (first on ties), as a constant (no gradient). */
export function argmax(x: Operand, axis = -1): Variable {
  const v = asVariable('ArgMax', x);
  return new Variable(argReduceTensor('max', v.data, axis, 'ArgMax'), { requiresGrad: false });
}

/** Index of the smallest element along `axis` (first on ties), as a constant (no gradient). */
export function argmin(x: Operand, axis = -1): Variable {
  const v = asVariable('ArgMin', x);
  return new Variable(argReduceTensor('min', v.data, axis, 'ArgMin'), { requiresGrad: false });
}

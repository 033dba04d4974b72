import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import type { DType } from '../tensor/index.js';

// A change of dtype is an op like any other: its gradient is the upstream gradient cast back.

const CastDef: OpDefinition<{ dtype: DType }> = {
  name: 'Cast',
  promote: false,
  forward: ([x], { dtype }) => x.astype(dtype),
  backward: ([gy], { inputs: [x] }) => cast(gy, x.dtype),
  describe: (a) => ({ dtype: a.dtype }),
};

/** `x` converted to `dtype` (differentiable; the gradient is cast back). */
export function cast(x: Operand, dtype: DType): Variable {
  const v = asVariable('Cast', x, dtype);
  return v.dtype === dtype ? v : (applyOp(CastDef, [v], { dtype }) as Variable);
}

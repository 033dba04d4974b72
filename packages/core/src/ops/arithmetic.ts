import { ValueError } from '../errors.js';
import { applyOp, type OpDefinition } from '../graph/node.js';
import type { Operand, Variable } from '../graph/variable.js';
import { binary, unary } from './elementwise.js';
import { log } from './math.js';

// The four rules of arithmetic. Each backward is the chain rule for its op, written with ops;
// broadcasting is undone by the engine's shared sumTo step (`broadcast: true`).

const AddDef: OpDefinition = {
  name: 'Add',
  broadcast: true,
  forward: ([a, b]) => binary('add', a, b, 'Add'),
  // d(a+b)/da = d(a+b)/db = 1: the upstream gradient passes through unchanged.
  backward: ([gy]) => [gy, gy],
};

const SubDef: OpDefinition = {
  name: 'Sub',
  broadcast: true,
  forward: ([a, b]) => binary('sub', a, b, 'Sub'),
  backward: ([gy], { needsGrad }) => [gy, needsGrad[1] ? neg(gy) : null],
};

const MulDef: OpDefinition = {
  name: 'Mul',
  broadcast: true,
  forward: ([a, b]) => binary('mul', a, b, 'Mul'),
  // d(ab)/da = b, d(ab)/db = a: each input gets the other one ("swapped" in the book).
  backward: ([gy], { inputs: [a, b], needsGrad }) => [
    needsGrad[0] ? mul(gy, b) : null,
    needsGrad[1] ? mul(gy, a) : null,
  ],
};

const DivDef: OpDefinition = {
  name: 'Div',
  broadcast: true,
  forward: ([a, b]) => binary('div', a, b, 'Div'),
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b².
  backward: ([gy], { inputs: [a, b], needsGrad }) => {
    const ga = div(gy, b);
    return [ga, needsGrad[1] ? neg(mul(ga, div(a, b))) : null];
  },
};

const NegDef: OpDefinition = {
  name: 'Neg',
  forward: ([x]) => unary('neg', x),
  backward: ([gy]) => neg(gy),
};

const PowScalarDef: OpDefinition<{ exponent: number }> = {
  name: 'Pow',
  forward: ([x], { exponent }) => unary('powScalar', x, exponent),
  // d(xᶜ)/dx = c·xᶜ⁻¹
  backward: ([gy], { inputs: [x], attrs: { exponent } }) =>
    exponent === 0 ? mul(gy, 0) : mul(gy, mul(pow(x, exponent - 1), exponent)),
  describe: (a) => ({ exponent: a.exponent }),
};

const PowDef: OpDefinition = {
  name: 'Pow',
  broadcast: true,
  forward: ([a, b]) => binary('pow', a, b, 'Pow'),
  // d(aᵇ)/da = b·aᵇ⁻¹, d(aᵇ)/db = aᵇ·ln a
  backward: ([gy], { inputs: [a, b], outputs: [y], needsGrad }) => [
    needsGrad[0] ? mul(gy, mul(b, pow(a, sub(b, 1)))) : null,
    needsGrad[1] ? mul(gy, mul(y, log(a))) : null,
  ],
};

/** a + b (broadcasting). */
export function add(a: Operand, b: Operand): Variable {
  return applyOp(AddDef, [a, b], undefined) as Variable;
}
/** a − b (broadcasting). */
export function sub(a: Operand, b: Operand): Variable {
  return applyOp(SubDef, [a, b], undefined) as Variable;
}
/** a · b elementwise (broadcasting). */
export function mul(a: Operand, b: Operand): Variable {
  return applyOp(MulDef, [a, b], undefined) as Variable;
}
/** a / b elementwise (broadcasting). */
export function div(a: Operand, b: Operand): Variable {
  return applyOp(DivDef, [a, b], undefined) as Variable;
}
/** −x. */
export function neg(x: Operand): Variable {
  return applyOp(NegDef, [x], undefined) as Variable;
}
/**
 * xᶜ. A number exponent is an attribute of the op (no gradient flows to it); a tensor or
 * variable exponent broadcasts and receives the gradient aᵇ·ln a.
 */
export function pow(x: Operand, exponent: Operand): Variable {
  if (typeof exponent === 'number') {
    if (Number.isNaN(exponent)) throw new ValueError('Pow', 'exponent is NaN');
    return applyOp(PowScalarDef, [x], { exponent }) as Variable;
  }
  return applyOp(PowDef, [x, exponent], undefined) as Variable;
}

/** x² (shorthand for `pow(x, 2)`). */
export function square(x: Operand): Variable {
  return pow(x, 2);
}

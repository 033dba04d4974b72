import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import type { Operand, Variable } from '../graph/variable.js';
import { binary, unary } from './elementwise.js';

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

// Gradients of the elementwise ops (unary and broadcasting binary), first and second order,
// against central differences over generated shapes and values (float64).
import {
  abs,
  add,
  clip,
  cos,
  div,
  exp,
  log,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  relu,
  sigmoid,
  sin,
  sqrt,
  sub,
  Tensor,
  tanh,
  type Variable,
} from '@zerograd/core';
import {
  broadcastShapesArb,
  broadcastTensorsArb,
  distinctValuesTensorArb,
  gradientProperty,
  shapeArb,
  tensorArb,
} from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, it } from 'vitest';

const anyShape = shapeArb({ maxRank: 3, maxElements: 24 });
const positive = { min: 0.2, max: 4 };
const awayFromZero = { awayFrom: [0], margin: 0.3 };

describe('unary ops: analytic vs numerical gradients', () => {
  const unary: [string, (x: Variable) => Variable, object, boolean][] = [
    ['Neg', neg, {}, true],
    ['Exp', exp, {}, true],
    ['Log', log, positive, true],
    ['Sqrt', sqrt, positive, true],
    ['Tanh', tanh, {}, true],
    ['Sigmoid', sigmoid, { min: -6, max: 6 }, true],
    ['Sin', sin, {}, true],
    ['Cos', cos, {}, true],
    ['ReLU', relu, { awayFrom: [0] }, true],
    ['Abs', abs, { awayFrom: [0] }, true],
  ];
  for (const [label, f, values, second] of unary) {
    it(`${label}${second ? ' (and second order)' : ''}`, () => {
      gradientProperty((x) => f(x), [tensorArb(anyShape, values)], { label, secondOrder: second });
    });
  }
});

describe('pow', () => {
  it('scalar exponents on positive bases (fractional, negative, zero)', () => {
    gradientProperty(
      ({ c }: { c: number }) =>
        (x) =>
          pow(x, c),
      anyShape.chain((s) =>
        fc.record({
          inputs: fc.tuple(tensorArb(s, positive)),
          params: fc.record({ c: fc.constantFrom(0.5, -1, 1.5, 0, 3, -2.5) }),
        }),
      ),
      { label: 'Pow (scalar exponent)', secondOrder: true },
    );
  });

  it('integer exponents on any sign of base', () => {
    gradientProperty(
      ({ c }: { c: number }) =>
        (x) =>
          pow(x, c),
      anyShape.chain((s) =>
        fc.record({ inputs: fc.tuple(tensorArb(s)), params: fc.record({ c: fc.constantFrom(1, 2, 3, 4) }) }),
      ),
      { label: 'Pow (scalar exponent)', secondOrder: true },
    );
  });

  it('tensor exponents broadcast, and both base and exponent get gradients', () => {
    gradientProperty(
      (a, b) => pow(a, b),
      broadcastTensorsArb(2, [
        { min: 0.3, max: 2.5 },
        { min: -2, max: 2 },
      ]),
      {
        label: 'Pow (tensor exponent)',
        secondOrder: true,
      },
    );
  });
});

describe('binary broadcasting ops', () => {
  it('Add', () => {
    gradientProperty((a, b) => add(a, b), broadcastTensorsArb(2), { label: 'Add', secondOrder: true });
  });
  it('Sub', () => {
    gradientProperty((a, b) => sub(a, b), broadcastTensorsArb(2), { label: 'Sub', secondOrder: true });
  });
  it('Mul', () => {
    gradientProperty((a, b) => mul(a, b), broadcastTensorsArb(2), { label: 'Mul', secondOrder: true });
  });
  it('Div (denominators away from 0)', () => {
    gradientProperty((a, b) => div(a, b), broadcastTensorsArb(2, [{}, awayFromZero]), {
      label: 'Div',
      secondOrder: true,
    });
  });
  it('three-way broadcasting chains (a·b + c)', () => {
    gradientProperty((a, b, c) => add(mul(a, b), c), broadcastTensorsArb(3), { label: 'Add', secondOrder: true });
  });

  // Maximum/minimum are kinked where a = b: draw all values of both operands distinct, so no
  // broadcast pair ties.
  const noTies = broadcastShapesArb(2, { maxElements: 24 }).chain(([s, t]) => {
    const n = s.reduce((p, q) => p * q, 1);
    const m = t.reduce((p, q) => p * q, 1);
    return distinctValuesTensorArb([n + m], { gap: 0.05 }).map((all) => [
      new Tensor(all.data.slice(0, n), s),
      new Tensor(all.data.slice(n), t),
    ]);
  });
  it('Maximum (no ties)', () => {
    gradientProperty((a, b) => maximum(a, b), noTies, { label: 'Maximum', secondOrder: true });
  });
  it('Minimum (no ties)', () => {
    gradientProperty((a, b) => minimum(a, b), noTies, { label: 'Minimum', secondOrder: true });
  });
  it('Clip (values away from both bounds)', () => {
    const cases = fc
      .record({ lo: fc.double({ min: -2, max: 0, noNaN: true }), width: fc.double({ min: 0.5, max: 3, noNaN: true }) })
      .chain(({ lo, width }) =>
        fc.record({
          inputs: fc.tuple(tensorArb(anyShape, { awayFrom: [lo, lo + width], margin: 0.05 })),
          params: fc.constant({ lo, hi: lo + width }),
        }),
      );
    gradientProperty(
      ({ lo, hi }: { lo: number; hi: number }) =>
        (x) =>
          clip(x, lo, hi),
      cases,
      { label: 'Clip' },
    );
  });
});

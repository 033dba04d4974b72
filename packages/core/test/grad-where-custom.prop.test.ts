// Gradients of where (with masks from the comparisons), square, identity and dot, and of
// functions given a hand-written gradient with customGrad — checked both against central
// differences and against the composed function's own gradient.
import {
  customGrad,
  dot,
  equal,
  grad,
  greater,
  greaterEqual,
  identity,
  less,
  lessEqual,
  max,
  square,
  Tensor,
  traceGraph,
  type Variable,
  variable,
  where,
} from '@zerograd/core';
import { broadcastTensorsArb, checkProperty, gradientProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refBinary } from './support/reference.js';

const anyShape = shapeArb({ maxRank: 3, maxElements: 24 });

describe('where and comparisons', () => {
  it('Where: the gradient goes to the selected input, broadcast back to each shape', () => {
    // The condition's values are an input too: keep them off the jump at 0.
    const operands = broadcastTensorsArb(3, [{ awayFrom: [0], margin: 0.1 }, {}, {}]);
    gradientProperty((c, a, b) => where(greater(c, 0), a, b), operands, {
      label: 'Where',
      secondOrder: true,
    });
  });

  it('comparisons match the reference and never record a graph', () => {
    const cmp: [string, (a: Tensor, b: Tensor) => Variable, (x: number, y: number) => boolean][] = [
      ['greater', greater, (x, y) => x > y],
      ['greaterEqual', greaterEqual, (x, y) => x >= y],
      ['less', less, (x, y) => x < y],
      ['lessEqual', lessEqual, (x, y) => x <= y],
      ['equal', equal, (x, y) => x === y],
    ];
    checkProperty(
      'forward: comparisons',
      // Small integers make ties (the interesting case for ≥, ≤ and =) common.
      fc.property(broadcastTensorsArb(2, { min: -2, max: 2 }), fc.constantFrom(...cmp), ([a, b], [, op, f]) => {
        const ai = new Tensor(a.data.map(Math.round), a.shape);
        const bi = new Tensor(b.data.map(Math.round), b.shape);
        const r = refBinary(
          { shape: [...a.shape], data: [...ai.data] },
          { shape: [...b.shape], data: [...bi.data] },
          (x, y) => (f(x, y) ? 1 : 0),
        );
        const got = op(ai, bi);
        expect(got.shape).toEqual(r.shape);
        expect(Array.from(got.data.data)).toEqual(r.data);
        expect(got.creator).toBeNull();
        expect(got.requiresGrad).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});

describe('small helpers', () => {
  it('Square', () => {
    gradientProperty((x) => square(x), [tensorArb(anyShape)], { label: 'Square', secondOrder: true });
  });
  it('Identity (its own node)', () => {
    gradientProperty((x) => identity(x), [tensorArb(anyShape)], { label: 'Identity', secondOrder: true });
  });
  it('dot of vectors', () => {
    gradientProperty(
      (a, b) => dot(a, b),
      fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(tensorArb([n]), tensorArb([n]))),
      { label: 'Dot', secondOrder: true },
    );
  });
});

// log Σ eˣ over all elements, composed stably, with the textbook gradient softmax(x).
const logSumExp = customGrad(
  'LogSumExp',
  (x) => {
    const m = max(x);
    return x.sub(m).exp().sum().log().add(m);
  },
  ([gy], { inputs: [x], outputs: [y] }) => gy.mul(x.sub(y).exp()),
);

describe('customGrad', () => {
  it('the hand-written gradient passes gradcheck to second order', () => {
    gradientProperty((x) => logSumExp(x), [tensorArb(shapeArb({ minRank: 1, maxRank: 3, maxElements: 24 }))], {
      label: 'LogSumExp (customGrad)',
      secondOrder: true,
    });
  });

  it('agrees with the composed function’s gradient and is one node named after it', () => {
    checkProperty(
      'customGrad vs composed',
      fc.property(tensorArb(shapeArb({ minRank: 1, maxElements: 24 }), { min: -20, max: 20 }), (t) => {
        const [custom] = grad((x) => logSumExp(x))(t);
        const [composed] = grad((x) => logSumExp.composed(x))(t);
        custom.data.data.forEach((v, i) => expect(v).toBeCloseTo(composed.data.data[i], 12));
      }),
      { numRuns: 30 },
    );
    const ops = traceGraph(logSumExp(variable([1, 2, 3]))).nodes.filter((n) => n.kind === 'op');
    expect(ops.map((n) => (n.kind === 'op' ? n.op : ''))).toEqual(['LogSumExp']);
  });
});

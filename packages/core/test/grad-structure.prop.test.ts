// Gradients of reductions, shape ops, indexing and cast, against central differences over
// generated shapes and parameters (axes, targets, permutations, numpy indices).
import {
  broadcastShapes,
  broadcastTo,
  cast,
  flatten,
  getItem,
  type IndexSpec,
  mT,
  mul,
  reshape,
  sumTo,
  transpose,
} from '@zerograd/core';
import {
  broadcastShapesArb,
  distinctValuesTensorArb,
  gradientProperty,
  opEntries,
  shapeArb,
  tensorArb,
} from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, it } from 'vitest';
import { axisArb, indexArb, permutationArb, reshapeTargetArb } from './support/index-arbs.js';

const anyShape = shapeArb({ maxRank: 4, maxElements: 24 });

type Reduction = { axis: number | number[] | undefined; keepdims: boolean };
const reductionCases = (values: 'any' | 'distinct') =>
  anyShape.chain((s) =>
    fc.record({
      inputs: fc.tuple(values === 'any' ? tensorArb(s) : distinctValuesTensorArb(s, { gap: 0.05 })),
      params: fc.record({ axis: axisArb(s.length), keepdims: fc.boolean() }),
    }),
  );

// Every differentiable reduction of the op table (src/ops/table.ts); the kinked ones (max, min)
// on distinct values, so there is one winner.
describe('reductions', () => {
  for (const [name, entry] of opEntries().filter(([, e]) => e.kind === 'reduction' && e.differentiable)) {
    it(`${name} over axes, with and without keepdims${entry.kinkedAtTies ? ' (distinct values)' : ''}`, () => {
      gradientProperty(
        ({ axis, keepdims }: Reduction) =>
          (x) =>
            entry.fn(x, axis, keepdims),
        reductionCases(entry.kinkedAtTies ? 'distinct' : 'any'),
        { label: name, secondOrder: entry.secondOrder },
      );
    });
  }
});

describe('shape ops', () => {
  it('Reshape (incl. -1)', () => {
    gradientProperty(
      ({ target }: { target: number[] }) =>
        (x) =>
          mul(reshape(x, target), 1.5),
      anyShape.chain((s) =>
        fc.record({ inputs: fc.tuple(tensorArb(s)), params: fc.record({ target: reshapeTargetArb(s) }) }),
      ),
      { label: 'Reshape', secondOrder: true },
    );
  });
  it('Flatten', () => {
    gradientProperty((x) => flatten(x), [tensorArb(shapeArb({ minRank: 1, maxRank: 4, maxElements: 24 }))], {
      label: 'Flatten',
    });
  });
  it('Transpose (any permutation, negative axes, default reversal)', () => {
    gradientProperty(
      ({ axes }: { axes: number[] | undefined }) =>
        (x) =>
          transpose(x, axes),
      anyShape.chain((s) =>
        fc.record({ inputs: fc.tuple(tensorArb(s)), params: fc.record({ axes: permutationArb(s.length) }) }),
      ),
      { label: 'Transpose', secondOrder: true },
    );
  });
  it('mT', () => {
    gradientProperty((x) => mT(x), [tensorArb(shapeArb({ minRank: 2, maxRank: 4, maxElements: 24 }))], {
      label: 'mT',
    });
  });
  it('BroadcastTo (rank growth and size-1 axes)', () => {
    gradientProperty(
      ({ target }: { target: number[] }) =>
        (x) =>
          broadcastTo(x, target),
      broadcastShapesArb(2, { maxElements: 24 }).chain(([s, t]) =>
        fc.record({ inputs: fc.tuple(tensorArb(s)), params: fc.constant({ target: broadcastShapes('test', s, t) }) }),
      ),
      { label: 'BroadcastTo', secondOrder: true },
    );
  });
  it('SumTo (the inverse of broadcasting)', () => {
    gradientProperty(
      ({ target }: { target: number[] }) =>
        (x) =>
          sumTo(x, target),
      broadcastShapesArb(2, { maxElements: 24 }).chain(([s, t]) =>
        fc.record({ inputs: fc.tuple(tensorArb(broadcastShapes('test', s, t))), params: fc.constant({ target: s }) }),
      ),
      { label: 'SumTo', secondOrder: true },
    );
  });
});

describe('indexing', () => {
  it('GetItem: integers, slices (negative steps), null, integer arrays with repeats (scatter-add)', () => {
    gradientProperty(
      ({ index }: { index: IndexSpec[] }) =>
        (x) =>
          getItem(x, ...index),
      anyShape.chain((s) => fc.record({ inputs: fc.tuple(tensorArb(s)), params: fc.record({ index: indexArb(s) }) })),
      { label: 'GetItem', secondOrder: true },
    );
  });
});

describe('cast', () => {
  it('Cast through float32 and back: the gradient is cast back to the input dtype', () => {
    // Numerical differences through float32 rounding need a larger step and looser atol; the
    // function is linear, so the step adds no truncation error.
    gradientProperty((x) => cast(mul(cast(x, 'float32'), 3), 'float64'), [tensorArb(anyShape)], {
      label: 'Cast',
      eps: 1e-2,
      atol: 1e-4,
    });
  });
});

// Gradients of the elementwise ops (unary and broadcasting binary), first and second order,
// against central differences over generated shapes and values (float64).
import { add, clip, mul, pow, Tensor } from '@zerograd/core';
import {
  broadcastShapesArb,
  broadcastTensorsArb,
  distinctValuesTensorArb,
  gradientProperty,
  opEntries,
  shapeArb,
  tensorArb,
} from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, it } from 'vitest';

const anyShape = shapeArb({ maxRank: 3, maxElements: 24 });
const positive = { min: 0.2, max: 4 };

// Every unary and binary elementwise row of the op table (src/ops/table.ts), on its domain.
const rows = opEntries().filter(([, e]) => e.reference !== undefined);

describe('unary ops: analytic vs numerical gradients', () => {
  for (const [name, entry] of rows.filter(([, e]) => e.kind === 'unary')) {
    it(`${name}${entry.secondOrder ? ' (and second order)' : ''}`, () => {
      gradientProperty((x) => entry.fn(x), [tensorArb(anyShape, entry.domain?.[0] ?? {})], {
        label: name,
        secondOrder: entry.secondOrder,
      });
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
});

describe('binary broadcasting ops', () => {
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
  for (const [name, entry] of rows.filter(([, e]) => e.kind === 'binary')) {
    const cases = entry.kinkedAtTies
      ? noTies
      : broadcastTensorsArb(2, [entry.domain?.[0] ?? {}, entry.domain?.[1] ?? {}]);
    it(`${name}${entry.kinkedAtTies ? ' (no ties)' : ''}`, () => {
      gradientProperty((a, b) => entry.fn(a, b), cases, { label: name, secondOrder: entry.secondOrder });
    });
  }
  it('three-way broadcasting chains (a·b + c)', () => {
    gradientProperty((a, b, c) => add(mul(a, b), c), broadcastTensorsArb(3), { label: 'Add', secondOrder: true });
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

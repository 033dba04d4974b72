// Gradients of the joining, layout and along-axis ops (src/ops/join.ts, layout.ts,
// along-axis.ts) against central differences, over generated shapes, axes, sizes and indices.
// Every op here is linear, so each is checked squared — f(x) = op(x)² — which makes the second
// order meaningful: the upstream gradient 2·u·op(x) then depends on x, and gradgradcheck has to
// differentiate the op's backward (Split for Concat, ScatterAdd for Gather, …) to match.
import {
  chunk,
  concat,
  cumsum,
  flip,
  gather,
  pad,
  scatterAdd,
  split,
  squeeze,
  stack,
  Tensor,
  unsqueeze,
  type Variable,
} from '@zerograd/core';
import { gradientProperty, OPS, shapeArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const sq = (y: Variable) => y.mul(y);
/** `op(x)²`, element by element, for one output or several. */
const squared = (y: Variable | Variable[]) => (Array.isArray(y) ? y.map(sq) : sq(y));

const shapes = (minRank = 1) => shapeArb({ minRank, maxRank: 3, maxElements: 12 });
/** A case: tensors of the given shapes, and the op's parameters. */
const caseOf = <P>(inputShapes: readonly (readonly number[])[], params: fc.Arbitrary<P>) =>
  fc.record({ inputs: fc.tuple(...inputShapes.map((s) => tensorArb(s))), params });
/** An axis of rank `r`, sometimes written negative. */
const axisArb = (r: number) => fc.tuple(fc.nat(r - 1), fc.boolean()).map(([a, neg]) => (neg ? a - r : a));
const withAxis = (s: readonly number[], axis: number, n: number) => s.map((d, i) => (i === axis ? n : d));
/** Index values in [0, n) (repeats included) for an index tensor of `shape`. */
const indexArb = (shape: readonly number[], n: number) =>
  fc
    .array(fc.nat(n - 1), { minLength: shape.reduce((p, q) => p * q, 1), maxLength: shape.reduce((p, q) => p * q, 1) })
    .map((v) => new Tensor(Float64Array.from(v), shape));
/** An index shape for x of shape `s` along `axis`: at most x's size off the axis, 1…3 along it. */
const indexShapeArb = (s: readonly number[], axis: number) =>
  fc.tuple(...s.map((d, i) => fc.integer({ min: 1, max: i === axis ? 3 : d })));

const RUNS = { secondOrder: true } as const;

const PROPERTIES: Record<string, () => void> = {
  concat: () =>
    gradientProperty(
      ({ axis }: { axis: number }) =>
        (...xs) =>
          squared(concat(xs, axis)),
      shapes().chain((s) =>
        fc.tuple(fc.nat(s.length - 1), fc.array(fc.nat(3), { minLength: 2, maxLength: 3 })).chain(([a, lengths]) =>
          caseOf(
            lengths.map((n) => withAxis(s, a, n)),
            fc.boolean().map((neg) => ({ axis: neg ? a - s.length : a })),
          ),
        ),
      ),
      { label: 'Concat', ...RUNS },
    ),
  stack: () =>
    gradientProperty(
      ({ axis }: { axis: number }) =>
        (...xs) =>
          squared(stack(xs, axis)),
      shapes(0).chain((s) =>
        fc.nat(2).chain((k) =>
          caseOf(
            new Array(k + 1).fill(s),
            axisArb(s.length + 1).map((axis) => ({ axis })),
          ),
        ),
      ),
      { label: 'Stack', ...RUNS },
    ),
  split: () =>
    gradientProperty(
      ({ axis, parts }: { axis: number; parts: number | number[] }) =>
        (x) =>
          squared(split(x, parts, axis)),
      shapes().chain((s) =>
        axisArb(s.length).chain((axis) => {
          const n = s[axis < 0 ? axis + s.length : axis];
          const divisors = Array.from({ length: n }, (_, i) => i + 1).filter((c) => n % c === 0);
          const cuts = fc
            .array(fc.nat(n), { maxLength: 3 })
            .map((c) => [0, ...c.sort((p, q) => p - q), n].slice(1).map((end, i, ends) => end - (ends[i - 1] ?? 0)));
          return caseOf(
            [s],
            fc.record({ axis: fc.constant(axis), parts: fc.oneof(fc.constantFrom(...divisors), cuts) }),
          );
        }),
      ),
      { label: 'Split', ...RUNS },
    ),
  chunk: () =>
    gradientProperty(
      ({ axis, n }: { axis: number; n: number }) =>
        (x) =>
          squared(chunk(x, n, axis)),
      shapes().chain((s) => caseOf([s], fc.record({ axis: axisArb(s.length), n: fc.integer({ min: 1, max: 5 }) }))),
      { label: 'Chunk', ...RUNS },
    ),
  squeeze: () =>
    gradientProperty(
      ({ axis }: { axis: number | undefined }) =>
        (x) =>
          squared(squeeze(x, axis)),
      shapeArb({ maxRank: 4, maxSize: 2, maxElements: 12 })
        .chain((s) => {
          const ones = s.flatMap((d, i) => (d === 1 ? [i] : []));
          return caseOf(
            [s],
            ones.length === 0 ? fc.constant(undefined) : fc.option(fc.constantFrom(...ones), { nil: undefined }),
          );
        })
        .map((c) => ({ ...c, params: { axis: c.params } })),
      { label: 'Squeeze', ...RUNS },
    ),
  unsqueeze: () =>
    gradientProperty(
      ({ axis }: { axis: number }) =>
        (x) =>
          squared(unsqueeze(x, axis)),
      shapes(0).chain((s) =>
        caseOf(
          [s],
          axisArb(s.length + 1).map((axis) => ({ axis })),
        ),
      ),
      { label: 'Unsqueeze', ...RUNS },
    ),
  flip: () =>
    gradientProperty(
      ({ axes }: { axes: number[] }) =>
        (x) =>
          squared(flip(x, axes)),
      shapes().chain((s) =>
        caseOf(
          [s],
          fc.shuffledSubarray(Array.from({ length: s.length }, (_, i) => i)).map((axes) => ({ axes })),
        ),
      ),
      { label: 'Flip', ...RUNS },
    ),
  pad: () =>
    gradientProperty(
      ({ widths, value }: { widths: [number, number][]; value: number }) =>
        (x) =>
          squared(pad(x, widths, { value })),
      shapes().chain((s) =>
        caseOf(
          [s],
          fc.record({
            widths: fc.tuple(...s.map(() => fc.tuple(fc.nat(2), fc.nat(2)))),
            value: fc.double({ min: -2, max: 2, noNaN: true }),
          }),
        ),
      ),
      { label: 'Pad', ...RUNS },
    ),
  gather: () =>
    gradientProperty(
      ({ axis, index }: { axis: number; index: Tensor }) =>
        (x) =>
          squared(gather(x, axis, index)),
      shapes().chain((s) =>
        fc
          .nat(s.length - 1)
          .chain((axis) =>
            indexShapeArb(s, axis).chain((is) =>
              caseOf([s], fc.record({ axis: fc.constant(axis), index: indexArb(is, s[axis]) })),
            ),
          ),
      ),
      { label: 'Gather', ...RUNS },
    ),
  scatterAdd: () =>
    gradientProperty(
      ({ axis, index }: { axis: number; index: Tensor }) =>
        (x, src) =>
          squared(scatterAdd(x, axis, index, src)),
      shapes().chain((s) =>
        fc.nat(s.length - 1).chain((axis) =>
          indexShapeArb(s, axis).chain((is) =>
            // src may be larger than the index (its extra part gets a zero gradient).
            fc
              .tuple(...is.map((d) => fc.integer({ min: d, max: d + 1 })))
              .chain((srcShape) =>
                caseOf([s, srcShape], fc.record({ axis: fc.constant(axis), index: indexArb(is, s[axis]) })),
              ),
          ),
        ),
      ),
      { label: 'ScatterAdd', ...RUNS },
    ),
  cumsum: () =>
    gradientProperty(
      ({ axis }: { axis: number | undefined }) =>
        (x) =>
          squared(cumsum(x, axis)),
      shapes(0).chain((s) =>
        caseOf(
          [s],
          (s.length === 0 ? fc.constant(undefined) : fc.option(axisArb(s.length), { nil: undefined })).map((axis) => ({
            axis,
          })),
        ),
      ),
      { label: 'Cumsum', ...RUNS },
    ),
};

describe('gradients of concat, stack, split, chunk, squeeze, unsqueeze, flip, pad, gather, scatterAdd, cumsum', () => {
  it('each is a differentiable, second-order row of the op table', () => {
    for (const name of Object.keys(PROPERTIES)) {
      const row = (OPS as Record<string, { differentiable: boolean; secondOrder: boolean }>)[name];
      expect(row, name).toBeDefined();
      expect([row.differentiable, row.secondOrder], name).toEqual([true, true]);
    }
  });

  for (const [name, property] of Object.entries(PROPERTIES)) it(`${name}, first and second order`, property);
});

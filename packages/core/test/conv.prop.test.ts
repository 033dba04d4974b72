// Gradients of the window ops (convolution, pooling, im2col, col2im) against central
// differences over generated geometries: batch, channels, image size, window, stride and
// padding, in float64 with gradcheck's usual tolerances; second order too (conv is bilinear,
// so its second derivatives are exact; pooling and im2col are linear once the max's winners
// are fixed). Max pooling gets pairwise distinct values, so no window ties. Every row of the
// op table of kind 'conv' must have a property here.
import {
  avgPool2d,
  col2im,
  conv2d,
  grad,
  im2col,
  maxPool2d,
  mul,
  sum,
  type Tensor,
  type Variable,
} from '@zerograd/core';
import {
  distinctValuesTensorArb,
  type GradientCase,
  gradientProperty,
  opEntries,
  tensorArb,
} from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A window geometry that tiles its input exactly: `H = (OH − 1)·stride + KH − 2·pad`. */
interface Geometry {
  n: number;
  c: number;
  f: number;
  kernel: [number, number];
  stride: [number, number];
  pad: [number, number];
  h: number;
  w: number;
}

/** One axis: window k, stride s, pad p (< k when `padBelowKernel`) and an input size ≥ 1. */
const axisArb = (maxKernel: number, padBelowKernel: boolean) =>
  fc
    .record({
      k: fc.integer({ min: 1, max: maxKernel }),
      s: fc.integer({ min: 1, max: 2 }),
      p: fc.integer({ min: 0, max: 2 }),
      outSize: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ k, s, p, outSize }) => {
      const pad = padBelowKernel ? Math.min(p, k - 1) : p;
      return { k, s, p: pad, size: (outSize - 1) * s + k - 2 * pad };
    })
    .filter(({ size }) => size >= 1);

const geometryArb = (padBelowKernel = false): fc.Arbitrary<Geometry> =>
  fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      c: fc.integer({ min: 1, max: 2 }),
      f: fc.integer({ min: 1, max: 3 }),
      y: axisArb(3, padBelowKernel),
      x: axisArb(3, padBelowKernel),
    })
    .map(({ n, c, f, y, x }) => ({
      n,
      c,
      f,
      kernel: [y.k, x.k] as [number, number],
      stride: [y.s, x.s] as [number, number],
      pad: [y.p, x.p] as [number, number],
      h: y.size,
      w: x.size,
    }));

const caseOf = (g: Geometry, inputs: fc.Arbitrary<Tensor>[]): fc.Arbitrary<GradientCase<Geometry>> =>
  fc.tuple(...inputs).map((ts) => ({ inputs: ts, params: g }));
const image = (g: Geometry) => [g.n, g.c, g.h, g.w];
const windows = (g: Geometry) => ({ kernel: g.kernel, stride: g.stride, pad: g.pad });
const outSize = (g: Geometry, axis: 0 | 1) =>
  ((axis === 0 ? g.h : g.w) + 2 * g.pad[axis] - g.kernel[axis]) / g.stride[axis] + 1;

const RUNS = { numRuns: 15 };

/** One property per 'conv' row of the op table (checked below). */
const PROPERTIES: Record<string, () => void> = {
  conv2d: () => {
    gradientProperty(
      (g: Geometry) => (x: Variable, W: Variable, b: Variable) => conv2d(x, W, b, { stride: g.stride, pad: g.pad }),
      geometryArb().chain((g) =>
        caseOf(g, [tensorArb(image(g)), tensorArb([g.f, g.c, ...g.kernel]), tensorArb([g.f])]),
      ),
      { label: 'Conv2d', secondOrder: true, ...RUNS },
    );
  },
  im2col: () => {
    gradientProperty(
      (g: Geometry) => (x: Variable) => im2col(x, windows(g)),
      geometryArb().chain((g) => caseOf(g, [tensorArb(image(g))])),
      { label: 'Im2col', secondOrder: true, ...RUNS },
    );
  },
  col2im: () => {
    gradientProperty(
      (g: Geometry) => (col: Variable) => col2im(col, image(g), windows(g)),
      geometryArb().chain((g) =>
        caseOf(g, [tensorArb([g.n * outSize(g, 0) * outSize(g, 1), g.c * g.kernel[0] * g.kernel[1]])]),
      ),
      { label: 'Col2im', secondOrder: true, ...RUNS },
    );
  },
  maxPool2d: () => {
    gradientProperty(
      (g: Geometry) => (x: Variable) => maxPool2d(x, windows(g)),
      // Values 0.02 apart (up to 196 of them): central differences (eps 1e-6) never swap a window's winner.
      geometryArb(true).chain((g) => caseOf(g, [distinctValuesTensorArb(image(g), { min: -4, max: 4, gap: 0.02 })])),
      { label: 'MaxPool', secondOrder: true, ...RUNS },
    );
  },
  avgPool2d: () => {
    gradientProperty(
      (g: Geometry) => (x: Variable) => avgPool2d(x, windows(g)),
      geometryArb(true).chain((g) => caseOf(g, [tensorArb(image(g))])),
      { label: 'AvgPool', secondOrder: true, ...RUNS },
    );
  },
};

describe('gradients of the window ops', () => {
  it('every conv row of the op table has a property here', () => {
    const rows = opEntries()
      .filter(([, e]) => e.kind === 'conv')
      .map(([name]) => name);
    expect(rows.sort()).toEqual(Object.keys(PROPERTIES).sort());
  });

  for (const [name, property] of Object.entries(PROPERTIES)) it(name, property);

  it('Conv2dGradInput and Conv2dGradWeight: their own gradients, upstream gradient included', () => {
    // x, W, u ↦ (∂⟨u, conv(x, W)⟩/∂x, ∂⟨u, conv(x, W)⟩/∂W) = (GradInput(u, W), GradWeight(x, u)).
    // A plain second-order check of conv2d holds u constant; here u is an input too, so every
    // backward of the family is compared with central differences (and, second order, their
    // backwards again: third derivatives of conv).
    gradientProperty(
      (g: Geometry) => (x: Variable, W: Variable, u: Variable) =>
        grad((a, w) => sum(mul(conv2d(a, w, null, { stride: g.stride, pad: g.pad }), u)), { createGraph: true })(x, W),
      geometryArb().chain((g) =>
        caseOf(g, [
          tensorArb(image(g)),
          tensorArb([g.f, g.c, ...g.kernel]),
          tensorArb([g.n, g.f, outSize(g, 0), outSize(g, 1)]),
        ]),
      ),
      { label: 'Conv2dGradInput, Conv2dGradWeight', secondOrder: true, ...RUNS },
    );
  });

  it('the gradient ops of pooling, im2col and col2im: their gradients, upstream gradient included', () => {
    // x, u ↦ ∂⟨u, op(x)⟩/∂x is MaxPoolGrad(u), AvgPoolGrad(u), Col2im(u) or Im2col(u): checking
    // it against central differences in u exercises each gradient op's own backward.
    const viaGradient =
      (op: (x: Variable) => Variable) =>
      (x: Variable, u: Variable): Variable =>
        grad((a) => sum(mul(op(a), u)), { createGraph: true })(x)[0];
    const pooled = (g: Geometry) => [g.n, g.c, outSize(g, 0), outSize(g, 1)];
    const rows = (g: Geometry) => [g.n * outSize(g, 0) * outSize(g, 1), g.c * g.kernel[0] * g.kernel[1]];
    const distinct = (g: Geometry) => distinctValuesTensorArb(image(g), { min: -4, max: 4, gap: 0.02 });
    const cases: [string, (g: Geometry) => (x: Variable) => Variable, fc.Arbitrary<GradientCase<Geometry>>][] = [
      [
        'MaxPoolGrad',
        (g) => (x) => maxPool2d(x, windows(g)),
        geometryArb(true).chain((g) => caseOf(g, [distinct(g), tensorArb(pooled(g))])),
      ],
      [
        'AvgPoolGrad',
        (g) => (x) => avgPool2d(x, windows(g)),
        geometryArb(true).chain((g) => caseOf(g, [tensorArb(image(g)), tensorArb(pooled(g))])),
      ],
      [
        'Col2im (as im2col’s gradient)',
        (g) => (x) => im2col(x, windows(g)),
        geometryArb().chain((g) => caseOf(g, [tensorArb(image(g)), tensorArb(rows(g))])),
      ],
      [
        'Im2col (as col2im’s gradient)',
        (g) => (c) => col2im(c, image(g), windows(g)),
        geometryArb().chain((g) => caseOf(g, [tensorArb(rows(g)), tensorArb(image(g))])),
      ],
    ];
    for (const [label, op, arb] of cases) {
      gradientProperty((g: Geometry) => viaGradient(op(g)), arb, { label, secondOrder: true, ...RUNS });
    }
  });

  it('Conv2d without a bias, and composed: avgPool(tanh(conv(x, W) + b)) · V', () => {
    gradientProperty(
      (g: Geometry) => (x: Variable, W: Variable) => conv2d(x, W, null, { stride: g.stride, pad: g.pad }),
      geometryArb().chain((g) => caseOf(g, [tensorArb(image(g)), tensorArb([g.f, g.c, ...g.kernel])])),
      { label: 'Conv2d (no bias)', secondOrder: true, ...RUNS },
    );
    // A conv net's path in small: conv, a nonlinearity, 2×2 pooling, a product (average
    // pooling: generated values may repeat, and a max over equal values has no derivative).
    gradientProperty(
      (x: Variable, W: Variable, b: Variable, V: Variable) =>
        avgPool2d(conv2d(x, W, b, { pad: 1 }).tanh(), { kernel: 2 })
          .reshape([2, -1])
          .matmul(V),
      [tensorArb([2, 1, 4, 4]), tensorArb([2, 1, 3, 3]), tensorArb([2]), tensorArb([8, 3])],
      { label: 'Conv2d → tanh → AvgPool → MatMul', ...RUNS },
    );
  });
});

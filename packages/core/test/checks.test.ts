// The checks themselves: gradcheck must FAIL on wrong backwards (including one that ignores its
// upstream gradient), and numericalDiff / numericalGradient work on any shape and never leave
// their input changed — even when f throws.
import {
  DTypeError,
  defineOp,
  GraphError,
  gradcheck,
  gradgradcheck,
  mul,
  numericalDiff,
  numericalGradient,
  pow,
  sum,
  Tensor,
  tensor,
  ValueError,
  type Variable,
  variable,
} from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import { checkProperty, gradientProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// d(x²)/dx claimed to be 3x: wrong everywhere except 0.
const wrongSquare = defineOp({
  name: 'WrongSquare',
  forward: ([x]) => kernels.unary('square', x),
  backward: ([gy], { inputs: [x] }) => mul(gy, mul(x, 3)),
});

// The right local derivative 2x, but the upstream gradient is dropped.
const ignoresUpstream = defineOp({
  name: 'IgnoresUpstream',
  forward: ([x]) => kernels.unary('square', x),
  backward: (_gys, { inputs: [x] }) => mul(x, 2),
});

describe('gradcheck fails on wrong backwards', () => {
  it('reports a wrong derivative with its worst element, or raises a GraphError', () => {
    const x = tensor([
      [0.5, -1],
      [2, 1.5],
    ]);
    const r = gradcheck((v) => wrongSquare(v), [x]);
    expect(r.ok).toBe(false);
    expect(r.mode).toBe('jacobian');
    expect(r.worst).toMatchObject({ input: 0, index: 2, output: 2 });
    expect(r.worst?.analytic).toBeCloseTo(6, 6);
    expect(r.worst?.numerical).toBeCloseTo(4, 6);
    expect(r.message).toMatch(/gradcheck failed \(jacobian\): input 0, element 2/);
    expect(() => gradcheck((v) => wrongSquare(v), [x], { raise: true })).toThrow(GraphError);
    // Projection mode (large inputs) fails too.
    const big = new Tensor(
      Float64Array.from({ length: 5000 }, (_, i) => 1 + (i % 7) / 7),
      [5000],
    );
    const rp = gradcheck((v) => sum(wrongSquare(v)), [big]);
    expect(rp.mode).toBe('projection');
    expect(rp.ok).toBe(false);
  });

  it('catches a backward that ignores the upstream gradient', () => {
    // A non-scalar output: the one-hot upstream gradients of Jacobian mode expose it.
    expect(gradcheck((v) => ignoresUpstream(v), [tensor([1, 2, 3])]).ok).toBe(false);
    // Downstream of another op the upstream gradient is not 1 either.
    expect(gradcheck((v) => mul(ignoresUpstream(v), 3), [tensor(0.7)]).ok).toBe(false);
    // A scalar output alone is seeded with 1, which hides it from the Jacobian comparison…
    expect(gradcheck((v) => ignoresUpstream(v), [tensor(0.7)]).ok).toBe(true);
    // …but not from a random upstream gradient, which gradientProperty always adds.
    expect(gradcheck((v) => ignoresUpstream(v), [tensor(0.7)], { jacobianLimit: 0 }).ok).toBe(false);
    expect(() =>
      gradientProperty((v) => ignoresUpstream(v), [tensorArb([], { awayFrom: [0], margin: 0.5 })], {
        label: 'test:ignores-upstream',
        numRuns: 5,
      }),
    ).toThrow(/random upstream gradient/);
  });

  it('gradgradcheck fails when a backward is right but not differentiable', () => {
    const opaque = defineOp({
      name: 'Opaque',
      forward: ([x]) => kernels.unary('square', x),
      backward: ([gy], { inputs: [x] }) => mul(gy, kernels.unary('mulScalar', x.data, 2)),
    });
    const x = tensor([0.3, -1.2]);
    expect(gradcheck((v) => opaque(v), [x]).ok).toBe(true);
    expect(gradgradcheck((v) => opaque(v), [x]).ok).toBe(false);
    expect(gradgradcheck((v) => pow(v, 2), [x]).ok).toBe(true);
  });

  it('refuses float32 inputs and bad tolerances with library errors, and never changes inputs', () => {
    expect(() => gradcheck((v) => v, [tensor([1], { dtype: 'float32' })])).toThrow(DTypeError);
    expect(() => gradcheck((v) => v, [tensor([1])], { eps: 0 })).toThrow(ValueError);
    checkProperty(
      'gradcheck leaves inputs unchanged',
      fc.property(tensorArb(shapeArb()), (t) => {
        const before = Array.from(t.data);
        const v = variable(t);
        gradcheck((u: Variable) => mul(u, u), [t]);
        gradcheck((u: Variable) => mul(u, u), [v]);
        expect(Array.from(t.data)).toEqual(before);
      }),
      { numRuns: 15 },
    );
  });
});

describe('numericalDiff and numericalGradient (the notes’ central differences)', () => {
  it('reproduce the notes’ tangent and gradient examples', () => {
    const f = (x: number) => 0.01 * x ** 2 + 0.1 * x;
    expect(numericalDiff(f, 5)).toBeCloseTo(0.2, 8);
    expect(numericalDiff(f, 10)).toBeCloseTo(0.3, 8);
    const g = (t: Tensor) => sum(pow(t, 2));
    for (const [p, q] of [
      [3, 4],
      [0, 2],
      [3, 0],
    ]) {
      const gr = numericalGradient(g, tensor([p, q]));
      expect(gr.toArray()).toEqual([expect.closeTo(2 * p, 6), expect.closeTo(2 * q, 6)]);
    }
    // Elementwise numericalDiff over a whole tensor.
    const d = numericalDiff((t: Tensor) => mul(mul(t, t), 0.01).add(mul(t, 0.1)).data, tensor([5, 10]));
    expect(d.toArray()).toEqual([expect.closeTo(0.2, 8), expect.closeTo(0.3, 8)]);
  });

  it('numericalGradient matches the analytic gradient on any shape and restores its input', () => {
    checkProperty(
      'numericalGradient',
      fc.property(tensorArb(shapeArb({ maxRank: 4 })), tensorArb([], { min: 0.5, max: 2 }), (x, c) => {
        const before = Array.from(x.data);
        const k = c.item();
        const g = numericalGradient((t) => sum(mul(pow(t, 2), k)), x);
        expect(g.shape).toEqual(x.shape);
        g.data.forEach((v, i) => expect(v).toBeCloseTo(2 * k * before[i], 5));
        expect(Array.from(x.data)).toEqual(before);
      }),
      { numRuns: 20 },
    );
  });

  it('leaves the input unchanged when f throws, whichever call throws', () => {
    checkProperty(
      'numericalGradient restores on throw',
      fc.property(tensorArb(shapeArb({ minRank: 1 })), fc.nat(50), (x, k) => {
        const before = Array.from(x.data);
        let calls = 0;
        const f = (t: Tensor) => {
          if (calls++ === k % (2 * x.size)) throw new Error('boom');
          return sum(t);
        };
        expect(() => numericalGradient(f, x)).toThrow('boom');
        expect(Array.from(x.data)).toEqual(before);
      }),
      { numRuns: 20 },
    );
  });

  it('numericalDiff never changes a tensor input, and rejects non-elementwise f', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    numericalDiff((t: Tensor) => kernels.unary('exp', t), x);
    expect(x.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => numericalDiff((t: Tensor) => sum(t).data, x)).toThrow(/elementwise/);
    expect(() => numericalDiff((v: number) => v, 1, 0)).toThrow(ValueError);
    expect(() => numericalGradient(() => variable([1, 2]), x)).toThrow(/one value/);
  });
});

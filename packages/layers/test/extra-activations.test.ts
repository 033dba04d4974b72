// The activations beyond the book (issue 17): values against the PyTorch formulas written out
// with Math, gradients (and second order where the function is smooth) against central
// differences over generated shapes, the exact gradient at 0, and stability at ±1000.
import { gradcheck, gradgradcheck, tensor, ValueError, type Variable, variable } from '@zerograd/core';
import { gradientProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erfScalar } from '../src/functional/activations-extra.js';
import {
  ELU,
  elu,
  erf,
  GELU,
  gelu,
  Identity,
  LeakyReLU,
  leakyRelu,
  Sequential,
  SiLU,
  Softplus,
  silu,
  softplus,
} from '../src/index.js';

const small = shapeArb({ maxRank: 3, maxElements: 24 });
const RUNS = { numRuns: 12 };

// Python's math.erf (CPython, correctly rounded to within 1 ulp) at points across every branch
// of erfScalar: the series (< 2), the continued fraction (2 … 6) and the saturated tail.
const ERF_REFERENCE: [number, number][] = [
  [-5.5, -0.9999999999999927],
  [-3.2, -0.9999939742388483],
  [-2.0, -0.9953222650189527],
  [-1.999, -0.9953015566513705],
  [-0.7, -0.6778011938374184],
  [-0.001, -0.0011283787909692365],
  [0.0, 0.0],
  [1e-8, 1.1283791670955126e-8],
  [0.3, 0.3286267594591274],
  [1.0, 0.8427007929497149],
  [1.5, 0.9661051464753108],
  [2.0, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3.7, 0.9999998328489421],
  [5.9, 0.9999999999999999],
  [6.5, 1.0],
];

// The reference formulas, as PyTorch documents them.
const REF = {
  leakyRelu: (x: number, s: number) => (x > 0 ? x : s * x),
  elu: (x: number, a: number) => (x > 0 ? x : a * Math.expm1(x)),
  geluExact: (x: number) => 0.5 * x * (1 + erfScalar(x / Math.SQRT2)),
  geluTanh: (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  silu: (x: number) => x / (1 + Math.exp(-x)),
  softplus: (x: number, b: number) => Math.log1p(Math.exp(b * x)) / b,
};

function expectValues(y: Variable, xs: ArrayLike<number>, f: (x: number) => number, tol = 1e-14) {
  const got = y.data.data;
  expect(got.length).toBe(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const want = f(xs[i]);
    expect(Math.abs(got[i] - want), `at x = ${xs[i]}: ${got[i]} vs ${want}`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(want)),
    );
  }
}

describe('erf', () => {
  it('matches Python math.erf to 2e-15 on every branch', () => {
    for (const [x, want] of ERF_REFERENCE) {
      expect(Math.abs(erfScalar(x) - want), `erf(${x})`).toBeLessThanOrEqual(2e-15);
      expect(erf(variable([x])).toArray()[0]).toBe(erfScalar(x));
    }
    expect(Number.isNaN(erfScalar(Number.NaN))).toBe(true);
    expect(erfScalar(Number.POSITIVE_INFINITY)).toBe(1);
  });

  it('gradient 2/√π·e^(−x²), to second order', () => {
    gradientProperty((x) => erf(x), [tensorArb(small)], { ...RUNS, label: 'layers.erf', secondOrder: true });
    const x = variable([0, 1]);
    erf(x).sum().backward();
    expect(x.grad?.toArray()[0]).toBeCloseTo(2 / Math.sqrt(Math.PI), 15);
    expect(x.grad?.toArray()[1]).toBeCloseTo((2 / Math.sqrt(Math.PI)) * Math.exp(-1), 15);
  });
});

describe('values against the PyTorch formulas', () => {
  it('leakyRelu, elu, gelu (both forms), silu, softplus', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        (values, k) => {
          const x = tensor(values);
          expectValues(leakyRelu(x, k), values, (v) => REF.leakyRelu(v, k));
          expectValues(elu(x, k), values, (v) => REF.elu(v, k));
          expectValues(gelu(x), values, REF.geluExact);
          expectValues(gelu(x, { approximate: 'tanh' }), values, REF.geluTanh);
          expectValues(silu(x), values, REF.silu);
          expectValues(softplus(x, k), values, (v) => REF.softplus(v, k));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('the tanh GELU is within 5e-4 of the exact one', () => {
    const xs = Array.from({ length: 121 }, (_, i) => -6 + i * 0.1);
    const a = gelu(tensor(xs)).toArray() as number[];
    const b = gelu(tensor(xs), { approximate: 'tanh' }).toArray() as number[];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(5e-4);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeGreaterThan(1e-5); // they do differ
  });
});

describe('gradients against central differences', () => {
  it('leaky ReLU and ELU away from the kink at 0; ELU to second order', () => {
    gradientProperty((x) => leakyRelu(x, 0.2), [tensorArb(small, { awayFrom: [0] })], {
      ...RUNS,
      label: 'layers.leakyRelu',
    });
    gradientProperty((x) => elu(x, 1.5), [tensorArb(small, { awayFrom: [0] })], {
      ...RUNS,
      label: 'layers.elu',
      secondOrder: true,
    });
  });

  it('GELU (exact and tanh), SiLU and softplus (β = 1 and 2), to second order', () => {
    const values = tensorArb(small, { min: -5, max: 5 });
    for (const [label, f] of [
      ['layers.gelu', (x: Variable) => gelu(x)],
      ['layers.geluTanh', (x: Variable) => gelu(x, { approximate: 'tanh' })],
      ['layers.silu', (x: Variable) => silu(x)],
      ['layers.softplus', (x: Variable) => softplus(x)],
      ['layers.softplus.beta2', (x: Variable) => softplus(x, 2)],
    ] as const) {
      gradientProperty(f, [values], { ...RUNS, label, secondOrder: true });
    }
  });

  it('the gradient at exactly 0 is the derivative there, as PyTorch computes it', () => {
    const at0 = (f: (x: Variable) => Variable) => {
      const x = variable([0]);
      f(x).sum().backward();
      return x.grad?.toArray()[0];
    };
    expect(at0((x) => softplus(x))).toBe(0.5); // σ(0); relu(x) + log(1 + e^−|x|) would give 0
    expect(at0((x) => softplus(x, 3))).toBe(0.5);
    expect(at0((x) => leakyRelu(x, 0.2))).toBe(0.2);
    expect(at0((x) => elu(x, 2))).toBe(2);
    expect(at0((x) => gelu(x))).toBe(0.5);
    expect(at0((x) => gelu(x, { approximate: 'tanh' }))).toBe(0.5);
    expect(at0((x) => silu(x))).toBe(0.5);
    // And the second derivative of softplus at 0 is σ'(0) = ¼ (the branch picked at 0 is smooth).
    expect(gradgradcheck((x) => softplus(x), [tensor([0])]).ok).toBe(true);
  });

  it('finite values and gradients at ±1000 (no overflow hidden in an unused branch)', () => {
    for (const f of [
      (x: Variable) => elu(x),
      (x: Variable) => softplus(x),
      (x: Variable) => softplus(x, 0.5),
      (x: Variable) => gelu(x),
      (x: Variable) => gelu(x, { approximate: 'tanh' }),
      (x: Variable) => silu(x),
    ]) {
      const x = variable([-1000, -40, 40, 1000]);
      const y = f(x);
      y.sum().backward();
      expect([...y.data.data].every(Number.isFinite)).toBe(true);
      expect([...(x.grad?.data.data ?? [])].every(Number.isFinite)).toBe(true);
      expect(x.grad?.toArray()[3]).toBeCloseTo(1, 12); // each is the identity far to the right
      expect(x.grad?.toArray()[0]).toBeCloseTo(0, 12);
    }
    expect(softplus(tensor([1000])).item()).toBe(1000);
    expect(elu(tensor([-1000])).item()).toBe(-1);
  });
});

describe('layers', () => {
  it('each layer computes its function, in its own scope, with input gradients that check', () => {
    const x = tensor([
      [-1.3, -0.4, 0.7],
      [2.1, -2.2, 0.25],
    ]);
    for (const [layer, f] of [
      [new LeakyReLU(0.1), (v: Variable) => leakyRelu(v, 0.1)],
      [new ELU(0.5), (v: Variable) => elu(v, 0.5)],
      [new GELU(), (v: Variable) => gelu(v)],
      [new GELU({ approximate: 'tanh' }), (v: Variable) => gelu(v, { approximate: 'tanh' })],
      [new SiLU(), (v: Variable) => silu(v)],
      [new Softplus(2), (v: Variable) => softplus(v, 2)],
      [new Identity(), (v: Variable) => v],
    ] as const) {
      expect(layer.forward(x).toArray()).toEqual(f(variable(x)).toArray());
      expect(layer.parameters()).toEqual([]);
      const r = gradcheck((v) => layer.forward(v), [x]);
      expect(r.ok, `${layer.type}: ${r.message}`).toBe(true);
    }
  });

  it('Identity is one node whose gradient is the upstream gradient', () => {
    const x = variable([1, 2, 3]);
    const y = new Identity().forward(x);
    expect(y.creator?.def.name).toBe('Identity');
    expect(y).not.toBe(x);
    y.mul(tensor([4, 5, 6]))
      .sum()
      .backward();
    expect(x.grad?.toArray()).toEqual([4, 5, 6]);
  });

  it('Sequential names them like the built-in layers', () => {
    const net = new Sequential([new GELU(), new LeakyReLU(), new SiLU()]);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['gelu1', 'leakyrelu1', 'silu1']);
  });

  it('bad options are refused when the layer is built, naming the function', () => {
    expect(() => new LeakyReLU(Number.NaN)).toThrow(ValueError);
    expect(() => new ELU(Number.POSITIVE_INFINITY)).toThrow(/elu: alpha must be a finite number/);
    expect(() => new Softplus(0)).toThrow(/softplus: beta must be positive/);
    expect(() => new GELU({ approximate: 'erf' as never })).toThrow(/gelu: approximate must be 'none' or 'tanh'/);
    expect(() => leakyRelu({} as never)).toThrow(/leakyRelu/);
  });
});

// Each optimizer's update rule against steps computed by hand, weight decay, and state that
// saves and restores exactly.
import { parameter, Tensor, ValueError, type Variable } from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import { AdaGrad, Adam, Affine, Momentum, Nesterov, type Optimizer, RMSprop, Sequential, SGD } from '../src/index.js';

/** A one-element parameter at `w` whose gradient we set by hand each step. */
function scalarParam(w: number): Variable {
  return parameter(new Tensor(new Float64Array([w]), [1]), 'w');
}
function setGrad(p: Variable, g: number) {
  p.grad = parameter(new Tensor(new Float64Array([g]), [1]));
}
/** Runs steps with gradients `gs` and returns the weight after each. */
function trajectory(make: (p: Variable) => Optimizer, w0: number, gs: number[]): number[] {
  const p = scalarParam(w0);
  const opt = make(p);
  return gs.map((g) => {
    setGrad(p, g);
    opt.step();
    return p.data.data[0];
  });
}

const gs = [0.5, -1.0, 2.0];

describe('update rules, hand-computed', () => {
  it('SGD: w ← w − η·g', () => {
    const w = trajectory((p) => new SGD([p], { lr: 0.1 }), 1, gs);
    expect(w[0]).toBeCloseTo(1 - 0.05, 15);
    expect(w[1]).toBeCloseTo(0.95 + 0.1, 15);
    expect(w[2]).toBeCloseTo(1.05 - 0.2, 15);
  });

  it('Momentum: v ← α·v − η·g, w ← w + v', () => {
    const w = trajectory((p) => new Momentum([p], { lr: 0.1, momentum: 0.9 }), 1, gs);
    // v1 = −0.05, w1 = 0.95; v2 = −0.045 + 0.1 = 0.055, w2 = 1.005; v3 = 0.0495 − 0.2 = −0.1505, w3 = 0.8545
    expect(w).toEqual([0.95, 1.005, 0.8545].map((v) => expect.closeTo(v, 14)));
  });

  it('Nesterov: v ← α·v − η·g, w ← w + α·v − η·g', () => {
    const w = trajectory((p) => new Nesterov([p], { lr: 0.1, momentum: 0.9 }), 1, gs);
    // v1 = −0.05, w1 = 1 − 0.045 − 0.05 = 0.905
    // v2 = 0.055, w2 = 0.905 + 0.0495 + 0.1 = 1.0545
    // v3 = −0.1505, w3 = 1.0545 − 0.13545 − 0.2 = 0.71905
    expect(w).toEqual([0.905, 1.0545, 0.71905].map((v) => expect.closeTo(v, 14)));
  });

  it('AdaGrad: h ← h + g², w ← w − η·g/(√h + ε)', () => {
    const eps = 1e-7;
    const w = trajectory((p) => new AdaGrad([p], { lr: 0.1 }), 1, gs);
    const w1 = 1 - (0.1 * 0.5) / (Math.sqrt(0.25) + eps);
    const w2 = w1 + 0.1 / (Math.sqrt(1.25) + eps);
    const w3 = w2 - 0.2 / (Math.sqrt(5.25) + eps);
    expect(w).toEqual([w1, w2, w3].map((v) => expect.closeTo(v, 14)));
  });

  it('RMSprop: h ← ρ·h + (1 − ρ)·g², w ← w − η·g/(√h + ε)', () => {
    const eps = 1e-7;
    const w = trajectory((p) => new RMSprop([p], { lr: 0.01, decay: 0.9 }), 1, gs);
    const h1 = 0.1 * 0.25;
    const w1 = 1 - (0.01 * 0.5) / (Math.sqrt(h1) + eps);
    const h2 = 0.9 * h1 + 0.1 * 1;
    const w2 = w1 + 0.01 / (Math.sqrt(h2) + eps);
    const h3 = 0.9 * h2 + 0.1 * 4;
    const w3 = w2 - 0.02 / (Math.sqrt(h3) + eps);
    expect(w).toEqual([w1, w2, w3].map((v) => expect.closeTo(v, 14)));
  });

  it('Adam: bias-corrected moments', () => {
    const [b1, b2, lr, eps] = [0.9, 0.999, 0.01, 1e-8];
    const w = trajectory((p) => new Adam([p], { lr }), 1, gs);
    let m = 0;
    let v = 0;
    let x = 1;
    const expected = gs.map((g, i) => {
      const t = i + 1;
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      x -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
      return x;
    });
    expect(w).toEqual(expected.map((e) => expect.closeTo(e, 14)));
    // The first step of Adam moves by ≈ η whatever the gradient's scale.
    expect(1 - w[0]).toBeCloseTo(lr, 8);
  });

  it('weight decay adds λ·w to the gradient (and AdamW decays the weights directly)', () => {
    const [w1] = trajectory((p) => new SGD([p], { lr: 0.1, weightDecay: 0.5 }), 2, [1]);
    expect(w1).toBeCloseTo(2 - 0.1 * (1 + 0.5 * 2), 15);
    const [a1] = trajectory((p) => new Adam([p], { lr: 0.1, weightDecay: 0.5, decoupledWeightDecay: true }), 2, [1]);
    expect(a1).toBeCloseTo(2 - (0.1 * 1) / (1 + 1e-8) - 0.1 * 0.5 * 2, 12);
  });

  it('skips parameters without a gradient and updates in place', () => {
    const a = scalarParam(1);
    const b = scalarParam(1);
    const data = a.data.data;
    setGrad(a, 1);
    new SGD([a, b], { lr: 1 }).step();
    expect(a.data.data).toBe(data);
    expect(a.data.data[0]).toBe(0);
    expect(b.data.data[0]).toBe(1);
  });

  it('rejects bad hyper-parameters', () => {
    const p = scalarParam(0);
    expect(() => new SGD([p], { lr: -1 })).toThrow(ValueError);
    expect(() => new Momentum([p], { momentum: 1 })).toThrow(ValueError);
    expect(() => new Adam([p], { eps: 0 })).toThrow(ValueError);
    expect(() => new SGD([p, p])).toThrow(/listed twice/);
  });
});

describe('state dicts', () => {
  const makers: [string, (m: Sequential) => Optimizer][] = [
    ['SGD', (m) => new SGD(m, { lr: 0.1 })],
    ['Momentum', (m) => new Momentum(m)],
    ['Nesterov', (m) => new Nesterov(m)],
    ['AdaGrad', (m) => new AdaGrad(m)],
    ['RMSprop', (m) => new RMSprop(m)],
    ['Adam', (m) => new Adam(m)],
  ];
  const model = () => new Sequential([new Affine(3, 2, { seed: 1 }), new Affine(2, 1, { seed: 2 })]);
  const stepWith = (m: Sequential, opt: Optimizer, k: number) => {
    m.zeroGrad();
    m.forward([[1, -2, 0.5 * k]])
      .sum()
      .backward();
    opt.step();
  };

  for (const [name, make] of makers) {
    it(`${name}: a restored optimizer continues exactly like the original`, () => {
      const a = model();
      const optA = make(a);
      for (let k = 0; k < 3; k++) stepWith(a, optA, k);
      const b = model();
      b.loadStateDict(a.stateDict());
      const optB = make(b);
      optB.loadStateDict(optA.stateDict());
      expect(optB.stepCount).toBe(3);
      for (let k = 3; k < 6; k++) {
        stepWith(a, optA, k);
        stepWith(b, optB, k);
      }
      expect(b.stateDict()).toEqual(a.stateDict());
    });
  }

  it('keys state by parameter name and refuses a foreign state', () => {
    const m = model();
    const opt = new Adam(m);
    stepWith(m, opt, 0);
    const state = opt.stateDict();
    expect(Object.keys(state.slots)).toContain('affine1.W.m');
    expect(state.hyper).toMatchObject({ lr: 0.001, beta1: 0.9, beta2: 0.999 });
    expect(() => new SGD(m).loadStateDict(state)).toThrow(/Adam/);
    const wrong = { ...state, slots: { ...state.slots, 'affine1.W.m': new Tensor(new Float64Array(2), [2]) } };
    const fresh = new Adam(m);
    expect(() => fresh.loadStateDict(wrong)).toThrow(/shape/);
    expect(fresh.stepCount).toBe(0);
  });
});

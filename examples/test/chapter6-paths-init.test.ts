import { loadMnist } from '@zerograd/layers';
import { describe, expect, it } from 'vitest';
import { tailMean } from '../src/chapter6/nets.js';
import { optimizerPaths, signChanges } from '../src/chapter6/optimizer-paths.js';
import { activationsBySetting, fractionBetween, initsOnMnist, WEIGHT_INIT_QUICK } from '../src/chapter6/weight-init.js';

describe('6.1 optimizer paths on x²/20 + y² from (−7, 2)', () => {
  const paths = optimizerPaths(30);
  const byName = Object.fromEntries(paths.map((p) => [p.name, p]));

  it('takes the book’s SGD step: (x, y) − 0.95 · (x/10, 2y)', () => {
    const sgd = byName.SGD;
    expect(sgd?.x[1]).toBeCloseTo(-7 + 0.95 * 0.7, 12);
    expect(sgd?.y[1]).toBeCloseTo(2 - 0.95 * 4, 12);
  });

  it('every optimizer ends nearer the minimum than it started', () => {
    expect(paths.map((p) => p.name)).toEqual(['SGD', 'Momentum', 'AdaGrad', 'Adam']);
    const start = Math.hypot(-7, 2);
    for (const p of paths) {
      expect(p.x).toHaveLength(31);
      expect(Math.hypot(p.x.at(-1) ?? 9, p.y.at(-1) ?? 9), p.name).toBeLessThan(start / 5);
    }
  });

  it('SGD zig-zags: y changes sign at every step, the others far less', () => {
    expect(signChanges(byName.SGD?.y ?? [])).toBe(30);
    for (const name of ['Momentum', 'AdaGrad', 'Adam']) {
      expect(signChanges(byName[name]?.y ?? []), name).toBeLessThanOrEqual(5);
    }
    expect(signChanges([1, -1, 2, 3, -0.5])).toBe(3);
  });
});

describe('6.3 initial weights: activations of 5 layers of 100 units on 1,000 random inputs', () => {
  const acts = activationsBySetting(WEIGHT_INIT_QUICK);
  const get = (name: string) => {
    const a = acts.find((s) => s.setting.name === name);
    if (!a) throw new Error(`no setting ${name}`);
    expect(a.layers).toHaveLength(5);
    for (const l of a.layers) expect(l.length).toBe(100_000);
    return a.layers;
  };

  it('std 1 saturates the sigmoid: most activations within 0.1 of 0 or 1, in every layer', () => {
    for (const layer of get('std 1, sigmoid')) {
      expect(fractionBetween(layer, 0, 0.1) + fractionBetween(layer, 0.9, 1)).toBeGreaterThan(0.6);
    }
  });

  it('std 0.01 makes every unit say about 0.5: nearly all activations within 0.05 of it', () => {
    for (const layer of get('std 0.01, sigmoid')) expect(fractionBetween(layer, 0.45, 0.55)).toBeGreaterThan(0.9);
  });

  it('Xavier keeps the sigmoid and tanh spread out; He keeps about half of the ReLUs alive', () => {
    for (const layer of get('Xavier, sigmoid')) {
      expect(fractionBetween(layer, 0, 0.1) + fractionBetween(layer, 0.9, 1)).toBeLessThan(0.1);
      expect(fractionBetween(layer, 0.45, 0.55)).toBeLessThan(0.5);
    }
    for (const layer of get('Xavier, tanh')) expect(fractionBetween(layer, -0.1, 0.1)).toBeLessThan(0.5);
    for (const layer of get('He, ReLU')) {
      const zeros = fractionBetween(layer, 0, 0);
      expect(zeros).toBeGreaterThan(0.3);
      expect(zeros).toBeLessThan(0.7);
    }
  });

  it('on MNIST, std 0.01 does not learn in the quick run while He does, Xavier in between', () => {
    const curves = initsOnMnist(loadMnist({ seed: 0 }), WEIGHT_INIT_QUICK);
    const [small, xavier, he] = curves.map((c) => tailMean(c.loss));
    expect(curves.map((c) => c.name)).toEqual(['std 0.01', 'Xavier', 'He']);
    expect(small).toBeGreaterThan(2.28); // ln 10 ≈ 2.303: still guessing
    expect(he).toBeLessThan(1.6);
    expect(xavier).toBeLessThan(small ?? 0);
    expect(he).toBeLessThan(xavier ?? 0);
    expect(curves[2]?.testAccuracy).toBeGreaterThan(0.6);
  });
});

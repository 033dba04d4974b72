import { detectAnomaly, grad, noGrad, traceGraph, variable } from '@zerograd/core';
import { gradientProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import { describe, expect, it } from 'vitest';
import { smoothL1, softplus } from '../src/custom-op.js';

describe('a user-defined op', () => {
  it('softplus: gradient and gradient-of-gradient match central differences (property)', () => {
    const r = gradientProperty((x) => softplus(x), [tensorArb(shapeArb({ maxRank: 3 }), { min: -6, max: 6 })], {
      label: 'Softplus',
      secondOrder: true,
    });
    expect(r.runs).toBeGreaterThan(0);
  });

  it('softplus is finite for large inputs and behaves like a built-in op', () => {
    const x = variable([-1000, 0, 1000]);
    const y = detectAnomaly(() => softplus(x));
    expect(y.toArray()).toEqual([0, Math.log(2), 1000]);
    expect(traceGraph(y).nodes.some((n) => n.kind === 'op' && n.op === 'Softplus')).toBe(true);
    expect(noGrad(() => softplus(x)).creator).toBeNull();
  });

  it('smooth-L1: the hand-written gradient agrees with the composed one (property)', () => {
    gradientProperty(
      (x) => smoothL1(x),
      [tensorArb(shapeArb({ maxRank: 2 }), { min: -3, max: 3, awayFrom: [-1, 1] })],
      {
        label: 'SmoothL1 (custom)',
      },
    );
    const x = variable([
      [-2.5, -0.4],
      [0.3, 1.7],
    ]);
    const [custom] = grad((v) => smoothL1(v).sum())(x.data);
    const [composed] = grad((v) => smoothL1.composed(v).sum())(x.data);
    expect(custom.toArray()).toEqual(composed.toArray());
    expect(custom.toArray()).toEqual([
      [-1, -0.4],
      [0.3, 1],
    ]);
    expect(traceGraph(smoothL1(x)).nodes.filter((n) => n.kind === 'op').length).toBe(1);
  });
});

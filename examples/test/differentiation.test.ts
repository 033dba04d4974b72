import { describe, expect, it } from 'vitest';
import {
  curveAndDerivative,
  gradientAt,
  gradientDescent,
  gradientField,
  tangent,
} from '../src/notes/differentiation.js';

describe('notes: differentiation', () => {
  it('tangent slopes of 0.01x² + 0.1x at 5 and 10 are 0.2 and 0.3 (the book’s values)', () => {
    expect(tangent(5).slope).toBeCloseTo(0.2, 9);
    expect(tangent(10).slope).toBeCloseTo(0.3, 9);
    // The tangent touches the curve at x.
    const t = tangent(5);
    expect(t.slope * 5 + t.intercept).toBeCloseTo(0.75, 12);
  });

  it('the derivative curve is 0.02x + 0.1 everywhere on the plotted range', () => {
    const { x, dy } = curveAndDerivative();
    expect(x.length).toBe(100);
    x.forEach((xi, i) => expect(dy[i]).toBeCloseTo(0.02 * xi + 0.1, 8));
  });

  it('gradients of x0² + x1² at (3,4), (0,2), (3,0) are (6,8), (0,4), (6,0), numerically and by backprop', () => {
    const cases: [number, number, number[]][] = [
      [3, 4, [6, 8]],
      [0, 2, [0, 4]],
      [3, 0, [6, 0]],
    ];
    for (const [a, b, want] of cases) {
      const g = gradientAt(a, b);
      g.numerical.forEach((v, i) => expect(v).toBeCloseTo(want[i], 7));
      expect(g.backprop).toEqual(want);
    }
  });

  it('the gradient field points to the origin with length 2|x|', () => {
    const f = gradientField();
    expect(f.x.length).toBe(400);
    for (let i = 0; i < f.x.length; i++) {
      expect(f.u[i]).toBeCloseTo(-2 * f.x[i], 6);
      expect(f.v[i]).toBeCloseTo(-2 * f.y[i], 6);
    }
  });

  it('gradient descent from (−3, 4) with lr 0.1 ends within 1e-6 of the origin after 100 steps', () => {
    const { final, path } = gradientDescent([-3, 4], 0.1);
    expect(path.length).toBe(101);
    expect(Math.hypot(...final)).toBeLessThan(1e-6);
    expect(Math.hypot(...final)).toBeGreaterThan(0);
  });

  it('lr 10 diverges and lr 1e-10 stalls, as the book shows', () => {
    const big = gradientDescent([-3, 4], 10);
    expect(Math.hypot(...big.final)).toBeGreaterThan(1e10);
    const small = gradientDescent([-3, 4], 1e-10);
    expect(small.final[0]).toBeCloseTo(-3, 6);
    expect(small.final[1]).toBeCloseTo(4, 6);
    expect(small.final[0]).not.toBe(-3);
  });
});

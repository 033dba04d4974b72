/**
 * The notes' chapter on differentiation (微分 / 勾配 / 学習率), made runnable:
 * the numerical derivative and its tangent line, the gradient of x0² + x1², the gradient field
 * drawn as arrows, and gradient descent from (−3, 4) with a good, a too-large and a too-small
 * learning rate.
 */
import { arange, fromArray, numericalDiff, numericalGradient, type Tensor, variable } from '@zerograd/core';

/** The notes' `test_func1`: y = 0.01x² + 0.1x. */
export const f1 = (x: number): number => 0.01 * x ** 2 + 0.1 * x;

/** The notes' `test_func2`: f(x0, x1) = x0² + x1². */
export const f2 = (x: Tensor): number => {
  let s = 0;
  for (const v of x.data) s += v * v;
  return s;
};

/** Slope and intercept of the tangent of `f1` at `x`, by central differences (h = 1e-4). */
export function tangent(x: number): { slope: number; intercept: number } {
  const slope = numericalDiff(f1, x);
  return { slope, intercept: f1(x) - slope * x };
}

/** The curve and its numerical derivative over x = −50…49, as the notes plot them. */
export function curveAndDerivative(): { x: number[]; y: number[]; dy: number[] } {
  const x = arange(-50, 50, 1);
  const y = Array.from(x.data, f1);
  const dy = Array.from(numericalDiff((t: Tensor) => fromArray(Array.from(t.data, f1)), x).data);
  return { x: Array.from(x.data), y, dy };
}

/** Numerical and backprop gradients of x0² + x1² at a point: both, to compare. */
export function gradientAt(x0: number, x1: number): { numerical: number[]; backprop: number[] } {
  const numerical = Array.from(numericalGradient(f2, fromArray([x0, x1])).data);
  const v = variable([x0, x1]);
  v.mul(v).sum().backward();
  return { numerical, backprop: v.grad?.toArray() as number[] };
}

/** The notes' quiver plot: the negative gradient of x0² + x1² on the grid −10…9 × −10…9. */
export function gradientField(): { x: number[]; y: number[]; u: number[]; v: number[] } {
  const out = { x: [] as number[], y: [] as number[], u: [] as number[], v: [] as number[] };
  for (let j = -10; j < 10; j++) {
    for (let i = -10; i < 10; i++) {
      const g = numericalGradient(f2, fromArray([i, j])).data;
      out.x.push(i);
      out.y.push(j);
      out.u.push(-g[0]);
      out.v.push(-g[1]);
    }
  }
  return out;
}

/** Gradient descent on `f2` from `init` with numerical gradients, keeping every point visited. */
export function gradientDescent(
  init: [number, number],
  lr: number,
  steps = 100,
): { final: [number, number]; path: [number, number][] } {
  const x = fromArray(init);
  const path: [number, number][] = [[x.data[0], x.data[1]]];
  for (let i = 0; i < steps; i++) {
    const g = numericalGradient(f2, x).data;
    x.data[0] -= lr * g[0];
    x.data[1] -= lr * g[1];
    path.push([x.data[0], x.data[1]]);
  }
  return { final: [x.data[0], x.data[1]], path };
}

/** Prints the chapter's numbers. */
export function main(log: (line: string) => void = console.log): void {
  for (const x of [5, 10]) {
    const { slope } = tangent(x);
    log(`d/dx (0.01x² + 0.1x) at x = ${x}: ${slope.toFixed(10)} (exact ${(0.02 * x + 0.1).toFixed(1)})`);
  }
  for (const [a, b] of [
    [3, 4],
    [0, 2],
    [3, 0],
  ] as const) {
    const g = gradientAt(a, b);
    log(`∇(x0² + x1²) at (${a}, ${b}): numerical [${g.numerical.map((v) => v.toFixed(6))}], backprop [${g.backprop}]`);
  }
  for (const lr of [0.1, 10, 1e-10]) {
    const { final } = gradientDescent([-3, 4], lr);
    log(`gradient descent from (−3, 4), lr ${lr}, 100 steps → (${final.map((v) => v.toExponential(3)).join(', ')})`);
  }
}

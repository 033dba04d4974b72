/**
 * 6.1 — the four optimizers on the book's bowl f(x, y) = x²/20 + y², from (−7, 2), 30 steps
 * each, drawn over the function's contour lines. The bowl is 20 times steeper in y than in x:
 * SGD zig-zags across the valley while crawling along it, Momentum rolls like a ball, AdaGrad's
 * per-coordinate steps shrink the steep direction first, Adam combines the two.
 */
import { parameter, type Variable } from '@zerograd/core';
import { AdaGrad, Adam, Momentum, type Optimizer, SGD } from '@zerograd/layers';
import { contourPlot, heading, type PageSpec, paragraph, row } from '@zerograd/viz';

/** The book's function, written with ops so zerograd differentiates it. */
export function bowl(x: Variable, y: Variable): Variable {
  return x.mul(x).div(20).add(y.mul(y));
}

/** The four optimizers with the book's learning rates (figures 6-3, 6-5, 6-6, 6-8). */
export const PATH_OPTIMIZERS: readonly { name: string; make: (p: Variable[]) => Optimizer }[] = [
  { name: 'SGD', make: (p) => new SGD(p, { lr: 0.95 }) },
  { name: 'Momentum', make: (p) => new Momentum(p, { lr: 0.1 }) },
  { name: 'AdaGrad', make: (p) => new AdaGrad(p, { lr: 1.5 }) },
  { name: 'Adam', make: (p) => new Adam(p, { lr: 0.3 }) },
];

/** One optimizer's path: the start and the point after each step. */
export interface OptimizerPath {
  name: string;
  x: number[];
  y: number[];
}

/** Runs each optimizer `steps` times from `start`, recording every point it visits. */
export function optimizerPaths(steps = 30, start: [number, number] = [-7, 2]): OptimizerPath[] {
  return PATH_OPTIMIZERS.map(({ name, make }) => {
    const x = parameter(start[0], 'x');
    const y = parameter(start[1], 'y');
    const optimizer = make([x, y]);
    const path: OptimizerPath = { name, x: [x.data.item()], y: [y.data.item()] };
    for (let i = 0; i < steps; i++) {
      optimizer.zeroGrad();
      bowl(x, y).backward();
      optimizer.step();
      path.x.push(x.data.item());
      path.y.push(y.data.item());
    }
    return path;
  });
}

/** How often the path crosses y = 0: SGD's zig-zag shows as a sign change at nearly every step. */
export function signChanges(values: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) * (values[i - 1] as number) < 0) n++;
  return n;
}

/** The page: the four paths over the contour lines, as the book's 2 × 2 figure. */
export function optimizerPathsPage(paths: OptimizerPath[]): PageSpec {
  const f = (x: number, y: number) => (x * x) / 20 + y * y;
  const plots = paths.map((p, i) =>
    contourPlot({
      f,
      xlim: [-10, 10],
      ylim: [-5, 5],
      resolution: [161, 81],
      levels: [0.5, 1, 2, 3, 4, 5, 6, 7],
      width: 460,
      height: 280,
      title: p.name,
      xlabel: 'x',
      ylabel: 'y',
      paths: [{ x: p.x, y: p.y, label: p.name, colour: ['#d62728', '#1f77b4', '#2ca02c', '#9467bd'][i] }],
      marks: [{ x: 0, y: 0, label: 'minimum (0, 0)' }],
      legend: 'bottom-right',
    }),
  );
  const lines = paths.map((p) => {
    const end = [p.x.at(-1) ?? 0, p.y.at(-1) ?? 0];
    return `${p.name}: ends at (${end[0]?.toFixed(3)}, ${end[1]?.toFixed(3)}), ${signChanges(p.y)} sign changes of y`;
  });
  return {
    title: 'Chapter 6.1 — optimizer paths',
    file: 'chapter6-optimizer-paths.html',
    description: 'SGD, Momentum, AdaGrad and Adam on x²/20 + y² over its contour lines',
    sections: [
      heading('Four ways down the same valley', 2),
      paragraph(
        `f(x, y) = x²/20 + y², 30 steps from (−7, 2): SGD lr 0.95, Momentum lr 0.1 (α 0.9), AdaGrad lr 1.5, Adam lr 0.3. The gradient points mostly across the valley (y), so SGD bounces from wall to wall while it creeps towards the minimum in x.`,
      ),
      row(...plots),
      paragraph(lines.join('\n\n')),
    ],
  };
}

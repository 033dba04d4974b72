/**
 * Contour plots, matplotlib's `plt.contour`: the lines where a function of two variables takes
 * given values, with paths drawn over them — the book draws optimizers' paths this way.
 *
 * The section holds the function sampled on a grid (plain numbers, so a page can carry it);
 * d3-contour's marching squares turn the grid into one line set per level in the browser and in
 * Node alike.
 */
import { ticks } from 'd3-array';
import { type ContourMultiPolygon, contours } from 'd3-contour';
import { scaleSequential } from 'd3-scale';
import { interpolateViridis } from 'd3-scale-chromatic';
import { type AxesOptions, COLOURS, createAxes, drawLegend } from './axes.js';
import type { Series } from './line.js';

/** A function sampled on a regular grid, with the lines to draw and paths on top. */
export interface ContourPlotSpec extends AxesOptions {
  /** Grid values, row by row from the bottom: `values[j·nx + i] = f(x_i, y_j)`. */
  values: readonly number[];
  /** Grid points along x (≥ 2). */
  nx: number;
  /** Grid points along y (≥ 2). */
  ny: number;
  /** The x of the grid's first and last columns. */
  xRange: [number, number];
  /** The y of the grid's first and last rows. */
  yRange: [number, number];
  /** The levels to draw: a count (nice values spread over the data, default 10) or the values. */
  levels?: number | readonly number[];
  /** Paths drawn over the lines (markers on by default), e.g. an optimizer's steps. */
  paths?: readonly Series[];
  /** Points marked with a cross, e.g. the minimum. */
  marks?: readonly { x: number; y: number; label?: string }[];
}

/** What `contourPlot` takes: a grid (`values`, `nx`, `ny`) or a function `f` to sample. */
export type ContourPlotInput = Omit<ContourPlotSpec, 'values' | 'nx' | 'ny' | 'xRange' | 'yRange'> & {
  /** Sampled at `resolution` points per axis over `xlim` × `ylim` (both required then). */
  f?: (x: number, y: number) => number;
  /** Grid points per axis when sampling `f` (default 101, or `[nx, ny]`). */
  resolution?: number | [number, number];
  /** A grid instead of `f`: `values[j·nx + i]`, as in {@link ContourPlotSpec}. */
  values?: ArrayLike<number>;
  /** The grid's columns, with `values`. */
  nx?: number;
  /** The grid's rows, with `values`. */
  ny?: number;
  /** With `values`: the x of the first and last columns (default `xlim`). */
  xRange?: [number, number];
  /** With `values`: the y of the first and last rows (default `ylim`). */
  yRange?: [number, number];
};

function checkCount(name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 2) {
    throw new Error(`contourPlot: ${name} must be an integer ≥ 2, got ${String(n)}`);
  }
  return n;
}

function checkRange(name: string, r: unknown): [number, number] {
  if (!Array.isArray(r) || r.length !== 2 || !r.every(Number.isFinite) || !(r[0] < r[1])) {
    throw new Error(`contourPlot: ${name} must be [low, high] with low < high, got ${JSON.stringify(r)}`);
  }
  return [r[0], r[1]];
}

/**
 * Builds a contour plot's spec from a function or a grid, checking sizes. A function is sampled
 * here, once, so what a page holds is data: `nx·ny` numbers.
 */
export function contourSpec(input: ContourPlotInput): ContourPlotSpec {
  const { f, resolution, values, nx, ny, xRange, yRange, ...rest } = input;
  const paths = rest.paths?.map((s) => ({
    markers: true,
    ...s,
    x: Array.from(s.x, Number),
    y: Array.from(s.y, Number),
  }));
  if (f) {
    const [rx, ry] = Array.isArray(resolution) ? resolution : [resolution ?? 101, resolution ?? 101];
    const gx = checkCount('resolution', rx);
    const gy = checkCount('resolution', ry);
    const xr = checkRange('xlim', input.xlim);
    const yr = checkRange('ylim', input.ylim);
    const grid = new Array<number>(gx * gy);
    for (let j = 0; j < gy; j++) {
      const y = yr[0] + ((yr[1] - yr[0]) * j) / (gy - 1);
      for (let i = 0; i < gx; i++) grid[j * gx + i] = f(xr[0] + ((xr[1] - xr[0]) * i) / (gx - 1), y);
    }
    return { ...rest, paths, values: grid, nx: gx, ny: gy, xRange: xr, yRange: yr };
  }
  if (!values) throw new Error('contourPlot: give a function f with xlim and ylim, or values with nx and ny');
  const gx = checkCount('nx', nx);
  const gy = checkCount('ny', ny);
  if (values.length !== gx * gy) {
    throw new Error(`contourPlot: ${values.length} values do not fill an ${gx} × ${gy} grid (${gx * gy} expected)`);
  }
  const xr = checkRange('xRange', xRange ?? input.xlim);
  const yr = checkRange('yRange', yRange ?? input.ylim);
  return { ...rest, paths, values: Array.from(values, Number), nx: gx, ny: gy, xRange: xr, yRange: yr };
}

/** The levels a spec asks for: its own list, or `count` nice values inside the data's range. */
export function contourLevels(spec: Pick<ContourPlotSpec, 'values' | 'levels'>): number[] {
  if (Array.isArray(spec.levels)) return [...(spec.levels as readonly number[])].sort((a, b) => a - b);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of spec.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo < hi)) return [];
  return ticks(lo, hi, (spec.levels as number | undefined) ?? 10).filter((t) => t > lo && t < hi);
}

/** Draws a contour plot into `container` (any DOM) and returns its SVG element. */
export function drawContourPlot(container: Element, spec: ContourPlotSpec): SVGSVGElement {
  const { nx, ny, xRange, yRange } = spec;
  // Axes exactly on the grid (no nice rounding): d3-contour closes rings half a cell outside the
  // grid, and the plot's clip hides those closing segments only when the axes end at the grid.
  const view = { ...spec, xlim: spec.xlim ?? xRange, ylim: spec.ylim ?? yRange };
  const axes = createAxes(container, view, xRange, yRange, 'zg-contour-plot');
  const levels = contourLevels(spec);
  // Marching squares on NaN-free values (a NaN would open holes; +∞ stays above every level).
  const clean = spec.values.map((v) => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v));
  const sets = contours().size([nx, ny]).thresholds(levels)(clean);
  // d3-contour puts grid point i at i + 0.5; map that back to data units, then to pixels (to
  // 0.001 px). Each ring's last point repeats its first, so `Z` closes the ring instead.
  const dx = (xRange[1] - xRange[0]) / (nx - 1);
  const dy = (yRange[1] - yRange[0]) / (ny - 1);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const pixel = ([gx = 0, gy = 0]: readonly number[]) =>
    `${round(axes.x(xRange[0] + (gx - 0.5) * dx))},${round(axes.y(yRange[0] + (gy - 0.5) * dy))}`;
  const path = (set: ContourMultiPolygon) =>
    set.coordinates.flatMap((polygon) => polygon.map((ring) => `M${ring.slice(0, -1).map(pixel).join('L')}Z`)).join('');
  const colour = scaleSequential((t: number) => interpolateViridis(0.15 + 0.7 * t)).domain([
    0,
    Math.max(1, levels.length - 1),
  ]);
  axes.data
    .append('g')
    .attr('class', 'zg-contours')
    .selectAll('path.zg-contour')
    .data(sets)
    .join('path')
    .attr('class', 'zg-contour')
    .attr('data-level', (d) => String(d.value))
    .attr('fill', 'none')
    .attr('stroke', (_d, i) => colour(i))
    .attr('stroke-width', 1.2)
    .attr('d', path);

  const paths = (spec.paths ?? []).map((s, i) => ({ ...s, colour: s.colour ?? COLOURS[(i + 3) % COLOURS.length] }));
  const group = axes.data.selectAll('g.zg-series').data(paths).join('g').attr('class', 'zg-series');
  const points = (s: Series) =>
    s.x.map((x, i) => [axes.x(x), axes.y(s.y[i] ?? Number.NaN)] as const).filter((p) => p.every(Number.isFinite));
  group
    .filter((s) => s.line !== false)
    .append('path')
    .attr('fill', 'none')
    .attr('stroke', (s) => s.colour)
    .attr('stroke-width', 1.8)
    .attr('stroke-dasharray', (s) => (s.dashed ? '7 5' : null))
    .attr('d', (s) => (points(s).length ? `M${points(s).join('L')}` : ''));
  group
    .filter((s) => s.markers !== false)
    .selectAll('circle')
    .data((s) => points(s).map((p) => ({ p, colour: s.colour })))
    .join('circle')
    .attr('cx', (d) => d.p[0])
    .attr('cy', (d) => d.p[1])
    .attr('r', 2.8)
    .attr('fill', (d) => d.colour);
  axes.data
    .selectAll('path.zg-mark')
    .data(spec.marks ?? [])
    .join('path')
    .attr('class', 'zg-mark')
    .attr('stroke', '#222')
    .attr('stroke-width', 2)
    .attr('d', (m) => {
      const [cx, cy] = [axes.x(m.x), axes.y(m.y)];
      return `M${cx - 6},${cy}H${cx + 6}M${cx},${cy - 6}V${cy + 6}`;
    })
    .append('title')
    .text((m) => m.label ?? `(${m.x}, ${m.y})`);
  drawLegend(
    axes,
    paths.filter((s) => s.label).map((s) => ({ label: s.label ?? '', colour: s.colour, marker: s.markers !== false })),
    spec.legend,
  );
  return axes.svg.node() as SVGSVGElement;
}

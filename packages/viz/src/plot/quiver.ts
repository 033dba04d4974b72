import { scaleSequential } from 'd3-scale';
import { interpolateViridis } from 'd3-scale-chromatic';
import { type AxesOptions, createAxes, paddedExtent } from './axes.js';

/** A vector field: an arrow (u, v) at each point (x, y), like matplotlib's `quiver`. */
export interface QuiverPlotSpec extends AxesOptions {
  x: readonly number[];
  y: readonly number[];
  u: readonly number[];
  v: readonly number[];
  /** Colour arrows by their length (default true); otherwise all `colour`. */
  colourByLength?: boolean;
  colour?: string;
  /** Draw every arrow with the same length, showing direction only (default false). */
  normalise?: boolean;
}

/** Draws a quiver plot: the longest arrow spans about one grid cell. */
export function drawQuiverPlot(container: Element, spec: QuiverPlotSpec): SVGSVGElement {
  const n = spec.x.length;
  if (spec.y.length !== n || spec.u.length !== n || spec.v.length !== n) {
    throw new Error(
      `quiverPlot: x, y, u, v must have the same length (got ${n}, ${spec.y.length}, ${spec.u.length}, ${spec.v.length})`,
    );
  }
  const axes = createAxes(
    container,
    { equalAspect: true, ...spec },
    paddedExtent(spec.x),
    paddedExtent(spec.y),
    'zg-quiver-plot',
  );
  const arrows = Array.from({ length: n }, (_, i) => {
    const u = spec.u[i] ?? 0;
    const v = spec.v[i] ?? 0;
    return { x: spec.x[i] ?? 0, y: spec.y[i] ?? 0, u, v, length: Math.hypot(u, v) };
  }).filter((a) => Number.isFinite(a.x + a.y + a.length));
  const maxLength = Math.max(1e-300, ...arrows.map((a) => a.length));
  const cell = Math.sqrt((axes.innerWidth * axes.innerHeight) / Math.max(1, arrows.length));
  const pixels = 0.9 * cell;
  // Long arrows dark, short ones light green (viridis without its pale yellow end).
  const colour = scaleSequential((t: number) => interpolateViridis(0.8 * (1 - t))).domain([0, maxLength]);
  const g = axes.data.append('g').attr('class', 'zg-arrows');
  const arrow = g
    .selectAll('g.zg-arrow')
    .data(arrows)
    .join('g')
    .attr('class', 'zg-arrow')
    .attr('stroke', (a) => (spec.colourByLength === false ? (spec.colour ?? '#1f77b4') : colour(a.length)))
    .attr('fill', (a) => (spec.colourByLength === false ? (spec.colour ?? '#1f77b4') : colour(a.length)))
    .attr('transform', (a) => {
      // Direction in pixels, so it stays right even when the two axes' units differ.
      const angle = (Math.atan2(a.v * (axes.y(1) - axes.y(0)), a.u * (axes.x(1) - axes.x(0))) * 180) / Math.PI;
      return `translate(${axes.x(a.x)},${axes.y(a.y)}) rotate(${angle})`;
    });
  const len = (a: { length: number }) => (spec.normalise ? pixels : (pixels * a.length) / maxLength);
  arrow
    .append('line')
    .attr('x1', 0)
    .attr('y1', 0)
    .attr('x2', (a) => Math.max(0, len(a) - 4))
    .attr('stroke-width', 1.5);
  arrow
    .filter((a) => len(a) > 2)
    .append('path')
    .attr('stroke', 'none')
    .attr('d', (a) => {
      const l = len(a);
      const h = Math.min(6, l * 0.5);
      return `M${l},0L${l - h},${-h * 0.5}L${l - h},${h * 0.5}Z`;
    });
  return axes.svg.node() as SVGSVGElement;
}

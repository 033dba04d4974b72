import { line as d3line } from 'd3-shape';
import { attrSafe } from '../format.js';
import { type AxesOptions, COLOURS, createAxes, drawLegend, paddedExtent } from './axes.js';

/** One series of an x–y plot. */
export interface Series {
  x: readonly number[];
  y: readonly number[];
  /** Legend text; series without a label stay out of the legend. */
  label?: string;
  /** Dashed line (matplotlib's `linestyle='--'`). */
  dashed?: boolean;
  /** CSS colour; default the next in matplotlib's cycle. */
  colour?: string;
  /** Draw a line through the points (default true for line plots). */
  line?: boolean;
  /** Draw a dot at every point (default false for line plots, true for paths). */
  markers?: boolean;
}

/** An x–y plot: several series with legend, labels and title. */
export interface LinePlotSpec extends AxesOptions {
  series: readonly Series[];
}

/** Draws an x–y plot into `container` (any DOM) and returns its SVG element. */
export function drawLinePlot(container: Element, spec: LinePlotSpec): SVGSVGElement {
  const series = spec.series.map((s, i) => ({
    ...s,
    colour: s.colour ?? COLOURS[i % COLOURS.length] ?? '#333',
    index: i,
  }));
  for (const s of series) {
    if (s.x.length !== s.y.length) {
      throw new Error(`linePlot: series ${s.label ?? s.index} has ${s.x.length} x values but ${s.y.length} y values`);
    }
  }
  const xs = paddedExtent(
    series.flatMap((s) => s.x),
    0,
  );
  const ys = paddedExtent(series.flatMap((s) => s.y));
  const axes = createAxes(container, spec, xs, ys, 'zg-line-plot');
  const pathOf = (s: Series) =>
    d3line<number>()
      .defined((d, i) => Number.isFinite(d) && Number.isFinite(s.x[i] ?? Number.NaN))
      .x((_d, i) => axes.x(s.x[i] ?? 0))
      .y((d) => axes.y(d))(s.y as number[]) ?? '';
  const groups = axes.data
    .selectAll('g.zg-series')
    .data(series)
    .join('g')
    .attr('class', 'zg-series')
    .attr('data-label', (s) => attrSafe(s.label ?? ''));
  groups
    .filter((s) => s.line !== false)
    .append('path')
    .attr('fill', 'none')
    .attr('stroke', (s) => s.colour)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', (s) => (s.dashed ? '7 5' : null))
    .attr('d', pathOf);
  groups
    .filter((s) => s.markers === true)
    .selectAll('circle')
    .data((s) =>
      s.y
        .map((y, i) => ({ x: s.x[i] ?? Number.NaN, y, colour: s.colour }))
        .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)),
    )
    .join('circle')
    .attr('cx', (p) => axes.x(p.x))
    .attr('cy', (p) => axes.y(p.y))
    .attr('r', 3.5)
    .attr('fill', (p) => p.colour);
  drawLegend(
    axes,
    series
      .filter((s) => s.label)
      .map((s) => ({ label: s.label ?? '', colour: s.colour, dashed: s.dashed, marker: s.markers === true })),
    spec.legend,
  );
  return axes.svg.node() as SVGSVGElement;
}

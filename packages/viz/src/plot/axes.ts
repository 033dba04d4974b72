import { extent } from 'd3-array';
import { axisBottom, axisLeft } from 'd3-axis';
import { type ScaleLinear, scaleLinear } from 'd3-scale';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { type Selection, select } from 'd3-selection';
import { FONT_SANS, measureText } from '../text.js';

// d3's Selection is invariant in its parent types; helpers take any selection.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnySelection = Selection<any, any, any, any>;

/** Options every plot shares, in matplotlib's words. */
export interface AxesOptions {
  title?: string;
  xlabel?: string;
  ylabel?: string;
  /** Outer size in pixels; default 560 × 360. */
  width?: number;
  height?: number;
  /** Fixed axis ranges; default: the data's extent, padded a little. */
  xlim?: [number, number];
  ylim?: [number, number];
  /** Same scale on both axes (for paths and vector fields); default false. */
  equalAspect?: boolean;
  /** Light grid lines; default true. */
  grid?: boolean;
  /** Dashed lines through x = 0 and y = 0; default false. */
  zeroLines?: boolean;
  /** Corner of the legend; default `top-right`. */
  legend?: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left';
}

/** matplotlib's default colour cycle (tab10). */
export const COLOURS: readonly string[] = schemeTableau10;

/** CSS for plots; embedded in every SVG. */
export const PLOT_CSS = `
.zg-plot { font-family: ${FONT_SANS}; background: #fff; }
.zg-plot .zg-title { font-size: 15px; font-weight: bold; fill: #222; }
.zg-plot .zg-axis-label { font-size: 12px; fill: #333; }
.zg-plot .tick text { font-size: 11px; fill: #333; }
.zg-plot .zg-grid line { stroke: #e6e6e6; }
.zg-plot .zg-zero { stroke: #999; stroke-dasharray: 4 3; }
.zg-plot .zg-legend text { font-size: 12px; fill: #222; }
.zg-plot .zg-legend rect.zg-legend-box { fill: #fff; fill-opacity: 0.85; stroke: #ccc; }
`;

/** A plotting area: the SVG, the inner group, scales and the inner size. */
export interface Axes {
  svg: AnySelection;
  plot: AnySelection;
  /** Where data goes: clipped to the plotting area. */
  data: AnySelection;
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  innerWidth: number;
  innerHeight: number;
}

/** Extent of the finite values of several arrays, padded by 5 % (a point gets ±1). */
export function paddedExtent(values: Iterable<number>, pad = 0.05): [number, number] {
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  const [lo, hi] = extent(finite) as [number | undefined, number | undefined];
  if (lo === undefined || hi === undefined) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

/**
 * Creates an SVG in `container` with title, axes, labels and grid, for data in `xDomain` ×
 * `yDomain` (overridden by `xlim`/`ylim`).
 */
export function createAxes(
  container: Element,
  opts: AxesOptions,
  xDomain: [number, number],
  yDomain: [number, number],
  cls: string,
): Axes {
  let width = opts.width ?? 560;
  let height = opts.height ?? 360;
  const margin = { top: opts.title ? 34 : 14, right: 18, bottom: opts.xlabel ? 48 : 30, left: opts.ylabel ? 64 : 48 };
  let innerWidth = width - margin.left - margin.right;
  let innerHeight = height - margin.top - margin.bottom;
  const xd = opts.xlim ?? xDomain;
  const yd = opts.ylim ?? yDomain;
  if (opts.equalAspect) {
    // Shrink one side so a unit is as long on x as on y.
    const unit = Math.min(innerWidth / (xd[1] - xd[0] || 1), innerHeight / (yd[1] - yd[0] || 1));
    innerWidth = unit * (xd[1] - xd[0] || 1);
    innerHeight = unit * (yd[1] - yd[0] || 1);
    width = Math.ceil(innerWidth + margin.left + margin.right);
    height = Math.ceil(innerHeight + margin.top + margin.bottom);
  }
  const x = scaleLinear().domain(xd).range([0, innerWidth]);
  const y = scaleLinear().domain(yd).range([innerHeight, 0]);
  if (!opts.xlim) x.nice();
  if (!opts.ylim) y.nice();

  const svg = select(container)
    .append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('class', `zg-plot ${cls}`)
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`);
  svg.append('style').text(PLOT_CSS);
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#fff');
  const left = margin.left;
  const plot = svg.append('g').attr('class', 'zg-axes').attr('transform', `translate(${left},${margin.top})`);

  if (opts.grid !== false) {
    const grid = plot.append('g').attr('class', 'zg-grid');
    grid
      .selectAll('line.zg-gx')
      .data(x.ticks())
      .join('line')
      .attr('class', 'zg-gx')
      .attr('x1', (d) => x(d))
      .attr('x2', (d) => x(d))
      .attr('y1', 0)
      .attr('y2', innerHeight);
    grid
      .selectAll('line.zg-gy')
      .data(y.ticks())
      .join('line')
      .attr('class', 'zg-gy')
      .attr('x1', 0)
      .attr('x2', innerWidth)
      .attr('y1', (d) => y(d))
      .attr('y2', (d) => y(d));
  }
  if (opts.zeroLines) {
    const [x0, x1] = x.domain() as [number, number];
    const [y0, y1] = y.domain() as [number, number];
    if (x0 <= 0 && x1 >= 0)
      plot
        .append('line')
        .attr('class', 'zg-zero')
        .attr('x1', x(0))
        .attr('x2', x(0))
        .attr('y1', 0)
        .attr('y2', innerHeight);
    if (y0 <= 0 && y1 >= 0)
      plot
        .append('line')
        .attr('class', 'zg-zero')
        .attr('x1', 0)
        .attr('x2', innerWidth)
        .attr('y1', y(0))
        .attr('y2', y(0));
  }
  plot
    .append('g')
    .attr('class', 'zg-x-axis')
    .attr('transform', `translate(0,${innerHeight})`)
    .call(axisBottom(x).ticks(Math.max(2, innerWidth / 70)));
  plot
    .append('g')
    .attr('class', 'zg-y-axis')
    .call(axisLeft(y).ticks(Math.max(2, innerHeight / 45)));
  if (opts.title) {
    svg
      .append('text')
      .attr('class', 'zg-title')
      .attr('x', width / 2)
      .attr('y', 22)
      .attr('text-anchor', 'middle')
      .text(opts.title);
  }
  if (opts.xlabel) {
    svg
      .append('text')
      .attr('class', 'zg-axis-label')
      .attr('x', left + innerWidth / 2)
      .attr('y', height - 10)
      .attr('text-anchor', 'middle')
      .text(opts.xlabel);
  }
  if (opts.ylabel) {
    svg
      .append('text')
      .attr('class', 'zg-axis-label')
      .attr('transform', `translate(16,${margin.top + innerHeight / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle')
      .text(opts.ylabel);
  }
  // A nested <svg> clips the data to the axes without needing an id (ids clash across plots).
  const data = plot
    .append('svg')
    .attr('class', 'zg-data')
    .attr('width', innerWidth)
    .attr('height', innerHeight)
    .attr('overflow', 'hidden');
  return { svg, plot, data, x, y, innerWidth, innerHeight };
}

/** One legend entry: label, colour and how the sample is drawn. */
export interface LegendEntry {
  label: string;
  colour: string;
  dashed?: boolean;
  marker?: boolean;
}

/** Draws a legend box in the top-right corner of the plot area. */
export function drawLegend(
  axes: Axes,
  entries: readonly LegendEntry[],
  corner: AxesOptions['legend'] = 'top-right',
): void {
  if (entries.length === 0) return;
  const widest = Math.max(...entries.map((e) => measureText(e.label, 12)));
  const boxW = widest + 44;
  const boxH = entries.length * 18 + 8;
  const lx = corner.endsWith('left') ? 6 : axes.innerWidth - boxW - 6;
  const ly = corner.startsWith('bottom') ? axes.innerHeight - boxH - 6 : 6;
  const g = axes.plot.append('g').attr('class', 'zg-legend').attr('transform', `translate(${lx},${ly})`);
  g.append('rect').attr('class', 'zg-legend-box').attr('width', boxW).attr('height', boxH).attr('rx', 3);
  const item = g
    .selectAll('g.zg-legend-entry')
    .data(entries)
    .join('g')
    .attr('class', 'zg-legend-entry')
    .attr('transform', (_d, i) => `translate(8,${13 + i * 18})`);
  item
    .append('line')
    .attr('x1', 0)
    .attr('x2', 24)
    .attr('stroke', (d) => d.colour)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', (d) => (d.dashed ? '6 4' : null));
  item
    .filter((d) => d.marker === true)
    .append('circle')
    .attr('cx', 12)
    .attr('r', 3.5)
    .attr('fill', (d) => d.colour);
  item
    .append('text')
    .attr('x', 30)
    .attr('y', 4)
    .text((d) => d.label);
}

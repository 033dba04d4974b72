/**
 * Histograms, numpy's and matplotlib's `hist(values, bins, range)`: equal-width bins over a
 * range, the last bin closed on the right. The counting happens when the section is made, so a
 * page carries `bins` counts, not the (often hundreds of thousands of) values.
 */
import { type AxesOptions, COLOURS, createAxes } from './axes.js';

/** A binned histogram: `counts[k]` values fell in `[edges[k], edges[k+1])` (the last bin closed). */
export interface HistogramSpec extends AxesOptions {
  /** Bin edges, `counts.length + 1` increasing numbers. */
  edges: number[];
  /** Values in each bin. */
  counts: number[];
  /** Values left out: outside the range, or not finite. */
  outside: number;
  /** Bar colour (default the first of the colour cycle). */
  colour?: string;
}

/** What `histogramPlot` takes: the values themselves, and how to bin them. */
export interface HistogramInput extends AxesOptions {
  /** The values to count (any array or typed array). */
  values: ArrayLike<number>;
  /** Number of bins (default 30, as the book's activation histograms). */
  bins?: number;
  /** Range binned (default the finite values' extent); values outside it are left out, as numpy does. */
  range?: [number, number];
  /** Bar colour (default the first of the colour cycle). */
  colour?: string;
}

/** Counts `values` into `bins` equal bins over `range` (numpy's `histogram`). */
export function histogramSpec(input: HistogramInput): HistogramSpec {
  const { values, bins = 30, range, ...rest } = input;
  if (!Number.isSafeInteger(bins) || bins < 1) {
    throw new Error(`histogramPlot: bins must be a positive integer, got ${String(bins)}`);
  }
  if (!values || typeof values.length !== 'number')
    throw new Error('histogramPlot: values must be an array of numbers');
  let lo = range?.[0];
  let hi = range?.[1];
  if (range && !(Number.isFinite(lo) && Number.isFinite(hi) && (lo as number) < (hi as number))) {
    throw new Error(`histogramPlot: range must be [low, high] with low < high, got ${JSON.stringify(range)}`);
  }
  if (!range) {
    lo = Number.POSITIVE_INFINITY;
    hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(lo <= hi)) [lo, hi] = [0, 1];
    else if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  }
  const low = lo as number;
  const width = ((hi as number) - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  let outside = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v >= low && v <= (hi as number))) {
      outside++; // also NaN
      continue;
    }
    // The top edge belongs to the last bin, as in numpy.
    counts[Math.min(bins - 1, Math.floor((v - low) / width))]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, k) => (k === bins ? (hi as number) : low + k * width));
  return { ...rest, edges, counts, outside };
}

/** Draws a histogram's bars into `container` (any DOM) and returns its SVG element. */
export function drawHistogram(container: Element, spec: HistogramSpec): SVGSVGElement {
  const { edges, counts } = spec;
  if (edges.length !== counts.length + 1) {
    throw new Error(`histogramPlot: ${counts.length} counts need ${counts.length + 1} edges, got ${edges.length}`);
  }
  const top = Math.max(1, ...counts);
  const axes = createAxes(
    container,
    spec,
    [edges[0] ?? 0, edges[edges.length - 1] ?? 1],
    [0, top * 1.05],
    'zg-histogram',
  );
  const colour = spec.colour ?? COLOURS[0] ?? '#4e79a7';
  axes.data
    .append('g')
    .attr('class', 'zg-bars')
    .selectAll('rect.zg-bar')
    .data(counts.map((count, k) => ({ count, x0: edges[k] as number, x1: edges[k + 1] as number })))
    .join('rect')
    .attr('class', 'zg-bar')
    .attr('data-count', (d) => String(d.count))
    .attr('x', (d) => axes.x(d.x0))
    .attr('width', (d) => Math.max(0, axes.x(d.x1) - axes.x(d.x0) - 1))
    .attr('y', (d) => axes.y(d.count))
    .attr('height', (d) => Math.max(0, axes.y(0) - axes.y(d.count)))
    .attr('fill', colour)
    .append('title')
    .text((d) => `[${d.x0.toPrecision(3)}, ${d.x1.toPrecision(3)}): ${d.count}`);
  return axes.svg.node() as SVGSVGElement;
}

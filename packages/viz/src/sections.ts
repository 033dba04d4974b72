import { asSteps } from './graph/draw.js';
import type { GraphOptions } from './graph/layout.js';
import type { AxesOptions } from './plot/axes.js';
import { type ContourPlotInput, type ContourPlotSpec, contourSpec } from './plot/contour.js';
import type { TrainingHistory } from './plot/dashboard.js';
import { type HistogramInput, type HistogramSpec, histogramSpec } from './plot/histogram.js';
import { type ImageGridData, type ImageGridInput, packImages } from './plot/images.js';
import type { LinePlotSpec, Series } from './plot/line.js';
import type { QuiverPlotSpec } from './plot/quiver.js';
import type { GraphSnapshot } from './types.js';

/**
 * One block of a page. Sections are plain JSON data: a page is a list of them, written into the
 * HTML file and drawn by the same code in Node (`renderSvg`) and in the browser (`mountSection`).
 */
export type Section =
  | { kind: 'heading'; text: string; level: 1 | 2 | 3 }
  | { kind: 'text'; text: string }
  | { kind: 'graph'; steps: GraphSnapshot[]; options: GraphOptions; caption: string | null }
  | { kind: 'line'; spec: LinePlotSpec }
  | { kind: 'quiver'; spec: QuiverPlotSpec }
  | { kind: 'contour'; spec: ContourPlotSpec }
  | { kind: 'histogram'; spec: HistogramSpec }
  | { kind: 'images'; data: ImageGridData }
  | { kind: 'dashboard'; history: TrainingHistory }
  | { kind: 'row'; sections: Section[] };

/** A heading (level 2 by default; the page title is level 1). */
export function heading(text: string, level: 1 | 2 | 3 = 2): Section {
  return { kind: 'heading', text: String(text), level };
}

/** A paragraph of plain text (never parsed as HTML; blank lines start new paragraphs). */
export function paragraph(text: string): Section {
  return { kind: 'text', text: String(text) };
}

/** Sections side by side (wrapping on narrow screens). */
export function row(...sections: Section[]): Section {
  return { kind: 'row', sections };
}

/**
 * A graph: one snapshot, or a backward-step sequence (from core's step replay), which adds the
 * backprop stepper in the browser.
 */
export function graphSection(
  snapshotOrSteps: GraphSnapshot | readonly GraphSnapshot[],
  options: GraphOptions & { caption?: string } = {},
): Section {
  const { caption, ...rest } = options;
  // Round trip through JSON: what the page holds is exactly what a snapshot file would hold.
  const steps = JSON.parse(JSON.stringify(asSteps(snapshotOrSteps))) as GraphSnapshot[];
  return { kind: 'graph', steps, options: rest, caption: caption ?? null };
}

function plainSeries(series: readonly Series[]): Series[] {
  return series.map((s) => ({ ...s, x: Array.from(s.x, Number), y: Array.from(s.y, Number) }));
}

/** A line plot: `linePlot({ series: [{ x, y, label, dashed }], xlabel, ylabel, title })`. */
export function linePlot(spec: LinePlotSpec): Section {
  return { kind: 'line', spec: { ...spec, series: plainSeries(spec.series) } };
}

/** A path or scatter plot: points with markers joined by a line, same scale on both axes. */
export function pathPlot(spec: LinePlotSpec): Section {
  const series = plainSeries(spec.series).map((s) => ({ markers: true, ...s }));
  return { kind: 'line', spec: { equalAspect: true, zeroLines: true, ...spec, series } };
}

/** A quiver plot of arrows (u, v) at points (x, y): `quiverPlot({ x, y, u, v, title })`. */
export function quiverPlot(spec: QuiverPlotSpec): Section {
  const arr = (a: ArrayLike<number>) => Array.from(a, Number);
  return { kind: 'quiver', spec: { ...spec, x: arr(spec.x), y: arr(spec.y), u: arr(spec.u), v: arr(spec.v) } };
}

/**
 * Contour lines of a function of two variables, with paths over them:
 * `contourPlot({ f: (x, y) => x * x / 20 + y * y, xlim: [-10, 10], ylim: [-5, 5], paths: [{ x, y, label }] })`.
 */
export function contourPlot(input: ContourPlotInput): Section {
  return { kind: 'contour', spec: contourSpec(input) };
}

/** A histogram of `values` in `bins` equal bins: `histogramPlot({ values, bins: 30, range: [0, 1] })`. */
export function histogramPlot(input: HistogramInput): Section {
  return { kind: 'histogram', spec: histogramSpec(input) };
}

/** A grid of grayscale images (e.g. 28×28 digits) with labels and predictions, wrong ones marked. */
export function imageGrid(input: ImageGridInput): Section {
  return { kind: 'images', data: packImages(input) };
}

/** Loss per iteration and train/test accuracy per epoch; live-updating when mounted in a browser. */
export function trainingDashboard(history: TrainingHistory): Section {
  return {
    kind: 'dashboard',
    history: {
      loss: Array.from(history.loss, Number),
      trainAccuracy: history.trainAccuracy ? Array.from(history.trainAccuracy, Number) : undefined,
      testAccuracy: history.testAccuracy ? Array.from(history.testAccuracy, Number) : undefined,
      title: history.title,
    },
  };
}

export type { AxesOptions };

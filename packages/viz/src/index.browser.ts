/**
 * @zerograd/viz for browsers: everything of the main entry except what renders or writes files
 * in Node (`renderGraphSvg`, `renderSvg`, `pageHtml`, `graphPage`, `writePage`, `writeSite`),
 * which needs domino, esbuild and `node:fs`. Bundlers pick this file through the package's
 * `browser` export condition, so `import { mountGraph } from '@zerograd/viz'` bundles cleanly.
 */

export { formatNumber, formatShape, formatTensorInline } from './format.js';
export { type DrawnGraph, drawGraph } from './graph/draw.js';
export { describeStep, type GraphView, type MountGraphOptions, mountGraph } from './graph/interactive.js';
export type { GraphLayout, GraphOptions, LaidOutCluster, LaidOutEdge, LaidOutNode } from './graph/layout.js';
export { layoutGraph } from './graph/layout.js';
export type { AxesOptions } from './plot/axes.js';
export { type ContourPlotInput, type ContourPlotSpec, contourLevels, drawContourPlot } from './plot/contour.js';
export {
  drawTrainingDashboard,
  mountTrainingDashboard,
  type TrainingDashboard,
  type TrainingHistory,
  type TrainingUpdate,
} from './plot/dashboard.js';
export { drawHistogram, type HistogramInput, type HistogramSpec } from './plot/histogram.js';
export { drawImageGrid, type ImageGridData, type ImageGridInput } from './plot/images.js';
export { drawLinePlot, type LinePlotSpec, type Series } from './plot/line.js';
export { drawQuiverPlot, type QuiverPlotSpec } from './plot/quiver.js';
export { drawSection, type MountedSection, mountSection } from './render.js';
export {
  contourPlot,
  graphSection,
  heading,
  histogramPlot,
  imageGrid,
  linePlot,
  paragraph,
  pathPlot,
  quiverPlot,
  row,
  type Section,
  trainingDashboard,
} from './sections.js';
export { measureText } from './text.js';
export type * from './types.js';

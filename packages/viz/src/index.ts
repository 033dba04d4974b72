/**
 * @zerograd/viz — d3 drawings of zerograd graph snapshots and of the notes' plots, as SVG strings
 * (Node), as mounted views (browser), and as self-contained HTML pages.
 */

export { formatNumber, formatShape, formatTensorInline } from './format.js';
export { type DrawnGraph, drawGraph } from './graph/draw.js';
export { describeStep, type GraphView, type MountGraphOptions, mountGraph } from './graph/interactive.js';
export type { GraphLayout, GraphOptions, LaidOutCluster, LaidOutEdge, LaidOutNode } from './graph/layout.js';
export { layoutGraph } from './graph/layout.js';
export {
  graphPage,
  type PageOptions,
  type PageSpec,
  pageFileName,
  pageHtml,
  writePage,
  writeSite,
} from './node/page.js';
export { renderGraphSvg, renderSvg } from './node/svg.js';
export type { AxesOptions } from './plot/axes.js';
export {
  drawTrainingDashboard,
  mountTrainingDashboard,
  type TrainingDashboard,
  type TrainingHistory,
  type TrainingUpdate,
} from './plot/dashboard.js';
export { drawImageGrid, type ImageGridData, type ImageGridInput } from './plot/images.js';
export { drawLinePlot, type LinePlotSpec, type Series } from './plot/line.js';
export { drawQuiverPlot, type QuiverPlotSpec } from './plot/quiver.js';
export { drawSection, type MountedSection, mountSection } from './render.js';
export {
  graphSection,
  heading,
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

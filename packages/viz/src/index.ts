/**
 * @zerograd/viz — d3 drawings of zerograd graph snapshots and of the notes' plots, as SVG strings
 * (Node), as mounted views (browser), and as self-contained HTML pages.
 */
export type * from './types.js';
export { formatNumber, formatShape, formatTensorInline } from './format.js';
export { measureText } from './text.js';
export type { GraphOptions, GraphLayout, LaidOutNode, LaidOutEdge, LaidOutCluster } from './graph/layout.js';
export { layoutGraph } from './graph/layout.js';
export { drawGraph, type DrawnGraph } from './graph/draw.js';
export { mountGraph, describeStep, type GraphView, type MountGraphOptions } from './graph/interactive.js';
export type { AxesOptions } from './plot/axes.js';
export { drawLinePlot, type LinePlotSpec, type Series } from './plot/line.js';
export { drawQuiverPlot, type QuiverPlotSpec } from './plot/quiver.js';
export { drawImageGrid, type ImageGridInput, type ImageGridData } from './plot/images.js';
export {
  drawTrainingDashboard,
  mountTrainingDashboard,
  type TrainingDashboard,
  type TrainingHistory,
  type TrainingUpdate,
} from './plot/dashboard.js';
export {
  type Section,
  heading,
  paragraph,
  row,
  graphSection,
  linePlot,
  pathPlot,
  quiverPlot,
  imageGrid,
  trainingDashboard,
} from './sections.js';
export { drawSection, mountSection, type MountedSection } from './render.js';
export { renderGraphSvg, renderSvg } from './node/svg.js';
export {
  type PageSpec,
  type PageOptions,
  pageHtml,
  graphPage,
  writePage,
  writeSite,
  pageFileName,
} from './node/page.js';

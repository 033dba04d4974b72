/**
 * @zerograd/viz — d3 drawings of zerograd graph snapshots and of the notes' plots, as SVG strings
 * (Node), as mounted views (browser), and as self-contained HTML pages.
 */

// Everything that runs in a browser is the browser entry's; this entry adds the Node renderers.
export * from './index.browser.js';
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

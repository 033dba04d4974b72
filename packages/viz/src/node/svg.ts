import { xmlSafe } from '../format.js';
import { drawGraph } from '../graph/draw.js';
import type { GraphOptions } from '../graph/layout.js';
import { drawSection } from '../render.js';
import type { Section } from '../sections.js';
import type { GraphSnapshot } from '../types.js';
import { renderToString } from './dom.js';

/**
 * Draws a graph snapshot (or the step of a backward sequence given by `opts.step`, default the
 * last) as a standalone SVG string, in Node. The same drawing code runs in the browser. Characters
 * XML cannot hold (a NUL in a name) are replaced (see `xmlSafe`), so the SVG always parses.
 */
export function renderGraphSvg(snapshot: GraphSnapshot | readonly GraphSnapshot[], opts: GraphOptions = {}): string {
  return xmlSafe(
    renderToString((div) => {
      drawGraph(div, snapshot, opts);
    }),
  );
}

/**
 * Renders any section to markup in Node: an `<svg>` for a graph or plot (a dashboard gives a
 * `<div>` holding two), `<h2>`/`<p>` for text; XML-safe like `renderGraphSvg`.
 */
export function renderSvg(section: Section): string {
  return xmlSafe(renderToString((div) => drawSection(div, section)));
}

import { select } from 'd3-selection';
import { drawGraph } from './graph/draw.js';
import { mountGraph } from './graph/interactive.js';
import { drawContourPlot } from './plot/contour.js';
import { drawTrainingDashboard, mountTrainingDashboard } from './plot/dashboard.js';
import { drawHistogram } from './plot/histogram.js';
import { drawImageGrid } from './plot/images.js';
import { drawLinePlot } from './plot/line.js';
import { drawQuiverPlot } from './plot/quiver.js';
import type { Section } from './sections.js';

/**
 * Draws a section statically into `container` (any DOM): headings and text as elements, graphs
 * and plots as SVG. This is what Node renders.
 */
export function drawSection(container: Element, section: Section, idPrefix = 'zg'): void {
  const root = select(container);
  switch (section.kind) {
    case 'heading':
      root.append(`h${section.level}`).text(section.text);
      return;
    case 'text':
      for (const para of section.text.split(/\n\s*\n/)) root.append('p').text(para.trim());
      return;
    case 'graph':
      drawGraph(container, section.steps, { idPrefix, ...section.options });
      if (section.caption) root.append('p').attr('class', 'zg-caption').text(section.caption);
      return;
    case 'line':
      drawLinePlot(container, section.spec);
      return;
    case 'quiver':
      drawQuiverPlot(container, section.spec);
      return;
    case 'contour':
      drawContourPlot(container, section.spec);
      return;
    case 'histogram':
      drawHistogram(container, section.spec);
      return;
    case 'images':
      drawImageGrid(container, section.data);
      return;
    case 'dashboard':
      drawTrainingDashboard(container, section.history);
      return;
    case 'row': {
      const div = root.append('div').attr('class', 'zg-row');
      section.sections.forEach((s, i) =>
        drawSection(div.append('div').attr('class', 'zg-cell').node() as Element, s, `${idPrefix}-${i}`),
      );
      return;
    }
    default:
      throw new Error(`unknown section kind ${JSON.stringify((section as { kind?: unknown }).kind)}`);
  }
}

/** What mounting a section gave: the graph view or dashboard when it is one, for scripting. */
export type MountedSection =
  | { kind: 'graph'; view: ReturnType<typeof mountGraph> }
  | { kind: 'dashboard'; dashboard: ReturnType<typeof mountTrainingDashboard> }
  | { kind: 'static' }
  | { kind: 'row'; children: MountedSection[] };

/** Mounts a section in the browser: graphs get zoom, hover panel and stepper; dashboards go live. */
export function mountSection(container: Element, section: Section, idPrefix = 'zg'): MountedSection {
  if (section.kind === 'graph') {
    const view = mountGraph(container, section.steps, { idPrefix, ...section.options });
    if (section.caption) select(container).append('p').attr('class', 'zg-caption').text(section.caption);
    return { kind: 'graph', view };
  }
  if (section.kind === 'dashboard') {
    return { kind: 'dashboard', dashboard: mountTrainingDashboard(container, section.history) };
  }
  if (section.kind === 'row') {
    const div = select(container).append('div').attr('class', 'zg-row');
    const children = section.sections.map((s, i) =>
      mountSection(div.append('div').attr('class', 'zg-cell').node() as Element, s, `${idPrefix}-${i}`),
    );
    return { kind: 'row', children };
  }
  drawSection(container, section, idPrefix);
  return { kind: 'static' };
}

/**
 * The legend under a drawn graph: one sample of each node role (from `ROLE_STYLE`), then what
 * a value and a gradient look like.
 */
import type { Selection } from 'd3-selection';
import { measureText } from '../text.js';
import { ROLE_STYLE } from './style.js';

// biome-ignore lint/suspicious/noExplicitAny: d3's Selection is invariant in its parent types
type AnySelection = Selection<any, any, any, any>;

/** Height the legend adds below the graph. */
export const LEGEND_HEIGHT = 28;

const LEGEND_ITEMS: { role: string; text: string }[] = [
  ...Object.entries(ROLE_STYLE).map(([role, s]) => ({ role, text: s.label })),
  { role: 'value', text: 'value' },
  { role: 'grad', text: 'gradient' },
];

/** Whether an item shows a sample number (value, gradient) rather than a node shape. */
const isNumber = (item: { role: string }) => item.role === 'value' || item.role === 'grad';

/** Width of one item: its swatch, its label at 11 px, and the wider swatch of a number. */
const itemWidth = (item: { role: string; text: string }) => 26 + measureText(item.text, 11) + (isNumber(item) ? 8 : 0);

/** Width of the whole legend, so the drawing can make room for it. */
export function legendWidth(): number {
  return LEGEND_ITEMS.reduce((w, item) => w + itemWidth(item), 0);
}

/** Draws the legend into `svg` at height `y`. */
export function drawLegend(svg: AnySelection, y: number): void {
  const legend = svg.append('g').attr('class', 'zg-legend').attr('transform', `translate(12,${y})`);
  let x = 0;
  for (const item of LEGEND_ITEMS) {
    const g = legend
      .append('g')
      .attr('class', `zg-legend-item zg-role-${item.role}`)
      .attr('transform', `translate(${x},0)`);
    x += itemWidth(item);
    if (isNumber(item)) {
      g.append('text')
        .attr('class', item.role === 'value' ? 'zg-value' : 'zg-grad')
        .attr('x', 0)
        .attr('y', 14)
        .text('1.5');
      g.append('text').attr('x', 22).attr('y', 14).text(item.text);
      continue;
    }
    if (item.role === 'op')
      g.append('rect')
        .attr('class', 'zg-body')
        .attr('x', 0)
        .attr('y', 4)
        .attr('width', 14)
        .attr('height', 12)
        .attr('rx', 3);
    else g.append('ellipse').attr('class', 'zg-body').attr('cx', 7).attr('cy', 10).attr('rx', 7).attr('ry', 6);
    g.append('text').attr('x', 18).attr('y', 14).text(item.text);
  }
}

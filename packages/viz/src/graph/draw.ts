import { type Selection, select } from 'd3-selection';
import { curveBasis, line as d3line } from 'd3-shape';
import { attrSafe } from '../format.js';
import type { GraphSnapshot, SnapshotVariableNode } from '../types.js';
import {
  type GraphLayout,
  type GraphOptions,
  inlineTensor,
  type LaidOutEdge,
  type LaidOutNode,
  layoutGraph,
} from './layout.js';
import { drawLegend, LEGEND_HEIGHT, legendWidth } from './legend.js';
import { GRAD_COLOUR, GRAPH_CSS } from './style.js';

// d3's Selection is invariant in its parent types; helpers take any selection.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnySelection = Selection<any, any, any, any>;

const LINE = 15;

/** A drawn graph: its SVG element, its layout and a way to show another step of the sequence. */
export interface DrawnGraph {
  svg: SVGSVGElement;
  layout: GraphLayout;
  steps: readonly GraphSnapshot[];
  /** Index of the step currently shown. */
  step: number;
  /** Shows step `index` (gradient labels and the highlight of what that step computed). */
  showStep(index: number): void;
}

/** Accepts one snapshot or a backward-step sequence, returning the sequence. */
export function asSteps(input: GraphSnapshot | readonly GraphSnapshot[]): readonly GraphSnapshot[] {
  const steps = Array.isArray(input) ? (input as readonly GraphSnapshot[]) : [input as GraphSnapshot];
  if (steps.length === 0) throw new Error('expected a GraphSnapshot or a non-empty array of them');
  for (const s of steps) {
    if (s?.version !== 1 || !Array.isArray(s.nodes) || !Array.isArray(s.edges)) {
      throw new Error('expected a GraphSnapshot (version 1) with nodes and edges');
    }
  }
  return steps;
}

/**
 * Draws a graph snapshot (or step sequence) as an SVG appended to `container`, in any DOM (the
 * browser's or domino's in Node). Every user string goes through `.text()`; nothing is parsed as HTML.
 */
export function drawGraph(
  container: Element,
  input: GraphSnapshot | readonly GraphSnapshot[],
  opts: GraphOptions = {},
): DrawnGraph {
  const steps = asSteps(input);
  const layout = layoutGraph(steps, opts);
  const prefix = opts.idPrefix ?? 'zg';
  const legend = opts.legend !== false;
  const legendSpace = legend ? legendWidth() : 0;
  const width = Math.max(layout.width, legendSpace + 24);
  const height = layout.height + (legend ? LEGEND_HEIGHT : 0);

  const svg = select(container)
    .append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('class', 'zg-graph')
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`);
  svg.append('style').text(GRAPH_CSS);
  const defs = svg.append('defs');
  for (const [id, colour] of [
    ['arrow', '#8c8c8c'],
    ['arrow-flow', GRAD_COLOUR],
  ] as const) {
    defs
      .append('marker')
      .attr('id', `${prefix}-${id}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('markerWidth', id === 'arrow' ? 9 : 12)
      .attr('markerHeight', id === 'arrow' ? 9 : 12)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0L10,5L0,10z')
      .attr('fill', colour);
  }
  svg.append('rect').attr('class', 'zg-background').attr('width', width).attr('height', height).attr('fill', '#fff');
  const viewport = svg.append('g').attr('class', 'zg-viewport');

  const clusterG = viewport
    .append('g')
    .attr('class', 'zg-clusters')
    .selectAll('g')
    .data(layout.clusters)
    .join('g')
    .attr('class', 'zg-cluster')
    .attr('data-id', (d) => attrSafe(d.id));
  clusterG
    .append('rect')
    .attr('x', (d) => d.x - d.width / 2)
    .attr('y', (d) => d.y - d.height / 2)
    .attr('width', (d) => d.width)
    .attr('height', (d) => d.height)
    .attr('rx', 6);
  clusterG
    .append('text')
    .attr('x', (d) => d.x - d.width / 2 + 6)
    .attr('y', (d) => d.y - d.height / 2 + 13)
    .text((d) => d.label);

  const path = d3line<{ x: number; y: number }>()
    .x((p) => p.x)
    .y((p) => p.y)
    .curve(curveBasis);
  viewport
    .append('g')
    .attr('class', 'zg-edges')
    .selectAll('g')
    .data(layout.edges)
    .join('g')
    .attr('class', (d) => (d.kind === 'output' ? 'zg-output-edge' : 'zg-edge'))
    .attr('data-id', (d) => attrSafe(d.id))
    .attr('data-from', (d) => attrSafe(d.from))
    .attr('data-to', (d) => attrSafe(d.to))
    .append('path')
    .attr('d', (d) => path(d.points) ?? '')
    .attr('marker-end', `url(#${prefix}-arrow)`);

  const first = steps[0] as GraphSnapshot;
  const firstVars = variablesById(first);
  const labelled = layout.edges.filter((e) => e.label);
  const edgeLabels = viewport
    .append('g')
    .attr('class', 'zg-edge-labels')
    .selectAll('g')
    .data(labelled)
    .join('g')
    .attr('class', 'zg-edge-label')
    .attr('data-edge', (d) => attrSafe(d.id))
    .attr('data-var', (d) => attrSafe(d.variable));
  const above =
    layout.direction === 'TB'
      ? (d: { label: { x: number; width: number } | null }) => (d.label?.x ?? 0) - (d.label?.width ?? 0) / 2 + 3
      : null;
  edgeLabels
    .append('text')
    .attr('class', 'zg-value')
    .attr('text-anchor', above ? 'start' : 'middle')
    .attr('x', (d) => (above ? above(d) : (d.label?.x ?? 0)))
    .attr('y', (d) => (d.label?.y ?? 0) - 4)
    .text((d) => (opts.showValues === false ? '' : valueText(firstVars.get(d.variable), opts)));
  edgeLabels
    .append('text')
    .attr('class', 'zg-grad')
    .attr('text-anchor', above ? 'start' : 'middle')
    .attr('x', (d) => (above ? above(d) : (d.label?.x ?? 0)))
    .attr('y', (d) => (d.label?.y ?? 0) + 12);

  const nodeG = viewport
    .append('g')
    .attr('class', 'zg-nodes')
    .selectAll('g')
    .data(layout.nodes)
    .join('g')
    .attr('class', (d) => `zg-node zg-${d.kind} zg-role-${attrSafe(d.role).replace(/\s/g, '_')}`)
    .attr('data-id', (d) => attrSafe(d.id))
    .attr('transform', (d) => `translate(${d.x},${d.y})`);
  nodeG.each(function (d) {
    drawNodeBody(select(this), d);
  });
  nodeG.each(function (d) {
    const lines: { text: string; cls: string }[] = [];
    if (d.label) lines.push({ text: d.label, cls: 'zg-name' });
    if (d.sublabel) lines.push({ text: d.sublabel, cls: 'zg-shape' });
    const top = -((lines.length - 1) * LINE) / 2 + 4;
    select(this)
      .selectAll('text')
      .data(lines)
      .join('text')
      .attr('class', (l) => l.cls)
      .attr('text-anchor', 'middle')
      .attr('x', 0)
      .attr('y', (_l, i) => top + i * LINE)
      .text((l) => l.text);
  });

  if (legend) drawLegend(svg, layout.height + 4);

  const drawn: DrawnGraph = {
    svg: svg.node() as SVGSVGElement,
    layout,
    steps,
    step: steps.length - 1,
    showStep(index: number) {
      const i = Math.max(0, Math.min(steps.length - 1, Math.round(index)));
      drawn.step = i;
      applyStep(svg, steps[i] as GraphSnapshot, opts, prefix);
    },
  };
  drawn.showStep(opts.step ?? steps.length - 1);
  return drawn;
}

function variablesById(snap: GraphSnapshot): Map<string, SnapshotVariableNode> {
  const map = new Map<string, SnapshotVariableNode>();
  for (const n of snap.nodes) if (n.kind === 'variable') map.set(n.id, n);
  return map;
}

function valueText(node: SnapshotVariableNode | undefined, opts: GraphOptions): string {
  return node ? (inlineTensor(node.value, node, opts) ?? '') : '';
}

function drawNodeBody(g: AnySelection, d: LaidOutNode): void {
  if (d.shape === 'ellipse') {
    g.append('ellipse')
      .attr('class', 'zg-body')
      .attr('rx', d.width / 2)
      .attr('ry', d.height / 2);
  } else if (d.shape === 'circle') {
    g.append('circle')
      .attr('class', 'zg-body')
      .attr('r', d.width / 2);
  } else {
    g.append('rect')
      .attr('class', 'zg-body')
      .attr('x', -d.width / 2)
      .attr('y', -d.height / 2)
      .attr('width', d.width)
      .attr('height', d.height)
      .attr('rx', 5);
  }
}

/** Writes the gradients of `snap` and highlights what its step computed. */
function applyStep(svg: AnySelection, snap: GraphSnapshot, opts: GraphOptions, prefix: string): void {
  const vars = variablesById(snap);
  const step = snap.step;
  const updated = new Set(step?.updated ?? []);
  const flow = new Set(step?.edges ?? []);
  const grads = opts.showGrads !== false;
  const gradText = (id: string) => {
    const node = vars.get(id);
    return grads && node ? (inlineTensor(node.grad, node, opts) ?? '') : '';
  };
  svg
    .selectAll<SVGGElement, { variable: string }>('.zg-edge-label')
    .select('.zg-grad')
    .text((d) => gradText(d.variable));
  svg
    .selectAll<SVGGElement, LaidOutNode>('.zg-node')
    .classed('zg-current', (d) => updated.has(d.id) || (step?.op ?? null) === d.id)
    .classed('zg-has-grad', (d) => vars.get(d.id)?.grad != null);
  // The seed step lights the outputs' stubs: that is where the gradient of ones enters.
  const flows = (d: LaidOutEdge) =>
    flow.has(d.id) || (step !== null && step.op === null && d.kind === 'output' && updated.has(d.variable));
  svg
    .selectAll<SVGGElement, LaidOutEdge>('.zg-edge, .zg-output-edge')
    .classed('zg-flow', flows)
    .select('path')
    .attr('marker-end', (d) => `url(#${prefix}-${flows(d) ? 'arrow-flow' : 'arrow'})`);
}

import { formatTensorInline } from '../format.js';
import { measureText } from '../text.js';
import type { GraphSnapshot, SnapshotNode, SnapshotVariableNode, TensorValue } from '../types.js';
import { clusterLayout } from './cluster-layout.js';
import { countMembers, LINE, nodeItem, opLabel, scopeItem } from './items.js';
import { type NestedItem, nestedLayout } from './nested-layout.js';
import { CLUSTER_LABEL, clusterId, collapseDepth } from './scopes.js';

/** Options for drawing a graph snapshot (all optional). */
export interface GraphOptions {
  /** Layout direction: `LR` (left to right, the book's figures; default) or `TB` (top to bottom). */
  direction?: 'LR' | 'TB';
  /** Largest tensor (in entries) whose values are written on its edges; default 4. */
  maxEdgeValues?: number;
  /** Significant digits of the numbers written on edges; default 4. */
  digits?: number;
  /** Write forward values on edges (default true). */
  showValues?: boolean;
  /** Write gradients under the values (default true). */
  showGrads?: boolean;
  /** Draw the legend of node kinds (default true). */
  legend?: boolean;
  /** Which step of a sequence to draw (default: the last one). */
  step?: number;
  /** Prefix for ids inside the SVG (markers), so several graphs can share one page; default `zg`. */
  idPrefix?: string;
  /**
   * Above this many nodes (default 2,000) layer scopes are collapsed, each drawn as one box
   * node, at the deepest scope level that leaves at most a thousand things to lay out, so a
   * huge graph still opens in a second or two instead of freezing the tab.
   */
  collapseAbove?: number;
}

/** How a node is drawn. */
export type NodeShape = 'ellipse' | 'circle' | 'rect';

/** A node placed by the layout: centre `x`, `y` and size `width` × `height`. */
export interface LaidOutNode {
  id: string;
  kind: 'variable' | 'op';
  /** `parameter`, `input`, `constant`, `intermediate`, `op`, or `scope` for a collapsed layer scope. */
  role: string;
  shape: NodeShape;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Main label: the variable's name or the op's symbol. */
  label: string;
  /** Second line: the shape for variables, empty for ops. */
  sublabel: string;
}

/** An edge routed by the layout, with where its value and gradient labels go (when written). */
export interface LaidOutEdge {
  id: string;
  /** `edge` for the snapshot's edges; `output` for the stub drawn out of an output to carry its numbers. */
  kind: 'edge' | 'output';
  from: string;
  to: string;
  points: { x: number; y: number }[];
  /** The variable whose value flows along this edge. */
  variable: string;
  /** Label anchor (centre of the reserved label box) when the edge carries numbers. */
  label: { x: number; y: number; width: number } | null;
}

/** A layer scope drawn as a box around its nodes. */
export interface LaidOutCluster {
  id: string;
  label: string;
  depth: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The result of laying out a snapshot: plain data, the same in Node and in the browser. */
export interface GraphLayout {
  width: number;
  height: number;
  direction: 'LR' | 'TB';
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  clusters: LaidOutCluster[];
}

export { CLUSTER_LABEL, clusterId, opLabel };

const EDGE_FONT = 11;
const MARGIN = 12;
/**
 * Above this many nodes each layer scope is laid out on its own (nestedLayout) instead of handing
 * the scopes to dagre as clusters: dagre's compound layout took 4.6 s for 1,000 nodes
 * (docs/decisions/0013-big-graph-layout.md).
 */
const LARGE_GRAPH = 150;

/** The inline text (value or gradient) of a variable, or null when too big or unknown. */
export function inlineTensor(value: TensorValue | null, node: SnapshotVariableNode, opts: GraphOptions): string | null {
  return formatTensorInline(value, node.shape, opts.maxEdgeValues ?? 4, opts.digits ?? 4);
}

/** Widest value and gradient label of a variable across all steps (so stepping never overflows). */
function labelWidth(id: string, steps: readonly GraphSnapshot[], opts: GraphOptions): number {
  let width = 0;
  for (const [i, snap] of steps.entries()) {
    const node = snap.nodes.find((n) => n.id === id);
    if (node?.kind !== 'variable') continue;
    if (i === 0 && opts.showValues !== false) {
      width = Math.max(width, measureText(inlineTensor(node.value, node, opts) ?? '', EDGE_FONT, 'mono'));
    }
    if (opts.showGrads !== false) {
      width = Math.max(width, measureText(inlineTensor(node.grad, node, opts) ?? '', EDGE_FONT, 'mono'));
    }
  }
  return width;
}

/**
 * Lays out a snapshot (or a step sequence, which shares one structure) with dagre: ranks run
 * left to right (or top to bottom), layer scopes become nested cluster boxes, and edges that
 * carry a small tensor reserve room for its value above and its gradient below.
 */
export function layoutGraph(steps: readonly GraphSnapshot[], opts: GraphOptions = {}): GraphLayout {
  const snap = steps[steps.length - 1];
  if (!snap) throw new Error('layoutGraph: expected at least one snapshot');
  const direction = opts.direction ?? 'LR';
  const depth = collapseDepth(snap, opts.collapseAbove ?? 2000);
  const byId = new Map<string, SnapshotNode>(snap.nodes.map((n) => [n.id, n]));
  const hasOut = new Set(snap.edges.map((e) => e.from));

  /** What a node is drawn as: itself, or the collapsed scope that holds it. */
  const visible = (node: SnapshotNode): string =>
    node.scope.length >= depth ? clusterId(node.scope.slice(0, depth)) : node.id;
  const laid = new Map<string, LaidOutNode>();
  const scopes = new Map<string, readonly string[]>(); // item → the scope it sits in
  const hidden = new Map<string, number>(); // collapsed scope → nodes it holds
  for (const node of snap.nodes) {
    const shownAs = visible(node);
    if (shownAs === node.id) {
      laid.set(node.id, nodeItem(node));
      scopes.set(node.id, node.scope);
    } else if (!hidden.has(shownAs)) {
      laid.set(shownAs, scopeItem(shownAs, node.scope[depth - 1] ?? ''));
      scopes.set(shownAs, node.scope.slice(0, depth - 1));
    }
    if (shownAs !== node.id) hidden.set(shownAs, (hidden.get(shownAs) ?? 0) + 1);
  }
  for (const [id, count] of hidden) countMembers(laid.get(id) as LaidOutNode, count);

  const edgeList: { id: string; kind: 'edge' | 'output'; from: string; to: string; variable: string; width: number }[] =
    [];
  const joined = new Set<string>(); // edges into or out of a collapsed scope are drawn once per pair
  for (const edge of snap.edges) {
    const from = byId.get(edge.from);
    const to = byId.get(edge.to);
    if (!from || !to) continue;
    const a = visible(from);
    const b = visible(to);
    if (a === b) continue;
    const collapsed = a !== from.id || b !== to.id;
    if (collapsed && joined.has(`${a}>${b}`)) continue;
    joined.add(`${a}>${b}`);
    const width = from.kind === 'variable' && !collapsed ? labelWidth(from.id, steps, opts) : 0;
    const variable = from.kind === 'variable' ? from.id : edge.to;
    edgeList.push({ id: edge.id, kind: 'edge', from: a, to: b, variable, width });
  }
  // An output has no outgoing edge to carry its value and gradient, so it gets a short stub
  // (an invisible sink), as in the book's figures.
  const sinks: NestedItem[] = [];
  for (const node of snap.nodes) {
    if (node.kind !== 'variable' || hasOut.has(node.id) || visible(node) !== node.id) continue;
    const width = labelWidth(node.id, steps, opts);
    if (width === 0) continue;
    const sink = `sink:${node.id}`;
    sinks.push({ id: sink, width: 1, height: 1, scope: node.scope });
    edgeList.push({ id: `out:${node.id}`, kind: 'output', from: node.id, to: sink, variable: node.id, width });
  }

  // Placement: small graphs in one dagre layout with the scopes as clusters; big graphs one
  // layout per scope (nested-layout.ts). Both take items in the order dagre has always seen.
  const item = (n: LaidOutNode): NestedItem => ({ ...n, scope: scopes.get(n.id) ?? [] });
  const links = edgeList.map((e) => ({ ...e, labelWidth: e.width > 0 ? e.width + 6 : 0, labelHeight: 2 * LINE + 2 }));
  const nodes = [...laid.values()];
  const placed =
    snap.nodes.length > LARGE_GRAPH
      ? nestedLayout([...nodes.map(item), ...sinks], links, direction)
      : clusterLayout(
          [...nodes.filter((n) => !hidden.has(n.id)), ...nodes.filter((n) => hidden.has(n.id))].map(item).concat(sinks),
          links,
          direction,
        );
  for (const n of nodes) Object.assign(n, placed.positions.get(n.id));
  const edges: LaidOutEdge[] = edgeList.map((edge) => {
    const route = placed.edges.get(edge.id);
    return {
      id: edge.id,
      kind: edge.kind,
      from: edge.from,
      to: edge.to,
      points: route?.points ?? [],
      variable: edge.variable,
      label: route?.label ? { ...route.label, width: edge.width + 6 } : null,
    };
  });
  return normalise({ width: 0, height: 0, direction, nodes, edges, clusters: placed.clusters });
}

/** Shifts everything so the drawing starts at (MARGIN, MARGIN) and sizes it to its contents. */
function normalise(layout: GraphLayout): GraphLayout {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  const box = (x: number, y: number, w: number, h: number) => {
    minX = Math.min(minX, x - w / 2);
    maxX = Math.max(maxX, x + w / 2);
    minY = Math.min(minY, y - h / 2);
    maxY = Math.max(maxY, y + h / 2);
  };
  for (const n of layout.nodes) box(n.x, n.y, n.width, n.height);
  for (const c of layout.clusters) box(c.x, c.y, c.width, c.height);
  for (const e of layout.edges) {
    for (const p of e.points) box(p.x, p.y, 0, 0);
    if (e.label) box(e.label.x, e.label.y, e.label.width, 2 * LINE + 4);
  }
  if (!Number.isFinite(minX)) return { ...layout, width: 2 * MARGIN, height: 2 * MARGIN };
  const dx = MARGIN - minX;
  const dy = MARGIN - minY;
  const r = (v: number) => Math.round(v * 10) / 10;
  for (const n of layout.nodes) {
    n.x = r(n.x + dx);
    n.y = r(n.y + dy);
  }
  for (const c of layout.clusters) {
    c.x = r(c.x + dx);
    c.y = r(c.y + dy);
  }
  for (const e of layout.edges) {
    e.points = e.points.map((p) => ({ x: r(p.x + dx), y: r(p.y + dy) }));
    if (e.label) e.label = { ...e.label, x: r(e.label.x + dx), y: r(e.label.y + dy) };
  }
  return { ...layout, width: Math.ceil(maxX - minX + 2 * MARGIN), height: Math.ceil(maxY - minY + 2 * MARGIN) };
}

/**
 * Layout of big graphs, scope by scope. dagre's compound layout (clusters) took 4.6 s for 1,000
 * nodes; a flat layout with boxes drawn afterwards is fast but lets boxes overlap (a layer's
 * weight lands beside the previous layer's output). So each layer scope is laid out on its own,
 * innermost first, and then stands in its parent's layout as one node of its finished size: a
 * box holds its members and no two boxes overlap, by construction. An edge between scopes is
 * routed in the innermost scope holding both ends, then extended into the nodes it joins.
 * (docs/decisions/0013-big-graph-layout.md has the measurements.)
 */
import dagre from '@dagrejs/dagre';
import type { LaidOutCluster } from './layout.js';
import { CLUSTER_LABEL, clusterId } from './scopes.js';

/** A thing to place: a node, a collapsed scope or an output's stub, in scope `scope`. */
export interface NestedItem {
  id: string;
  width: number;
  height: number;
  scope: readonly string[];
}

/** An edge between two items, with the size of its label (0: none). */
export interface NestedEdge {
  id: string;
  from: string;
  to: string;
  labelWidth: number;
  labelHeight: number;
}

/** Where everything went (centres, absolute). */
export interface NestedResult {
  positions: Map<string, { x: number; y: number }>;
  edges: Map<string, { points: { x: number; y: number }[]; label: { x: number; y: number } | null }>;
  clusters: LaidOutCluster[];
}

const PAD = 10;
/** Above this many things in one scope, rank by longest path and skip crossing sweeps. */
const BIG_LEVEL = 150;

interface Scope {
  path: readonly string[];
  items: NestedItem[];
  children: Map<string, Scope>;
  edges: NestedEdge[];
  width: number;
  height: number;
  /** Offsets of direct members (items and child scopes) from this scope's centre. */
  offsets: Map<string, { x: number; y: number }>;
  routes: Map<string, { points: { x: number; y: number }[]; label: { x: number; y: number } | null }>;
}

const newScope = (path: readonly string[]): Scope => ({
  path,
  items: [],
  children: new Map(),
  edges: [],
  width: 0,
  height: 0,
  offsets: new Map(),
  routes: new Map(),
});

/** Where the segment from the centre `c` towards `p` leaves a `w` × `h` box (where an arrow stops). */
function border(c: { x: number; y: number }, w: number, h: number, p: { x: number; y: number }) {
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  if (dx === 0 && dy === 0) return { x: c.x, y: c.y };
  const s = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : w / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : h / 2 / Math.abs(dy),
  );
  return { x: c.x + dx * Math.min(1, s), y: c.y + dy * Math.min(1, s) };
}

/** Lays out `items` and `edges`, boxing each scope; `direction` as dagre's `rankdir`. */
export function nestedLayout(
  items: readonly NestedItem[],
  edges: readonly NestedEdge[],
  direction: 'LR' | 'TB',
): NestedResult {
  const root = newScope([]);
  const itemById = new Map<string, NestedItem>();
  for (const item of items) {
    let s = root;
    for (const [d, name] of item.scope.entries()) {
      let child = s.children.get(name);
      if (!child) {
        child = newScope(item.scope.slice(0, d + 1));
        s.children.set(name, child);
      }
      s = child;
    }
    s.items.push(item);
    itemById.set(item.id, item);
  }
  /** The member of `s` (an item, or the child scope) that holds item `id`. */
  const memberOf = (s: Scope, id: string): string => {
    const scope = itemById.get(id)?.scope ?? [];
    return scope.length > s.path.length ? clusterId(scope.slice(0, s.path.length + 1)) : id;
  };
  // Each edge belongs to the innermost scope that holds both its ends.
  for (const e of edges) {
    const a = itemById.get(e.from)?.scope ?? [];
    const common = commonDepth(a, itemById.get(e.to)?.scope ?? []);
    let s = root;
    for (const name of a.slice(0, common)) s = s.children.get(name) as Scope;
    s.edges.push(e);
  }

  const cache = new Map<string, Level>();
  const layOut = (s: Scope): void => {
    for (const child of s.children.values()) layOut(child);
    const members = [...s.items.map((i) => i.id), ...[...s.children.values()].map((c) => clusterId(c.path))];
    const index = new Map(members.map((id, i) => [id, i]));
    const sizes = [
      ...s.items.map((i) => [up8(i.width), i.height]),
      ...[...s.children.values()].map((c) => [c.width, c.height]),
    ] as [number, number][];
    const links = s.edges.map(
      (e) =>
        [index.get(memberOf(s, e.from)), index.get(memberOf(s, e.to)), up8(e.labelWidth), e.labelHeight] as [
          number,
          number,
          number,
          number,
        ],
    );
    // The blocks of a deep net repeat: an Affine scope looks like the one before it, so its
    // layout is computed once and reused (sizes are rounded up to 8 px to make repeats exact).
    const key = JSON.stringify([sizes, links]);
    let level = cache.get(key);
    if (!level) {
      level = layOutLevel(sizes, links, direction);
      cache.set(key, level);
    }
    const inner = s.path.length > 0;
    s.width = level.width + (inner ? 2 * PAD : 0);
    s.height = level.height + (inner ? 2 * PAD + CLUSTER_LABEL : 0);
    // offsets from the box's centre; the label band sits on top
    const cx = level.width / 2;
    const cy = level.height / 2 - (inner ? CLUSTER_LABEL / 2 : 0);
    members.forEach((id, i) => {
      const n = level.nodes[i] as { x: number; y: number };
      s.offsets.set(id, { x: n.x - cx, y: n.y - cy });
    });
    s.edges.forEach((e, i) => {
      const r = level.edges[i] as Level['edges'][number];
      s.routes.set(e.id, {
        points: r.points.map((p) => ({ x: p.x - cx, y: p.y - cy })),
        label: r.label ? { x: r.label.x - cx, y: r.label.y - cy } : null,
      });
    });
  };
  layOut(root);

  const positions = new Map<string, { x: number; y: number }>();
  const routes: NestedResult['edges'] = new Map();
  const clusters: LaidOutCluster[] = [];
  const place = (s: Scope, x: number, y: number): void => {
    if (s.path.length > 0) {
      const id = clusterId(s.path);
      clusters.push({
        id,
        label: s.path[s.path.length - 1] ?? '',
        depth: s.path.length,
        x,
        y,
        width: s.width,
        height: s.height,
      });
    }
    for (const item of s.items) {
      const o = s.offsets.get(item.id) ?? { x: 0, y: 0 };
      positions.set(item.id, { x: x + o.x, y: y + o.y });
    }
    for (const child of s.children.values()) {
      const o = s.offsets.get(clusterId(child.path)) ?? { x: 0, y: 0 };
      place(child, x + o.x, y + o.y);
    }
    for (const e of s.edges) {
      const r = s.routes.get(e.id);
      if (!r) continue;
      routes.set(e.id, {
        points: r.points.map((p) => ({ x: x + p.x, y: y + p.y })),
        label: r.label ? { x: x + r.label.x, y: y + r.label.y } : null,
      });
    }
  };
  place(root, 0, 0);

  // An edge routed between two boxes is extended from the box's border into the node it joins.
  for (const e of edges) {
    const r = routes.get(e.id);
    const from = itemById.get(e.from);
    const to = itemById.get(e.to);
    const a = positions.get(e.from);
    const b = positions.get(e.to);
    if (!r || !from || !to || !a || !b) continue;
    const common = commonDepth(from.scope, to.scope);
    const first = r.points[0];
    const last = r.points[r.points.length - 1];
    if (first && from.scope.length > common) r.points.unshift(border(a, from.width, from.height, first));
    if (last && to.scope.length > common) r.points.push(border(b, to.width, to.height, last));
  }
  clusters.sort((p, q) => p.depth - q.depth);
  return { positions, edges: routes, clusters };
}

/** One scope's layout, relative to its top-left corner: member centres and edge routes by index. */
interface Level {
  width: number;
  height: number;
  nodes: { x: number; y: number }[];
  edges: { points: { x: number; y: number }[]; label: { x: number; y: number } | null }[];
}

const up8 = (v: number) => Math.ceil(v / 8) * 8;

/** One dagre layout of a scope's members (`[width, height]`) and links (`[from, to, labelW, labelH]`). */
function layOutLevel(
  sizes: [number, number][],
  links: [number, number, number, number][],
  direction: 'LR' | 'TB',
): Level {
  const big = sizes.length > BIG_LEVEL;
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({
    rankdir: direction,
    nodesep: 26,
    ranksep: 30,
    edgesep: 10,
    marginx: 0,
    marginy: 0,
    // longest path ranks each node just before its first consumer (a weight beside its op) at a
    // quarter of network simplex's cost
    ...(big ? { ranker: 'longest-path' } : {}),
  });
  sizes.forEach(([width, height], i) => g.setNode(String(i), { width, height }));
  links.forEach(([from, to, labelWidth, labelHeight], i) => {
    const label =
      labelWidth > 0 ? { width: labelWidth, height: labelHeight, labelpos: direction === 'TB' ? 'r' : 'c' } : {};
    g.setEdge(String(from), String(to), { ...label, minlen: 1 }, String(i));
  });
  dagre.layout(g, { disableOptimalOrderHeuristic: big });
  const { width = 0, height = 0 } = g.graph() as { width?: number; height?: number };
  return {
    width,
    height,
    nodes: sizes.map((_, i) => {
      const n = g.node(String(i));
      return { x: n.x, y: n.y };
    }),
    edges: links.map(([from, to, labelWidth], i) => {
      const e = g.edge({ v: String(from), w: String(to), name: String(i) });
      return {
        points: e.points.map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
        label: labelWidth > 0 ? { x: e.x as number, y: e.y as number } : null,
      };
    }),
  };
}

/** How many leading scope names two paths share. */
function commonDepth(a: readonly string[], b: readonly string[]): number {
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return common;
}

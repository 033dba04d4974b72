/**
 * The layout of a small graph: one dagre layout in which each layer scope is a compound cluster,
 * so dagre places members and boxes together. (Big graphs go to `nestedLayout`, which lays out
 * each scope on its own; both return where everything went in the same form.)
 */
import dagre from '@dagrejs/dagre';
import type { LaidOutCluster } from './layout.js';
import type { NestedEdge, NestedItem, NestedResult } from './nested-layout.js';
import { CLUSTER_LABEL, clusterId } from './scopes.js';

/**
 * Lays out `items` (their scopes become nested clusters, outermost first) joined by `edges`.
 * Items are added to dagre in the order given: dagre's result depends on it.
 */
export function clusterLayout(
  items: readonly NestedItem[],
  edges: readonly NestedEdge[],
  direction: 'LR' | 'TB',
): NestedResult {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: 26, ranksep: 30, edgesep: 10, marginx: 0, marginy: 0 });

  // Every scope that holds an item, and its enclosing scopes, as a cluster.
  const clusterDepth = new Map<string, number>();
  for (const item of items) {
    for (let d = 1; d <= item.scope.length; d++) {
      const id = clusterId(item.scope.slice(0, d));
      if (clusterDepth.has(id)) continue;
      clusterDepth.set(id, d);
      g.setNode(id, { label: item.scope[d - 1] });
      if (d > 1) g.setParent(id, clusterId(item.scope.slice(0, d - 1)));
    }
  }
  for (const item of items) {
    g.setNode(item.id, { width: item.width, height: item.height });
    if (item.scope.length > 0) g.setParent(item.id, clusterId(item.scope));
  }
  for (const e of edges) {
    const label =
      e.labelWidth > 0 ? { width: e.labelWidth, height: e.labelHeight, labelpos: direction === 'TB' ? 'r' : 'c' } : {};
    g.setEdge(e.from, e.to, { ...label, minlen: 1 }, e.id);
  }
  dagre.layout(g);

  const positions = new Map(items.map((item) => [item.id, { x: g.node(item.id).x, y: g.node(item.id).y }]));
  const clusters: LaidOutCluster[] = [];
  for (const [id, depth] of clusterDepth) {
    const n = g.node(id);
    // dagre has no cluster padding, so the box grows upward to hold its label, and above the
    // labels of the boxes nested in it.
    let deepest = depth;
    for (const [other, d] of clusterDepth) if (other.startsWith(`${id}/`)) deepest = Math.max(deepest, d);
    const grow = CLUSTER_LABEL * (1 + deepest - depth);
    const label = String(n.label ?? '');
    clusters.push({ id, label, depth, x: n.x, y: n.y - grow / 2, width: n.width, height: n.height + grow });
  }
  clusters.sort((a, b) => a.depth - b.depth);
  const routes: NestedResult['edges'] = new Map();
  for (const e of edges) {
    const r = g.edge({ v: e.from, w: e.to, name: e.id });
    routes.set(e.id, {
      points: r.points.map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
      label: e.labelWidth > 0 ? { x: r.x as number, y: r.y as number } : null,
    });
  }
  return { positions, edges: routes, clusters };
}

/**
 * Layer scopes in big graphs: their ids, and which scopes to collapse into one node each so a
 * huge graph stays quick to lay out (docs/decisions/0013-big-graph-layout.md).
 */
import type { GraphSnapshot } from '../types.js';

/** Cluster boxes grow upward by this much to hold their label. */
export const CLUSTER_LABEL = 16;
/** Most things (nodes and collapsed scopes) laid out once scopes are collapsed. */
const MAX_VISIBLE = 1000;

/** Scope path → cluster id. */
export function clusterId(scope: readonly string[]): string {
  return `scope:${scope.join('/')}`;
}

/**
 * The scope depth at which scopes are drawn collapsed (one box node each): `Infinity` (nothing
 * collapsed) for graphs of at most `collapseAbove` nodes, else the deepest level that leaves at
 * most a thousand things to lay out (or level 1 when none does).
 */
export function collapseDepth(snap: GraphSnapshot, collapseAbove: number): number {
  if (snap.nodes.length <= collapseAbove) return Number.POSITIVE_INFINITY;
  let deepest = 0;
  for (const n of snap.nodes) deepest = Math.max(deepest, n.scope.length);
  for (let d = deepest; d > 1; d--) {
    let count = 0;
    const scopes = new Set<string>();
    for (const n of snap.nodes) {
      if (n.scope.length < d) count++;
      else scopes.add(clusterId(n.scope.slice(0, d)));
    }
    if (count + scopes.size <= MAX_VISIBLE) return d;
  }
  return 1;
}

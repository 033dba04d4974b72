// Big graphs: above 150 nodes the layer boxes are drawn around their members after a flat
// layout, and above `collapseAbove` nodes whole scopes are drawn as one node. These tests check
// the geometry is right (boxes hold their members, nothing overlaps); speed is measured by
// bench/layout.ts, not here.
import type { GraphSnapshot, SnapshotEdge, SnapshotNode } from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import { syntheticSnapshot } from '../bench/layout.js';
import { type GraphLayout, layoutGraph } from '../src/index.js';

type Box = { x0: number; y0: number; x1: number; y1: number };
const boxOf = (b: { x: number; y: number; width: number; height: number }): Box => ({
  x0: b.x - b.width / 2,
  y0: b.y - b.height / 2,
  x1: b.x + b.width / 2,
  y1: b.y + b.height / 2,
});
const contains = (outer: Box, inner: Box) =>
  outer.x0 <= inner.x0 && outer.y0 <= inner.y0 && outer.x1 >= inner.x1 && outer.y1 >= inner.y1;
const overlap = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** `branches` parallel chains of Affine-like blocks, in scopes Net/branchK/blockJ, summed at the end. */
function branchingSnapshot(branches: number, blocks: number): GraphSnapshot {
  const nodes: SnapshotNode[] = [];
  const edges: SnapshotEdge[] = [];
  let n = 0;
  const variable = (name: string | null, scope: string[], role: 'parameter' | 'intermediate' | 'constant') => {
    const id = `v${n++}`;
    nodes.push({
      id,
      kind: 'variable',
      role,
      name,
      shape: [2],
      dtype: 'float64',
      scope,
      value: null,
      grad: null,
      requiresGrad: true,
    });
    return id;
  };
  const op = (name: string, inputs: string[], scope: string[]) => {
    const id = `f${n++}`;
    nodes.push({ id, kind: 'op', op: name, generation: n, scope, attrs: {} });
    inputs.forEach((input, index) => edges.push({ id: `e${edges.length}`, from: input, to: id, index }));
    const out = variable(null, scope, 'intermediate');
    edges.push({ id: `e${edges.length}`, from: id, to: out, index: 0 });
    return out;
  };
  const x = variable('x', [], 'constant');
  const ends: string[] = [];
  for (let b = 0; b < branches; b++) {
    let h = x;
    for (let k = 0; k < blocks; k++) {
      const scope = ['Net', `branch${b}`, `block${k}`];
      h = op('Tanh', [op('Mul', [h, variable(`w${b}.${k}`, scope, 'parameter')], scope)], scope);
    }
    ends.push(h);
  }
  let sum = ends[0] as string;
  for (const e of ends.slice(1)) sum = op('Add', [sum, e], ['Net']);
  return { version: 1, nodes, edges, outputs: [sum], step: null } as GraphSnapshot;
}

/** Every geometric promise of a layout with boxes; returns how many memberships it checked. */
function checkGeometry(snap: GraphSnapshot, layout: GraphLayout, { apart = true } = {}) {
  const byId = new Map(layout.nodes.map((node) => [node.id, node]));
  const clusters = new Map(layout.clusters.map((c) => [c.id, c]));
  const problems: string[] = [];
  let checked = 0;
  // 1. each box holds every node of its scope (and of the scopes inside it)
  for (const node of snap.nodes) {
    const item = byId.get(node.id);
    if (!item) continue;
    for (let d = 1; d <= node.scope.length; d++) {
      const id = `scope:${node.scope.slice(0, d).join('/')}`;
      const c = clusters.get(id);
      if (!c) problems.push(`no box ${id}`);
      else if (!contains(boxOf(c), boxOf(item))) problems.push(`${node.id} outside ${id}`);
      checked++;
    }
  }
  // 2. an inner box lies inside its outer box; boxes side by side do not overlap
  for (const c of layout.clusters) {
    const parent = clusters.get(c.id.slice(0, c.id.lastIndexOf('/')));
    if (c.depth > 1 && !(parent && contains(boxOf(parent), boxOf(c)))) problems.push(`${c.id} outside its parent`);
    for (const other of apart ? layout.clusters : []) {
      if (other !== c && other.depth === c.depth && overlap(boxOf(c), boxOf(other))) {
        problems.push(`${c.id} overlaps ${other.id}`);
      }
    }
  }
  // 3. no two nodes overlap, and no node sits inside a box it does not belong to
  const sorted = [...layout.nodes].sort((a, b) => a.x - a.width / 2 - (b.x - b.width / 2));
  for (let i = 0; i < sorted.length; i++) {
    const a = boxOf(sorted[i] as never);
    for (let j = i + 1; j < sorted.length && boxOf(sorted[j] as never).x0 < a.x1; j++) {
      if (overlap(a, boxOf(sorted[j] as never))) problems.push(`${sorted[i]?.id} overlaps ${sorted[j]?.id}`);
    }
  }
  const scopeOf = new Map(snap.nodes.map((node) => [node.id, node.scope.join('/')]));
  for (const item of layout.nodes) {
    const own = item.role === 'scope' ? item.id.slice('scope:'.length) : (scopeOf.get(item.id) ?? '');
    for (const c of apart ? layout.clusters : []) {
      const path = c.id.slice('scope:'.length);
      const member = own === path || own.startsWith(`${path}/`);
      if (!member && overlap(boxOf(c), boxOf(item))) problems.push(`${item.id} inside foreign box ${c.id}`);
    }
  }
  expect(problems).toEqual([]);
  return checked;
}

describe('layout of big graphs', () => {
  it('1,000 nodes in nested scopes: boxes hold their members, nothing overlaps', () => {
    const snap = syntheticSnapshot(1000);
    const layout = layoutGraph([snap]);
    expect(layout.nodes).toHaveLength(snap.nodes.length);
    expect(layout.clusters.length).toBeGreaterThan(200); // Sequential + an affine and a relu box per layer
    expect(checkGeometry(snap, layout)).toBeGreaterThan(1500);
    expect(layout.edges).toHaveLength(snap.edges.length + 1); // + the output's stub
  });

  it('parallel branches of nested blocks: sibling boxes stay apart', () => {
    const snap = branchingSnapshot(3, 20); // 3 × 20 × 5 + … ≈ 310 nodes: above the flat-layout threshold
    expect(snap.nodes.length).toBeGreaterThan(150);
    const layout = layoutGraph([snap]);
    checkGeometry(snap, layout);
    expect(layout.clusters.filter((c) => c.depth === 2)).toHaveLength(3);
  });

  it('a 10,000-node graph opens with its scopes collapsed into single nodes', () => {
    const snap = syntheticSnapshot(10_000);
    const layout = layoutGraph([snap]);
    expect(layout.nodes.length).toBeLessThanOrEqual(1000);
    const scopes = layout.nodes.filter((node) => node.role === 'scope');
    expect(scopes.length).toBeGreaterThan(0);
    // every hidden node is counted by exactly one collapsed node
    const shown = layout.nodes.length - scopes.length;
    const hidden = scopes.reduce((a, s) => a + Number(/^(\d+) nodes$/.exec(s.sublabel)?.[1]), 0);
    expect(shown + hidden).toBe(snap.nodes.length);
    const ids = new Set(layout.nodes.map((node) => node.id));
    for (const e of layout.edges) {
      if (e.kind === 'edge') expect(ids.has(e.from) && ids.has(e.to), e.id).toBe(true);
    }
  });

  it('collapses at the deepest scope level that fits: inner boxes become nodes inside their outer box', () => {
    const snap = branchingSnapshot(3, 20);
    const layout = layoutGraph([snap], { collapseAbove: 100 });
    // Net/branchK/blockJ collapsed (60 nodes + x), Net/branchK still boxed
    const scopes = layout.nodes.filter((node) => node.role === 'scope');
    expect(scopes).toHaveLength(60);
    expect(scopes[0]?.label).toMatch(/^block\d+$/);
    expect(layout.clusters.map((c) => c.id).sort()).toEqual([
      'scope:Net',
      'scope:Net/branch0',
      'scope:Net/branch1',
      'scope:Net/branch2',
    ]);
    checkGeometry(snap, layout);
    // edges between blocks survive as edges between their collapsed nodes, each pair once
    const pairs = layout.edges.filter((e) => e.kind === 'edge').map((e) => `${e.from}>${e.to}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs).toContain('scope:Net/branch1/block0>scope:Net/branch1/block1');
  });

  it('small graphs keep dagre’s compound layout: its boxes hold their members, nodes do not overlap', () => {
    // Not `apart`: dagre knows nothing of the label band each box grows upward by, so a box can
    // reach into the one above it (known, drawn as before; big graphs are boxed by nestedLayout).
    const snap = branchingSnapshot(2, 5);
    expect(snap.nodes.length).toBeLessThanOrEqual(150);
    checkGeometry(snap, layoutGraph([snap]), { apart: false });
  });
});

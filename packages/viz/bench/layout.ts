/**
 * Benchmark (not a test): layout + draw time of graphs of 50, 200, 1,000 and 10,000 nodes in Chromium
 * (above 150 nodes scopes are boxed after a flat layout; above 2,000 they are collapsed),
 * using the same bundled runtime the pages inline. Run: `npx tsx packages/viz/bench/layout.ts`.
 * Prints a table (median of several runs) and writes it to packages/viz/bench/results/layout.txt.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphSnapshot, SnapshotEdge, SnapshotNode } from '@zerograd/core';
import { pageHtml } from '../src/index.js';
import { launchChromium, openPage } from '../src/testing/browser.js';

/** An MLP-like chain of Affine → ReLU blocks in nested scopes, with about `target` nodes. */
export function syntheticSnapshot(target: number): GraphSnapshot {
  const nodes: SnapshotNode[] = [];
  const edges: SnapshotEdge[] = [];
  const full = (n: number) => ({
    kind: 'full' as const,
    data: Array.from({ length: n }, (_, i) => Math.sin(i + nodes.length)),
  });
  let v = 0;
  let f = 0;
  const variable = (
    role: 'parameter' | 'constant' | 'intermediate',
    name: string | null,
    shape: number[],
    scope: string[],
  ) => {
    const id = `v${v++}`;
    const size = shape.reduce((a, b) => a * b, 1);
    nodes.push({
      id,
      kind: 'variable',
      role,
      name,
      shape,
      dtype: 'float64',
      scope,
      value: full(size),
      grad: full(size),
      requiresGrad: role !== 'constant',
    });
    return id;
  };
  const op = (name: string, inputs: string[], shape: number[], scope: string[]) => {
    const id = `f${f++}`;
    nodes.push({ id, kind: 'op', op: name, generation: f, scope, attrs: {} });
    inputs.forEach((input, index) => edges.push({ id: `e${edges.length}`, from: input, to: id, index }));
    const out = variable('intermediate', null, shape, scope);
    edges.push({ id: `e${edges.length}`, from: id, to: out, index: 0 });
    return out;
  };
  let x = variable('constant', 'x', [2, 2], []);
  for (let layer = 0; nodes.length < target - 4; layer++) {
    const affine = ['Sequential', `affine${layer}`];
    const w = variable('parameter', `affine${layer}.W`, [2, 2], affine);
    const b = variable('parameter', `affine${layer}.b`, [2], affine);
    x = op('Add', [op('MatMul', [x, w], [2, 2], affine), b], [2, 2], affine);
    x = op('ReLU', [x], [2, 2], ['Sequential', `relu${layer}`]);
  }
  const loss = op('Sum', [x], [], []);
  return { version: 1, nodes, edges, outputs: [loss], step: null };
}

async function main(): Promise<void> {
  const sizes = [50, 200, 1000, 10000];
  const runs = 5;
  const dir = mkdtempSync(join(tmpdir(), 'zg-bench-'));
  const file = join(dir, 'bench.html');
  writeFileSync(file, await pageHtml({ title: 'layout bench', sections: [] }));
  const browser = await launchChromium();
  const rows: string[][] = [];
  try {
    const { page, assertClean } = await openPage(browser, file, { width: 1400, height: 900 });
    for (const size of sizes) {
      const snap = syntheticSnapshot(size);
      const times = await page.evaluate(
        ({ snap, runs }) => {
          const api = (
            window as unknown as { zerogradViz: { mountGraph(el: Element, s: unknown): { destroy(): void } } }
          ).zerogradViz;
          const out: number[] = [];
          for (let r = 0; r < runs + 1; r++) {
            const el = document.createElement('div');
            document.body.appendChild(el);
            const t0 = performance.now();
            const view = api.mountGraph(el, snap);
            el.getBoundingClientRect(); // include style and layout of the new SVG
            out.push(performance.now() - t0);
            view.destroy();
            el.remove();
          }
          return out.slice(1); // the first run warms up the JIT
        },
        { snap, runs },
      );
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
      rows.push([
        String(snap.nodes.length),
        String(snap.edges.length),
        median.toFixed(0),
        (times[0] ?? 0).toFixed(0),
        (times[times.length - 1] ?? 0).toFixed(0),
      ]);
    }
    assertClean();
  } finally {
    await browser.close();
  }
  const header = ['nodes', 'edges', 'median ms', 'min ms', 'max ms'];
  const table = [header, ...rows].map((r) => r.map((c) => c.padStart(10)).join(' ')).join('\n');
  const text = `zerograd viz: layout + draw (mountGraph) in headless Chromium, ${runs} runs each\n${table}\n`;
  process.stdout.write(text);
  const out = join(import.meta.dirname ?? '.', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'layout.txt'), text);
}

if (process.argv[1]?.endsWith('layout.ts')) await main();

import type { GraphSnapshot } from '@zerograd/core';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { formatNumber, formatShape, formatTensorInline, layoutGraph, renderGraphSvg } from '../src/index.js';
import { fixture, xssSnapshot } from './fixtures.js';

function parse(svg: string) {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${svg}</body></html>`);
  const all = (sel: string) => Array.from(document.querySelectorAll(sel)) as Element[];
  const texts = (sel: string) => all(sel).map((e) => e.textContent ?? '');
  return { document, all, texts };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('formatting', () => {
  it('prints numbers the way the book does', () => {
    expect(formatNumber(220.00000000000003)).toBe('220');
    expect(formatNumber(2.2)).toBe('2.2');
    expect(formatNumber(0.6224593312018546)).toBe('0.6225');
    expect(formatNumber(-0.5)).toBe('-0.5');
    expect(formatNumber(1e-9)).toBe('1e-9');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞');
  });
  it('prints shapes and small tensors inline', () => {
    expect(formatShape([])).toBe('()');
    expect(formatShape([3])).toBe('(3,)');
    expect(formatShape([2, 3])).toBe('(2, 3)');
    expect(formatTensorInline({ kind: 'full', data: [1, 2, 3, 4] }, [2, 2])).toBe('[[1, 2], [3, 4]]');
    expect(formatTensorInline({ kind: 'full', data: [1, 2, 3, 4, 5] }, [5])).toBeNull();
    expect(formatTensorInline(null, [])).toBeNull();
  });
});

describe('the apple graph', () => {
  const apple = fixture('apple');
  const { all, texts } = parse(renderGraphSvg(apple));

  it('has every node, edge and no cluster', () => {
    expect(all('.zg-node')).toHaveLength(7);
    expect(all('.zg-node.zg-variable')).toHaveLength(5);
    expect(all('.zg-node.zg-op')).toHaveLength(2);
    expect(all('.zg-role-input.zg-node')).toHaveLength(3);
    expect(all('.zg-edge')).toHaveLength(6);
    expect(all('.zg-output-edge')).toHaveLength(1);
    expect(all('.zg-cluster')).toHaveLength(0);
    expect(all('.zg-legend-item')).toHaveLength(7);
  });

  it('shows names, shapes and book symbols', () => {
    expect(texts('.zg-name')).toEqual(['apple', 'apple_num', '×', 'apple_price', 'tax', '×', 'price']);
    expect(texts('.zg-node .zg-shape').every((t) => t === '()')).toBe(true);
  });

  it('writes values above and gradients below each edge, as in the book', () => {
    const labels = all('.zg-edge-label').map((g) => ({
      variable: g.getAttribute('data-var'),
      value: g.querySelector('.zg-value')?.textContent,
      grad: g.querySelector('.zg-grad')?.textContent,
      above:
        Number(g.querySelector('.zg-value')?.getAttribute('y')) <
        Number(g.querySelector('.zg-grad')?.getAttribute('y')),
    }));
    expect(labels).toEqual([
      { variable: 'v0', value: '100', grad: '2.2', above: true },
      { variable: 'v1', value: '2', grad: '110', above: true },
      { variable: 'v2', value: '200', grad: '1.1', above: true },
      { variable: 'v3', value: '1.1', grad: '200', above: true },
      { variable: 'v4', value: '220', grad: '1', above: true },
    ]);
  });

  it('draws the same SVG after a JSON round trip and from a deeply frozen snapshot', () => {
    const svg = renderGraphSvg(apple);
    expect(renderGraphSvg(JSON.parse(JSON.stringify(apple)) as GraphSnapshot)).toBe(svg);
    expect(renderGraphSvg(deepFreeze(structuredClone(apple)))).toBe(svg);
  });

  it('lays out left to right by default and top to bottom on request', () => {
    const lr = layoutGraph([apple]);
    const tb = layoutGraph([apple], { direction: 'TB' });
    const pos = (l: typeof lr, id: string) => l.nodes.find((n) => n.id === id) as { x: number; y: number };
    expect(pos(lr, 'v4').x).toBeGreaterThan(pos(lr, 'v0').x);
    expect(pos(tb, 'v4').y).toBeGreaterThan(pos(tb, 'v0').y);
    expect(lr.width).toBeGreaterThan(lr.height);
  });

  it('omits values and gradients when asked', () => {
    const bare = parse(renderGraphSvg(apple, { showValues: false, showGrads: false, legend: false }));
    expect(bare.all('.zg-edge-label')).toHaveLength(0);
    expect(bare.all('.zg-legend')).toHaveLength(0);
  });
});

describe('a backward-step sequence', () => {
  const steps = fixture<GraphSnapshot[]>('apple-steps');

  it('shows only the gradients known at each step and lights what the step computed', () => {
    const seed = parse(renderGraphSvg(steps, { step: 0 }));
    expect(seed.texts('.zg-edge-label .zg-grad')).toEqual(['', '', '', '', '1']);
    expect(seed.all('.zg-current').map((e) => e.getAttribute('data-id'))).toEqual(['v4']);
    expect(seed.all('.zg-flow').map((e) => e.getAttribute('data-id'))).toEqual(['out:v4']);

    const one = parse(renderGraphSvg(steps, { step: 1 }));
    expect(one.texts('.zg-edge-label .zg-grad')).toEqual(['', '', '1.1', '200', '1']);
    expect(one.all('.zg-current').map((e) => e.getAttribute('data-id'))).toEqual(['v2', 'v3', 'f1']);
    expect(one.all('.zg-flow').map((e) => e.getAttribute('data-id'))).toEqual(['e3', 'e4']);

    const last = parse(renderGraphSvg(steps));
    expect(last.texts('.zg-edge-label .zg-grad')).toEqual(['2.2', '110', '1.1', '200', '1']);
    expect(last.all('.zg-current').map((e) => e.getAttribute('data-id'))).toEqual(['v0', 'v1', 'f0']);
  });

  it('uses one layout for every step', () => {
    const a = parse(renderGraphSvg(steps, { step: 0 }));
    const b = parse(renderGraphSvg(steps, { step: 2 }));
    const transforms = (p: ReturnType<typeof parse>) => p.all('.zg-node').map((n) => n.getAttribute('transform'));
    expect(transforms(a)).toEqual(transforms(b));
  });
});

describe('the sigmoid, decomposed', () => {
  it('has the ×−1, exp, +1, 1/x chain with its values and gradients', () => {
    const { all, texts } = parse(renderGraphSvg(fixture<GraphSnapshot[]>('sigmoid-steps')));
    expect(texts('.zg-op .zg-name')).toEqual(['×', 'exp', '+', '1/x']);
    expect(all('.zg-node.zg-role-constant')).toHaveLength(2);
    expect(texts('.zg-edge-label .zg-value')).toEqual(['0.5', '-1', '-0.5', '0.6065', '1', '1.607', '0.6225']);
    expect(texts('.zg-edge-label .zg-grad')).toEqual(['0.235', '', '-0.235', '-0.3875', '', '-0.3875', '1']);
  });

  it('gives the fused Sigmoid node the same gradient', () => {
    const { texts } = parse(renderGraphSvg(fixture('sigmoid-fused')));
    expect(texts('.zg-op .zg-name')).toEqual(['Sigmoid']);
    expect(texts('.zg-edge-label .zg-grad')).toEqual(['0.235', '1']);
  });
});

describe('layer scopes', () => {
  const affine = fixture('affine');
  const layout = layoutGraph([affine]);

  it('become nested cluster boxes around their nodes', () => {
    const { all, texts } = parse(renderGraphSvg(affine));
    expect(all('.zg-cluster')).toHaveLength(3);
    expect(texts('.zg-cluster text')).toEqual(['Sequential', 'Affine', 'ReLU']);
    expect(texts('.zg-op .zg-name')).toEqual(['MatMul', '+', 'ReLU', 'Sum']);
    expect(texts('.zg-variable .zg-shape')).toEqual([
      '(2, 3)',
      '(3, 30)',
      '(2, 30)',
      '(30,)',
      '(2, 30)',
      '(2, 30)',
      '()',
    ]);
    // Only the scalar loss is small enough to write on an edge.
    expect(texts('.zg-edge-label .zg-value')).toEqual([expect.stringMatching(/^\d+\.\d+$/)]);
  });

  it('contain their nodes, and nested boxes sit inside their parents', () => {
    const box = (id: string) => layout.clusters.find((c) => c.id === id) as (typeof layout.clusters)[number];
    const inside = (
      inner: { x: number; y: number; width: number; height: number },
      outer: { x: number; y: number; width: number; height: number },
    ) =>
      inner.x - inner.width / 2 >= outer.x - outer.width / 2 &&
      inner.x + inner.width / 2 <= outer.x + outer.width / 2 &&
      inner.y - inner.height / 2 >= outer.y - outer.height / 2 &&
      inner.y + inner.height / 2 <= outer.y + outer.height / 2;
    expect(inside(box('scope:Sequential/Affine'), box('scope:Sequential'))).toBe(true);
    expect(inside(box('scope:Sequential/ReLU'), box('scope:Sequential'))).toBe(true);
    for (const node of affine.nodes) {
      if (node.scope.length === 0) continue;
      const laid = layout.nodes.find((n) => n.id === node.id) as (typeof layout.nodes)[number];
      expect(inside(laid, box(`scope:${node.scope.join('/')}`)), node.id).toBe(true);
    }
    const x = layout.nodes.find((n) => n.id === 'v0') as (typeof layout.nodes)[number];
    expect(inside(x, box('scope:Sequential'))).toBe(false);
  });
});

describe('user text', () => {
  it('is set as text, never parsed as HTML', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const svg = renderGraphSvg(xssSnapshot());
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const { document, texts } = parse(svg);
    expect(document.querySelectorAll('img')).toHaveLength(0);
    expect(texts('.zg-name')).toContain(evil);
    expect(texts('.zg-cluster text')).toEqual([evil]);
  });

  it('rejects things that are not snapshots', () => {
    expect(() => renderGraphSvg([])).toThrow(/non-empty/);
    expect(() => renderGraphSvg({ nodes: [] } as unknown as GraphSnapshot)).toThrow(/GraphSnapshot/);
  });
});

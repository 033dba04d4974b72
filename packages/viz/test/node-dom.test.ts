import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { imageGrid, renderGraphSvg, renderSvg } from '../src/index.js';
import { fixture } from './fixtures.js';

/**
 * In Node, viz draws into domino's DOM (chosen for its install size: docs/decisions/0003-publishing.md).
 * domino validates CSS values against a grammar older than some of them and serialises in its own
 * way, so these tests read its output back with another DOM (linkedom, a dev dependency) and hold
 * what the drawings rely on.
 */
function parse(markup: string) {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${markup}</body></html>`);
  return (sel: string) => Array.from(document.querySelectorAll(sel)) as Element[];
}

describe('rendering in Node', () => {
  it('keeps every image-grid cell pixelated (a CSS value domino’s style validator drops)', () => {
    const svg = renderSvg(
      imageGrid({ images: [Array.from({ length: 4 }, (_, i) => i / 3), [1, 0, 0, 1]], width: 2, height: 2 }),
    );
    const images = parse(svg)('svg.zg-image-grid image');
    expect(images).toHaveLength(2);
    for (const image of images) expect(image.getAttribute('style')).toMatch(/image-rendering:\s*pixelated/);
  });

  it('writes an SVG with its namespace, camel-case attributes and user text escaped', () => {
    const apple = fixture('apple');
    const evil = 'a<b & "c"';
    const svg = renderGraphSvg({
      ...apple,
      nodes: apple.nodes.map((n) => (n.id === 'v0' && n.kind === 'variable' ? { ...n, name: evil } : n)),
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toMatch(/ viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('orient="auto-start-reverse"');
    expect(svg).not.toContain(evil);
    expect(svg).toContain('a&lt;b &amp; "c"');
    const all = parse(svg);
    expect(all('text').some((t) => t.textContent === evil)).toBe(true);
    expect(all('marker#zg-arrow path')).toHaveLength(1);
  });
});

/** The package names `src` imports (bare specifiers on import/export lines, `node:` built-ins aside). */
function importedPackages(): string[] {
  const src = fileURLToPath(new URL('../src', import.meta.url));
  const names = new Set<string>();
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(src, file), 'utf8');
    for (const [, spec] of text.matchAll(/^\s*(?:import|export|\})[^\n]*? from '([^'.][^']*)';/gm)) {
      if (!spec || spec.startsWith('node:')) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
    }
  }
  return [...names].sort();
}

describe("viz's run-time dependencies", () => {
  it('are exactly the packages its sources import: the d3 modules it uses, no d3 umbrella, no linkedom', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const declared = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies ?? {})].sort();
    expect(importedPackages()).toEqual(declared);
    expect(declared).not.toContain('d3');
    expect(declared).not.toContain('linkedom');
    expect(Object.keys(pkg.dependencies)).toContain('domino');
  });
});

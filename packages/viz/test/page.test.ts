import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphSnapshot } from '@zerograd/core';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { graphPage, graphSection, heading, linePlot, pageHtml, paragraph, writeSite } from '../src/index.js';
import { fixture } from './fixtures.js';

function pageData(html: string): { title: string; sections: unknown[] } {
  const { document } = parseHTML(html);
  const script = document.getElementById('zg-page-data');
  return JSON.parse(script?.textContent ?? 'null');
}

describe('pageHtml', () => {
  it('inlines the runtime and the data: one file, no external resources', async () => {
    const html = await pageHtml({ title: 'Apple', sections: [heading('Forward'), graphSection(fixture('apple'))] });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain('zerogradViz');
    const data = pageData(html);
    expect(data.title).toBe('Apple');
    expect(data.sections).toHaveLength(2);
    expect(data.sections[1]).toEqual({ kind: 'graph', steps: [fixture('apple')], options: {}, caption: null });
  });

  it('cannot be broken out of by user text (</script>, <!--, <img>)', async () => {
    const evil = '</title></script><script>alert(1)</script><!-- <img src=x onerror=alert(1)>';
    const apple = fixture('apple');
    const snap: GraphSnapshot = {
      ...apple,
      nodes: apple.nodes.map((n) => (n.kind === 'variable' ? { ...n, name: evil } : n)),
    };
    const html = await pageHtml({
      title: evil,
      description: evil,
      sections: [heading(evil), paragraph(evil), graphSection(snap)],
    });
    // Exactly the two scripts we wrote, and the only `</script` are their own closers.
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html).not.toContain('<img');
    const { document } = parseHTML(html);
    expect(document.querySelector('title')?.textContent).toBe(evil);
    expect(document.querySelector('h1')?.textContent).toBe(evil);
    expect(document.querySelector('h2')?.textContent).toBe(evil);
    const data = pageData(html) as { sections: { kind: string; steps?: GraphSnapshot[] }[] };
    const names = data.sections[2]?.steps?.[0]?.nodes.map((n) => (n.kind === 'variable' ? n.name : null));
    expect(names).toContain(evil);
  });

  it('draws a graph page from one snapshot or a step sequence', async () => {
    const html = await graphPage(fixture<GraphSnapshot[]>('apple-steps'), { title: 'Steps' });
    const data = pageData(html) as { sections: { steps: unknown[] }[] };
    expect(data.sections[0]?.steps).toHaveLength(3);
  });
});

describe('writeSite', () => {
  it('writes every page and an index linking them, and returns the index path', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'zg-site-')), 'out');
    const index = await writeSite(dir, [
      { title: 'Apple example', sections: [graphSection(fixture('apple'))] },
      { title: 'sin & cos', file: 'sin.html', sections: [linePlot({ series: [{ x: [0, 1], y: [0, 1] }] })] },
    ]);
    expect(index).toBe(join(dir, 'index.html'));
    expect(readdirSync(dir).sort()).toEqual(['apple-example.html', 'index.html', 'sin.html']);
    const { document } = parseHTML(readFileSync(index, 'utf8'));
    const links = Array.from(document.querySelectorAll('a')).map((a) => [a.getAttribute('href'), a.textContent]);
    expect(links).toEqual([
      ['apple-example.html', 'Apple example'],
      ['sin.html', 'sin & cos'],
    ]);
    expect(readFileSync(join(dir, 'sin.html'), 'utf8')).toContain('href="index.html"');
    await expect(
      writeSite(dir, [
        { title: 'a', sections: [] },
        { title: 'A', sections: [] },
      ]),
    ).rejects.toThrow(/two pages/);
    expect(existsSync(join(dir, 'a.html'))).toBe(false); // names are checked before anything is written
  });
});

// Unsafe files and unparseable pages (issue 11 #8, #9): writeSite writes only plain file names
// inside its folder and links only those; nav links cannot run script; a NUL, a control
// character, a noncharacter or a lone surrogate in any name leaves the standalone SVG valid XML
// and the HTML page valid, while the page's data keeps the names exactly.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GraphSnapshot, ValueError } from '@zerograd/core';
import { parseHTML } from 'linkedom';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphSection, heading, pageHtml, paragraph, renderGraphSvg, writePage, writeSite } from '../src/index.js';
import { launchChromium, openPage } from '../src/testing/browser.js';
import { fixture } from './fixtures.js';

const page = (file?: string) => ({ title: 'A page', file, sections: [paragraph('hi')] });
const tmp = () => mkdtempSync(join(tmpdir(), 'zg-safety-'));

describe('writeSite takes plain file names only', () => {
  const bad = [
    '../x.html',
    '..\\x.html',
    'sub/x.html',
    '/tmp/x.html',
    'C:x.html',
    'javascript:alert(1)',
    'javascript:alert(1)//.html',
    'data:text/html,x.html',
    '%2e%2e%2fx.html',
    '.hidden.html',
    '-x.html',
    'x.htm',
    'x.html ',
    'x\u0000.html',
    'x y.html',
    'a..html',
    '',
    'index.html/..',
  ];
  it.each(bad)('refuses %j with a ValueError naming it, before writing anything', async (file) => {
    const parent = tmp();
    const dir = join(parent, 'site');
    const err = await writeSite(dir, [page('ok.html'), page(file)]).catch((e) => e);
    expect(err).toBeInstanceOf(ValueError);
    expect(err.message).toContain(`writeSite: page "A page" has file ${JSON.stringify(file)}`);
    expect(existsSync(dir)).toBe(false); // not even the good page, nor the folder
    expect(readdirSync(parent)).toEqual(['site'].filter(() => false));
  });

  it('refuses a file that is not a string', async () => {
    await expect(writeSite(tmp(), [{ ...page(), file: 3 as never }])).rejects.toThrow(ValueError);
  });

  it('accepts the names the demo uses, and links exactly those', async () => {
    const names = [
      'chapter6-hyperparameters.html',
      'chapter6-optimizer-paths.html',
      'chapter6-batch-norm.html',
      'sin.html',
      'A_b.1.html',
    ];
    const dir = tmp();
    const index = await writeSite(
      dir,
      names.map((n) => page(n)),
    );
    expect(readdirSync(dir).sort()).toEqual([...names, 'index.html'].sort());
    const { document } = parseHTML(readFileSync(index, 'utf8'));
    expect(Array.from(document.querySelectorAll('a')).map((a) => a.getAttribute('href'))).toEqual(names);
  });

  it('refuses two pages that would be one file, also on case-blind file systems', async () => {
    await expect(writeSite(tmp(), [page('a.html'), page('A.html')])).rejects.toThrow(/two pages would be written/);
    await expect(writeSite(tmp(), [page('INDEX.html')])).rejects.toThrow(ValueError);
  });

  it('nav links: relative and http(s) only, however the scheme is disguised', async () => {
    for (const href of [
      'javascript:alert(1)',
      ' JaVa\tScRiPt:alert(1)',
      '\u0001javascript:x',
      'data:text/html,<b>',
      'vbscript:x',
    ]) {
      await expect(pageHtml(page(), { nav: [{ href, text: 'x' }] })).rejects.toThrow(ValueError);
    }
    for (const href of ['index.html', '../index.html', '#top', 'https://example.org/a?b=c:d']) {
      const html = await pageHtml(page(), { nav: [{ href, text: 'x' }] });
      expect(parseHTML(html).document.querySelector('nav a')?.getAttribute('href')).toBe(href);
    }
  });
});

// --- #9: characters XML cannot hold -------------------------------------------------------------

/** One name per variable of the apple fixture (it has five). */
const NASTY = ['nul\u0000', 'bs\u0008', 'non\uFFFE c1\u0085', 'high\uD800 low\uDC00', 'ok😀'];

/** The first character XML 1.0's Char production does not allow (plus C1 controls, which HTML refuses). */
function firstBadChar(text: string): string | null {
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    const xmlChar =
      c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
    if (!xmlChar || (c >= 0x7f && c <= 0x9f) || (c & 0xfffe) === 0xfffe) return `U+${c.toString(16).padStart(4, '0')}`;
  }
  return null;
}

function nastySnapshot(): GraphSnapshot {
  const apple = fixture('apple');
  let i = 0;
  return {
    ...apple,
    nodes: apple.nodes.map((n) =>
      n.kind === 'variable'
        ? { ...n, name: NASTY[i++ % NASTY.length], scope: n.id === 'v0' ? ['s\u0000'] : n.scope }
        : n,
    ),
  };
}

/** HTML outside the <script> elements (the data script is checked through its JSON). */
const outsideScripts = (html: string) => html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '<script></script>');

describe('characters XML cannot hold', () => {
  it('the standalone SVG has none of them, and shows controls as Control Pictures', () => {
    const svg = renderGraphSvg(nastySnapshot());
    expect(firstBadChar(svg)).toBeNull();
    const names = Array.from(parseHTML(`<html><body>${svg}</body></html>`).document.querySelectorAll('.zg-name')).map(
      (e) => e.textContent,
    );
    expect(names).toEqual(
      expect.arrayContaining(['nul␀', 'bs␈', 'non\uFFFD c1\uFFFD', 'high\uFFFD low\uFFFD', 'ok😀']),
    );
    expect(svg).toContain('s␀'); // the scope box's label
  });

  it('the HTML page has none of them outside its scripts, and its data keeps the names exactly', async () => {
    const title = 'title\u0000\uDC00';
    const html = await pageHtml({
      title,
      description: 'desc\u0008',
      sections: [heading('head\uFFFF'), paragraph('para\u0001'), graphSection(nastySnapshot())],
    });
    expect(firstBadChar(outsideScripts(html))).toBeNull();
    const { document } = parseHTML(html);
    expect(document.querySelector('title')?.textContent).toBe('title␀\uFFFD');
    expect(document.querySelector('h2')?.textContent).toBe('head\uFFFD');
    const json = document.getElementById('zg-page-data')?.textContent ?? '';
    expect(firstBadChar(json)).toBeNull();
    const data = JSON.parse(json);
    expect(data.title).toBe(title);
    expect(data.sections[2].steps[0]).toEqual(nastySnapshot());
  });

  describe('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('the SVG parses as strict XML and the page draws the names with no console error', async () => {
      const dir = tmp();
      const svgFile = join(dir, 'graph.svg');
      writeFileSync(svgFile, `<?xml version="1.0" encoding="UTF-8"?>\n${renderGraphSvg(nastySnapshot())}`);
      const file = await writePage(join(dir, 'nasty.html'), {
        title: 'nasty\u0000',
        sections: [graphSection(nastySnapshot())],
      });
      const { page: tab, assertClean, close } = await openPage(browser, file);
      const svgText = readFileSync(svgFile, 'utf8');
      const parseError = await tab.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return doc.getElementsByTagName('parsererror')[0]?.textContent ?? null;
      }, svgText);
      expect(parseError).toBeNull();
      await tab.waitForSelector('html[data-zg-ready="true"]');
      const drawn = await tab.locator('.zg-name').allTextContents();
      // In the browser's DOM the names are set as text, exactly (only serialised markup needs care).
      expect(drawn).toEqual(expect.arrayContaining(NASTY));
      assertClean();
      await close();
    }, 60_000);
  });
});

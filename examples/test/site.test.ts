import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSnapshot, serializeSnapshot, traceGraph, ValueError, variable } from '@zerograd/core';
import { launchChromium, openPage, pixelStats } from '@zerograd/viz/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../src/site.js';

/** Types `text` into the editor and waits for the debounced redraw that follows. */
async function typeProgram(page: Page, text: string): Promise<void> {
  const before = await page.evaluate(() => document.documentElement.dataset.pgUpdates);
  await page.getByRole('textbox', { name: 'Expression' }).fill(text);
  await page.waitForFunction((old) => document.documentElement.dataset.pgUpdates !== old, before);
}

/** The full-precision gradient of leaf `name` from the "Gradients" table, found by its column heading. */
async function gradientOf(page: Page, name: string): Promise<string | null> {
  const table = page.locator('table', { has: page.locator('caption', { hasText: /^Gradients$/ }) });
  const headers = await table.locator('thead th').allTextContents();
  const column = headers.indexOf('gradient');
  expect(column).toBeGreaterThan(0);
  const row = table
    .locator('tbody tr')
    .filter({ has: page.locator(':scope > :first-child', { hasText: new RegExp(`^${name}$`) }) });
  return row.locator(':scope > *').nth(column).getAttribute('data-value');
}

describe('the site, built by `pnpm site`, in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zg-site-'));
    // The notes without training (the demo's pages are tested in pages.test.ts); typedoc included.
    const extra = {
      href: 'extra.html',
      title: 'An extra page',
      description: 'stands in for the training page',
      write: (path: string) =>
        writeFile(
          path,
          '<!DOCTYPE html><meta charset="utf-8"><title>extra</title><div style="height:300px;background:#1565c0">extra</div>',
        ),
    };
    await buildSite(dir, { demo: false, api: true, extra: [extra] });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('the landing page links the playground, the notes, the bench results and the API reference, all present', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, 'index.html'));
    const links = await page.locator('ul.cards a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['playground.html', 'extra.html', 'notes/index.html', 'bench/latest.html', 'api/index.html']);
    for (const href of links) expect(existsSync(join(dir, href as string)), href as string).toBe(true);
    assertClean();
    await close();
  });

  it('every page opens from file:// with zero console errors and a screenshot that is not blank', async () => {
    const notes = readdirSync(join(dir, 'notes'))
      .filter((f) => f.endsWith('.html'))
      .map((f) => `notes/${f}`);
    const api = readdirSync(join(dir, 'api/classes'))
      .slice(0, 1)
      .map((f) => `api/classes/${f}`);
    const pages = [
      'index.html',
      'playground.html',
      'extra.html',
      ...notes,
      'bench/latest.html',
      'api/index.html',
      ...api,
    ];
    expect(notes.length).toBeGreaterThanOrEqual(4);
    for (const file of pages) {
      const { page, assertClean, close } = await openPage(browser, join(dir, file));
      await page.waitForTimeout(300); // let scripts that draw after load finish
      const stats = await pixelStats(page, await page.screenshot());
      expect(stats.nonWhite, file).toBeGreaterThan(0.01); // index pages are mostly text
      expect(stats.colours, file).toBeGreaterThan(4);
      assertClean();
      await close();
    }
  }, 120_000);

  it('refuses an extra page whose file name is not a plain, unused one, before writing anything', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'zg-site-bad-'));
    for (const href of ['../x.html', 'javascript:alert(1).html', 'playground.html', 'notes']) {
      const write = async () => {};
      await expect(buildSite(empty, { extra: [{ href, title: 't', description: 'd', write }] })).rejects.toThrow(
        ValueError,
      );
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('playground: a typed program gives the gradient in the table, a bad one an alert with line and column', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, 'playground.html'));
    await typeProgram(page, 'x = 2\nw = 3\ny = w * x ** 2');
    expect(Number(await gradientOf(page, 'x'))).toBe(12); // d(w·x²)/dx = 2wx
    expect(Number(await gradientOf(page, 'w'))).toBe(4);
    expect(await page.locator('table tbody tr').count()).toBe(2);
    expect(await page.getByRole('alert').textContent()).toBe('');
    // The graph is drawn: three variables and their ops, with the gradients known.
    expect(await page.locator('#pg-graph svg .zg-node').count()).toBeGreaterThanOrEqual(6);

    await typeProgram(page, 'x = 1\ny = (x +\nz = 2');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('line 2, column 9: expected a number, a name, "(", "[" or "-", found the end of the line');
    await typeProgram(page, 'x = [1, 2]\ny = x @ [1, 2, 3]');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^line 2, column 1: .*MatMul/);

    await typeProgram(page, 'x = [1, 2, 3]\ny = x * x');
    await expect.poll(() => page.locator('#pg-output').textContent()).toContain('summed to a scalar: sum(y) = 14');
    expect(await gradientOf(page, 'x')).toBe('[2,4,6]');
    assertClean();
    await close();
  });

  it('playground: the second-order switch draws the gradient’s graph and shows d²y/dx²', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, 'playground.html'));
    await typeProgram(page, 'x = 0.5\ny = x ** 3');
    const nodesBefore = await page.locator('#pg-graph svg .zg-node').count();
    await page.getByLabel('second order').check();
    await expect.poll(() => page.locator('#pg-graph-note').textContent()).toContain('createGraph');
    const second = await page.locator('table tbody tr').first().locator('td').last().getAttribute('data-value');
    expect(Number(second)).toBeCloseTo(6 * 0.5, 12); // d²(x³)/dx² = 6x
    expect(await page.locator('#pg-graph svg .zg-node').count()).toBeGreaterThan(nodesBefore);
    assertClean();
    await close();
  });

  it('playground: the program lives in the URL hash as data — a link restores it and never runs it', async () => {
    const program = 'a = 1.5\nb = exp(a) # <img src=x onerror=alert(1)>';
    const playground = pathToFileURL(join(dir, 'playground.html')).href;
    const landing = pathToFileURL(join(dir, 'index.html')).href;
    // Opened from another page, so each link is a fresh load of the playground, not a hash change.
    const { page, assertClean, close } = await openPage(browser, join(dir, 'index.html'));
    await page.goto(`${playground}#program=${encodeURIComponent(program)}`);
    await page.waitForSelector('html[data-pg-ready]');
    expect(await page.getByRole('textbox', { name: 'Expression' }).inputValue()).toBe(program);
    expect(Number(await gradientOf(page, 'a'))).toBeCloseTo(Math.exp(1.5), 12);
    await page.goto(landing);
    await page.goto(`${playground}#program=${encodeURIComponent('x = 1\ny = alert(1)')}`);
    await page.waitForSelector('html[data-pg-ready]');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('unknown function "alert"');
    await typeProgram(page, 'q = 4\nr = sqrt(q)');
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe('#program=q = 4\nr = sqrt(q)');
    assertClean(); // no dialog opened
    await close();
  });

  it('playground: exports the snapshot JSON, imports a valid one and refuses a corrupt one', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, 'playground.html'));
    await typeProgram(page, 'x = 3\ny = x * x');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export snapshot' }).click(),
    ]);
    const exported = parseSnapshot(readFileSync((await download.path()) as string, 'utf8'));
    const xNode = exported.nodes.find((n) => n.kind === 'variable' && n.name === 'x');
    expect(xNode && 'grad' in xNode ? xNode.grad : null).toEqual({ kind: 'full', data: [6] });

    const a = variable(2, { name: 'imported_a' });
    const y = a.exp().mul(a);
    y.backward();
    const good = join(dir, 'good.json');
    writeFileSync(good, serializeSnapshot(traceGraph(y)));
    await page.getByLabel('Import snapshot').setInputFiles(good);
    await expect.poll(() => page.locator('#pg-graph-note').textContent()).toContain('Imported good.json');
    expect(await page.locator('#pg-graph svg').textContent()).toContain('imported_a');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version": 1, "nodes": "nope"}');
    await page.getByLabel('Import snapshot').setInputFiles(bad);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('parseSnapshot');
    assertClean();
    await close();
  });
});

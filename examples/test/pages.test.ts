import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, openPage, pixelStats } from '@zerograd/viz/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePages } from '../src/pages/site.js';

describe('the demo pages in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zg-pages-'));
    await writePages(dir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('writes an index linking every page', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.html'));
    expect(files).toContain('index.html');
    const { page, assertClean, close } = await openPage(browser, join(dir, 'index.html'));
    const links = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links.sort()).toEqual(files.filter((f) => f !== 'index.html').sort());
    assertClean();
    await close();
  });

  it('every page loads from file:// with no console error, draws its SVGs and is not blank', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.html') && f !== 'index.html');
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const { page, assertClean, close } = await openPage(browser, join(dir, f));
      const svgs = await page.locator('svg').count();
      expect(svgs, f).toBeGreaterThan(0);
      const png = await page.screenshot();
      const stats = await pixelStats(page, png);
      expect(stats.nonWhite, f).toBeGreaterThan(0.02);
      assertClean();
      await close();
    }
  });

  it('the notes page draws every plot of the notes, the backprop page steps through the apple graph', async () => {
    const notes = await openPage(browser, join(dir, 'the-notes-section-by-section.html'));
    // sin&cos, perceptron, activations, 4-layer, softmax, MSE, CE, tangent, quiver, descent, training loss.
    expect(await notes.page.locator('svg.zg-plot').count()).toBe(11);
    await notes.close();
    const bp = await openPage(browser, join(dir, 'backpropagation-as-the-book-draws-it.html'));
    const label = bp.page.locator('text=step 0 / 2').first();
    await expect(label.count()).resolves.toBe(1);
    await bp.page.locator('button:has-text("forward")').first().click();
    await expect(bp.page.locator('text=step 1 / 2').count()).resolves.toBe(1);
    bp.assertClean();
    await bp.close();
  });
});

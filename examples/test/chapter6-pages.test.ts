import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '@zerograd/layers';
import { launchChromium, openPage, pixelStats } from '@zerograd/viz/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chapter6Sizes, runChapter6 } from '../src/chapter6/index.js';
import { writePages } from '../src/pages/site.js';

// The pages are drawn from tiny runs: what is tested here is the drawing, not the numbers
// (the effects are held by the other chapter6-*.test.ts files, on the demo's quick sizes).
const TINY: Chapter6Sizes = {
  optimizers: { iterations: 4, batchSize: 32 },
  weightInit: { inputs: 200, units: 100, layers: 5, iterations: 4, batchSize: 32 },
  batchNorm: { digits: 200, epochs: 2, scales: [1, 0.01] },
  overfitting: { digits: 300, epochs: 2, dropoutEpochs: 2, evalEveryEpochs: 1, testDigits: 200 },
  search: { digits: 100, validationRate: 0.2, epochs: 2, trials: 3 },
};

const FILES = [
  'chapter6-optimizer-paths.html',
  'chapter6-optimizers-mnist.html',
  'chapter6-initial-weights.html',
  'chapter6-batch-norm.html',
  'chapter6-overfitting.html',
  'chapter6-hyperparameters.html',
];

describe('the chapter-6 pages in Chromium', () => {
  let browser: Browser;
  let dir: string;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zg-ch6-'));
    const run = runChapter6(TINY, { data: loadMnist({ seed: 0 }), log: (l) => lines.push(l) });
    await writePages(dir, run.pages);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('are linked from the demo’s index, and the run says how long each section took', async () => {
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('chapter6-'))
        .sort(),
    ).toEqual([...FILES].sort());
    const { page, assertClean, close } = await openPage(browser, join(dir, 'index.html'));
    const links = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const f of FILES) expect(links).toContain(f);
    assertClean();
    await close();
    expect(lines.at(-1)).toMatch(/^chapter 6 \(custom sizes\) ran in [\d.]+ s: optimizer paths [\d.]+ s/);
  });

  it('load with no console error, draw every section and are not blank', async () => {
    for (const f of FILES) {
      const { page, assertClean, close } = await openPage(browser, join(dir, f));
      await page.waitForSelector('html[data-zg-ready="true"]');
      expect(await page.locator('.zg-error').count(), f).toBe(0);
      expect(await page.locator('svg.zg-plot').count(), f).toBeGreaterThan(0);
      const stats = await pixelStats(page, await page.screenshot());
      expect(stats.nonWhite, f).toBeGreaterThan(0.03);
      assertClean();
      await close();
    }
  });

  it('draw the optimizer paths over contour lines and the activation histograms', async () => {
    const paths = await openPage(browser, join(dir, 'chapter6-optimizer-paths.html'));
    await paths.page.waitForSelector('html[data-zg-ready="true"]');
    const plots = paths.page.locator('svg.zg-contour-plot');
    expect(await plots.count()).toBe(4);
    // Eight levels per plot, each a drawn line; 31 points per path (start + 30 steps).
    expect(await plots.first().locator('path.zg-contour').count()).toBe(8);
    const d = await plots.first().locator('path.zg-contour').first().getAttribute('d');
    expect((d ?? '').length).toBeGreaterThan(100);
    expect(await plots.first().locator('.zg-series circle').count()).toBe(31);
    const contourInk = await pixelStats(paths.page, await plots.first().screenshot());
    expect(contourInk.colours).toBeGreaterThan(10);
    paths.assertClean();
    await paths.close();

    const init = await openPage(browser, join(dir, 'chapter6-initial-weights.html'));
    await init.page.waitForSelector('html[data-zg-ready="true"]');
    // Five settings × five layers, 30 bins each; std 0.01 puts its sigmoid mass (layer 2 here) in
    // the two bins either side of 0.5.
    expect(await init.page.locator('svg.zg-histogram').count()).toBe(25);
    expect(await init.page.locator('svg.zg-histogram rect.zg-bar').count()).toBe(25 * 30);
    const middle = await init.page
      .locator('svg.zg-histogram')
      .nth(6)
      .locator('rect.zg-bar')
      .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-count'))));
    expect((middle[14] ?? 0) + (middle[15] ?? 0)).toBeGreaterThan(0.9 * 200 * 100);
    init.assertClean();
    await init.close();
  });
});

import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, pixelStats } from '../src/testing/browser.js';
import { writeTestSite } from './test-page.js';

// One browser and one generated site for the whole file: the machine is small and shared.
let browser: Browser;
let dir: string;

beforeAll(async () => {
  [browser, dir] = await Promise.all([launchChromium(), writeTestSite()]);
});

afterAll(async () => {
  await browser?.close();
});

const APPLE = 'backprop-the-apple-example.html';

describe('generated pages in Chromium', () => {
  it('load from file:// with no console errors and draw every section', async () => {
    for (const file of ['index.html', APPLE, 'plots.html']) {
      const opened = await openPage(browser, join(dir, file));
      if (file !== 'index.html') {
        await opened.page.waitForSelector('html[data-zg-ready="true"]');
        expect(await opened.page.locator('.zg-error').count()).toBe(0);
      }
      opened.assertClean();
      await opened.close();
    }
  });

  it('draws the graphs with their nodes, edges and clusters', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, APPLE));
    const graphs = page.locator('svg.zg-graph');
    expect(await graphs.count()).toBe(4);
    const count = (i: number, sel: string) => graphs.nth(i).locator(sel).count();
    expect([await count(0, '.zg-node'), await count(0, '.zg-edge'), await count(0, '.zg-cluster')]).toEqual([7, 6, 0]);
    expect([await count(3, '.zg-node'), await count(3, '.zg-edge'), await count(3, '.zg-cluster')]).toEqual([
      11, 10, 3,
    ]);
    assertClean();
    await close();
  });

  it('shows full numbers on hover, and a heatmap for a large tensor', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, APPLE));
    const apple = page.locator('.zg-graph-view').first();
    await apple.locator('.zg-node[data-id="v0"]').hover();
    const panel = apple.locator('.zg-panel');
    await expect.poll(() => panel.locator('.zg-panel-title').textContent()).toBe('apple (v0)');
    expect(await panel.locator('.zg-tensor-value td').allTextContents()).toEqual(['100']);
    // At the seed step apple's gradient is not known yet; at the end it is 2.2.
    expect(await panel.locator('.zg-tensor-grad').textContent()).toContain('not known yet');
    await apple.locator('.zg-forward').click();
    await apple.locator('.zg-forward').click();
    await apple.locator('.zg-node[data-id="v0"]').hover();
    expect(await panel.locator('.zg-tensor-grad td').allTextContents()).toEqual(['2.2']);

    const affine = page.locator('.zg-graph-view').nth(3);
    await affine.locator('.zg-graph-view .zg-node[data-id="v1"], .zg-node[data-id="v1"]').first().hover();
    const affinePanel = affine.locator('.zg-panel');
    expect(await affinePanel.locator('.zg-panel-title').textContent()).toBe('affine1.W (v1)');
    expect(await affinePanel.locator('.zg-tensor-value .zg-heatmap rect').count()).toBe(90);
    assertClean();
    await close();
  });

  it('moves the highlight with the stepper buttons and keys', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, APPLE));
    const view = page.locator('.zg-graph-view').first();
    const current = () =>
      view.locator('.zg-node.zg-current').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const flow = () => view.locator('.zg-flow').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    const grads = () => view.locator('.zg-edge-label .zg-grad').allTextContents();
    expect(await view.locator('.zg-step-status').textContent()).toBe('step 0 / 2');
    expect(await current()).toEqual(['v4']);
    expect(await grads()).toEqual(['', '', '', '', '1']);
    expect(await view.locator('.zg-back').isDisabled()).toBe(true);

    await view.locator('.zg-forward').click();
    expect(await current()).toEqual(['v2', 'v3', 'f1']);
    expect(await flow()).toEqual(['e3', 'e4']);
    expect(await grads()).toEqual(['', '', '1.1', '200', '1']);
    expect(await view.locator('.zg-step-text').textContent()).toBe('Mul f1 backward → apple_price, tax');

    await view.focus();
    await page.keyboard.press('ArrowRight');
    expect(await current()).toEqual(['v0', 'v1', 'f0']);
    expect(await grads()).toEqual(['2.2', '110', '1.1', '200', '1']);
    expect(await view.locator('.zg-forward').isDisabled()).toBe(true);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await current()).toEqual(['v4']);

    // Play runs to the end on its own.
    await page.evaluate(() => {
      const w = window as unknown as {
        zerogradViz: { mounted: { kind: string; view?: { play(ms: number): void } }[] };
      };
      w.zerogradViz.mounted.find((m) => m?.kind === 'graph')?.view?.play(30);
    });
    await expect.poll(current).toEqual(['v0', 'v1', 'f0']);
    assertClean();
    await close();
  });

  it('updates the live dashboard when numbers are pushed', async () => {
    const { page, assertClean, close } = await openPage(browser, join(dir, 'plots.html'));
    expect(await page.locator('svg.zg-line-plot').count()).toBe(4);
    expect(await page.locator('.zg-quiver-plot .zg-arrow').count()).toBe(289);
    expect(await page.locator('.zg-image-grid .zg-image').count()).toBe(20);
    expect(await page.locator('.zg-image-grid .zg-wrong').count()).toBe(2);
    await page.evaluate(() => {
      const w = window as unknown as {
        zerogradViz: { mounted: { kind: string; dashboard?: { push(u: object): void } }[] };
      };
      const dash = w.zerogradViz.mounted.find((m) => m?.kind === 'dashboard')?.dashboard;
      dash?.push({ loss: [0.09, 0.05], trainAccuracy: 0.95, testAccuracy: 0.93 });
    });
    await expect
      .poll(() => page.locator('.zg-dashboard .zg-title').allTextContents())
      .toEqual(['loss (last 0.05000)', 'accuracy (test 93.00 %)']);
    assertClean();
    await close();
  });

  it('shows a hostile variable name as text and runs nothing', async () => {
    const opened = await openPage(browser, join(dir, 'xss-img-src-x-onerror-alert-1.html'));
    const { page } = opened;
    await page.waitForSelector('html[data-zg-ready="true"]');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.title()).toBe('XSS <img src=x onerror=alert(1)>');
    expect(await page.locator('h2').textContent()).toBe('<script>alert(2)</script>');
    expect(await page.locator('.zg-node .zg-name').allTextContents()).toContain('<img src=x onerror=alert(1)>');
    await page.locator('.zg-node[data-id="v0"]').hover();
    expect(await page.locator('.zg-panel-title').textContent()).toBe('<img src=x onerror=alert(1)> (v0)');
    await page.waitForTimeout(100);
    opened.assertClean(); // no dialog, no error
    await opened.close();
  });

  it('renders pages that are not blank', async () => {
    for (const file of [APPLE, 'plots.html']) {
      const { page, assertClean, close } = await openPage(browser, join(dir, file));
      await page.waitForSelector('html[data-zg-ready="true"]');
      const stats = await pixelStats(page, await page.screenshot());
      expect(stats.width).toBe(1200);
      expect(stats.nonWhite, file).toBeGreaterThan(0.03);
      expect(stats.colours, file).toBeGreaterThan(40);
      // The graph itself, clipped to its box, has ink in the role colours.
      const graph = await pixelStats(page, await page.locator('svg').first().screenshot());
      expect(graph.nonWhite).toBeGreaterThan(0.05);
      assertClean();
      await close();
    }
  });
});

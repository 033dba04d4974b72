/**
 * Regenerates the README's screenshots of the site: `docs/playground.png` (the playground with
 * its default program, backprop replayed to the end) and `docs/playground-second-order.png` (the
 * graph `createGraph` records for the gradient of x·tanh(x)). Needs Chromium (see
 * `@zerograd/viz/testing`). Run from the repository root:
 *
 *   node --conditions=source --import tsx examples/src/playground/screenshots.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage } from '@zerograd/viz/testing';
import { writePlayground } from './build.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'zg-playground-'));
const file = await writePlayground(join(dir, 'playground.html'));
const browser = await launchChromium();
try {
  const { page, assertClean } = await openPage(browser, file, { width: 1280, height: 820 });
  await page.waitForSelector('html[data-pg-ready]');
  await page.screenshot({ path: join(DOCS, 'playground.png') });
  const before = await page.evaluate(() => document.documentElement.dataset.pgUpdates);
  await page
    .getByRole('textbox', { name: 'Expression' })
    .fill('# d/dx and d²/dx² of x·tanh(x)\nx = 2\ny = x * tanh(x)');
  await page.waitForFunction((old) => document.documentElement.dataset.pgUpdates !== old, before);
  await page.getByLabel('second order').check();
  await page.waitForFunction(() => document.querySelector('#pg-graph-note')?.textContent?.includes('createGraph'));
  await page.screenshot({ path: join(DOCS, 'playground-second-order.png') });
  assertClean();
  console.log(`wrote ${join(DOCS, 'playground.png')} and playground-second-order.png`);
} finally {
  await browser.close();
}

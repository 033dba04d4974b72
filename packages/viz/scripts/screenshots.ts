/**
 * Regenerates the screenshots in docs/ from the test site, in headless Chromium:
 * `npx tsx --conditions=source packages/viz/scripts/screenshots.ts` (from the repository root).
 */
import { join } from 'node:path';
import { launchChromium, openPage } from '../src/testing/browser.js';
import { writeTestSite } from '../test/test-page.js';

const docs = join(import.meta.dirname ?? '.', '../../../docs');
const dir = await writeTestSite();
const browser = await launchChromium();
try {
  const apple = await openPage(browser, join(dir, 'backprop-the-apple-example.html'), { width: 1100, height: 800 });
  const view = apple.page.locator('.zg-graph-view').first();
  await view.locator('.zg-forward').click();
  await view.locator('.zg-node[data-id="v3"]').hover();
  await view.screenshot({ path: join(docs, 'graph-apple.png') });
  const affine = apple.page.locator('.zg-graph-view').nth(3);
  await affine.locator('.zg-node[data-id="v1"]').hover();
  await affine.screenshot({ path: join(docs, 'graph-affine.png') });
  apple.assertClean();
  const plots = await openPage(browser, join(dir, 'plots.html'), { width: 1200, height: 900 });
  await plots.page
    .locator('.zg-row')
    .first()
    .screenshot({ path: join(docs, 'plots.png') });
  plots.assertClean();
} finally {
  await browser.close();
}
process.stdout.write(`screenshots written to ${docs}\n`);

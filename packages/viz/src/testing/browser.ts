/**
 * Page-test helpers for real headless Chromium (Debian's `chromium` driven by playwright-core).
 * Reusable by any package: `const browser = await launchChromium();
 * const { page } = await openPage(browser, '/abs/path/page.html');` fails on any console error.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where CI installs Chromium (`apt-get install chromium`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launches headless Chromium; throws (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install it with \`apt-get update && apt-get install -y chromium\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** An opened page and the problems it reported (console errors, uncaught errors, dialogs). */
export interface OpenedPage {
  page: Page;
  /** Everything that went wrong so far; `assertClean()` throws if it is not empty. */
  errors: string[];
  /** Throws with every collected error, if any. */
  assertClean(): void;
  close(): Promise<void>;
}

/**
 * Opens an HTML file (absolute path) from `file://` in a new page and waits for `load`. Fails (throws)
 * on any console error, page error or dialog (an `alert` is how injected script shows up) seen
 * while loading; call `assertClean()` again after interacting.
 */
export async function openPage(
  browser: Browser,
  htmlPath: string,
  opts: { width?: number; height?: number } = {},
): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 900 } });
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('dialog', (dialog) => {
    errors.push(`dialog (${dialog.type()}): ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  const opened: OpenedPage = {
    page,
    errors,
    assertClean() {
      if (errors.length > 0) throw new Error(`page ${htmlPath} reported:\n${errors.join('\n')}`);
    },
    close: () => page.close(),
  };
  opened.assertClean();
  return opened;
}

/** Pixel statistics of a PNG screenshot, decoded on a canvas in the browser. */
export interface PixelStats {
  width: number;
  height: number;
  /** Fraction of pixels that are not (near) white. */
  nonWhite: number;
  /** Number of distinct colours (quantised to 4 bits per channel). */
  colours: number;
}

/** Decodes a PNG with the page's canvas and counts non-white pixels and distinct colours. */
export async function pixelStats(page: Page, png: Buffer): Promise<PixelStats> {
  const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let nonWhite = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i] ?? 0;
      const g = data[i + 1] ?? 0;
      const b = data[i + 2] ?? 0;
      if (r < 245 || g < 245 || b < 245) nonWhite++;
      colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
    }
    const pixels = data.length / 4;
    return { width: canvas.width, height: canvas.height, nonWhite: nonWhite / pixels, colours: colours.size };
  }, dataUrl);
}

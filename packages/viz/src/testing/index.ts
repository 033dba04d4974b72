/**
 * `@zerograd/viz/testing` — helpers to test pages in real headless Chromium (Debian's
 * `/usr/bin/chromium`, driven by `playwright-core`, an optional peer dependency).
 */
export * from './browser.js';

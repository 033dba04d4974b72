import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The backend in a real browser (Debian's Chromium): core bundled for the web as a consumer
// would bundle it, served from an intercepted origin with cross-origin isolation (COOP/COEP)
// so SharedArrayBuffer exists. Checks that the embedded binaries load without a file read,
// that relaxed SIMD is found where the engine has it, that the asynchronous compile path
// (browsers refuse large synchronous compiles on the main thread) switches the backend on,
// that every backend agrees with the TS kernels there, and that a Web Worker takes half of
// a large product.

const CHROMIUM = '/usr/bin/chromium';
// localhost counts as a trustworthy origin, so COOP/COEP apply; every request is answered by
// the route below, nothing listens there.
const ORIGIN = 'http://localhost:9';

const ENTRY = `
import { backendInfo, backendReady, getBackend, setBackend, Tensor } from '../src/index.ts';
import { kernels } from '../src/internals.ts';

function rand(n, seed, Arr) {
  const d = new Arr(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 2147483648 - 1; }
  return d;
}
function maxDiff(x, y) {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

window.result = (async () => {
  const first = getBackend();
  const ready = await backendReady();
  const out = { first, ready, isolated: globalThis.crossOriginIsolated === true, diffs: {} };
  for (const Arr of [Float32Array, Float64Array]) {
    const a = new Tensor(rand(67 * 45, 1, Arr), [67, 45]);
    const b = new Tensor(rand(45 * 33, 2, Arr), [45, 33]);
    const bias = new Tensor(rand(33, 3, Arr), [33]);
    const run = () => {
      const y = kernels.matmulTensor(a, b, false, false);
      const z = kernels.unary('relu', kernels.binary('add', y, bias));
      return [y.data, z.data, kernels.reduceTensor('sum', z, 0).data];
    };
    setBackend('ts');
    const want = run();
    for (const name of ready.available) {
      setBackend(name);
      const got = run();
      out.diffs[Arr.name + ' ' + name] = got.map((g, i) => maxDiff(g, want[i]));
    }
  }
  // Two threads: the first large product starts the worker, later ones share with it.
  setBackend('auto', { threads: 2 });
  const n = 256;
  const A = new Tensor(rand(n * n, 4, Float32Array), [n, n]);
  const B = new Tensor(rand(n * n, 5, Float32Array), [n, n]);
  const single = (setBackend('auto', { threads: 1 }), kernels.matmulTensor(A, B).data);
  setBackend('auto', { threads: 2 });
  kernels.matmulTensor(A, B);
  for (let i = 0; i < 200 && backendInfo().workers === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const split = kernels.matmulTensor(A, B).data;
  out.threads = { info: backendInfo(), diff: maxDiff(split, single) };
  return out;
})().catch((e) => ({ error: String(e && e.stack || e) }));
`;

describe.runIf(existsSync(CHROMIUM))('WebAssembly backend in Chromium', () => {
  let browser: Browser;
  let bundle: string;

  beforeAll(async () => {
    const built = await build({
      stdin: { contents: ENTRY, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      conditions: ['source'],
      write: false,
      logLevel: 'silent',
    });
    bundle = built.outputFiles[0].text;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
  });
  afterAll(async () => {
    await browser?.close();
  });

  // Chromium 156 compiles our ~8 KiB modules synchronously on the main thread; older engines
  // refuse above 4 KiB, which the second run imitates to exercise `backendReady()`'s async path.
  it.each([
    ['as it is', false],
    ['refusing synchronous compiles over 4 KiB', true],
  ])(
    '%s: loads from the bundle, picks relaxed SIMD, agrees with TS, splits large products with a worker',
    async (_, limit) => {
      expect(bundle).not.toMatch(/node:fs|readFileSync/);
      const page = await browser.newPage();
      if (limit)
        await page.addInitScript(() => {
          const Sync = WebAssembly.Module;
          const Limited = ((bytes: BufferSource) => {
            if (bytes.byteLength > 4096)
              throw new RangeError('WebAssembly.Module(): buffer over 4 KiB on the main thread');
            return new Sync(bytes);
          }) as unknown as typeof WebAssembly.Module;
          Limited.prototype = Sync.prototype;
          WebAssembly.Module = Limited;
        });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      const isolation = {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      };
      await page.route(`${ORIGIN}/**`, (route) => {
        const url = route.request().url();
        if (url.endsWith('/core.js'))
          return route.fulfill({ body: bundle, contentType: 'text/javascript', headers: isolation });
        return route.fulfill({
          body: '<!doctype html><meta charset="utf-8"><script src="/core.js"></script>',
          contentType: 'text/html',
          headers: isolation,
        });
      });
      await page.goto(`${ORIGIN}/`);
      const result = await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result);
      await page.close();
      expect(errors).toEqual([]);
      const r = result as {
        error?: string;
        first: string;
        ready: { name: string; available: string[] };
        isolated: boolean;
        diffs: Record<string, number[]>;
        threads: {
          info: { threads: number; variant: string; workers: number; parallelProducts: number };
          diff: number;
        };
      };
      expect(r.error).toBeUndefined();
      expect(r.first).toBe(limit ? 'ts' : 'wasm-relaxed'); // TS serves until the async compile is done
      expect(r.isolated).toBe(true);
      expect(r.ready.available).toEqual(['wasm-relaxed', 'wasm-simd', 'ts']);
      expect(r.ready.name).toBe('wasm-relaxed');
      for (const [key, diffs] of Object.entries(r.diffs)) {
        const tol = key.startsWith('Float32') ? 1e-4 : 1e-12;
        for (const d of diffs) expect(d, key).toBeLessThanOrEqual(tol);
      }
      expect(r.threads.info).toMatchObject({ threads: 2, variant: 'relaxed-shared', workers: 1 });
      expect(r.threads.info.parallelProducts).toBeGreaterThanOrEqual(1);
      expect(r.threads.diff).toBeLessThanOrEqual(1e-3);
    },
  );
});

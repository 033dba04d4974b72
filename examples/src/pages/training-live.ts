/**
 * `training.html`: the chapter-5 net (or a stronger one) trained live in the browser, in a Web
 * Worker, on real MNIST digits shipped inside the page. One file that opens from disk.
 *
 * What goes into the page, after viz's runtime (which brings the live dashboard):
 * - the digits, packed as 1 label byte + 784 pixel bytes each, gzipped (the browser's
 *   `DecompressionStream` unpacks them) and base64-encoded in a `<script type="application/octet-stream">`;
 * - the page's script (`training-live/client.ts`), with the worker's script (`training-live/worker.ts`,
 *   bundled with core and layers) inside it as a string that becomes a blob URL, so no second file
 *   is fetched — which is what `file://` forbids.
 *
 * Run: `node --conditions=source --import tsx src/pages/training-live.ts [outDir]` from examples/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadMnist, type MnistData } from '@zerograd/layers';
import { heading, pageHtml, paragraph } from '@zerograd/viz';

/** How many digits the page ships (of the `mnist` package's seeded 8,000/2,000 split). */
export interface TrainingLiveOptions {
  /** Training digits (default 6,000). */
  trainCount?: number;
  /** Test digits, scored after every epoch (default 1,000). */
  testCount?: number;
  /** Test digits shown with their predictions (default 40). */
  gridSize?: number;
  /** Epochs preset in the page (default 10). */
  epochs?: number;
}

/** The page and what it is made of, in bytes. */
export interface TrainingLivePage {
  html: string;
  sizes: { page: number; digits: number; digitsRaw: number; worker: number; client: number };
}

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * esbuild is a dev dependency of @zerograd/viz (which bundles its runtime with it); the examples
 * borrow it from there rather than pin a second copy.
 */
async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  const require = createRequire(join(here, '../../../packages/viz/package.json'));
  const esbuild = (await import(require.resolve('esbuild'))) as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    conditions: ['source'],
    define,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('training page: esbuild produced no output');
  return file.text;
}

/** Label byte + 784 pixel bytes per digit, rows `[from, from + count)` of `set`. */
function pack(set: MnistData['train'], count: number, out: Uint8Array, offset: number): void {
  const x = set.x.data;
  const t = set.t.data;
  for (let i = 0; i < count; i++) {
    const base = (offset + i) * 785;
    out[base] = Number(t[i]);
    for (let p = 0; p < 784; p++) out[base + 1 + p] = Math.round(Number(x[i * 784 + p]) * 255);
  }
}

/** A script's text made safe inside `<script>`: no `</script` or `<!--` can end or bend it. */
function scriptText(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Builds the training page's HTML. */
export async function trainingLivePage(
  data: MnistData = loadMnist({ seed: 0 }),
  opts: TrainingLiveOptions = {},
): Promise<TrainingLivePage> {
  const trainCount = Math.min(opts.trainCount ?? 6000, data.train.x.shape[0] ?? 0);
  const testCount = Math.min(opts.testCount ?? 1000, data.test.x.shape[0] ?? 0);
  const gridSize = Math.min(opts.gridSize ?? 40, testCount);
  const raw = new Uint8Array((trainCount + testCount) * 785);
  pack(data.train, trainCount, raw, 0);
  pack(data.test, testCount, raw, trainCount);
  const digits = gzipSync(raw, { level: 9 }).toString('base64');
  const worker = await bundle(join(here, 'training-live/worker.ts'));
  const client = await bundle(join(here, 'training-live/client.ts'), { __WORKER_SOURCE__: JSON.stringify(worker) });
  const base = await pageHtml({
    title: 'Training live',
    description: 'the chapter-5 net trained in your browser, in a Web Worker, on real MNIST digits',
    file: 'training.html',
    sections: [
      heading('Train a network in this page', 2),
      paragraph(
        `The page carries ${trainCount.toLocaleString('en')} training and ${testCount.toLocaleString('en')} test digits of MNIST. ` +
          'Train runs @zerograd/layers’ trainAsync in a Web Worker, so this page stays responsive: the loss of every ' +
          'step and the test accuracy of every epoch are drawn as they come. Pause stops after the step under way; ' +
          'Reset forgets the weights. Draw a digit below to ask the current net what it sees.',
      ),
    ],
  });
  const info = JSON.stringify({ trainCount, testCount, gridSize, epochs: opts.epochs ?? 10 });
  const scripts =
    `<script id="zg-digits-info" type="application/json">${info}</script>\n` +
    `<script id="zg-digits" type="application/octet-stream">${digits}</script>\n` +
    `<script>${scriptText(client)}</script>\n`;
  const at = base.lastIndexOf('</body>');
  if (at < 0) throw new Error('training page: the base page has no </body>');
  const html = base.slice(0, at) + scripts + base.slice(at);
  return {
    html,
    sizes: {
      page: Buffer.byteLength(html),
      digits: digits.length,
      digitsRaw: raw.length,
      worker: worker.length,
      client: client.length - JSON.stringify(worker).length,
    },
  };
}

/** Writes `training.html` into `dir` and returns its path and sizes. */
export async function writeTrainingLive(
  dir: string,
  data?: MnistData,
  opts?: TrainingLiveOptions,
): Promise<{ path: string; sizes: TrainingLivePage['sizes'] }> {
  const { html, sizes } = await trainingLivePage(data, opts);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'training.html');
  writeFileSync(path, html);
  return { path, sizes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { path, sizes } = await writeTrainingLive(process.argv[2] ?? 'out/pages');
  const kB = (n: number) => `${(n / 1024).toFixed(0)} kB`;
  console.log(
    `${path}: ${kB(sizes.page)} (digits ${kB(sizes.digits)} base64 of ${kB(sizes.digitsRaw)} packed, worker ${kB(sizes.worker)}, page script ${kB(sizes.client)})`,
  );
}

/**
 * Builds the browser runtime of @zerograd/viz's pages — `src/browser/runtime.ts` with d3, dagre
 * and the drawing code — into one minified script, `dist/browser/runtime.bundle.js`.
 *
 * Why at build time: a page inlines this script, and bundling it when the first page is written
 * would make esbuild (an 11 MB native binary with an install script) a run-time dependency of
 * every user. So `pnpm build` runs this file once, the tarball ships the result, and esbuild
 * stays a dev dependency. Inside the monorepo (tests and the demo run from `src/` through the
 * `source` condition) `src/node/bundle.ts` imports `bundleRuntime` from here and bundles on
 * demand, so the pages tested are always made from the current sources.
 *
 * Usage: `node scripts/build-runtime.mjs` (from packages/viz; `pnpm build` runs it after tsc).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../src/browser/runtime.ts', import.meta.url));
/** Where the built runtime goes; `src/node/bundle.ts` reads it from the compiled `dist/node/`. */
export const RUNTIME_OUTPUT = fileURLToPath(new URL('../dist/browser/runtime.bundle.js', import.meta.url));

/** Bundles the runtime and returns its text (an IIFE that defines `window.zerogradViz`). */
export async function bundleRuntime() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'eof', // d3's and dagre's licence notices stay in the file
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('zerograd viz: esbuild produced no output');
  return file.text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const code = await bundleRuntime();
  await mkdir(dirname(RUNTIME_OUTPUT), { recursive: true });
  await writeFile(RUNTIME_OUTPUT, code, 'utf8');
  const ms = Math.round(performance.now() - started);
  console.log(
    `@zerograd/viz: browser runtime → dist/browser/runtime.bundle.js (${(code.length / 1024).toFixed(0)} kB, ${ms} ms)`,
  );
}

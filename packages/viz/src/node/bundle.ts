import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | null = null;

/**
 * The browser runtime (d3, dagre and the drawing code) as one minified script, read once and cached.
 *
 * Published builds ship it prebuilt, `dist/browser/runtime.bundle.js`, made by
 * `scripts/build-runtime.mjs` at build time, so users need no bundler at run time. When this file
 * runs as TypeScript from `src/` (tests and the demo in the monorepo), the runtime is bundled on
 * demand by that same script instead, so pages are always made from the current sources.
 */
export function runtimeBundle(): Promise<string> {
  cached ??= load().catch((err) => {
    cached = null;
    throw err;
  });
  return cached;
}

async function load(): Promise<string> {
  if (import.meta.url.endsWith('.ts')) {
    // The specifier is built at run time so that tsc and bundlers leave this dev-only path alone.
    const script = new URL('../../scripts/build-runtime.mjs', import.meta.url).href;
    const { bundleRuntime } = (await import(script)) as { bundleRuntime: () => Promise<string> };
    return bundleRuntime();
  }
  const file = fileURLToPath(new URL('../browser/runtime.bundle.js', import.meta.url));
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(
      `zerograd viz: the prebuilt browser runtime ${file} is missing (${String(err)}); ` +
        'a published package ships it, and in a clone `pnpm build` makes it',
    );
  }
}

/**
 * Makes script text safe inside an inline `<script>` element: `</script` would end it early.
 * (`<\/` means the same as `</` in JS strings, regexes and templates.)
 */
export function escapeScript(code: string): string {
  if (code.includes('<!--')) throw new Error('zerograd viz: script contains "<!--", which HTML would misparse');
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

/** JSON for an inline `<script type="application/json">`: every `<` escaped, so nothing can close it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

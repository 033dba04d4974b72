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

/**
 * JSON for an inline `<script type="application/json">`: every `<` escaped, so nothing can close
 * it, and so is every character HTML does not allow in a page's source (C1 controls,
 * noncharacters; JSON.stringify already escapes C0 controls and lone surrogates) — as JSON
 * escapes, so the data reads back exactly.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<\u2028\u2029\x7F-\x9F]|\p{Noncharacter_Code_Point}/gu, (c) =>
    Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}

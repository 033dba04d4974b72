import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | null = null;

/**
 * The browser runtime (d3, dagre and the drawing code) as one minified script, bundled by esbuild
 * from this package's sources the first time a page is generated, then cached.
 */
export function runtimeBundle(): Promise<string> {
  cached ??= build().catch((err) => {
    cached = null;
    throw err;
  });
  return cached;
}

async function build(): Promise<string> {
  // From src the entry is TypeScript; from a build it is the compiled JavaScript next to this file.
  const candidates = ['../browser/runtime.ts', '../browser/runtime.js'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  const entry = candidates.find((p) => existsSync(p));
  if (!entry) throw new Error(`zerograd viz: browser runtime not found (looked for ${candidates.join(', ')})`);
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new Error(`zerograd viz: generating pages needs the esbuild package (${String(err)})`);
  }
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('zerograd viz: esbuild produced no output');
  return file.text;
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

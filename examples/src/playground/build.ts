/**
 * Writes `playground.html`: one self-contained page (opens from `file://`, no server) with the
 * editor, the leaf table and the graph, and the page's script — `app.ts` with zerograd's core,
 * layers' softmax and viz's drawing code — bundled by esbuild and inlined.
 *
 * Why esbuild here (it is a dev dependency): the playground computes in the browser, so it needs
 * core's runtime, which viz's prebuilt page runtime deliberately lacks (viz knows core only as a
 * type). The page is built, like the rest of the site, in a clone of the repository.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS } from './functions.js';

const ENTRY = fileURLToPath(new URL('./app.ts', import.meta.url));

/** Bundles the page script (an IIFE, minified); the `source` condition reads the packages' TypeScript. */
export async function bundlePlayground(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    minify: true,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('playground: esbuild produced no output');
  return file.text;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body { margin: 0; font-family: Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #222; }
.pg { max-width: 1280px; margin: 0 auto; padding: 12px 24px 40px; line-height: 1.45; }
.pg h1 { font-size: 24px; margin: 6px 0; }
.pg nav a { margin-right: 12px; }
.pg-top { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
.pg-editor { flex: 1 1 420px; min-width: 320px; }
.pg-editor label.pg-label { font-weight: bold; display: block; margin-bottom: 4px; }
#pg-source { width: 100%; box-sizing: border-box; height: 190px; font: 14px/1.5 "DejaVu Sans Mono", Menlo, monospace; padding: 8px; border: 1px solid #bbb; border-radius: 4px; }
#pg-source[aria-invalid="true"] { border-color: #c62828; }
#pg-error { color: #b71c1c; font-family: "DejaVu Sans Mono", monospace; min-height: 1.4em; white-space: pre-wrap; }
.pg-controls { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.pg-side { flex: 1 1 520px; min-width: 320px; }
table.pg-table { border-collapse: collapse; font-size: 14px; width: 100%; }
.pg-table caption { text-align: left; font-weight: bold; font-size: 16px; padding-bottom: 4px; }
.pg-table th, .pg-table td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; vertical-align: top; }
.pg-num { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
.pg-gradient { color: #c62828; }
.pg-ok { color: #2e7d32; } .pg-bad { color: #c62828; font-weight: bold; }
#pg-graph { border: 1px solid #e3e3e3; border-radius: 4px; margin-top: 8px; min-height: 200px; }
details { margin-top: 16px; } code { font-family: "DejaVu Sans Mono", monospace; }
`;

/** The page's HTML (static text only: the program arrives later, from the URL hash, as data). */
export async function playgroundHtml(opts: { backHref?: string } = {}): Promise<string> {
  const script = (await bundlePlayground()).replace(/<\/(script)/gi, '<\\/$1');
  const functions = Object.entries(FUNCTIONS)
    .map(([name, f]) => `<li><code>${escapeHtml(name)}</code> — ${escapeHtml(f.help)}</li>`)
    .join('');
  const back = opts.backHref ? `<nav><a href="${escapeHtml(opts.backHref)}">← all pages</a></nav>` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>zerograd playground</title><style>${CSS}</style></head>
<body><main class="pg">${back}
<h1>zerograd playground</h1>
<p>Write a small program; its graph, backprop and every leaf's gradient update as you type.</p>
<div class="pg-top">
<div class="pg-editor">
<label class="pg-label" for="pg-source">Expression</label>
<textarea id="pg-source" spellcheck="false" autocomplete="off" aria-describedby="pg-error pg-output"></textarea>
<div id="pg-error" role="alert" aria-live="assertive"></div>
<p id="pg-output"></p>
<div class="pg-controls">
<label><input type="checkbox" id="pg-second"> second order</label>
<button type="button" id="pg-export">Export snapshot</button>
<label>Import snapshot <input type="file" id="pg-import" accept="application/json,.json"></label>
</div>
</div>
<div class="pg-side">
<table class="pg-table"><caption>Gradients</caption>
<thead><tr><th scope="col">leaf</th><th scope="col">shape</th><th scope="col">value</th><th scope="col">gradient</th><th scope="col">numerical</th><th scope="col">gradcheck</th><th scope="col" id="pg-second-header" hidden>second</th></tr></thead>
<tbody id="pg-leaves"></tbody></table>
</div>
</div>
<p id="pg-graph-note"></p>
<div id="pg-graph"></div>
<details><summary>The language</summary>
<pre>program    = { assignment (newline | ";") }
assignment = name "=" expr
expr       = expr ("+" | "-") expr | expr ("*" | "/" | "@") expr
           | "-" expr | expr "**" expr          (** binds tightest and to the right; -x**2 is -(x**2))
           | number | name | "(" expr ")" | "[" expr, … "]" | name "(" args ")"
args       = expr, … then keyword=number, …     (# starts a comment)</pre>
<p>An assignment that names no variable is a <b>leaf</b> (a gradient flows back to it). The last assignment is the output;
when it is not a scalar it is summed. Functions:</p><ul>${functions}</ul>
</details>
</main>
<script>${script}</script>
</body></html>
`;
}

/** Writes the page to `path` and returns the path. */
export async function writePlayground(path: string, opts: { backHref?: string } = {}): Promise<string> {
  await writeFile(path, await playgroundHtml(opts), 'utf8');
  return path;
}

/**
 * `pnpm site`: builds the whole static site into one folder (default `site/`; `--out DIR`), every
 * page working from `file://` and from any static host:
 *
 *   index.html            the landing page, linking everything below
 *   playground.html       your own program as a graph, with gradients (src/playground/)
 *   notes/                what `pnpm demo` writes: the notes drawn, backprop, MNIST training, …
 *   bench/latest.html     the benchmark results (bench/results, drawn by bench's `--page-only`)
 *   api/                  the API reference (typedoc, as `pnpm docs`)
 *
 * `pnpm site --quick` writes only the notes pages that need no training (seconds instead of the
 * demo's half minute); `--no-api` skips typedoc (about a minute of CPU).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ValueError } from '@zerograd/core';
import { writePages } from './pages/site.js';
import { writeTrainingLive } from './pages/training-live.js';
import { writePlayground } from './playground/build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What `buildSite` should include. */
export interface SiteOptions {
  /** Run the whole demo for the notes pages (MNIST training and all); false: the static pages only. */
  demo?: boolean;
  /** Build the API reference with typedoc (default true). */
  api?: boolean;
  /**
   * More top-level pages (the training page …): each is written by `write(path)` into the site's
   * folder under `href` (a plain file name) and linked from the landing page after the playground.
   */
  extra?: readonly (SiteEntry & { write: (path: string) => Promise<unknown> })[];
  /** Print progress (default: silent). */
  log?: (line: string) => void;
}

/** One link of the landing page. */
export interface SiteEntry {
  href: string;
  title: string;
  description: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

const TSX = ['--conditions=source', '--import', 'tsx'];

/** What a build writes into its folder; only these are removed before building (never the folder itself). */
const SITE_ENTRIES = ['index.html', 'playground.html', 'notes', 'bench', 'api'];

/** Builds the site into `dir` (its previous build replaced) and returns the landing page's path. */
export async function buildSite(dir: string, opts: SiteOptions = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  // Checked before anything is written: a bad name leaves no half-built site.
  for (const page of opts.extra ?? []) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.html$/.test(page.href) || SITE_ENTRIES.includes(page.href)) {
      throw new ValueError(
        'buildSite',
        `extra page href ${JSON.stringify(page.href)} must be a plain, unused file name`,
      );
    }
  }
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  for (const entry of SITE_ENTRIES) rmSync(join(out, entry), { recursive: true, force: true });
  const entries: SiteEntry[] = [];

  await writePlayground(join(out, 'playground.html'), { backHref: 'index.html' });
  entries.push({
    href: 'playground.html',
    title: 'Playground',
    description: 'Type a small program; see its graph, step backprop, and check every gradient numerically.',
  });
  log('playground.html');
  for (const page of opts.extra ?? []) {
    await page.write(join(out, page.href));
    entries.push({ href: page.href, title: page.title, description: page.description });
    log(page.href);
  }

  const notes = join(out, 'notes');
  if (opts.demo) {
    // The demo itself, unchanged, writing into the site: the pages are exactly what `pnpm demo` makes.
    await run(process.execPath, [...TSX, 'src/demo.ts'], join(ROOT, 'examples'), { ZEROGRAD_OUT: notes });
  } else {
    await writePages(notes);
  }
  entries.push({
    href: 'notes/index.html',
    title: 'The notes, drawn',
    description: opts.demo
      ? 'Every figure of the notes, backprop as the book draws it, MNIST training, chapters 6 and 7.'
      : 'Every figure of the notes, backprop as the book draws it, a second-order graph (the full “pnpm site” adds the training pages).',
  });
  log('notes/');

  // bench's own CLI draws its page from a copy of the results, so bench/results is left as it is.
  const bench = join(out, 'bench');
  cpSync(join(ROOT, 'bench/results'), bench, { recursive: true });
  await run(process.execPath, [...TSX, 'src/run.ts', '--page-only', '--out', bench], join(ROOT, 'bench'));
  entries.push({
    href: 'bench/latest.html',
    title: 'Benchmarks',
    description: 'zerograd against numpy and peers, side by side, from the latest benchmark runs.',
  });
  log('bench/latest.html');

  if (opts.api ?? true) {
    await run(
      process.execPath,
      [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--out', join(out, 'api'), '--logLevel', 'Error'],
      ROOT,
    );
    inlineTypedocIcons(join(out, 'api'));
    entries.push({ href: 'api/index.html', title: 'API reference', description: 'Every public name, from its TSDoc.' });
    log('api/');
  }
  const index = join(out, 'index.html');
  writeFileSync(index, landingHtml(entries), 'utf8');
  return index;
}

/**
 * typedoc points its icons at an external sprite (`assets/icons.svg#icon-x`), which Chromium
 * refuses to load from `file://` (a console error on every page); its `icons.js` then rewrites
 * them to `#icon-x`, the copy it inlines. The same rewrite at build time keeps the console clean.
 */
function inlineTypedocIcons(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.html')) continue;
    const file = join(entry.parentPath, entry.name);
    const html = readFileSync(file, 'utf8');
    const fixed = html.replace(/href="(?:\.\.\/)*assets\/icons\.svg#icon-/g, 'href="#icon-');
    if (fixed !== html) writeFileSync(file, fixed, 'utf8');
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The landing page: what zerograd is, and a card per part of the site. */
export function landingHtml(entries: readonly SiteEntry[]): string {
  const cards = entries
    .map(
      (e) => `<li><a href="${escapeHtml(e.href)}">${escapeHtml(e.title)}</a><p>${escapeHtml(e.description)}</p></li>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>zerograd</title><style>
body { margin: 0; font-family: Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #222; background: #fafafa; }
main { max-width: 960px; margin: 0 auto; padding: 24px; line-height: 1.5; }
h1 { font-size: 32px; margin: 8px 0 0; } .tag { color: #555; margin-top: 4px; }
ul.cards { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 16px; }
ul.cards li { background: #fff; border: 1px solid #ddd; border-left: 4px solid #1565c0; border-radius: 6px; padding: 12px 16px; }
ul.cards a { font-size: 19px; font-weight: bold; color: #1565c0; text-decoration: none; }
ul.cards p { margin: 6px 0 0; color: #444; }
code { font-family: "DejaVu Sans Mono", monospace; background: #eee; padding: 1px 4px; border-radius: 3px; }
</style></head>
<body><main>
<h1>zerograd</h1>
<p class="tag">A computational-graph automatic-differentiation framework in TypeScript, grown from study notes on
<i>Deep Learning from Scratch</i>. Every op is a node you can see; every gradient is checked against numerical
differentiation; every figure of the notes is a page.</p>
<ul class="cards">
${cards}
</ul>
<p>Everything here is static: open it from disk or any static host. Rebuild it with <code>pnpm site</code>.</p>
</main></body></html>
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-api': { type: 'boolean', default: false },
    },
  });
  const started = performance.now();
  const index = await buildSite(values.out ?? join(ROOT, 'site'), {
    demo: !values.quick,
    api: !values['no-api'],
    extra: [
      {
        href: 'training.html',
        title: 'Train in your browser',
        description:
          'The chapter-5 net (or a stronger one) learning MNIST in a Web Worker, live curves, and a pad to draw your own digit.',
        write: (path) => writeTrainingLive(dirname(path)),
      },
    ],
    log: (line) => console.log(`site: ${line}`),
  });
  console.log(`site built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`open ${index}`);
  if (!existsSync(index)) process.exit(1);
}

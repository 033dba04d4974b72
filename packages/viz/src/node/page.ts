import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '@zerograd/core';
import { xmlSafe } from '../format.js';
import type { GraphOptions } from '../graph/layout.js';
import { PAGE_CSS } from '../page-style.js';
import { drawSection } from '../render.js';
import { graphSection, type Section } from '../sections.js';
import type { GraphSnapshot } from '../types.js';
import { escapeScript, jsonForScript, runtimeBundle } from './bundle.js';
import { createDocument } from './dom.js';

/** A page: a title and its sections, in order. */
export interface PageSpec {
  title: string;
  sections: readonly Section[];
  /** A line under the title. */
  description?: string;
  /** File name inside a site (default: the title, slugged, plus `.html`). */
  file?: string;
}

/** Extra page chrome. */
export interface PageOptions {
  /** Links shown above the title (a site adds "← index"). */
  nav?: readonly { href: string; text: string }[];
}

/**
 * Composes sections into ONE self-contained HTML page that opens from `file://` with no server:
 * the browser runtime (d3, dagre, the drawing code) is inlined, and so is the data, as JSON in a
 * `<script type="application/json">` block. Headings and text are written as static HTML; graphs and
 * plots are drawn by the runtime when the page loads.
 */
export async function pageHtml(page: PageSpec, opts: PageOptions = {}): Promise<string> {
  const runtime = await runtimeBundle();
  const document = createDocument();
  document.documentElement.setAttribute('lang', 'en');
  const meta = document.createElement('meta');
  meta.setAttribute('charset', 'utf-8');
  document.head.appendChild(meta);
  const viewport = document.createElement('meta');
  viewport.setAttribute('name', 'viewport');
  viewport.setAttribute('content', 'width=device-width, initial-scale=1');
  document.head.appendChild(viewport);
  // The title is filled in after serialising, escaped by us whatever the DOM's serialiser does.
  document.head.appendChild(document.createElement('title'));
  const style = document.createElement('style');
  style.id = 'zg-page-style';
  style.textContent = PAGE_CSS;
  document.head.appendChild(style);

  const main = document.createElement('main');
  main.className = 'zg-page';
  document.body.appendChild(main);
  if (opts.nav && opts.nav.length > 0) {
    const nav = document.createElement('nav');
    for (const link of opts.nav) {
      const a = document.createElement('a');
      a.setAttribute('href', safeHref(link.href));
      a.textContent = link.text;
      nav.appendChild(a);
      nav.appendChild(document.createTextNode(' '));
    }
    main.appendChild(nav);
  }
  const h1 = document.createElement('h1');
  h1.textContent = page.title;
  main.appendChild(h1);
  if (page.description) {
    const p = document.createElement('p');
    p.textContent = page.description;
    main.appendChild(p);
  }
  page.sections.forEach((section, index) => {
    if (section.kind === 'heading' || section.kind === 'text') {
      drawSection(main as unknown as Element, section);
      return;
    }
    const slot = document.createElement('div');
    slot.className = `zg-section zg-section-${section.kind}`;
    slot.setAttribute('data-zg-section', String(index));
    main.appendChild(slot);
  });
  const noscript = document.createElement('noscript');
  noscript.textContent = 'The drawings on this page need JavaScript.';
  main.appendChild(noscript);

  const data = document.createElement('script');
  data.setAttribute('type', 'application/json');
  data.id = 'zg-page-data';
  data.textContent = jsonForScript({ title: page.title, sections: page.sections });
  document.body.appendChild(data);
  const script = document.createElement('script');
  script.textContent = escapeScript(runtime);
  document.body.appendChild(script);
  return withTitle(document, page.title);
}

/**
 * A link target from the caller, refused (`ValueError`) when it would run or embed something:
 * only relative references and `http:`, `https:` and `mailto:` URLs are links. Browsers ignore
 * tabs and newlines inside a scheme and spaces or controls before it (`java\tscript:` is
 * `javascript:`), so the scheme is read the same way.
 */
function safeHref(href: string): string {
  const read = String(href)
    .replace(/[\t\n\r]/g, '')
    .replace(/^[\0-\x20]+/, '');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(read)?.[1]?.toLowerCase();
  if (scheme !== undefined && !['http', 'https', 'mailto'].includes(scheme)) {
    throw new ValueError(
      'pageHtml',
      `nav link ${JSON.stringify(href)}: the ${scheme}: scheme is not allowed in a link`,
    );
  }
  return String(href);
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page's HTML, with the title filled in. Every text and attribute value outside the scripts
 * goes through `xmlSafe` first: a NUL or a lone surrogate in a title, heading or name is not
 * allowed in an HTML page either. (The scripts hold the runtime, whose code must stay as it is,
 * and the data, whose JSON escapes such characters itself.)
 */
function withTitle(document: Document, title: string): string {
  cleanText(document.documentElement);
  const html = `<!DOCTYPE html>\n${document.documentElement.outerHTML}\n`;
  return html.replace('<title></title>', () => `<title>${escapeHtml(xmlSafe(title))}</title>`);
}

function cleanText(node: Node): void {
  if (node.nodeType === 3) {
    const text = node as Text;
    text.data = xmlSafe(text.data);
    return;
  }
  if (node.nodeType !== 1) return;
  const element = node as Element;
  if (element.localName === 'script' || element.localName === 'style') return;
  for (const attr of Array.from(element.attributes)) element.setAttribute(attr.name, xmlSafe(attr.value));
  for (const child of Array.from(element.childNodes)) cleanText(child);
}

/** A page with one graph (and its stepper, given a step sequence): the quickest way to look at a snapshot. */
export async function graphPage(
  snapshotOrSteps: GraphSnapshot | readonly GraphSnapshot[],
  opts: GraphOptions & { title?: string; caption?: string } = {},
): Promise<string> {
  const { title, ...graphOpts } = opts;
  return pageHtml({ title: title ?? 'Computational graph', sections: [graphSection(snapshotOrSteps, graphOpts)] });
}

/**
 * A page's own file name: a letter or digit, then letters, digits, `.`, `_` or `-`, ending in
 * `.html`. Nothing else: no folder (`a/b.html`, `../x.html`), no scheme (`javascript:…`), no
 * `%` escapes — the name is both a path inside the site's folder and an `href` in its index.
 */
const PAGE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.html$/;

/**
 * A file name from a title: `Backprop: the apple example` → `backprop-the-apple-example.html`;
 * a `page.file` given by hand is checked instead (a `ValueError` unless it is a plain file name).
 */
export function pageFileName(page: PageSpec): string {
  if (page.file !== undefined) {
    const file = page.file;
    if (typeof file !== 'string' || !PAGE_FILE.test(file) || file.includes('..')) {
      throw new ValueError(
        'writeSite',
        `page "${xmlSafe(String(page.title)).slice(0, 80)}" has file ${JSON.stringify(file)}: a page's file must be ` +
          'a plain file name such as "chapter-5.html" (letters, digits, ".", "_", "-"; no folders, no "..", no URL scheme)',
      );
    }
    return file;
  }
  const slug = page.title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'page'}.html`;
}

/** Writes one page to `path` and returns the path. */
export async function writePage(path: string, page: PageSpec, opts: PageOptions = {}): Promise<string> {
  await writeFile(path, await pageHtml(page, opts), 'utf8');
  return path;
}

/**
 * Writes every page into `dir` (created if needed) plus an `index.html` linking them all, and
 * returns the index's path. Each page links back to the index.
 */
export async function writeSite(
  dir: string,
  pages: readonly PageSpec[],
  opts: { title?: string } = {},
): Promise<string> {
  // Every name is checked before anything is written: a bad page leaves no half-written site.
  const names = new Set<string>();
  const files = pages.map((page) => {
    const file = pageFileName(page);
    // Compared case-blind: on macOS and Windows `A.html` and `a.html` are one file.
    if (names.has(file.toLowerCase()) || file.toLowerCase() === 'index.html') {
      throw new ValueError('writeSite', `two pages would be written to ${file}`);
    }
    names.add(file.toLowerCase());
    return file;
  });
  await mkdir(dir, { recursive: true });
  const entries: { href: string; text: string; description?: string }[] = [];
  for (const [i, page] of pages.entries()) {
    await writePage(join(dir, files[i]), page, { nav: [{ href: 'index.html', text: '← all pages' }] });
    entries.push({ href: files[i], text: page.title, description: page.description });
  }
  const document = createDocument();
  const meta = document.createElement('meta');
  meta.setAttribute('charset', 'utf-8');
  document.head.appendChild(meta);
  document.head.appendChild(document.createElement('title'));
  const style = document.createElement('style');
  style.textContent = PAGE_CSS;
  document.head.appendChild(style);
  const main = document.createElement('main');
  main.className = 'zg-page';
  document.body.appendChild(main);
  const h1 = document.createElement('h1');
  h1.textContent = opts.title ?? 'zerograd pages';
  main.appendChild(h1);
  const list = document.createElement('ul');
  list.className = 'zg-index';
  for (const entry of entries) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.setAttribute('href', entry.href);
    a.textContent = entry.text;
    li.appendChild(a);
    if (entry.description) li.appendChild(document.createTextNode(` — ${entry.description}`));
    list.appendChild(li);
  }
  main.appendChild(list);
  const index = join(dir, 'index.html');
  await writeFile(index, withTitle(document, opts.title ?? 'zerograd pages'), 'utf8');
  return index;
}

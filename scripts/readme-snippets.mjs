/**
 * The ```ts blocks of the READMEs as runnable programs, with what their comments promise turned
 * into checks. Used by `examples/test/readme-snippets.test.ts` (in the monorepo, from sources)
 * and by `scripts/consumer-test.mjs` (from the installed tarballs), so both run the same code.
 *
 * A block is a program: it imports what it uses and runs from top to bottom. A block that cannot
 * be (a fragment, a template) says so on its fence line with a reason:
 *
 *     ```ts not-runnable: a template; the `...` is yours to fill in
 *
 * Trailing comments of statements are read as promises when they start with a value, up to the
 * first ` — `, ` (` or two spaces (the rest is prose, e.g. `// 3  (dy/da = b)`):
 *
 * - `console.log(a, b); // 2.2 110 200` — the printed line is exactly `2.2 110 200`
 *   (or a bound: `// ≥ 0.92`); any comment on a `console.log` is such a promise.
 * - `a.grad?.item(); // 3`, `report.ok; // true`, `f(2); // [12]` — the expression's value equals
 *   the literal (a tensor or variable compares by its numbers: `item()` or `toArray()`).
 * - `const y = f(x); // 10` — the same for the declared name.
 * - `info(); // { name, shape }` — the value is an object with exactly these keys.
 *
 * Comments that do not start with a value (`// any zerograd computation`) promise nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The READMEs whose blocks are examples: the root one and every package's (packages/*\/README.md). */
export function readmeFiles(root) {
  const packages = readdirSync(join(root, 'packages')).sort();
  const files = packages.map((p) => join('packages', p, 'README.md')).filter((f) => existsSync(join(root, f)));
  return ['README.md', ...files];
}

/**
 * Every ```ts block of a markdown text: `{ file, line, info, skip, code }` (`line` is the
 * fence's 1-based line; `skip` is the reason given by `not-runnable:`, or null).
 */
export function extractBlocks(markdown, file) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+)(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const info = open[4].trim();
    // CommonMark: a backtick fence's info string has no backticks (else the line is not a fence).
    if (info.includes('`')) throw new Error(`${file}:${i + 1}: no backticks on a fence line: ${info}`);
    const close = new RegExp(`^\\s*${open[2]}\`*\\s*$`);
    const body = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j])) body.push(lines[j++].slice(indent));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a \`\`\`ts block is never closed`);
    const skipMatch = /^not-runnable:\s*(.*)$/.exec(info);
    if (info && !skipMatch) throw new Error(`${file}:${i + 1}: unknown fence annotation "${info}"`);
    if (skipMatch && !skipMatch[1].trim()) throw new Error(`${file}:${i + 1}: not-runnable needs a reason`);
    blocks.push({ file, line: i + 1, info, skip: skipMatch ? skipMatch[1].trim() : null, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** Every block of every README under `root`. */
export function collectBlocks(root) {
  return readmeFiles(root).flatMap((file) => extractBlocks(readFileSync(join(root, file), 'utf8'), file));
}

/** The comment's head: what it promises, before the prose. */
function head(comment) {
  let end = comment.length;
  for (const sep of [' — ', ' (', '  ']) {
    const at = comment.indexOf(sep);
    if (at >= 0 && at < end) end = at;
  }
  return comment.slice(0, end).trim();
}

/** The JavaScript source of an expected value if `text` is one, else null. */
export function expectedValue(text) {
  if (/^(≥|≤|>|<)\s*-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text)) return JSON.stringify({ bound: text });
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text)) return `{ value: ${text} }`;
  if (/^(true|false|null|undefined)$/.test(text)) return `{ value: ${text} }`;
  const keys = /^\{\s*([\w$]+(?:\s*,\s*[\w$]+)*)\s*\}$/.exec(text);
  if (keys) return JSON.stringify({ keys: keys[1].split(/\s*,\s*/) });
  if (/^[['"]/.test(text) && !text.includes('…')) {
    try {
      new Function(`return (${text});`)();
      return `{ value: ${text} }`;
    } catch {
      return null;
    }
  }
  return null;
}

/** Splits `code // comment` at the comment, ignoring `//` inside strings. */
function splitComment(line) {
  let quote = null;
  for (let i = 0; i < line.length - 1; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '/' && line[i + 1] === '/') return [line.slice(0, i).trimEnd(), line.slice(i + 2).trim()];
  }
  return [line, null];
}

/**
 * The block's code with each promise turned into a call of the harness (`scripts/snippet-harness.mjs`,
 * preloaded with `--import`), on the same line so line numbers stay those of the block, and the
 * number of checks made.
 */
export function instrument(block) {
  let checks = 0;
  const where = (i) => JSON.stringify(`${block.file}:${block.line + 1 + i}`);
  const out = block.code.split('\n').map((line, i) => {
    const [code, comment] = splitComment(line);
    if (comment === null || !code.trim().endsWith(';')) return line;
    const indent = /^\s*/.exec(code)[0];
    const stmt = code.trim().slice(0, -1);
    const promise = head(comment);
    const log = /^console\.log\((.*)\)$/.exec(stmt);
    if (log) {
      checks++;
      return `${indent}__zg.print(${where(i)}, ${JSON.stringify(promise)}, ${log[1]});`;
    }
    const expected = expectedValue(promise);
    if (expected === null) return line;
    const decl = /^(?:const|let|var)\s+([\w$]+)\s*=/.exec(stmt);
    if (decl) {
      checks++;
      return `${code} __zg.expect(${where(i)}, ${expected}, ${decl[1]});`;
    }
    if (/^(import|export|class|function|return|if|for|while|const|let|var)\b/.test(stmt)) return line;
    checks++;
    return `${indent}__zg.expect(${where(i)}, ${expected}, (${stmt}));`;
  });
  return { code: out.join('\n'), checks };
}

/** A file name for a block: `README.md:31` → `readme-md-31`. */
export function blockName(block) {
  return `${block.file.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${block.line}`;
}

/** The count the harness prints at exit, read back from a run's stdout (null if absent). */
export function checksMade(stdout) {
  const m = /__ZG_CHECKS__ (\d+)/.exec(stdout);
  return m ? Number(m[1]) : null;
}

#!/usr/bin/env node
// Enforces the layering rule of packages/core/src (docs: /DESIGN.md, "packages/core, bottom to
// top"): every file sits on a floor, imports only from its own floor or below, and no files
// import each other in a loop. Dependency-free; reads the sources as text.
//
//   node scripts/check-layers.mjs                 checks packages/core/src
//   node scripts/check-layers.mjs --root DIR      checks another tree laid out the same way
//
// Prints `layers: N files, M imports, floors ok, no cycles` and exits 0, or prints one line per
// violation and exits 1 (2 for a usage error):
//   unplaced: foo/bar.ts                          a .ts file in a folder with no floor
//   upward: graph/node.ts (floor 4) imports ops/shape.ts (floor 5)
//   cycle: ops/arithmetic.ts -> ops/math.ts -> ops/arithmetic.ts
//   unresolved: ops/x.ts imports './gone.js'     a relative import naming no .ts file
//   outside: ops/x.ts imports '../../y.js'       a relative import leaving the root
// M counts distinct importer -> imported file pairs. Every relative import counts: static,
// `import type`, `export ... from`, `export * from`, side-effect `import './x.js'`, and
// `import('./x.js')` (also inside types), and `declare module './x.js'` augmentations; package
// imports such as 'immer' are ignored, and so is everything inside comments and strings.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * THE FLOOR TABLE: the one place the order is written. Index = floor, lowest first. A file's
 * floor is that of its top-level folder (`tensor/` covers everything under src/tensor), or,
 * for a file at the top level of src, its own name. `*.ts` stands for every other top-level
 * .ts file: the public entry points (index.ts, a future internals.ts, ...). A top-level folder
 * missing from this table is an error, so a new folder has to be placed here deliberately.
 */
const FLOORS = [
  /* 0 */ ['errors.ts', 'state.ts'],
  /* 1 */ ['tensor/'],
  /* 2 */ ['kernels/'],
  /* 3 */ ['backend/'],
  /* 4 */ ['graph/'],
  /* 5 */ ['ops/'],
  /* 6 */ ['check/'],
  /* 7 */ ['testing/'],
  /* 8 */ ['*.ts'],
];

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_ROOT = join(REPO_ROOT, 'packages', 'core', 'src');

/** Floor of a root-relative posix path, or undefined when the file is unplaced. */
function floorOf(rel) {
  const slash = rel.indexOf('/');
  const key = slash < 0 ? rel : rel.slice(0, slash + 1);
  for (let f = 0; f < FLOORS.length; f++) if (FLOORS[f].includes(key)) return f;
  if (slash < 0) {
    for (let f = 0; f < FLOORS.length; f++) if (FLOORS[f].includes('*.ts')) return f;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Tokenizer: just enough of TypeScript's lexical grammar to see import statements for what they
// are: comments are dropped, strings and template literals are single tokens (so `import` text
// inside a string or comment is never taken for an import), regex literals are skipped.

const KEYWORDS_BEFORE_EXPR = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'extends',
]);
const ID_START = /[\p{ID_Start}$_]/u;
const ID_PART = /[\p{ID_Continue}$\u200c\u200d]/u;

/** @returns {{type: 'id'|'num'|'str'|'tpl'|'re'|'punct', value: string, line: number}[]} */
function tokenize(src) {
  const toks = [];
  const templateDepth = []; // one entry per open `${`: the brace depth inside that expression
  let i = 0;
  let line = 1;
  const n = src.length;
  const push = (type, value) => toks.push({ type, value, line });
  const regexAllowed = () => {
    const prev = toks[toks.length - 1];
    if (!prev) return true;
    if (prev.type === 'id') return KEYWORDS_BEFORE_EXPR.has(prev.value);
    if (prev.type !== 'punct') return false;
    if (prev.value === ')' || prev.value === ']') return false;
    // `x! / y`: a TypeScript non-null assertion ends an expression.
    if (prev.value === '!' && prev.postfix) return false;
    return true;
  };
  // Reads a template literal body from i (just after ` or the } closing a substitution).
  const readTemplate = () => {
    let text = '';
    while (i < n) {
      const c = src[i];
      if (c === '\\') {
        text += src[i + 1] ?? '';
        i += 2;
      } else if (c === '`') {
        i++;
        return { text, open: false };
      } else if (c === '$' && src[i + 1] === '{') {
        i += 2;
        return { text, open: true };
      } else {
        if (c === '\n') line++;
        text += c;
        i++;
      }
    }
    return { text, open: false };
  };
  const startTemplate = () => {
    const { text, open } = readTemplate();
    // A template with no substitution is a plain string as far as specifiers go.
    push('tpl', open ? null : text);
    if (open) templateDepth.push(0);
  };

  while (i < n) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff') {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
    } else if (c === "'" || c === '"') {
      let text = '';
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') {
        if (src[i] === '\\') {
          text += src[i + 1] ?? '';
          i += 2;
        } else text += src[i++];
      }
      i++;
      push('str', text);
    } else if (c === '`') {
      i++;
      startTemplate();
    } else if (c === '}' && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === 0) {
      // End of a `${...}` substitution: back into the template literal.
      templateDepth.pop();
      i++;
      const { open } = readTemplate();
      if (open) templateDepth.push(0);
    } else if (ID_START.test(c) || (c === '\\' && src[i + 1] === 'u')) {
      let j = i + 1;
      while (j < n && (ID_PART.test(src[j]) || src[j] === '\\')) j++;
      push('id', src.slice(i, j));
      i = j;
    } else if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && /[\w.]/.test(src[j])) j++;
      push('num', src.slice(i, j));
      i = j;
    } else if (c === '/' && regexAllowed()) {
      // A regex literal ends on the same line; if it does not, this `/` was a division.
      let j = i + 1;
      let inClass = false;
      let ok = false;
      while (j < n && src[j] !== '\n') {
        const d = src[j];
        if (d === '\\') j += 2;
        else {
          if (d === '[') inClass = true;
          else if (d === ']') inClass = false;
          else if (d === '/' && !inClass) {
            ok = true;
            break;
          }
          j++;
        }
      }
      if (ok) {
        j++;
        while (j < n && ID_PART.test(src[j])) j++;
        push('re', src.slice(i, j));
        i = j;
      } else {
        push('punct', '/');
        i++;
      }
    } else {
      if (templateDepth.length > 0) {
        if (c === '{') templateDepth[templateDepth.length - 1]++;
        else if (c === '}') templateDepth[templateDepth.length - 1]--;
      }
      push('punct', c);
      if (c === '!' && i > 0 && /[\p{ID_Continue}$)\]]/u.test(src[i - 1])) toks[toks.length - 1].postfix = true;
      i++;
    }
  }
  return toks;
}

/** Every module specifier a file names (relative or not), with its line. */
export function importsOf(src) {
  const toks = tokenize(src);
  const found = [];
  const isStr = (t) => t && (t.type === 'str' || (t.type === 'tpl' && t.value !== null));
  const isP = (t, v) => t && t.type === 'punct' && t.value === v;
  const isId = (t, v) => t && t.type === 'id' && t.value === v;
  // Index just past the `}` matching the `{` at k.
  const skipBraces = (k) => {
    let depth = 0;
    for (; k < toks.length; k++) {
      if (isP(toks[k], '{')) depth++;
      else if (isP(toks[k], '}') && --depth === 0) return k + 1;
    }
    return k;
  };
  // `from 'x'` at k?
  const fromAt = (k) => (isId(toks[k], 'from') && isStr(toks[k + 1]) ? toks[k + 1] : undefined);

  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (isId(t, 'declare') && isId(toks[k + 1], 'module') && isStr(toks[k + 2])) {
      found.push(toks[k + 2]); // declare module './x.js' { ... }: an augmentation depends on x
      continue;
    }
    if (t.type !== 'id' || (t.value !== 'import' && t.value !== 'export')) continue;
    const prev = toks[k - 1];
    if (isP(prev, '.') || isP(prev, '#')) continue; // obj.import, a property
    const next = toks[k + 1];
    if (t.value === 'import') {
      if (isP(next, '(')) {
        // import('./x.js'), also `typeof import('./x.js')` in types
        if (isStr(toks[k + 2])) found.push(toks[k + 2]);
        continue;
      }
      if (isStr(next)) {
        found.push(next); // import './x.js';
        continue;
      }
      // import [type] a, { b } from './x.js' / import * as ns from / import x = require('./x.js')
      for (let j = k + 1; j < toks.length; j++) {
        const u = toks[j];
        const spec = fromAt(j);
        if (spec) {
          found.push(spec);
          break;
        }
        if (isP(u, '=')) {
          if (isId(toks[j + 1], 'require') && isP(toks[j + 2], '(') && isStr(toks[j + 3])) found.push(toks[j + 3]);
          break;
        }
        if (isP(u, '{')) j = skipBraces(j) - 1;
        else if (!(u.type === 'id' || isP(u, ',') || isP(u, '*'))) break;
      }
    } else {
      // export [type] * [as ns] from './x.js' / export [type] { a, b as c } from './x.js'
      let j = k + 1;
      if (isId(toks[j], 'type') && (isP(toks[j + 1], '*') || isP(toks[j + 1], '{'))) j++;
      if (isP(toks[j], '*')) {
        j++;
        if (isId(toks[j], 'as')) j += 2;
      } else if (isP(toks[j], '{')) j = skipBraces(j);
      else continue;
      const spec = fromAt(j);
      if (spec) found.push(spec);
    }
  }
  return found.map((t) => ({ specifier: t.value, line: t.line }));
}

// ---------------------------------------------------------------------------------------------

function listTs(dir, root, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') listTs(full, root, out);
    } else if (entry.isFile() && entry.name.endsWith('.ts')) {
      out.push(relative(root, full).split(sep).join('/'));
    }
  }
  return out;
}

/** Root-relative path of the .ts file a relative specifier names, or a reason it names none. */
function resolveSpecifier(fromRel, spec, files) {
  const target = posix.normalize(posix.join(posix.dirname(fromRel), spec));
  if (target === '..' || target.startsWith('../')) return { outside: true };
  const base = target.replace(/\/$/, '');
  const candidates = [];
  if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/\.([cm]?)js$/, '.$1ts'));
  if (/\.[cm]?ts$/.test(base)) candidates.push(base);
  candidates.push(`${base}.ts`, `${base}/index.ts`);
  for (const c of candidates) if (files.has(c)) return { file: c };
  return {};
}

/** Elementary cycles of a graph (Johnson's algorithm), each starting at its smallest node. */
function findCycles(nodes, edges, limit) {
  const order = [...nodes].sort();
  const index = new Map(order.map((v, i) => [v, i]));
  const cycles = [];
  let truncated = false;
  for (let s = 0; s < order.length && !truncated; s++) {
    // Johnson: cycles through order[s] in the subgraph of nodes >= s.
    const inSub = (v) => index.get(v) >= s;
    const blocked = new Set();
    const blockMap = new Map();
    const stack = [];
    const unblock = (v) => {
      blocked.delete(v);
      const set = blockMap.get(v);
      if (!set) return;
      blockMap.delete(v);
      for (const w of set) if (blocked.has(w)) unblock(w);
    };
    const start = order[s];
    const circuit = (v) => {
      let foundCycle = false;
      stack.push(v);
      blocked.add(v);
      for (const w of [...(edges.get(v) ?? [])].sort()) {
        if (truncated || !inSub(w)) continue;
        if (w === start) {
          cycles.push([...stack, start]);
          if (cycles.length >= limit) truncated = true;
          foundCycle = true;
        } else if (!blocked.has(w) && circuit(w)) foundCycle = true;
      }
      if (foundCycle) unblock(v);
      else {
        for (const w of edges.get(v) ?? []) {
          if (!inSub(w)) continue;
          if (!blockMap.has(w)) blockMap.set(w, new Set());
          blockMap.get(w).add(v);
        }
      }
      stack.pop();
      return foundCycle;
    };
    circuit(start);
  }
  return { cycles, truncated };
}

export function checkLayers(root) {
  const files = listTs(root, root, []).sort();
  const fileSet = new Set(files);
  const edges = new Map(files.map((f) => [f, new Set()]));
  const unplaced = [];
  const upward = [];
  const unresolved = [];
  for (const file of files) {
    const floor = floorOf(file);
    if (floor === undefined) unplaced.push(`unplaced: ${file}`);
    const src = readFileSync(join(root, file), 'utf8');
    for (const { specifier } of importsOf(src)) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== '.' && specifier !== '..') {
        continue; // a package
      }
      const r = resolveSpecifier(file, specifier, fileSet);
      if (r.outside) {
        unresolved.push(`outside: ${file} imports '${specifier}'`);
        continue;
      }
      if (!r.file) {
        unresolved.push(`unresolved: ${file} imports '${specifier}'`);
        continue;
      }
      const to = r.file;
      if (edges.get(file).has(to)) continue;
      edges.get(file).add(to);
      const toFloor = floorOf(to);
      if (floor !== undefined && toFloor !== undefined && toFloor > floor) {
        upward.push(`upward: ${file} (floor ${floor}) imports ${to} (floor ${toFloor})`);
      }
    }
  }
  const { cycles, truncated } = findCycles(files, edges, 200);
  const cycleLines = cycles.map((c) => `cycle: ${c.join(' -> ')}`);
  if (truncated) cycleLines.push('cycle: (more cycles not listed; fix these first)');
  let imports = 0;
  for (const set of edges.values()) imports += set.size;
  return {
    files: files.length,
    imports,
    violations: [...unplaced, ...upward, ...unresolved, ...cycleLines],
  };
}

function main(argv) {
  let root = DEFAULT_ROOT;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root' || a.startsWith('--root=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) return usage('--root needs a directory');
      root = resolve(v);
    } else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/check-layers.mjs [--root DIR]   (default: packages/core/src)');
      return 0;
    } else return usage(`unknown argument ${a}`);
  }
  if (!existsSync(root) || !statSync(root).isDirectory()) return usage(`no such directory: ${root}`);
  const { files, imports, violations } = checkLayers(root);
  if (violations.length === 0) {
    console.log(`layers: ${files} files, ${imports} imports, floors ok, no cycles`);
    return 0;
  }
  for (const v of violations) console.log(v);
  return 1;
}

function usage(message) {
  console.error(`check-layers: ${message}\nusage: node scripts/check-layers.mjs [--root DIR]`);
  return 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}

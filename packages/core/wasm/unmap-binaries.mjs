#!/usr/bin/env node
/**
 * Runs after `tsc -b` in core's `build` script. tsc gives every module a source map that carries
 * its TypeScript (`inlineSources`), so a debugger shows real code from a tarball without `src/`.
 * For the generated binaries module that "source" is the same 100 kB of base64 as the compiled
 * file, and maps nothing a person would step through; so its map is removed from `dist/`, and the
 * compiled module's link to it too (a dangling `sourceMappingURL` makes bundlers and devtools
 * warn). Every other module keeps its map. Why it matters: docs/decisions/0003-publishing.md.
 *
 * Usage: `node wasm/unmap-binaries.mjs` (from packages/core; idempotent).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const js = fileURLToPath(new URL('../dist/backend/wasm-binaries.generated.js', import.meta.url));
const text = fs.readFileSync(js, 'utf8');
const link = /\n\/\/# sourceMappingURL=wasm-binaries\.generated\.js\.map\s*$/;
if (link.test(text)) fs.writeFileSync(js, `${text.replace(link, '')}\n`);
fs.rmSync(`${js}.map`, { force: true });

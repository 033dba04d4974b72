/**
 * What a kernel build is: the AssemblyScript flags of each variant, and its fingerprint —
 * sha256 over wasm/assembly/*.ts, these flags and the compiler version. Kept apart from
 * build.mjs so a test can fingerprint the sources without loading the compiler.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Largest shared memory the worker pool asks for, in 64 KiB pages (1 GiB). */
export const SHARED_MAX_PAGES = 16384;

const shared = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', String(SHARED_MAX_PAGES)];

/** Flags every variant gets: no GC runtime (the kernels allocate nothing), memory imported. */
export const COMMON_FLAGS = ['--runtime', 'stub', '-O3', '--noAssert', '--importMemory', '--enable', 'simd'];

/**
 * One source, four binaries; feature flags decide the instructions:
 *   simd            SIMD128, the baseline every current engine has
 *   relaxed         SIMD128 + relaxed SIMD (fused multiply-add): Chromium, Node ≥ 22 or a flag
 *   simd-shared     simd over a shared memory, for the worker pool
 *   relaxed-shared  relaxed over a shared memory
 */
export const VARIANTS = {
  simd: [],
  relaxed: ['--enable', 'relaxed-simd'],
  'simd-shared': shared,
  'relaxed-shared': ['--enable', 'relaxed-simd', ...shared],
};

export function kernelSourceHash() {
  const h = createHash('sha256');
  const dir = path.join(here, 'assembly');
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.ts')) continue;
    h.update(`${f}\n`);
    h.update(fs.readFileSync(path.join(dir, f)));
  }
  const asc = createRequire(import.meta.url)('assemblyscript/package.json').version;
  h.update(JSON.stringify({ COMMON_FLAGS, VARIANTS, asc }));
  return h.digest('hex');
}

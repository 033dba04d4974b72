/**
 * Relaxed SIMD in Node 20. Its V8 (11.3) implements the proposal but keeps it behind a flag,
 * and relaxed SIMD's fused multiply-add makes the matrix kernels ~30% faster on this machine
 * (AMD EPYC, measured 32 → 41 GFLOP/s at 100×784×50). So where the relaxed binary does not
 * validate and V8 is older than 12, zerograd sets `--experimental-wasm-relaxed-simd` through
 * `node:v8` (the flag only admits the proposal's opcodes), once, before anything is compiled;
 * feature detection then finds it. V8 ≥ 12 (Node ≥ 22) and Chromium ship relaxed SIMD
 * unflagged, so there nothing is set. Browsers are never touched.
 */
import { envValue, nodeBuiltin, nodeV8Major } from './host.js';
import { variantSupported } from './wasm-module.js';

/**
 * What became of relaxed SIMD: `unneeded` (the engine has it without a flag), `set` (zerograd
 * turned V8's flag on), `declined` (`ZEROGRAD_RELAXED_SIMD=0`) or `unavailable`.
 */
export type RelaxedSimdFlag = 'unneeded' | 'set' | 'declined' | 'unavailable';

/**
 * From this V8 major version on (Node ≥ 22) relaxed SIMD needs no flag. It shipped in 11.4, so
 * Node 21's 11.8 has it too; validation finds it there before the version is consulted.
 */
const UNFLAGGED_V8_MAJOR = 12;

let outcome: RelaxedSimdFlag | null = null;

/**
 * Makes relaxed SIMD available where only a flag stands in the way (Node 20), once, and says
 * what happened (also in `backendInfo().relaxedSimdFlag`). `ZEROGRAD_RELAXED_SIMD=0` declines.
 */
export function enableRelaxedSimd(): RelaxedSimdFlag {
  outcome ??= decide();
  return outcome;
}

function decide(): RelaxedSimdFlag {
  if (variantSupported('relaxed')) return 'unneeded';
  const v8Major = nodeV8Major();
  // Outside Node there is no flag to set; from V8 12 on, relaxed SIMD is on by default and a
  // binary that still fails to validate would not be helped by a flag.
  if (v8Major === null || v8Major >= UNFLAGGED_V8_MAJOR) return 'unavailable';
  if (envValue('ZEROGRAD_RELAXED_SIMD') === '0') return 'declined';
  const v8 = nodeBuiltin<{ setFlagsFromString?: (flags: string) => void }>('node:v8');
  if (!v8?.setFlagsFromString) return 'unavailable';
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return 'unavailable';
  }
  return variantSupported('relaxed') ? 'set' : 'unavailable';
}

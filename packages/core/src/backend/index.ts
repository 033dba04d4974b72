/**
 * The backend floor's face to the floors above: choosing a backend (select.ts) and the
 * tensor-level kernels that run on it (tensor-kernels.ts).
 */
export type { BackendName, KernelSet } from './kernel-set.js';
export { enableRelaxedSimd, type RelaxedSimdFlag } from './relaxed-simd.js';
export * from './select.js';
export * from './tensor-kernels.js';

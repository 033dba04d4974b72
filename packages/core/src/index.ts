export * from './errors.js';
export * from './tensor/index.js';
export type * from './graph/snapshot-types.js';
export { gemm } from './kernels/matmul.js';

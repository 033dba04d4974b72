/**
 * The pure TypeScript kernels over typed arrays: the reference every backend is tested
 * against, and the fallback wherever a backend does not take a case. The tensor-level entry
 * points that dispatch to a backend are one floor up, in src/backend/tensor-kernels.ts.
 */

export { type BinaryKind, binaryInto, broadcastInto, type UnaryKind, unaryInto } from './elementwise.js';
export { gemm } from './matmul.js';
export { UPDATE_RULES, UPDATE_STATE, type UpdateHyper, type UpdateRule, updateInto } from './optim.js';
export { argReduce, type ReduceKind, reduce } from './reduce.js';
export { transposeInto } from './transpose.js';

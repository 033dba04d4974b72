/**
 * `@zerograd/core/internals`: what people who build on core — kernels, fused layers, tools —
 * need besides the public face: the kernels on tensors (`kernels.binary`, `kernels.matmulTensor`
 * …), the typed-array `gemm`, the optimizer update kernel, the shape and dtype helpers every op
 * uses to validate its input, and the backward engine's `computeGrads`. `@zerograd/layers` is
 * built on these. They are documented and tested, but may change between minor versions.
 * @packageDocumentation
 */

export * as kernels from './backend/tensor-kernels.js';
export { updateParameter } from './backend/tensor-kernels.js';
export { scalarOf } from './check/numerical.js';
export { computeGrads, type StepHook } from './graph/backward.js';
export type { BinaryKind, UnaryKind } from './kernels/elementwise.js';
export { checkedGemm as gemm } from './kernels/gemm-checked.js';
export type { UpdateHyper, UpdateRule } from './kernels/optim.js';
export { gatherMap } from './ops/indexing.js';
export { checkDType, dtypeOfArray, promoteTypes } from './tensor/dtype.js';
export { allocate } from './tensor/index.js';
export {
  canBroadcastTo,
  checkShape,
  normalizeAxes,
  normalizePermutation,
  reducedShape,
  resolveReshape,
  shapesEqual,
  sizeOf,
  stridesOf,
} from './tensor/shape.js';

/**
 * @zerograd/core — tensors, an explicit node graph, chain-rule backprop to any order, and the
 * checks that prove the gradients right.
 * @packageDocumentation
 */

export {
  availableBackends,
  type BackendInfo,
  type BackendName,
  type BackendRequest,
  backendInfo,
  backendReady,
  getBackend,
  type SetBackendOptions,
  setBackend,
} from './backend/index.js';
export * from './check/index.js';
export * from './errors.js';
export { type BackwardOptions, backward, backwardOrder, computeGrads, type StepHook } from './graph/backward.js';
export { type CustomGradFunction, customGrad } from './graph/custom.js';
export { type GradOptions, grad, type ValueAndGrad, valueAndGrad } from './graph/functional.js';
export {
  currentScope,
  detectAnomaly,
  enableGrad,
  isAnomalyEnabled,
  isGradEnabled,
  noGrad,
  scope,
  setGradEnabled,
} from './graph/mode.js';
export {
  applyOp,
  type BackwardContext,
  cast,
  defineOp,
  type ForwardContext,
  type GradResult,
  type OpDefinition,
  type OpFunction,
  OpNode,
} from './graph/node.js';
export { type ReleaseReport, releaseGraph } from './graph/release.js';
export {
  backwardSteps,
  parseSnapshot,
  serializeSnapshot,
  type TraceOptions,
  tensorValue,
  traceGraph,
} from './graph/snapshot.js';
export type * from './graph/snapshot-types.js';
export { asVariable, type Operand, parameter, Variable, type VariableOptions, variable } from './graph/variable.js';
export * as kernels from './kernels/index.js';
export { type UpdateHyper, type UpdateRule, updateParameter } from './kernels/index.js';
export { gemm } from './kernels/matmul.js';
export * from './ops/index.js';
export * from './tensor/index.js';
export { bufferPoolStats, clearBufferPool } from './tensor/pool.js';

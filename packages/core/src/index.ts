/**
 * @zerograd/core — tensors, an explicit node graph, chain-rule backprop to any order, and the
 * checks that prove the gradients right.
 *
 * The public face, name by name. What people who write kernels, layers or tools on top of core
 * need besides (the kernels on tensors, gemm, the optimizer update kernel, shape helpers, the
 * engine's `computeGrads`) is in `@zerograd/core/internals`.
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
// Checks.
export {
  type GradcheckOptions,
  type GradcheckReport,
  type GradcheckWorst,
  gradcheck,
  gradgradcheck,
  numericalDiff,
  numericalGradient,
  type ScalarResult,
} from './check/index.js';
// Errors, backends, the buffer pool.
export {
  AnomalyError,
  DTypeError,
  fmtShape,
  GraphError,
  ShapeError,
  ValueError,
  ZerogradError,
} from './errors.js';
// The graph: variables, ops, backprop, modes, snapshots.
export { applyOp, defineOp, type OpFunction } from './graph/apply.js';
export { type BackwardOptions, backward } from './graph/backward.js';
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
export type {
  BackwardContext,
  ForwardContext,
  GradResult,
  OpDefinition,
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
export type { Pair } from './kernels/im2col.js';
// The op functions and their methods on Variable; loading them also wires the graph (ops/index.ts).
export {
  type Axis,
  abs,
  add,
  argmax,
  argmin,
  avgPool2d,
  broadcastTo,
  type Conv2dOptions,
  cast,
  chunk,
  clip,
  col2im,
  concat,
  conv2d,
  cos,
  cumsum,
  div,
  dot,
  equal,
  exp,
  flatten,
  flip,
  gather,
  getItem,
  greater,
  greaterEqual,
  type Im2colOptions,
  type IndexDescription,
  type IndexSpec,
  identity,
  im2col,
  less,
  lessEqual,
  log,
  type MatMulOptions,
  matmul,
  max,
  maximum,
  maxPool2d,
  mean,
  min,
  minimum,
  mT,
  mul,
  neg,
  newAxis,
  type PadOptions,
  type PadWidths,
  type Pool2dOptions,
  pad,
  pow,
  relu,
  reshape,
  type Slice,
  scatterAdd,
  sigmoid,
  sin,
  slice,
  split,
  sqrt,
  square,
  squeeze,
  stack,
  sub,
  sum,
  sumTo,
  tanh,
  transpose,
  unsqueeze,
  where,
} from './ops/index.js';
export { bufferPoolStats, clearBufferPool } from './state.js';
// Tensors: storage, creation, randomness.
export {
  arange,
  broadcastShapes,
  choice,
  DTYPES,
  type DType,
  eye,
  fromArray,
  full,
  globalRandom,
  linspace,
  type NestedArray,
  ones,
  onesLike,
  type PrintOptions,
  permutation,
  printOptions,
  Random,
  rand,
  randint,
  randn,
  type Shape,
  seed,
  Tensor,
  type TensorOptions,
  type TypedArray,
  tensor,
  zeros,
  zerosLike,
} from './tensor/index.js';

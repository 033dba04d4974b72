/**
 * @zerograd/layers — the book's layers, losses, initialisers and optimizers, MNIST, a training
 * loop and `.safetensors` checkpoints, all composed from `@zerograd/core` ops so every gradient
 * comes from the graph.
 * @packageDocumentation
 */

// Data and files
export type { Dataset } from './data/dataset.js';
export { DataLoader, type DataLoaderOptions } from './data/loader.js';
export { loadMnist, MNIST_SIZE, type MnistData, type MnistOptions } from './data/mnist.js';
// Functions
export { logSoftmax, softmax, step } from './functional/activations.js';
export {
  elu,
  erf,
  type GeluOptions,
  gelu,
  leakyRelu,
  log1p,
  silu,
  softplus,
} from './functional/activations-extra.js';
export { type AffineFunctionOptions, affine } from './functional/affine.js';
export {
  type CrossEntropyOptions,
  crossEntropyError,
  type MeanSquaredErrorOptions,
  meanSquaredError,
  softmaxCrossEntropy,
  softmaxCrossEntropyComposed,
} from './functional/losses.js';
export {
  type BinaryCrossEntropyOptions,
  type BinaryCrossEntropyWithLogitsOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type HuberLossOptions,
  huberLoss,
  type LossOptions,
  l1Loss,
  type NllLossOptions,
  nllLoss,
  type Reduction,
} from './functional/losses-extra.js';
// Initialisers
export {
  fans,
  heInit,
  type InitContext,
  type Initializer,
  type InitSpec,
  resolveInit,
  stdInit,
  xavierInit,
  zerosInit,
} from './init.js';
export {
  decodeSafetensors,
  decodeSafetensorsMetadata,
  type EncodeSafetensorsOptions,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  openSafetensors,
  type SafetensorsDType,
  type SafetensorsFile,
} from './io/safetensors.js';
export { loadSafetensors, saveSafetensors } from './io/safetensors-node.js';
export {
  type CheckpointFormat,
  type LoadReport,
  type LoadTorchOptions,
  loadTorchStateDict,
  type MatrixLayout,
  toTorchStateDict,
} from './io/torch.js';
// Layers
export { ReLU, Sigmoid, Tanh } from './layers/activations.js';
export { ELU, GELU, Identity, LeakyReLU, SiLU, Softplus } from './layers/activations-extra.js';
export { Affine, type AffineOptions } from './layers/affine.js';
export { BatchNorm, type BatchNormOptions } from './layers/batchnorm.js';
export { AvgPool2d, Conv2d, type Conv2dLayerOptions, Flatten, MaxPool2d } from './layers/conv.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { type AnyLayer, Layer } from './layers/layer.js';
export { MeanSquaredError, SoftmaxWithLoss } from './layers/losses.js';
export { LayerNorm, type LayerNormOptions } from './layers/normalization.js';
export { Sequential } from './layers/sequential.js';
// Optimizers, schedules, clipping
export { type ClipGradNormOptions, clipGradNorm, clipGradValue, type GradientSource } from './optim/clip.js';
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerState,
  type ParameterSource,
} from './optim/optimizer.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './optim/plateau.js';
export {
  AdaGrad,
  Adam,
  type AdamOptions,
  type AdaptiveOptions,
  Momentum,
  type MomentumOptions,
  Nesterov,
  RMSprop,
  type RMSpropOptions,
  SGD,
} from './optim/rules.js';
export {
  ClosedFormScheduler,
  CosineAnnealingLR,
  type CosineAnnealingOptions,
  ExponentialLR,
  LinearWarmup,
  type LinearWarmupOptions,
  LRScheduler,
  type SchedulerState,
  StepLR,
  type StepLROptions,
} from './optim/schedules.js';
// Training
export {
  type LoadParametersOptions,
  loadParameters,
  parametersFromBytes,
  parametersToBytes,
  type SaveParametersOptions,
  saveParameters,
} from './train/checkpoint.js';
export {
  accuracy,
  countCorrect,
  type EvaluateOptions,
  type Evaluation,
  evaluate,
  type LossFunction,
} from './train/metrics.js';
export {
  createProgress,
  type Progress,
  type ProgressMode,
  type ProgressOptions,
  type ProgressStream,
  type ProgressValues,
} from './train/progress.js';
export {
  type EpochEvent,
  type EvaluationRecord,
  type IterationEvent,
  type TrainEventSink,
  type TrainHistory,
  type TrainOptions,
  type TrainResult,
  train,
} from './train/train.js';
export { type TrainAsyncOptions, trainAsync } from './train/train-async.js';

/**
 * `@zerograd/core/testing` — property-based gradient testing as a library feature.
 *
 * fast-check arbitraries for shapes and tensors that compose (`shapeArb`,
 * `broadcastShapesArb`, `tensorArb`, `matmulShapesArb`, `distinctValuesTensorArb`), and
 * `gradientProperty`, which runs `gradcheck` (and optionally `gradgradcheck`) over generated
 * inputs and reports a shrunk counterexample with the seed to replay it. Statistics of every
 * property are kept by label for a summary table (`propertyStats`, `formatPropertyStats`).
 *
 * This entry point needs the optional peer dependency `fast-check`; the main entry does not.
 *
 * @example
 * import { exp } from '@zerograd/core';
 * import { gradientProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
 *
 * gradientProperty((x) => exp(x), [tensorArb(shapeArb())], { label: 'Exp', secondOrder: true });
 * @packageDocumentation
 */

// The op table: every exported op with its test domain, second-order flag and reference.
export { type Domain, OPS, type OpEntry, type OpKind, opEntries } from '../ops/table.js';
export {
  broadcastShapesArb,
  broadcastTensorsArb,
  type DistinctConstraints,
  distinctValuesTensorArb,
  type MatmulShapeConstraints,
  matmulShapesArb,
  type ShapeConstraints,
  shapeArb,
  type TensorConstraints,
  tensorArb,
  valueArb,
} from './arbitraries.js';
export {
  type CheckPropertyOptions,
  checkProperty,
  DEFAULT_NUM_RUNS,
  type PropertyRunOptions,
  propertyParameters,
} from './check-property.js';
export {
  type GradientCase,
  type GradientFn,
  type GradientPropertyOptions,
  type GradientPropertyResult,
  gradientProperty,
} from './property.js';
export {
  formatPropertyStats,
  mergePropertyStats,
  type PropertyObservation,
  type PropertyStats,
  propertyStats,
  recordPropertyStats,
  resetPropertyStats,
} from './stats.js';

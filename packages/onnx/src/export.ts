/**
 * `exportOnnx`: a model's forward pass, traced with `traceGraph`, written as an ONNX model.
 * The trace is plain data — variables (inputs, parameters, constants, intermediates) and op
 * nodes in topological order — so exporting is a walk over it: parameters and constants become
 * initializers, each op becomes the ONNX nodes `EXPORTERS` writes, and each node's scope path
 * (`Sequential/affine1`) becomes its `doc_string`, so the layer structure survives.
 */
import {
  enableGrad,
  fmtShape,
  ShapeError,
  type Tensor,
  traceGraph,
  ValueError,
  Variable,
  variable,
} from '@zerograd/core';
import type { AnyLayer } from '@zerograd/layers';
import { buildGraph } from './export-graph.js';
import { encodeModel, type OnnxModel } from './model.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Names of the graph inputs (default `input`, or `input0`, `input1`, … for several). */
  inputNames?: readonly string[];
  /** Names of the graph outputs (default `output`, or `output0`, …). */
  outputNames?: readonly string[];
  /**
   * Declare axis 0 of inputs and outputs as the symbolic batch size `N` (default true), so the
   * model takes any batch. The example batch must then have at least 2 rows.
   */
  dynamicBatch?: boolean;
  /** The graph's name (default the model's type, or `zerograd`). */
  graphName?: string;
  /** A description stored as the model's `doc_string`. */
  docString?: string;
}

/** A model or a function of variables, as `exportOnnx` takes it. */
export type Exportable = AnyLayer | ((...inputs: Variable[]) => Variable | readonly Variable[]);

/** The ONNX opset and IR version written: opset 17 / IR 8, read by every current runtime. */
export const ONNX_OPSET = 17;
const IR_VERSION = 8;
const OP = 'exportOnnx';

/**
 * Traces `model` on `exampleInputs` (a layer runs in evaluation mode, then gets its modes
 * back) and returns the ONNX model as data; `exportOnnx` returns it as bytes.
 */
export function toOnnxModel(
  model: Exportable,
  exampleInputs: Tensor | Variable | readonly (Tensor | Variable)[],
  options: ExportOnnxOptions = {},
): OnnxModel {
  const examples = Array.isArray(exampleInputs) ? exampleInputs : [exampleInputs as Tensor | Variable];
  const { dynamicBatch = true } = options;
  const inputNames = options.inputNames ?? examples.map((_, i) => (examples.length === 1 ? 'input' : `input${i}`));
  if (inputNames.length !== examples.length || new Set(inputNames).size !== inputNames.length) {
    throw new ValueError(
      OP,
      `needs one distinct name per input: got ${inputNames.length} names for ${examples.length} inputs`,
    );
  }
  const inputs = examples.map((t, i) =>
    variable(t instanceof Variable ? t.data : t, { name: inputNames[i], requiresGrad: true }),
  );
  if (dynamicBatch) {
    for (const x of inputs) {
      if (x.ndim === 0 || x.shape[0] < 2) {
        throw new ShapeError(
          OP,
          `a dynamic batch needs example inputs with at least 2 rows on axis 0, got ${fmtShape(x.shape)} for '${x.name}' (or pass dynamicBatch: false)`,
        );
      }
    }
  }
  const outputs = run(model, inputs);
  const outputNames = options.outputNames ?? outputs.map((_, i) => (outputs.length === 1 ? 'output' : `output${i}`));
  if (outputNames.length !== outputs.length) {
    throw new ValueError(OP, `got ${outputNames.length} output names for ${outputs.length} outputs`);
  }
  const snapshot = traceGraph(...outputs, { fullLimit: Number.POSITIVE_INFINITY });
  const graphName = options.graphName ?? (typeof model === 'function' ? 'zerograd' : model.type);
  return {
    irVersion: IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'zerograd',
    producerVersion: '0.1.0',
    docString: options.docString,
    graph: buildGraph(snapshot, inputNames, outputNames, dynamicBatch, graphName),
  };
}

/**
 * The ONNX protobuf bytes of `model`'s forward pass on inputs shaped like `exampleInputs`:
 * weights as initializers in their dtype, named inputs and outputs (axis 0 the symbolic batch
 * size `N`), opset 17. An op with no ONNX mapping is a `GraphError` naming it and its scope.
 *
 * @example
 * const bytes = exportOnnx(net, randn([2, 784]));  // then: new ort.InferenceSession.create(bytes)
 */
export function exportOnnx(
  model: Exportable,
  exampleInputs: Tensor | Variable | readonly (Tensor | Variable)[],
  options: ExportOnnxOptions = {},
): Uint8Array {
  return encodeModel(toOnnxModel(model, exampleInputs, options));
}

function run(model: Exportable, inputs: Variable[]): Variable[] {
  // The graph must be recorded even if the caller is inside noGrad.
  if (typeof model === 'function') {
    const out = enableGrad(() => model(...inputs));
    return Array.isArray(out) ? [...out] : [out as Variable];
  }
  const modes = [...model.layers()].map((l) => [l, l.training] as const);
  model.eval(); // Dropout passes through, BatchNorm uses its running statistics
  try {
    return [enableGrad(() => model.forward(inputs[0], ...(inputs.slice(1) as never[])))];
  } finally {
    for (const [l, mode] of modes) l.training = mode;
  }
}

/**
 * zerograd op → ONNX nodes, one entry per op. Each entry writes the nodes for one op node of a
 * traced graph and says whether the output's first axis is still the batch axis, so that
 * shapes written into the model (Reshape, Expand) keep the batch size free.
 */
import type { SnapshotOpNode } from '@zerograd/core';
import { INDEX_EXPORTERS } from './export-index.js';
import type { OnnxAttribute, OnnxDType } from './model.js';

/** A value flowing into or out of an op, as the exporter knows it. */
export interface Value {
  /** Its name in the ONNX graph. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: OnnxDType;
  /** Whether axis 0 is the (dynamic) batch axis. */
  readonly batch: boolean;
}

/** What an entry may do: add nodes and constants. */
export interface Emit {
  /** Adds a node; returns its (first) output name. */
  node(opType: string, inputs: string[], outputs: string[] | number, attrs?: Record<string, OnnxAttribute>): string;
  /** An int64 constant (shapes, axes; bigints for the ±2⁶³ sentinels of Slice) as an initializer; returns its name. */
  int64(values: readonly (number | bigint)[], dims?: readonly number[]): string;
  /** A scalar of the given dtype as an initializer; returns its name. */
  scalar(value: number, dtype: OnnxDType): string;
  /** `v` cast to `dtype` (a Cast node) unless it has it already. */
  cast(v: Value, dtype: OnnxDType): string;
}

/** One op node to translate: its snapshot node, inputs and outputs. */
export interface OpCall {
  readonly op: SnapshotOpNode;
  readonly inputs: readonly Value[];
  /** The name the (first) output must get, its shape and dtype. */
  readonly out: Value;
  /** Every output, in order (one for most ops; `Split` has several). */
  readonly outs: readonly Value[];
  /** The example batch size when the batch is dynamic, else -1. */
  readonly batchSize: number;
}

/** Writes the nodes of one op; returns whether its outputs keep the batch axis first. */
export type Exporter = (call: OpCall, emit: Emit) => boolean;

const ints = (value: readonly number[]): OnnxAttribute => ({ type: 'ints', value });
const int = (value: number): OnnxAttribute => ({ type: 'int', value });
/** The batch flag of an elementwise result: a batched operand of the output's rank. */
const batchOf = (call: OpCall) => call.inputs.some((v) => v.batch && v.shape.length === call.out.shape.length);

function elementwise(onnxOp: string): Exporter {
  return (call, emit) => {
    // zerograd promotes mixed dtypes (float32 with a float64 constant gives float64): ONNX does not.
    const names = call.inputs.map((v) => emit.cast(v, call.out.dtype));
    emit.node(onnxOp, names, [call.out.name]);
    return batchOf(call);
  };
}

function reduction(onnxOp: 'ReduceSum' | 'ReduceMax' | 'ReduceMin'): Exporter {
  return ({ op, inputs: [x], out }, emit) => {
    const axes = op.attrs.axes as number[];
    const keepdims = int(op.attrs.keepdims ? 1 : 0);
    // Opset 17: ReduceSum takes its axes as an input, ReduceMax/ReduceMin as an attribute.
    if (onnxOp === 'ReduceSum') emit.node(onnxOp, [x.name, emit.int64(axes)], [out.name], { keepdims });
    else emit.node(onnxOp, [x.name], [out.name], { axes: ints(axes), keepdims });
    return x.batch && !axes.includes(0);
  };
}

/** A target shape with the batch axis written as 0 ("copy the input's"), when it stays first. */
function reshapeTo(x: Value, target: readonly number[], emit: Emit, out: string): boolean {
  const keep = x.batch && target.length > 0 && target[0] === x.shape[0];
  emit.node('Reshape', [x.name, emit.int64(keep ? [0, ...target.slice(1)] : target)], [out]);
  return keep;
}

/** MatMul with zerograd's transpose flags: a Transpose of the last two axes where asked. */
const matmul: Exporter = ({ op, inputs: [a, b], out }, emit) => {
  const swapLast = (v: Value) => {
    const perm = v.shape.map((_, i) => i);
    const n = perm.length;
    [perm[n - 2], perm[n - 1]] = [perm[n - 1], perm[n - 2]];
    return emit.node('Transpose', [v.name], 1, { perm: ints(perm) });
  };
  const an = op.attrs.transposeA ? swapLast(a) : a.name;
  const bn = op.attrs.transposeB ? swapLast(b) : b.name;
  emit.node('MatMul', [an, bn], [out.name]);
  const aKeeps = a.batch && a.shape.length >= 2 && !(op.attrs.transposeA && a.shape.length === 2);
  return aKeeps || (b.batch && b.shape.length > 2);
};

const pair = (p: unknown) => p as [number, number];

/** Every zerograd op the exporter knows, by the op name a traced graph records. */
export const EXPORTERS: Readonly<Record<string, Exporter>> = {
  Add: elementwise('Add'),
  Sub: elementwise('Sub'),
  Mul: elementwise('Mul'),
  Div: elementwise('Div'),
  Maximum: elementwise('Max'),
  Minimum: elementwise('Min'),
  Neg: elementwise('Neg'),
  Exp: elementwise('Exp'),
  Log: elementwise('Log'),
  Sqrt: elementwise('Sqrt'),
  Tanh: elementwise('Tanh'),
  Sigmoid: elementwise('Sigmoid'),
  Sin: elementwise('Sin'),
  Cos: elementwise('Cos'),
  Abs: elementwise('Abs'),
  ReLU: elementwise('Relu'),
  Identity: elementwise('Identity'),
  Erf: elementwise('Erf'),
  Pow: (call, emit) => {
    const { op, inputs, out } = call;
    if (inputs.length === 2) return elementwise('Pow')(call, emit);
    // A number exponent is an attribute in zerograd and an input in ONNX.
    emit.node('Pow', [inputs[0].name, emit.scalar(op.attrs.exponent as number, out.dtype)], [out.name]);
    return inputs[0].batch;
  },
  Sum: reduction('ReduceSum'),
  Max: reduction('ReduceMax'),
  Min: reduction('ReduceMin'),
  Reshape: ({ inputs: [x], out }, emit) => reshapeTo(x, out.shape, emit, out.name),
  Transpose: ({ op, inputs: [x], out }, emit) => {
    const perm = op.attrs.axes as number[];
    emit.node('Transpose', [x.name], [out.name], { perm: ints(perm) });
    return x.batch && perm[0] === 0;
  },
  BroadcastTo: ({ inputs: [x], out }, emit) => {
    // Expand broadcasts both ways, so a 1 where the batch goes keeps the input's batch size.
    const keep = x.batch && x.shape.length === out.shape.length;
    emit.node('Expand', [x.name, emit.int64(keep ? [1, ...out.shape.slice(1)] : out.shape)], [out.name]);
    return keep;
  },
  SumTo: ({ inputs: [x], out }, emit) => {
    const lead = x.shape.length - out.shape.length;
    const axes = x.shape.map((_, i) => i).filter((i) => i < lead || (out.shape[i - lead] === 1 && x.shape[i] !== 1));
    const summed = emit.node('ReduceSum', [x.name, emit.int64(axes)], 1, { keepdims: int(1) });
    const kept = { ...x, name: summed, shape: x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) };
    return reshapeTo({ ...kept, batch: x.batch && !axes.includes(0) }, out.shape, emit, out.name);
  },
  MatMul: matmul,
  Affine: ({ op, inputs, out }, emit) => {
    // zerograd's fused layer x·W + b (then ReLU) is ONNX's Gemm (then Relu).
    const names = inputs.map((v) => v.name);
    if (op.attrs.activation === 'relu') emit.node('Relu', [emit.node('Gemm', names, 1)], [out.name]);
    else emit.node('Gemm', names, [out.name]);
    return inputs[0].batch;
  },
  Cast: ({ inputs: [x], out }, emit) => {
    emit.node('Identity', [emit.cast(x, out.dtype)], [out.name]);
    return x.batch;
  },
  Conv2d: ({ op, inputs, out }, emit) => {
    const [s, p] = [pair(op.attrs.stride), pair(op.attrs.pad)];
    const W = inputs[1].shape;
    emit.node(
      'Conv',
      inputs.map((v) => v.name),
      [out.name],
      { kernel_shape: ints([W[2], W[3]]), strides: ints(s), pads: ints([p[0], p[1], p[0], p[1]]) },
    );
    return inputs[0].batch;
  },
  MaxPool: ({ op, inputs: [x], out }, emit) => {
    const [k, s, p] = [pair(op.attrs.kernel), pair(op.attrs.stride), pair(op.attrs.pad)];
    emit.node('MaxPool', [x.name], [out.name], {
      kernel_shape: ints(k),
      strides: ints(s),
      pads: ints([p[0], p[1], p[0], p[1]]),
    });
    return x.batch;
  },
  AvgPool: ({ op, inputs: [x], out }, emit) => {
    const [k, s, p] = [pair(op.attrs.kernel), pair(op.attrs.stride), pair(op.attrs.pad)];
    // zerograd counts padding as zeros in the average: ONNX's count_include_pad = 1.
    emit.node('AveragePool', [x.name], [out.name], {
      kernel_shape: ints(k),
      strides: ints(s),
      pads: ints([p[0], p[1], p[0], p[1]]),
      count_include_pad: int(1),
    });
    return x.batch;
  },
  // GetItem, Split, Concat, Flip, Pad, Cumsum (export-index.ts).
  ...INDEX_EXPORTERS,
};

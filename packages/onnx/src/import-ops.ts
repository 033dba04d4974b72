/**
 * ONNX op → zerograd ops, one entry per ONNX operator `importOnnx` reads. Each entry receives
 * the node's inputs as variables (a missing optional input is null) and returns its outputs.
 * Everything is built from differentiable zerograd ops, so an imported model can be trained.
 */
import {
  type Axis,
  abs,
  add,
  avgPool2d,
  cast,
  conv2d,
  cos,
  type DType,
  div,
  exp,
  log,
  matmul,
  max,
  maximum,
  maxPool2d,
  min,
  minimum,
  mul,
  neg,
  pow,
  relu,
  reshape,
  sigmoid,
  sin,
  sqrt,
  sub,
  sum,
  tanh,
  transpose,
  ValueError,
  type Variable,
} from '@zerograd/core';
import { erf, logSoftmax, softmax } from '@zerograd/layers';
import { INDEX_IMPORTERS } from './import-index.js';
import type { OnnxAttribute, OnnxNode } from './model.js';

/** What an entry gets: the node, its inputs, and its attributes read with defaults. */
export interface ImportCall {
  readonly node: OnnxNode;
  readonly inputs: readonly (Variable | null)[];
  /** An int attribute, or `fallback`. */
  int(name: string, fallback: number): number;
  /** A float attribute, or `fallback`. */
  float(name: string, fallback: number): number;
  /** An ints attribute, or `fallback`. */
  ints(name: string, fallback?: readonly number[]): readonly number[] | undefined;
  /** The values of a constant input (shapes, axes), or an error naming the node. */
  constant(index: number): number[];
}

/** Runs one ONNX node with zerograd ops. */
export type Importer = (call: ImportCall) => Variable | Variable[];

const ONNX_DTYPES: Readonly<Record<number, DType>> = { 1: 'float32', 11: 'float64', 6: 'int32', 9: 'bool' };

const unary =
  (f: (x: Variable) => Variable): Importer =>
  ({ inputs: [x] }) =>
    f(x as Variable);
const binary =
  (f: (a: Variable, b: Variable) => Variable): Importer =>
  ({ inputs: [a, b] }) =>
    f(a as Variable, b as Variable);

function fail(node: OnnxNode, message: string): never {
  throw new ValueError('importOnnx', `${node.opType} node '${node.name}': ${message}`);
}

/** Reductions take their axes as an attribute (opset < 18; ReduceSum < 13) or as an input. */
function reduce(f: (x: Variable, axis: Axis, keepdims: boolean) => Variable, mean = false): Importer {
  return (call) => {
    const x = call.inputs[0] as Variable;
    const axes = call.inputs[1] ? call.constant(1) : call.ints('axes');
    const keep = call.int('keepdims', 1) === 1;
    if ((!axes || axes.length === 0) && call.int('noop_with_empty_axes', 0) === 1) return x;
    const y = f(x, axes?.length ? axes : null, keep);
    if (!mean) return y;
    const count = x.size / y.size;
    return div(y, count);
  };
}

/** Symmetric padding only: `[top, left, bottom, right]` must be `[p, q, p, q]` for zerograd's pools. */
function pads2d(call: ImportCall): [number, number] {
  const p = call.ints('pads', [0, 0, 0, 0]) as readonly number[];
  if (p.length !== 4 || p[0] !== p[2] || p[1] !== p[3]) fail(call.node, `asymmetric pads [${p}] are not supported`);
  const autoPad = call.node.attributes.auto_pad;
  if (autoPad && autoPad.type === 'string' && autoPad.value !== 'NOTSET')
    fail(call.node, `auto_pad ${autoPad.value} is not supported`);
  return [p[0], p[1]];
}

function onesOnly(call: ImportCall, name: string): void {
  const v = call.ints(name);
  if (v?.some((d) => d !== 1)) fail(call.node, `${name} [${v}] is not supported (only 1)`);
}

/** The ONNX operators zerograd can run, by op type. */
export const IMPORTERS: Readonly<Record<string, Importer>> = {
  Add: binary(add),
  Sub: binary(sub),
  Mul: binary(mul),
  Div: binary(div),
  Pow: binary(pow),
  Max: ({ inputs }) => (inputs as Variable[]).reduce((a, b) => maximum(a, b)),
  Min: ({ inputs }) => (inputs as Variable[]).reduce((a, b) => minimum(a, b)),
  Neg: unary(neg),
  Exp: unary(exp),
  Log: unary(log),
  Sqrt: unary(sqrt),
  Tanh: unary(tanh),
  Sigmoid: unary(sigmoid),
  Relu: unary(relu),
  Abs: unary(abs),
  Sin: unary(sin),
  Cos: unary(cos),
  Erf: unary(erf),
  Identity: unary((x) => x),
  // Inference: dropout passes its input through (a second output, the mask, is not produced).
  Dropout: unary((x) => x),
  Softmax: (call) => softmax(call.inputs[0] as Variable, call.int('axis', -1)),
  LogSoftmax: (call) => logSoftmax(call.inputs[0] as Variable, call.int('axis', -1)),
  MatMul: binary((a, b) => matmul(a, b)),
  Gemm: (call) => {
    const [a, b, c] = call.inputs as [Variable, Variable, Variable | null];
    let y = matmul(a, b, { transposeA: call.int('transA', 0) === 1, transposeB: call.int('transB', 0) === 1 });
    const alpha = call.float('alpha', 1);
    if (alpha !== 1) y = mul(y, alpha);
    if (!c) return y;
    const beta = call.float('beta', 1);
    return add(y, beta === 1 ? c : mul(c, beta));
  },
  Reshape: (call) => {
    const x = call.inputs[0] as Variable;
    // 0 copies the input's dimension (unless allowzero), -1 is inferred.
    const shape = call.constant(1).map((d, i) => (d === 0 && call.int('allowzero', 0) === 0 ? x.shape[i] : d));
    return reshape(x, shape);
  },
  Flatten: (call) => {
    const x = call.inputs[0] as Variable;
    let axis = call.int('axis', 1);
    if (axis < 0) axis += x.ndim;
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return reshape(x, [outer, x.size / Math.max(outer, 1)]);
  },
  Transpose: (call) => transpose(call.inputs[0] as Variable, call.ints('perm')),
  Cast: (call) => {
    const to = ONNX_DTYPES[call.int('to', 0)];
    if (!to) fail(call.node, `cast to ONNX data type ${call.int('to', 0)} is not supported`);
    return cast(call.inputs[0] as Variable, to);
  },
  BatchNormalization: (call) => {
    // Inference form over axis 1: (x − mean)/√(var + ε)·scale + B; statistics are constants.
    const [x, scale, bias, mean, variance] = call.inputs as Variable[];
    if (call.int('training_mode', 0) === 1) fail(call.node, 'training_mode is not supported (export in eval mode)');
    const eps = call.float('epsilon', 1e-5);
    const along = (v: Variable) => (x.ndim > 2 ? reshape(v, [v.size, ...x.shape.slice(2).map(() => 1)]) : v);
    const inv = div(1, sqrt(add(variance.data, eps)));
    return add(mul(mul(sub(x, along(mean)), along(inv)), along(scale)), along(bias));
  },
  ReduceSum: reduce(sum),
  ReduceMean: reduce(sum, true),
  ReduceMax: reduce(max),
  ReduceMin: reduce(min),
  Conv: (call) => {
    const [x, W, b] = call.inputs as [Variable, Variable, Variable | null];
    onesOnly(call, 'dilations');
    if (call.int('group', 1) !== 1) fail(call.node, 'grouped convolution is not supported');
    return conv2d(x, W, b, { stride: call.ints('strides', [1, 1]) as [number, number], pad: pads2d(call) });
  },
  MaxPool: (call) => {
    onesOnly(call, 'dilations');
    if (call.int('ceil_mode', 0) !== 0) fail(call.node, 'ceil_mode is not supported');
    const kernel = call.ints('kernel_shape') as [number, number];
    return maxPool2d(call.inputs[0] as Variable, {
      kernel,
      stride: call.ints('strides', [1, 1]) as [number, number],
      pad: pads2d(call),
    });
  },
  AveragePool: (call) => {
    if (call.int('ceil_mode', 0) !== 0) fail(call.node, 'ceil_mode is not supported');
    const pad = pads2d(call);
    if ((pad[0] || pad[1]) && call.int('count_include_pad', 0) !== 1)
      fail(call.node, 'padding outside the average (count_include_pad 0) is not supported');
    const kernel = call.ints('kernel_shape') as [number, number];
    return avgPool2d(call.inputs[0] as Variable, {
      kernel,
      stride: call.ints('strides', [1, 1]) as [number, number],
      pad,
    });
  },
  // Slice, Squeeze, Unsqueeze, Gather, Split, Concat, Pad, CumSum, Expand (import-index.ts).
  ...INDEX_IMPORTERS,
};

/** The attribute readers of an `ImportCall`. */
export function attributeReaders(node: OnnxNode): Pick<ImportCall, 'int' | 'float' | 'ints'> {
  const get = (name: string, type: OnnxAttribute['type']) => {
    const a = node.attributes[name];
    if (a && a.type !== type) fail(node, `attribute ${name} is ${a.type}, expected ${type}`);
    return a;
  };
  return {
    int: (name, fallback) => (get(name, 'int')?.value as number | undefined) ?? fallback,
    float: (name, fallback) => (get(name, 'float')?.value as number | undefined) ?? fallback,
    ints: (name, fallback) => (get(name, 'ints')?.value as readonly number[] | undefined) ?? fallback,
  };
}

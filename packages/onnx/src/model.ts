/**
 * An ONNX model as plain data, and its translation to and from bytes. Only the parts of
 * `onnx.proto` that a feed-forward network uses are modelled: ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto (with its TypeProto and TensorShapeProto). The
 * field numbers below are `onnx.proto`'s; a field this module does not know is skipped on read.
 */
import { ValueError } from '@zerograd/core';
import {
  type ProtoField,
  ProtoWriter,
  readFields,
  repeatedFloats,
  repeatedInts,
  toInt,
  toStr,
  VARINT,
} from './protobuf.js';

/** Element types zerograd reads and writes (ONNX `TensorProto.DataType`: 1, 11, 6, 7, 9). */
export type OnnxDType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

/** ONNX's number for each element type. */
export const DATA_TYPE: Readonly<Record<OnnxDType, number>> = { float32: 1, float64: 11, int32: 6, int64: 7, bool: 9 };
const DTYPE_OF = new Map(Object.entries(DATA_TYPE).map(([k, v]) => [v, k as OnnxDType]));

/** The typed array that holds each element type. */
export type OnnxArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** A tensor: an initializer (weights) or an attribute's value. */
export interface OnnxTensor {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly dims: readonly number[];
  readonly data: OnnxArray;
  readonly docString?: string;
}

/** An attribute of a node, by its ONNX type. */
export type OnnxAttribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: OnnxTensor };

/** One operator application. */
export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
  readonly docString?: string;
  readonly domain?: string;
}

/** A graph input or output: name, element type, and dims (a string is a symbolic dim such as `N`). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly shape: readonly (number | string)[];
  readonly docString?: string;
}

/** A graph: nodes in topological order, weights, and named inputs and outputs. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly docString?: string;
}

/** A whole model: the graph plus the IR version and the opset it is written against. */
export interface OnnxModel {
  readonly irVersion: number;
  /** Version of the default (`ai.onnx`) operator set. */
  readonly opset: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: OnnxGraph;
  readonly docString?: string;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPE[t.dtype]);
  w.string(8, t.name);
  // raw_data: little-endian bytes, what every runtime reads fastest (and what PyTorch writes).
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  if (t.docString) w.string(12, t.docString);
}

function writeAttribute(w: ProtoWriter, name: string, a: OnnxAttribute): void {
  w.string(1, name);
  if (a.type === 'float') w.float(2, a.value);
  else if (a.type === 'int') w.int(3, a.value);
  else if (a.type === 'string') w.string(4, a.value);
  else if (a.type === 'tensor') w.message(5, (m) => writeTensor(m, a.value));
  else if (a.type === 'floats') for (const v of a.value) w.float(7, v);
  else for (const v of a.value) w.int(8, v);
  w.int(20, ATTR_TYPE[a.type]);
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE[v.dtype]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)));
        }
      });
    }),
  );
  if (v.docString) w.string(3, v.docString);
}

/** The model as ONNX protobuf bytes (what a `.onnx` file holds). */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => {
    for (const n of model.graph.nodes) {
      g.message(1, (m) => {
        for (const i of n.inputs) m.string(1, i);
        for (const o of n.outputs) m.string(2, o);
        m.string(3, n.name);
        m.string(4, n.opType);
        for (const [k, a] of Object.entries(n.attributes)) m.message(5, (aw) => writeAttribute(aw, k, a));
        if (n.docString) m.string(6, n.docString);
        if (n.domain) m.string(7, n.domain);
      });
    }
    g.string(2, model.graph.name);
    for (const t of model.graph.initializers) g.message(5, (m) => writeTensor(m, t));
    if (model.graph.docString) g.string(10, model.graph.docString);
    for (const v of model.graph.inputs) g.message(11, (m) => writeValueInfo(m, v));
    for (const v of model.graph.outputs) g.message(12, (m) => writeValueInfo(m, v));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, model.opset);
  });
  return w.finish();
}

// ---- reading -------------------------------------------------------------------------------

const OP = 'importOnnx';
const all = (fs: readonly ProtoField[], n: number) => fs.filter((f) => f.field === n);
const first = (fs: readonly ProtoField[], n: number) => {
  let last: ProtoField | undefined; // protobuf: the last occurrence of a singular field wins
  for (const f of fs) if (f.field === n) last = f;
  return last;
};
const str = (fs: readonly ProtoField[], n: number) => {
  const f = first(fs, n);
  return f ? toStr(f) : '';
};

function dtypeOf(code: number, what: string): OnnxDType {
  const d = DTYPE_OF.get(code);
  if (!d)
    throw new ValueError(
      OP,
      `${what} has ONNX data type ${code}, which zerograd does not read (it reads float, double, int32, int64, bool)`,
    );
  return d;
}

function readTensor(bytes: Uint8Array): OnnxTensor {
  const fs = readFields(OP, bytes);
  const name = str(fs, 8);
  const dims = repeatedInts(OP, fs, 1);
  const dtype = dtypeOf(toInt(first(fs, 2) ?? ({ int: 0n } as ProtoField)), `tensor '${name}'`);
  if (first(fs, 14) && toInt(first(fs, 14) as ProtoField) === 1) {
    throw new ValueError(OP, `tensor '${name}' keeps its data in an external file, which importOnnx does not read`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  const raw = first(fs, 9);
  let data: OnnxArray;
  if (raw) {
    const copy = raw.bytes.slice(); // aligned, and owned by the tensor
    const Ctor = {
      float32: Float32Array,
      float64: Float64Array,
      int32: Int32Array,
      int64: BigInt64Array,
      bool: Uint8Array,
    }[dtype];
    data = new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT);
  } else if (dtype === 'float32') data = Float32Array.from(repeatedFloats(fs, 4, 4));
  else if (dtype === 'float64') data = Float64Array.from(repeatedFloats(fs, 10, 8));
  else if (dtype === 'int64') data = BigInt64Array.from(repeatedInts(OP, fs, 7), BigInt);
  else if (dtype === 'int32') data = Int32Array.from(repeatedInts(OP, fs, 5));
  else data = Uint8Array.from(repeatedInts(OP, fs, 5));
  if (data.length !== size) {
    throw new ValueError(OP, `tensor '${name}' has dims [${dims}] (${size} values) but holds ${data.length}`);
  }
  return { name, dtype, dims, data, docString: str(fs, 12) || undefined };
}

function readAttribute(bytes: Uint8Array): [string, OnnxAttribute | null] {
  const fs = readFields(OP, bytes);
  const name = str(fs, 1);
  const type = toInt(first(fs, 20) ?? ({ int: 0n } as ProtoField));
  const f = (n: number) => first(fs, n);
  if (type === ATTR_TYPE.float) return [name, { type: 'float', value: repeatedFloats(fs, 2, 4)[0] ?? 0 }];
  if (type === ATTR_TYPE.int) return [name, { type: 'int', value: f(3) ? toInt(f(3) as ProtoField) : 0 }];
  if (type === ATTR_TYPE.string) return [name, { type: 'string', value: str(fs, 4) }];
  if (type === ATTR_TYPE.tensor && f(5))
    return [name, { type: 'tensor', value: readTensor((f(5) as ProtoField).bytes) }];
  if (type === ATTR_TYPE.floats) return [name, { type: 'floats', value: repeatedFloats(fs, 7, 4) }];
  if (type === ATTR_TYPE.ints) return [name, { type: 'ints', value: repeatedInts(OP, fs, 8) }];
  return [name, null]; // graphs, sparse tensors, type protos: no MLP op needs them
}

function readValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const fs = readFields(OP, bytes);
  const name = str(fs, 1);
  const type = first(fs, 2);
  const tensor = type && first(readFields(OP, type.bytes), 1);
  if (!tensor) throw new ValueError(OP, `graph input/output '${name}' is not a tensor`);
  const tfs = readFields(OP, tensor.bytes);
  const shapeField = first(tfs, 2);
  const shape = shapeField
    ? all(readFields(OP, shapeField.bytes), 1).map((d) => {
        const dfs = readFields(OP, d.bytes);
        const value = first(dfs, 1);
        return value && value.wire === VARINT ? toInt(value) : str(dfs, 2) || '?';
      })
    : [];
  return { name, dtype: dtypeOf(toInt(first(tfs, 1) ?? ({ int: 0n } as ProtoField)), `'${name}'`), shape };
}

/** Reads ONNX protobuf bytes into an `OnnxModel` (the parts listed at the top of this file). */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(OP, 'expects the bytes of an .onnx file (a Uint8Array)');
  const fs = readFields(OP, bytes);
  const graphField = first(fs, 7);
  if (!graphField) throw new ValueError(OP, 'the file has no graph (is it an ONNX model?)');
  const gs = readFields(OP, graphField.bytes);
  let opset = 0;
  for (const o of all(fs, 8)) {
    const os = readFields(OP, o.bytes);
    if (str(os, 1) === '' || str(os, 1) === 'ai.onnx') opset = toInt(first(os, 2) as ProtoField);
  }
  const initializers = all(gs, 5).map((f) => readTensor(f.bytes));
  const nodes = all(gs, 1).map((f): OnnxNode => {
    const ns = readFields(OP, f.bytes);
    const attributes: Record<string, OnnxAttribute> = {};
    for (const a of all(ns, 5)) {
      const [k, v] = readAttribute(a.bytes);
      if (v) Object.defineProperty(attributes, k, { value: v, enumerable: true });
    }
    return {
      opType: str(ns, 4),
      inputs: all(ns, 1).map(toStr),
      outputs: all(ns, 2).map(toStr),
      name: str(ns, 3),
      attributes,
      docString: str(ns, 6) || undefined,
      domain: str(ns, 7) || undefined,
    };
  });
  return {
    irVersion: toInt(first(fs, 1) ?? ({ int: 0n } as ProtoField)),
    opset,
    producerName: str(fs, 2),
    producerVersion: str(fs, 3),
    docString: str(fs, 6) || undefined,
    graph: {
      name: str(gs, 2),
      nodes,
      initializers,
      inputs: all(gs, 11).map((f) => readValueInfo(f.bytes)),
      outputs: all(gs, 12).map((f) => readValueInfo(f.bytes)),
      docString: str(gs, 10) || undefined,
    },
  };
}

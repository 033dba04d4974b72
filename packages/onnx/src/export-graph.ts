/**
 * Walks a traced graph and writes the ONNX graph: leaves to graph inputs and initializers, op
 * nodes to ONNX nodes (through `EXPORTERS`), while tracking which values keep the batch axis
 * first. Two things a trace cannot show are found here: softmax's data-dependent shift (a
 * constant equal to the row maxima of its operand, exported as a ReduceMax), and constants
 * shaped like the batch (a training-mode Dropout mask), which are refused.
 */
import {
  fmtShape,
  GraphError,
  type GraphSnapshot,
  type SnapshotOpNode,
  type SnapshotVariableNode,
} from '@zerograd/core';
import { type Emit, EXPORTERS, type Value } from './export-ops.js';
import type { OnnxArray, OnnxGraph, OnnxNode, OnnxTensor } from './model.js';

const OP = 'exportOnnx';
/** Ops whose operands line up axis by axis (broadcasting), so a constant's axis 0 meets the batch. */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Maximum', 'Minimum']);

const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;

function tensorOf(name: string, v: SnapshotVariableNode, docString?: string): OnnxTensor {
  if (v.value.kind !== 'full') throw new GraphError(OP, `the value of ${name} was not traced in full`);
  return { name, dtype: v.dtype, dims: v.shape, data: ARRAYS[v.dtype].from(v.value.data) as OnnxArray, docString };
}

/** Softmax subtracts each row's maximum as a constant computed from the data: find it, by value. */
function shiftAxis(x: SnapshotVariableNode, c: SnapshotVariableNode): number | null {
  if (x.value.kind !== 'full' || c.value.kind !== 'full' || c.shape.length !== x.shape.length) return null;
  const xs = x.value.data;
  const cs = c.value.data;
  // Softmax reduces the last axis by default: try that first (a size-1 axis matches any way).
  for (let axis = x.shape.length - 1; axis >= 0; axis--) {
    if (!x.shape.every((d, i) => (i === axis ? c.shape[i] === 1 : c.shape[i] === d))) continue;
    const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const n = x.shape[axis];
    let same = true;
    for (let j = 0; same && j < cs.length; j++) {
      const base = Math.floor(j / inner) * inner * n + (j % inner);
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < n; k++) m = Math.max(m, xs[base + k * inner]);
      same = (Number.isFinite(m) ? m : 0) === cs[j];
    }
    if (same) return axis;
  }
  return null;
}

/**
 * The ONNX graph of a traced snapshot: `inputNames` name the traced inputs (leaves with role
 * `input`), every other leaf becomes an initializer, every op the nodes `EXPORTERS` writes.
 */
export function buildGraph(
  snapshot: GraphSnapshot,
  inputNames: readonly string[],
  outputNames: readonly string[],
  dynamicBatch: boolean,
  graphName: string,
): OnnxGraph {
  const vars = new Map<string, SnapshotVariableNode>();
  for (const n of snapshot.nodes) if (n.kind === 'variable') vars.set(n.id, n);
  const edgesIn = new Map<string, string[]>();
  const outEdges = new Map<string, string[]>(); // op id → its outputs' ids, in order
  const producer = new Map<string, string>();
  for (const e of snapshot.edges) {
    const [from, to, list] = vars.has(e.from) ? [e.from, e.to, edgesIn] : [e.to, e.from, outEdges];
    const ids = list.get(to) ?? [];
    ids[e.index] = from;
    list.set(to, ids);
    if (list === outEdges) producer.set(e.to, e.from);
  }
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const values = new Map<string, Value>(); // variable id → its ONNX value
  const taken = new Set<string>([...inputNames, ...outputNames]);
  const fresh = (stem: string) => {
    let name = stem;
    for (let i = 1; taken.has(name); i++) name = `${stem}_${i}`;
    taken.add(name);
    return name;
  };
  const batchSize = (v: { shape: readonly number[] }) => (dynamicBatch ? v.shape[0] : -1);
  let doc = '';
  let nodeStem = '';
  const emit: Emit = {
    node(opType, ins, outs, attrs = {}) {
      const outNames =
        typeof outs === 'number' ? Array.from({ length: outs }, () => fresh(`${nodeStem}/${opType}`)) : outs;
      nodes.push({
        opType,
        inputs: ins,
        outputs: outNames,
        name: fresh(`${nodeStem}/${opType}#`),
        attributes: attrs,
        docString: doc || undefined,
      });
      return outNames[0];
    },
    int64(vals, dims = [vals.length]) {
      const name = fresh('shape');
      initializers.push({ name, dtype: 'int64', dims, data: BigInt64Array.from(vals, (v) => BigInt(v)) });
      return name;
    },
    scalar(value, dtype) {
      const name = fresh('scalar');
      initializers.push({
        name,
        dtype,
        dims: [],
        data: (dtype === 'int64' ? BigInt64Array.of(BigInt(value)) : ARRAYS[dtype].of(value)) as OnnxArray,
        // An attribute in zerograd (Pow's exponent, Pad's value): importOnnx must not train it.
        docString: 'constant',
      });
      return name;
    },
    cast(v, dtype) {
      if (v.dtype === dtype) return v.name;
      const to = { float32: 1, float64: 11, int32: 6, int64: 7, bool: 9 }[dtype];
      return emit.node('Cast', [v.name], 1, { to: { type: 'int', value: to } });
    },
  };
  // Leaves first: the example inputs are graph inputs, every other leaf an initializer.
  const graphInputs = inputNames.map((name) => {
    const v = [...vars.values()].find((n) => n.role === 'input' && n.name === name && !producer.has(n.id));
    if (!v) throw new GraphError(OP, `input '${name}' does not reach the outputs`);
    values.set(v.id, { name, shape: v.shape, dtype: v.dtype, batch: dynamicBatch });
    return v;
  });
  const leafValue = (v: SnapshotVariableNode): Value => {
    const known = values.get(v.id);
    if (known) return known;
    const name = fresh(v.role === 'parameter' && v.name ? v.name : `const_${v.id}`);
    // A constant (BatchNorm's running statistics in eval mode) says so, so importOnnx keeps it fixed.
    const where = v.scope.join('/');
    initializers.push(
      tensorOf(name, v, v.role === 'parameter' ? where || undefined : `constant${where ? ` in ${where}` : ''}`),
    );
    const value = { name, shape: v.shape, dtype: v.dtype, batch: false };
    values.set(v.id, value);
    return value;
  };
  const exampleBatch = dynamicBatch ? (graphInputs[0]?.shape[0] ?? -1) : -1;
  const outputIds = new Map<string, string>(); // first output id → its name
  snapshot.outputs.forEach((id, i) => {
    if (!outputIds.has(id) && producer.has(id)) outputIds.set(id, outputNames[i]);
  });
  for (const n of snapshot.nodes) {
    if (n.kind !== 'op') continue;
    const op: SnapshotOpNode = n;
    const exporter = EXPORTERS[op.op];
    const where = op.scope.length ? ` (in ${op.scope.join('/')})` : '';
    if (!exporter) {
      throw new GraphError(
        OP,
        `op '${op.op}'${where} has no ONNX mapping; exportable ops: ${Object.keys(EXPORTERS).join(', ')}`,
      );
    }
    const outIds = outEdges.get(op.id) ?? [];
    doc = op.scope.join('/');
    nodeStem = doc || op.op;
    const ins = (edgesIn.get(op.id) ?? []).map((id, k, all) => {
      const v = vars.get(id) as SnapshotVariableNode;
      if (producer.has(id) || values.has(id)) return values.get(id) as Value;
      // A constant equal to the row maxima of the other operand is softmax's shift: export the max.
      const other = vars.get(all[1 - k]);
      const axis = op.op === 'Sub' && k === 1 && v.role === 'constant' && other ? shiftAxis(other, v) : null;
      if (axis !== null) {
        const x = values.get(all[0]) as Value;
        const name = emit.node('ReduceMax', [x.name], 1, {
          axes: { type: 'ints', value: [axis] },
          keepdims: { type: 'int', value: 1 },
        });
        return { name, shape: v.shape, dtype: v.dtype, batch: x.batch && axis !== 0 };
      }
      return leafValue(v);
    });
    const outVar = vars.get(outIds[0]) as SnapshotVariableNode;
    // Concat along another axis lines its operands up on axis 0 as elementwise ops do.
    const linesUp = ELEMENTWISE.has(op.op) || (op.op === 'Concat' && op.attrs.axis !== 0);
    for (const [k, x] of ins.entries()) {
      const leaf = vars.get((edgesIn.get(op.id) ?? [])[k]) as SnapshotVariableNode;
      const follows =
        linesUp &&
        !x.batch &&
        leaf.role === 'constant' &&
        x.shape.length === outVar.shape.length &&
        x.shape[0] === batchSize(outVar) &&
        ins.some((y) => y.batch);
      if (follows) {
        throw new GraphError(
          OP,
          `op '${op.op}'${where} uses a constant ${fmtShape(x.shape)} whose first axis follows the batch: it was computed from the data outside the graph, so the exported model would hold this batch's numbers`,
        );
      }
    }
    const outs = outIds.map((id) => {
      const v = vars.get(id) as SnapshotVariableNode;
      const name = outputIds.get(id) ?? fresh(`${nodeStem}/${op.op}_out`);
      return { name, shape: v.shape, dtype: v.dtype, batch: false };
    });
    const batch = exporter({ op, inputs: ins, out: outs[0], outs, batchSize: exampleBatch }, emit);
    outIds.forEach((id, k) => values.set(id, { ...outs[k], batch: dynamicBatch && batch }));
  }
  const outputs = snapshot.outputs.map((id, i) => {
    const v = vars.get(id) as SnapshotVariableNode;
    const value = values.get(id) ?? leafValue(v);
    if (value.name !== outputNames[i]) {
      doc = '';
      nodes.push({
        opType: 'Identity',
        inputs: [value.name],
        outputs: [outputNames[i]],
        name: fresh(`Identity#`),
        attributes: {},
      });
    }
    return { name: outputNames[i], dtype: v.dtype, shape: value.batch ? ['N', ...v.shape.slice(1)] : v.shape };
  });
  return {
    name: graphName,
    nodes,
    initializers,
    inputs: graphInputs.map((v, i) => ({
      name: inputNames[i],
      dtype: v.dtype,
      shape: dynamicBatch ? ['N', ...v.shape.slice(1)] : v.shape,
    })),
    outputs,
  };
}

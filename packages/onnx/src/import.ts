/**
 * `importOnnx`: an ONNX model as a zerograd layer. The graph's float initializers become
 * parameters (so the model can be fine-tuned), BatchNormalization's running statistics become
 * buffers, and `forward` runs the nodes in order with zerograd ops (`IMPORTERS`), each inside
 * a scope from its `doc_string` (zerograd's exports store the layer path there), so the
 * imported graph draws with its layers boxed, like any other.
 */
import { GraphError, type Operand, scope, Tensor, ValueError, Variable, variable } from '@zerograd/core';
import { Layer } from '@zerograd/layers';
import { attributeReaders, IMPORTERS, type ImportCall } from './import-ops.js';
import { decodeModel, type OnnxModel, type OnnxTensor } from './model.js';

const OP = 'importOnnx';

/** A parameter name zerograd accepts (`affine1.W` → `affine1_W`, `0.weight` → `_0_weight`). */
function safeName(name: string, taken: Set<string>): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(s)) s = `_${s}`;
  let out = s;
  for (let i = 1; taken.has(out); i++) out = `${s}_${i}`;
  taken.add(out);
  return out;
}

function tensorFrom(t: OnnxTensor): Tensor {
  if (t.dtype === 'int64') {
    // Shapes and axes: int64 in ONNX, plain numbers here (a float64 tensor holds them exactly).
    return new Tensor(Float64Array.from(t.data as BigInt64Array, Number), t.dims);
  }
  if (t.dtype === 'bool') return new Tensor(Uint8Array.from(t.data as Uint8Array), t.dims);
  return new Tensor(t.data as Float32Array | Float64Array | Int32Array, t.dims);
}

/**
 * An imported ONNX model. `forward(x)` runs a one-input, one-output model; `run({ name: x })`
 * any model, returning every graph output by name. Parameters are named after the ONNX
 * initializers (`onnxName(p)` gives the original name back).
 */
export class OnnxLayer extends Layer {
  readonly type = 'Onnx';
  /** The model as data (nodes, initializers, inputs, outputs) as read from the file. */
  readonly model: OnnxModel;
  private readonly values = new Map<string, () => Variable>();
  private readonly originalNames = new Map<Variable, string>();

  constructor(model: OnnxModel) {
    super();
    this.model = model;
    const { graph } = model;
    const unsupported = [
      ...new Set(graph.nodes.filter((n) => !IMPORTERS[n.opType] && n.opType !== 'Constant').map((n) => n.opType)),
    ];
    if (unsupported.length) {
      throw new GraphError(
        OP,
        `the model uses ops zerograd cannot run: ${unsupported.join(', ')} (supported: ${Object.keys(IMPORTERS).join(', ')}, Constant)`,
      );
    }
    for (const n of graph.nodes) {
      if (n.domain && n.domain !== 'ai.onnx')
        throw new GraphError(OP, `node '${n.name}' is in domain '${n.domain}', not the standard one`);
    }
    // Running statistics are state, not weights: BatchNormalization's inputs 3 and 4.
    const statistics = new Set(
      graph.nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => n.inputs.slice(3, 5)),
    );
    const taken = new Set<string>();
    for (const t of graph.initializers) {
      const data = tensorFrom(t);
      const name = safeName(t.name, taken);
      // zerograd's exports mark constants (doc_string `constant in …`): they stay fixed too.
      if (t.docString?.startsWith('constant')) statistics.add(t.name);
      if (statistics.has(t.name) || t.dtype === 'int64' || t.dtype === 'int32' || t.dtype === 'bool') {
        const buffer = statistics.has(t.name) ? this.registerBuffer(name, data) : data;
        // Re-read on each call: loadStateDict may swap a buffer's tensor.
        this.values.set(t.name, () =>
          variable(statistics.has(t.name) ? this.buffer(name) : buffer, { requiresGrad: false }),
        );
      } else {
        const p = this.registerParameter(name, variable(data, { requiresGrad: true }));
        this.originalNames.set(p, t.name);
        this.values.set(t.name, () => p);
      }
    }
  }

  /** The ONNX name of one of this layer's parameters. */
  onnxName(p: Variable): string | undefined {
    return this.originalNames.get(p);
  }

  /** Graph inputs that are not initializers: what `run` must be given. */
  get inputNames(): string[] {
    return this.model.graph.inputs.map((i) => i.name).filter((n) => !this.values.has(n));
  }

  /** The graph's output names. */
  get outputNames(): string[] {
    return this.model.graph.outputs.map((o) => o.name);
  }

  /** Runs the graph on named inputs; returns every graph output by name. */
  run(inputs: Readonly<Record<string, Operand>>): Record<string, Variable> {
    return scope(this.name ?? this.type, () => this.evaluate(inputs));
  }

  protected call(x: Variable): Variable {
    const [input] = this.inputNames;
    if (this.inputNames.length !== 1 || this.outputNames.length !== 1) {
      throw new ValueError(
        OP,
        `forward(x) needs a model with one input and one output; this one has inputs [${this.inputNames}] and outputs [${this.outputNames}]: use run()`,
      );
    }
    return this.evaluate({ [input]: x })[this.outputNames[0]];
  }

  private evaluate(inputs: Readonly<Record<string, Operand>>): Record<string, Variable> {
    const env = new Map<string, Variable>();
    for (const name of this.inputNames) {
      if (!(name in inputs))
        throw new ValueError(OP, `missing input '${name}' (the model takes ${this.inputNames.join(', ')})`);
      const info = this.model.graph.inputs.find((i) => i.name === name);
      const x = inputs[name];
      env.set(
        name,
        x instanceof Variable
          ? x
          : variable(x, { dtype: info?.dtype === 'float32' ? 'float32' : undefined, requiresGrad: false }),
      );
    }
    const read = (name: string): Variable | null => {
      if (name === '') return null; // an omitted optional input
      const v = env.get(name) ?? this.values.get(name)?.();
      if (!v) throw new GraphError(OP, `value '${name}' is used before it is computed (are the nodes sorted?)`);
      return v;
    };
    for (const node of this.model.graph.nodes) {
      if (node.opType === 'Constant') {
        const value = node.attributes.value;
        if (value?.type !== 'tensor')
          throw new ValueError(OP, `Constant node '${node.name}' without a tensor value is not supported`);
        env.set(node.outputs[0], variable(tensorFrom(value.value), { requiresGrad: false }));
        continue;
      }
      const ins = node.inputs.map(read);
      const call: ImportCall = {
        node,
        inputs: ins,
        ...attributeReaders(node),
        constant: (i) => {
          const v = ins[i];
          if (!v || v.creator)
            throw new ValueError(OP, `${node.opType} node '${node.name}': input ${i} must be a constant`);
          return Array.from(v.data.data as ArrayLike<number>, Number);
        },
      };
      const run = () => IMPORTERS[node.opType](call);
      // The layer path: zerograd writes it as doc_string, PyTorch in the node name (`/fc1/Gemm`).
      const path = node.docString?.split('/') ?? node.name.split('/').slice(0, -1);
      const out = path.filter(Boolean).reduceRight((inner, name) => () => scope(name, inner), run)();
      const outs = Array.isArray(out) ? out : [out];
      node.outputs.forEach((name, k) => {
        if (name !== '' && outs[k]) env.set(name, outs[k]);
      });
    }
    const result: Record<string, Variable> = {};
    for (const name of this.outputNames) {
      const v = read(name);
      if (v) result[name] = v;
    }
    return result;
  }
}

/**
 * Reads an ONNX model (the bytes of a `.onnx` file) into a zerograd layer with the weights as
 * parameters. The MLP family is supported — Gemm, MatMul, Add, Sub, Mul, Div, Relu, Sigmoid,
 * Tanh, Softmax, LogSoftmax, Reshape, Flatten, Transpose, BatchNormalization, Dropout, the
 * reductions, Conv and pooling, and the picking and joining ops (Slice, Squeeze, Unsqueeze,
 * Gather, Split, Concat, Pad, CumSum); a model using anything else is a `GraphError` listing
 * every op it could not run.
 *
 * @example
 * const net = importOnnx(await readFile('model.onnx'));
 * const scores = net.forward(x); // a graph like any other: backward(), traceGraph(), fine-tune
 */
export function importOnnx(bytes: Uint8Array): OnnxLayer {
  return new OnnxLayer(decodeModel(bytes));
}

import { produce } from 'immer';
import { GraphError } from '../errors.js';
import { onesLike, type Tensor } from '../tensor/index.js';
import { computeGrads } from './backward.js';
import type { OpNode } from './node.js';
import { Variable } from './node.js';
import type {
  GraphSnapshot,
  SnapshotEdge,
  SnapshotNode,
  SnapshotOpNode,
  SnapshotVariableNode,
  TensorValue,
  VariableRole,
} from './snapshot-types.js';

// The JSON form (schema, serialize, parse) has a file of its own; the public entry imports it from here.
export { parseSnapshot, serializeSnapshot } from './snapshot-schema.js';

/** Options of `traceGraph` and `backwardSteps`. */
export interface TraceOptions {
  /** Tensors with at most this many elements are stored in full; larger ones as a summary. */
  fullLimit?: number;
}

/** A tensor's numbers as snapshot data: all of them when small, statistics when large. */
export function tensorValue(t: Tensor, fullLimit = 64): TensorValue {
  if (t.size <= fullLimit) {
    // A plain loop: Array.from(typedArray) goes through the iterator, slow for millions of scalars.
    const data: number[] = new Array(t.size);
    for (let i = 0; i < data.length; i++) data[i] = t.data[i];
    return Object.freeze({ kind: 'full', data: Object.freeze(data) });
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sq = 0;
  let n = 0;
  let nonFinite = 0;
  for (const v of t.data) {
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    n++;
    sum += v;
    sq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : 0;
  return Object.freeze({
    kind: 'summary',
    min: n ? min : 0,
    max: n ? max : 0,
    mean,
    std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0,
    nonFinite,
    head: Object.freeze(Array.from(t.data.subarray(0, 8), (v) => (Number.isFinite(v) ? v : 0))),
  });
}

function roleOf(v: Variable): VariableRole {
  if (v.creator) return 'intermediate';
  if (v.isParameter) return 'parameter';
  return v.requiresGrad ? 'input' : 'constant';
}

// Snapshots are frozen as they are built, one `Object.freeze` per object, instead of by a deep
// walk afterwards (immer's `freeze(s, true)` took ~16% of a 1,000,000-node trace; record 0005).
const NO_ATTRS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A frozen JSON copy of `value`, as `JSON.parse(JSON.stringify(value))` would give (non-finite
 * numbers → null, functions and undefined dropped) but without the text in between, and with
 * typed arrays left out: only plain data may enter a snapshot.
 */
function jsonCopy(value: unknown, op: string, parents: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return jsonCopy(json.call(value), op, parents);
  if (parents.has(value) || parents.size > 64) {
    throw new GraphError('traceGraph', `the attributes of op ${op} are circular or nest too deeply`);
  }
  parents.add(value);
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map((x) => jsonCopy(x, op, parents) ?? null);
  else {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = jsonCopy((value as Record<string, unknown>)[key], op, parents);
      // A key named __proto__ stays an own key, as JSON.parse makes it, not a prototype.
      if (v !== undefined) Object.defineProperty(out, key, { value: v, enumerable: true, writable: true });
    }
    copy = out;
  }
  parents.delete(value);
  return Object.freeze(copy);
}

function plainAttrs(node: OpNode): Readonly<Record<string, unknown>> {
  const raw = node.def.describe ? node.def.describe(node.attrs as never) : node.attrs;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return NO_ATTRS;
  const copy = jsonCopy(raw, node.def.name, new Set()) as Record<string, unknown> | undefined;
  return copy && Object.keys(copy).length > 0 ? copy : NO_ATTRS;
}

/** The scope paths of a graph are a few arrays shared by many nodes: copy each once. */
function scopeCopier(): (scope: readonly string[]) => readonly string[] {
  const copies = new Map<readonly string[], readonly string[]>();
  return (scope) => {
    let copy = copies.get(scope);
    if (!copy) {
      copy = Object.freeze(scope.map(String));
      copies.set(scope, copy);
    }
    return copy;
  };
}

interface Traced {
  snapshot: GraphSnapshot;
  varId(v: Variable): string;
  opId(o: OpNode): string;
  /** Index of an op's first edge: its inputs' edges follow in order, then its outputs'. */
  firstEdge(o: OpNode): number;
}

/**
 * Variables and op nodes from the leaves up (iterative post-order DFS: inputs before users),
 * with each one's position. A variable is in `varIndex` from the moment it is found (as −1),
 * so the map is also the "seen" set: one map per kind, no extra sets.
 */
function order(outputs: readonly Variable[]) {
  const vars: Variable[] = [];
  const ops: OpNode[] = [];
  const varIndex = new Map<Variable, number>();
  const opIndex = new Map<OpNode, number>();
  const found = (v: Variable) => varIndex.set(v, -1);
  const place = (v: Variable) => varIndex.set(v, vars.push(v) - 1);
  // Two parallel stacks (variable, next input to visit) instead of a frame object per variable.
  const stackV: Variable[] = [];
  const stackI: number[] = [];
  for (const y of outputs) {
    if (varIndex.has(y)) continue;
    found(y);
    stackV.push(y);
    stackI.push(0);
    while (stackV.length) {
      const top = stackV.length - 1;
      const v = stackV[top];
      const c = v.creator;
      if (c && stackI[top] < c.inputs.length) {
        const x = c.inputs[stackI[top]++];
        if (!varIndex.has(x)) {
          found(x);
          stackV.push(x);
          stackI.push(0);
        }
        continue;
      }
      stackV.pop();
      stackI.pop();
      if (c && !opIndex.has(c)) {
        opIndex.set(c, ops.push(c) - 1);
        // Sibling outputs of a multi-output op belong to the graph as well.
        for (const o of c.outputs) if (!varIndex.has(o) && o !== v) place(o);
      }
      place(v);
    }
  }
  return { vars, ops, varIndex, opIndex };
}

function trace(outputs: readonly Variable[], options: TraceOptions, withGrads: boolean): Traced {
  for (const y of outputs) {
    if (!(y instanceof Variable)) throw new GraphError('traceGraph', 'outputs must be Variables');
  }
  const limit = options.fullLimit ?? 64;
  const { vars, ops, varIndex, opIndex } = order(outputs);
  const copyScope = scopeCopier();
  // Variables first, then ops: a variable's node is nodes[its index], an op's nodes[#vars + its index].
  const nodes: SnapshotNode[] = [];
  const varId = (v: Variable) => nodes[varIndex.get(v) as number].id;
  for (let i = 0; i < vars.length; i++) {
    const v = vars[i];
    const n: SnapshotVariableNode = {
      id: `v${i}`,
      kind: 'variable',
      role: roleOf(v),
      name: v.name,
      // Tensor shapes are frozen arrays of numbers already: shared, not copied.
      shape: Object.isFrozen(v.shape) ? v.shape : Object.freeze(v.shape.slice()),
      dtype: v.dtype,
      scope: copyScope(v.creator ? v.creator.scope : v.scope),
      value: tensorValue(v.data, limit),
      grad: withGrads && v.grad ? tensorValue(v.grad.data, limit) : null,
      requiresGrad: v.requiresGrad,
    };
    nodes.push(Object.freeze(n));
  }
  const edges: SnapshotEdge[] = [];
  const firstEdge: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    const id = `f${i}`;
    const n: SnapshotOpNode = {
      id,
      kind: 'op',
      op: o.def.name,
      generation: o.generation,
      scope: copyScope(o.scope),
      attrs: plainAttrs(o),
    };
    nodes.push(Object.freeze(n));
    firstEdge.push(edges.length);
    for (let k = 0; k < o.inputs.length; k++) {
      edges.push(Object.freeze({ id: `e${edges.length}`, from: varId(o.inputs[k]), to: id, index: k }));
    }
    for (let k = 0; k < o.outputs.length; k++) {
      edges.push(Object.freeze({ id: `e${edges.length}`, from: id, to: varId(o.outputs[k]), index: k }));
    }
  }
  const snapshot: GraphSnapshot = Object.freeze({
    version: 1,
    nodes: Object.freeze(nodes),
    edges: Object.freeze(edges),
    outputs: Object.freeze(outputs.map(varId)),
    step: null,
  });
  return {
    snapshot,
    varId,
    opId: (o) => nodes[vars.length + (opIndex.get(o) as number)].id,
    firstEdge: (o) => firstEdge[opIndex.get(o) as number],
  };
}

/**
 * The graph that produced `outputs`, as plain, JSON-serialisable, deeply frozen data: variable
 * and op nodes with ids stable within this trace (numbered from the inputs), shapes, dtypes,
 * scopes, values and current gradients (full when small, summarised when large), and edges.
 */
export function traceGraph(...args: (Variable | TraceOptions)[]): GraphSnapshot {
  const { outputs, options } = splitArgs(args);
  return trace(outputs, options, true).snapshot;
}

function splitArgs(args: (Variable | TraceOptions)[]): { outputs: Variable[]; options: TraceOptions } {
  const last = args[args.length - 1];
  const options = last && !(last instanceof Variable) ? (args.pop() as TraceOptions) : {};
  return { outputs: args as Variable[], options };
}

/**
 * Backprop replayed as data: the first snapshot holds the forward graph with no gradients plus
 * the outputs' seed gradients (ones); each next one is the previous with the gradients that one
 * op's backward just produced — made with immer, so unchanged nodes are shared between steps.
 * Runs its own backward pass; no `.grad` of the live graph is touched.
 */
export function backwardSteps(...args: (Variable | TraceOptions)[]): GraphSnapshot[] {
  const { outputs, options } = splitArgs(args);
  const limit = options.fullLimit ?? 64;
  const { snapshot, varId, opId, firstEdge } = trace(outputs, options, false);
  const index = new Map<string, number>();
  snapshot.nodes.forEach((n, i) => index.set(n.id, i));
  const setGrad = (draft: { nodes: SnapshotNode[] }, id: string, g: Variable) => {
    const n = draft.nodes[index.get(id) as number] as SnapshotVariableNode & { grad: TensorValue | null };
    n.grad = tensorValue(g.data, limit) as never;
  };
  let current = produce(snapshot, (draft) => {
    for (const y of outputs) {
      setGrad(draft as never, varId(y), new Variable(onesLike(y.data), { requiresGrad: false }));
    }
    draft.step = { index: 0, op: null, updated: outputs.map((y) => varId(y)), edges: [] };
  });
  const steps: GraphSnapshot[] = [current];
  computeGrads(outputs, [], {
    retainGrad: true,
    onStep: (node, updated, grads) => {
      const op = opId(node);
      const first = firstEdge(node);
      const xs = [...new Set(updated)];
      current = produce(current, (draft) => {
        for (const x of xs) setGrad(draft as never, varId(x), grads.get(x) as Variable);
        draft.step = {
          index: steps.length,
          op,
          updated: xs.map((x) => varId(x)),
          // The edges x → node: one per position x holds among the node's inputs (x·x has two).
          edges: xs.flatMap((x) => node.inputs.flatMap((input, k) => (input === x ? [`e${first + k}`] : []))),
        };
      });
      steps.push(current);
    },
  });
  return steps;
}

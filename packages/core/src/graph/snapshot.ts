import { freeze, produce } from 'immer';
import { GraphError } from '../errors.js';
import { onesLike, type Tensor } from '../tensor/index.js';
import { computeGrads } from './backward.js';
import type { OpNode } from './node.js';
import type {
  GraphSnapshot,
  SnapshotEdge,
  SnapshotNode,
  SnapshotOpNode,
  SnapshotVariableNode,
  TensorValue,
  VariableRole,
} from './snapshot-types.js';
import { Variable } from './variable.js';

/** Options of `traceGraph` and `backwardSteps`. */
export interface TraceOptions {
  /** Tensors with at most this many elements are stored in full; larger ones as a summary. */
  fullLimit?: number;
}

/** A tensor's numbers as snapshot data: all of them when small, statistics when large. */
export function tensorValue(t: Tensor, fullLimit = 64): TensorValue {
  if (t.size <= fullLimit) return { kind: 'full', data: Array.from(t.data) };
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
  return {
    kind: 'summary',
    min: n ? min : 0,
    max: n ? max : 0,
    mean,
    std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0,
    nonFinite,
    head: Array.from(t.data.subarray(0, 8), (v) => (Number.isFinite(v) ? v : 0)),
  };
}

function roleOf(v: Variable): VariableRole {
  if (v.creator) return 'intermediate';
  if (v.isParameter) return 'parameter';
  return v.requiresGrad ? 'input' : 'constant';
}

function plainAttrs(node: OpNode): Record<string, unknown> {
  const raw = node.def.describe ? node.def.describe(node.attrs as never) : node.attrs;
  if (raw === null || typeof raw !== 'object') return {};
  // Round-trip through JSON: only plain data may enter a snapshot.
  return JSON.parse(JSON.stringify(raw, (_k, v) => (ArrayBuffer.isView(v) ? undefined : v))) ?? {};
}

interface Traced {
  snapshot: GraphSnapshot;
  varIds: Map<Variable, string>;
  opIds: Map<OpNode, string>;
  /** Edge ids by `from>to`: a variable used twice by one op (x·x) has two edges. */
  edgeIds: Map<string, string[]>;
}

function trace(outputs: readonly Variable[], options: TraceOptions, withGrads: boolean): Traced {
  for (const y of outputs) {
    if (!(y instanceof Variable)) throw new GraphError('traceGraph', 'outputs must be Variables');
  }
  const limit = options.fullLimit ?? 64;
  // Iterative post-order DFS: inputs before the ops that use them, so ids read from the leaves.
  const varOrder: Variable[] = [];
  const opOrder: OpNode[] = [];
  const seenV = new Set<Variable>();
  const seenO = new Set<OpNode>();
  type Frame = { v: Variable; i: number };
  for (const y of outputs) {
    if (seenV.has(y)) continue;
    seenV.add(y);
    const stack: Frame[] = [{ v: y, i: 0 }];
    while (stack.length) {
      const f = stack[stack.length - 1];
      const c = f.v.creator;
      if (c && f.i < c.inputs.length) {
        const x = c.inputs[f.i++];
        if (!seenV.has(x)) {
          seenV.add(x);
          stack.push({ v: x, i: 0 });
        }
        continue;
      }
      stack.pop();
      if (c && !seenO.has(c)) {
        seenO.add(c);
        opOrder.push(c);
        // Sibling outputs of a multi-output op belong to the graph as well.
        for (const o of c.outputs) {
          if (!seenV.has(o) && o !== f.v) {
            seenV.add(o);
            varOrder.push(o);
          }
        }
      }
      varOrder.push(f.v);
    }
  }
  const varIds = new Map<Variable, string>();
  const opIds = new Map<OpNode, string>();
  varOrder.forEach((v, i) => varIds.set(v, `v${i}`));
  opOrder.forEach((o, i) => opIds.set(o, `f${i}`));
  const nodes: SnapshotNode[] = [];
  for (const v of varOrder) {
    const n: SnapshotVariableNode = {
      id: varIds.get(v) as string,
      kind: 'variable',
      role: roleOf(v),
      name: v.name,
      shape: v.shape.slice(),
      dtype: v.dtype,
      scope: (v.creator ? v.creator.scope : v.scope).slice(),
      value: tensorValue(v.data, limit),
      grad: withGrads && v.grad ? tensorValue(v.grad.data, limit) : null,
      requiresGrad: v.requiresGrad,
    };
    nodes.push(n);
  }
  const edges: SnapshotEdge[] = [];
  const edgeIds = new Map<string, string[]>();
  const addEdge = (key: string, id: string) => {
    const list = edgeIds.get(key);
    if (list) list.push(id);
    else edgeIds.set(key, [id]);
  };
  for (const o of opOrder) {
    const id = opIds.get(o) as string;
    const n: SnapshotOpNode = {
      id,
      kind: 'op',
      op: o.def.name,
      generation: o.generation,
      scope: o.scope.slice(),
      attrs: plainAttrs(o),
    };
    nodes.push(n);
    o.inputs.forEach((x, i) => {
      const e = { id: `e${edges.length}`, from: varIds.get(x) as string, to: id, index: i };
      edges.push(e);
      addEdge(`${e.from}>${e.to}`, e.id);
    });
    o.outputs.forEach((y, i) => {
      const e = { id: `e${edges.length}`, from: id, to: varIds.get(y) as string, index: i };
      edges.push(e);
      addEdge(`${e.from}>${e.to}`, e.id);
    });
  }
  const snapshot: GraphSnapshot = {
    version: 1,
    nodes,
    edges,
    outputs: outputs.map((y) => varIds.get(y) as string),
    step: null,
  };
  return { snapshot: freeze(snapshot, true), varIds, opIds, edgeIds };
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
  const { snapshot, varIds, opIds, edgeIds } = trace(outputs, options, false);
  const index = new Map<string, number>();
  snapshot.nodes.forEach((n, i) => index.set(n.id, i));
  const setGrad = (draft: { nodes: SnapshotNode[] }, id: string, g: Variable) => {
    const n = draft.nodes[index.get(id) as number] as SnapshotVariableNode & { grad: TensorValue | null };
    n.grad = tensorValue(g.data, limit) as never;
  };
  let current = produce(snapshot, (draft) => {
    for (const y of outputs) {
      setGrad(draft as never, varIds.get(y) as string, new Variable(onesLike(y.data), { requiresGrad: false }));
    }
    draft.step = { index: 0, op: null, updated: outputs.map((y) => varIds.get(y) as string), edges: [] };
  });
  const steps: GraphSnapshot[] = [current];
  computeGrads(outputs, [], {
    retainGrad: true,
    onStep: (node, updated, grads) => {
      const opId = opIds.get(node) as string;
      current = produce(current, (draft) => {
        const ids: string[] = [];
        for (const x of updated) {
          const id = varIds.get(x) as string;
          setGrad(draft as never, id, grads.get(x) as Variable);
          ids.push(id);
        }
        draft.step = {
          index: steps.length,
          op: opId,
          updated: [...new Set(ids)],
          edges: [...new Set(ids)].flatMap((id) => edgeIds.get(`${id}>${opId}`) ?? []),
        };
      });
      steps.push(current);
    },
  });
  return steps;
}

type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';

function mapValues(s: GraphSnapshot, f: (v: number | string) => number | string): GraphSnapshot {
  const conv = (t: TensorValue | null): TensorValue | null => {
    if (!t) return t;
    if (t.kind === 'full') return { ...t, data: t.data.map(f) as number[] };
    return { ...t, head: t.head.map(f) as number[] };
  };
  return {
    ...s,
    nodes: s.nodes.map((n) =>
      n.kind === 'variable' ? { ...n, value: conv(n.value) as TensorValue, grad: conv(n.grad) } : n,
    ),
  };
}

/**
 * A snapshot as JSON text. Plain `JSON.stringify` works too, but turns NaN and ±Infinity into
 * `null`; this writes them as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` so that
 * `parseSnapshot` restores every number exactly.
 */
export function serializeSnapshot(snapshot: GraphSnapshot, space?: number): string {
  const enc = (v: number | string): Encoded =>
    typeof v === 'number' && !Number.isFinite(v) ? (String(v) as Encoded) : (v as number);
  return JSON.stringify(mapValues(snapshot, enc), null, space);
}

/** Reads a snapshot written by `serializeSnapshot` (or plain JSON) back as a deeply frozen object. */
export function parseSnapshot(text: string): GraphSnapshot {
  const raw = JSON.parse(text) as GraphSnapshot;
  if (raw?.version !== 1 || !Array.isArray(raw.nodes) || !Array.isArray(raw.edges)) {
    throw new GraphError('parseSnapshot', 'not a zerograd graph snapshot (version 1)');
  }
  const dec = (v: number | string): number =>
    v === 'NaN'
      ? Number.NaN
      : v === 'Infinity'
        ? Number.POSITIVE_INFINITY
        : v === '-Infinity'
          ? Number.NEGATIVE_INFINITY
          : (v as number);
  return freeze(mapValues(raw, dec), true);
}

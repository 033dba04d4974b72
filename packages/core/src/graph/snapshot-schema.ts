/**
 * A graph snapshot as JSON text, both ways. `serializeSnapshot` writes it; `parseSnapshot` reads
 * text from anywhere (a file, a network, a hand edit) and checks ALL of it against the schema
 * below before anything draws it: a snapshot that parses is one the renderer can trust.
 *
 * The schema is written with valibot (decision record 0005: small, tree-shaken, paths in its
 * issues) and mirrors `snapshot-types.ts` field by field; what a schema of one value cannot say
 * (ids unique, edges joining nodes that exist) is checked by `references` at the end.
 */
import {
  array,
  type BaseIssue,
  boolean,
  custom,
  literal,
  minLength,
  minValue,
  null_,
  nullable,
  number,
  picklist,
  pipe,
  rawCheck,
  safeInteger,
  safeParse,
  strictObject,
  string,
  transform,
  union,
  variant,
} from 'valibot';
import { GraphError } from '../errors.js';
import type { GraphSnapshot, TensorValue } from './snapshot-types.js';

// --- Numbers -------------------------------------------------------------------------------
// JSON has no NaN, ±Infinity or −0: serializeSnapshot writes them as strings, and plain
// JSON.stringify writes null for the first three (read back as NaN) and 0 for −0.
const SPECIAL = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};
type Special = keyof typeof SPECIAL;

const anyNumber = pipe(
  union([number(), picklist(Object.keys(SPECIAL) as Special[]), null_()]),
  transform((v): number => (typeof v === 'number' ? v : v === null ? Number.NaN : SPECIAL[v])),
);
const count = pipe(number(), safeInteger(), minValue(0));
/** Ids are non-empty: the layout keys nodes and edges by them, and an empty key means "none". */
const nonEmpty = pipe(string(), minLength(1));

// --- The schema, in the order of snapshot-types.ts -------------------------------------------
const tensorValue = variant('kind', [
  strictObject({ kind: literal('full'), data: array(anyNumber) }),
  strictObject({
    kind: literal('summary'),
    min: anyNumber,
    max: anyNumber,
    mean: anyNumber,
    std: anyNumber,
    nonFinite: count,
    head: array(anyNumber),
  }),
]);

const variableNode = pipe(
  strictObject({
    id: nonEmpty,
    kind: literal('variable'),
    role: picklist(['parameter', 'input', 'constant', 'intermediate']),
    name: nullable(string()),
    shape: array(count),
    dtype: picklist(['float32', 'float64']),
    scope: array(string()),
    value: tensorValue,
    grad: nullable(tensorValue),
    requiresGrad: boolean(),
  }),
  // A full value holds every element: as many numbers as the shape has entries.
  rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { shape, value, grad } = dataset.value;
    const size = shape.reduce((p, d) => p * d, 1);
    for (const [key, t] of [
      ['value', value],
      ['grad', grad],
    ] as const) {
      if (t?.kind === 'full' && t.data.length !== size) {
        addIssue({
          message: `holds ${t.data.length} numbers, but shape [${shape.join(', ')}] has ${size} elements`,
          path: at(key, 'data'),
        });
      }
    }
  }),
);

const opNode = strictObject({
  id: nonEmpty,
  kind: literal('op'),
  op: string(),
  generation: count,
  scope: array(string()),
  // Attributes are any JSON values; `record` would silently drop keys such as `__proto__` or
  // `constructor` (valibot guards prototypes that way), so the object is checked, not rebuilt.
  attrs: custom<Readonly<Record<string, unknown>>>(
    (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
    'must be an object of JSON values',
  ),
});

const edge = strictObject({ id: nonEmpty, from: string(), to: string(), index: count });

const stepInfo = strictObject({
  index: count,
  op: nullable(string()),
  updated: array(string()),
  edges: array(string()),
});

const snapshotSchema = pipe(
  strictObject({
    version: literal(1),
    nodes: array(variant('kind', [variableNode, opNode])),
    edges: array(edge),
    outputs: array(string()),
    step: nullable(stepInfo),
  }),
  rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = references(dataset.value as GraphSnapshot);
    if (problem) addIssue({ message: problem.message, path: at(...problem.path) });
  }),
);

// --- What one value's schema cannot say ------------------------------------------------------

/** The first broken reference between the parts of a snapshot, or null. */
function references(s: GraphSnapshot): { path: (string | number)[]; message: string } | null {
  const kinds = new Map<string, 'variable' | 'op'>();
  for (let i = 0; i < s.nodes.length; i++) {
    const n = s.nodes[i];
    if (kinds.has(n.id)) return { path: ['nodes', i, 'id'], message: `duplicate node id "${n.id}"` };
    kinds.set(n.id, n.kind);
  }
  const edgeIds = new Set<string>();
  for (let i = 0; i < s.edges.length; i++) {
    const e = s.edges[i];
    if (edgeIds.has(e.id)) return { path: ['edges', i, 'id'], message: `duplicate edge id "${e.id}"` };
    edgeIds.add(e.id);
    const from = kinds.get(e.from);
    const to = kinds.get(e.to);
    if (!from) return { path: ['edges', i, 'from'], message: `no node has the id "${e.from}"` };
    if (!to) return { path: ['edges', i, 'to'], message: `no node has the id "${e.to}"` };
    if (from === to)
      return { path: ['edges', i], message: `joins two ${from} nodes (an edge joins a variable and an op)` };
  }
  const expect = (ids: readonly string[], kind: string, path: (string | number)[], known: (id: string) => boolean) => {
    const i = ids.findIndex((id) => !known(id));
    return i < 0 ? null : { path: [...path, i], message: `"${ids[i]}" is not the id of ${kind}` };
  };
  const isVariable = (id: string) => kinds.get(id) === 'variable';
  const outputs = expect(s.outputs, 'a variable node', ['outputs'], isVariable);
  if (outputs || !s.step) return outputs;
  const { op, updated, edges } = s.step;
  if (op !== null && kinds.get(op) !== 'op')
    return { path: ['step', 'op'], message: `"${op}" is not the id of an op node` };
  return (
    expect(updated, 'a variable node', ['step', 'updated'], isVariable) ??
    expect(edges, 'an edge', ['step', 'edges'], (id) => edgeIds.has(id))
  );
}

/** A path for `addIssue`: valibot reads only `key` when it reports where an issue is. */
function at(...keys: (string | number)[]): never {
  return keys.map((key) => ({ type: 'object', origin: 'value', input: null, key, value: null })) as never;
}

/** `nodes[3].shape[1]`: a path as one would write it in JavaScript. */
function pathText(issue: BaseIssue<unknown>): string {
  let text = '';
  for (const item of issue.path ?? []) {
    const key = item.key as string | number;
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

// --- Text, both ways ---------------------------------------------------------------------

const encode = (v: number): number | Special =>
  Object.is(v, -0) ? '-0' : Number.isFinite(v) ? v : (String(v) as Special);

function encodeValue(t: TensorValue | null): unknown {
  if (!t) return t;
  if (t.kind === 'full') return { ...t, data: t.data.map(encode) };
  const { min, max, mean, std } = t;
  return { ...t, min: encode(min), max: encode(max), mean: encode(mean), std: encode(std), head: t.head.map(encode) };
}

/**
 * A snapshot as JSON text. Plain `JSON.stringify` works too, but turns NaN and ±Infinity into
 * `null` (and −0 into 0); this writes them as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`,
 * `"-0"`, so that `parseSnapshot` restores every number exactly.
 */
export function serializeSnapshot(snapshot: GraphSnapshot, space?: number): string {
  const nodes = snapshot.nodes.map((n) =>
    n.kind === 'variable' ? { ...n, value: encodeValue(n.value), grad: encodeValue(n.grad) } : n,
  );
  return JSON.stringify({ ...snapshot, nodes }, null, space);
}

/**
 * Reads a snapshot written by `serializeSnapshot` (or by plain `JSON.stringify`) back as a deeply
 * frozen object. Everything is checked first — every field's type, shapes against the numbers a
 * value holds, ids unique, edges joining nodes that exist — and anything wrong is a `GraphError`
 * naming the path of the first bad field, e.g. `parseSnapshot: nodes[3].shape[1]: …`.
 */
export function parseSnapshot(text: string): GraphSnapshot {
  if (typeof text !== 'string') {
    throw new GraphError('parseSnapshot', `expected JSON text (a string), got ${text === null ? 'null' : typeof text}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new GraphError('parseSnapshot', `not JSON: ${(e as Error).message}`);
  }
  const result = safeParse(snapshotSchema, raw, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const path = pathText(issue);
    const where = path === '' || path === 'version' ? `not a zerograd graph snapshot (version 1): ${path}` : path;
    // A key a strict object does not know is reported as "Expected never": say what it means.
    const text = issue.expected === 'never' ? 'is not a field of a version 1 snapshot' : issue.message;
    const message = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new GraphError('parseSnapshot', `${where}${path ? ': ' : ''}${message}`);
  }
  return deepFreeze(result.output as GraphSnapshot);
}

/** Freezes every object in `root`, without recursion (attrs may nest as deep as JSON allows). */
function deepFreeze<T>(root: T): T {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  return root;
}

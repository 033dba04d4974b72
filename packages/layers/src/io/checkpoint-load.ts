/**
 * Loading a checkpoint under either format's names: every name, shape and layout is checked
 * before anything is decoded or copied, and only the entries the model needs are decoded.
 */
import { fmtShape, ShapeError, Tensor, ValueError } from '@zerograd/core';
import type { AnyLayer } from '../layers/layer.js';
import { type CheckpointFormat, checkpointMappings, type Mapping } from './checkpoint-names.js';

/** What a load did: tensors read, weights transposed on the way, entries left in the file. */
export interface LoadReport {
  /** Names (as in the source) of the tensors copied into the model. */
  readonly loaded: string[];
  /** Names (as in the source) of the weights transposed from `[out, in]` to zerograd's `[in, out]`. */
  readonly transposed: string[];
  /** Entries the model does not need, skipped with `strict: false`, and why. */
  readonly skipped: { readonly name: string; readonly reason: string }[];
}

/** Where a loader reads tensors: a state dict in memory, or a file decoded entry by entry. */
export interface TensorSource {
  /** Every entry's name. */
  names(): Iterable<string>;
  /** An entry's shape, or undefined when there is no such entry (reading it decodes nothing). */
  shape(name: string): readonly number[] | undefined;
  /** An entry's values (decoded now, for a file). */
  tensor(name: string): Tensor;
}

/** How {@link loadMapped} reads a source. */
export interface MappedLoadOptions {
  /** Whose names the source uses. */
  format: CheckpointFormat;
  /** The recorded or stated layout of a matrix entry, or undefined when nothing says. */
  layoutOf: (name: string) => string | undefined;
  /** Refuse entries the model does not have (else skip and report them). */
  strict: boolean;
}

/**
 * Loads `source` into `model` under `options.format`'s names: checks every name, shape and
 * layout first (all problems in one error), decodes only the entries the model needs, then
 * copies through `loadStateDict` (which is atomic).
 */
export function loadMapped(op: string, model: AnyLayer, source: TensorSource, options: MappedLoadOptions): LoadReport {
  const mappings = checkpointMappings(model, options.format);
  const targets = new Map<string, Tensor>();
  for (const [n, p] of model.namedParameters()) targets.set(n, p.data);
  for (const [n, t] of model.namedBuffers()) targets.set(n, t);
  const problems: string[] = [];
  let shapeProblem = false;
  const plan: { m: Mapping; transpose: boolean }[] = [];
  for (const m of mappings) {
    const shape = source.shape(m.name);
    if (!shape) {
      if (m.kind !== 'count') problems.push(`'${m.name}' is missing`); // old PyTorch files lack the count
      continue;
    }
    const expected = m.kind === 'count' ? [] : (targets.get(m.zerograd as string)?.shape ?? []);
    const fault = checkShape(m, shape, expected, options.layoutOf(m.name));
    if ('problem' in fault) {
      problems.push(fault.problem);
      shapeProblem ||= fault.shape;
    } else plan.push({ m, transpose: fault.transpose });
  }
  const wanted = new Set(mappings.map((m) => m.name));
  const skipped: { name: string; reason: string }[] = [];
  for (const n of source.names()) {
    if (wanted.has(n)) continue;
    if (options.strict) problems.push(`'${n}' is not in the model`);
    else skipped.push({ name: n, reason: 'not in the model' });
  }
  if (problems.length > 0) {
    const hint = formatHint(model, options.format, mappings, source);
    const Err = shapeProblem ? ShapeError : ValueError;
    throw new Err(op, `nothing was loaded: ${problems.join('; ')}${hint}`);
  }
  // Decode (only what is needed) before touching the model: an unreadable entry changes nothing.
  const state: Record<string, Tensor> = Object.create(null);
  const counts: [AnyLayer, number][] = [];
  for (const { m, transpose: flip } of plan) {
    const t = source.tensor(m.name);
    if (m.kind === 'count') counts.push([m.layer, checkCount(op, m.name, t)]);
    else state[m.zerograd as string] = flip ? transpose(t) : t;
  }
  model.loadStateDict(state);
  for (const [layer, n] of counts) (layer as unknown as { batchesTracked: number }).batchesTracked = n;
  return {
    loaded: plan.map((p) => p.m.name),
    transposed: plan.filter((p) => p.transpose).map((p) => p.m.name),
    skipped,
  };
}

type Check = { problem: string; shape: boolean } | { transpose: boolean };

/** The shape check of one entry: a problem (a shape, or a layout nothing decides), or whether to transpose it. */
function checkShape(
  m: Mapping,
  shape: readonly number[],
  expected: readonly number[],
  layout: string | undefined,
): Check {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  const wrong = (want: string, shapeFault = true): Check => ({
    problem: `'${m.name}' has shape ${fmtShape(shape)}, the model expects ${want}`,
    shape: shapeFault,
  });
  if (m.kind !== 'matrix') return same(shape, expected) ? { transpose: false } : wrong(fmtShape(expected));
  const [nIn, nOut] = expected;
  const flipped = [nOut, nIn];
  if (layout === undefined) {
    if (nIn === nOut && same(shape, expected)) {
      const problem = `'${m.name}' is a square weight ${fmtShape(shape)} and nothing records its layout: state the format ({ format: 'zerograd' } if it is Affine's [in, out]; a PyTorch state_dict loads under its own names with { format: 'torch' }) or record it in the metadata 'layouts'`;
      return { problem, shape: false };
    }
    if (same(shape, expected)) return { transpose: false };
    if (same(shape, flipped)) return { transpose: true };
    return wrong(`${fmtShape(expected)} ([in, out]) or ${fmtShape(flipped)} ([out, in])`);
  }
  if (layout !== '[in, out]' && layout !== '[out, in]') {
    const problem = `'${m.name}' has layout ${JSON.stringify(layout)}; a fully connected weight is '[in, out]' or '[out, in]'`;
    return { problem, shape: false };
  }
  const want = layout === '[in, out]' ? expected : flipped;
  return same(shape, want)
    ? { transpose: layout === '[out, in]' }
    : wrong(`${fmtShape(want)} (the file's layout is ${layout})`);
}

/** A hint when the source holds the model's names under the other format. */
function formatHint(model: AnyLayer, format: CheckpointFormat, mappings: Mapping[], source: TensorSource): string {
  const other: CheckpointFormat = format === 'torch' ? 'zerograd' : 'torch';
  const found = (ms: Mapping[]) => ms.filter((m) => m.kind !== 'count' && source.shape(m.name)).length;
  if (found(checkpointMappings(model, other)) <= found(mappings)) return '';
  return ` — these are the model's names in the '${other}' format: pass { format: '${other}' }`;
}

/** BatchNorm's count, checked: a non-negative whole number in a scalar. */
function checkCount(op: string, name: string, t: Tensor): number {
  const v = t.size === 1 ? Number(t.data[0]) : NaN;
  if (!Number.isSafeInteger(v) || v < 0) throw new ValueError(op, `'${name}' must be a non-negative integer count`);
  return v;
}

/** A matrix's transpose, as a new tensor of the same dtype. */
export function transpose(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const src = t.data;
  const out = new (src.constructor as new (n: number) => typeof src)(src.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = src[i * cols + j];
  return new Tensor(out, [cols, rows]);
}

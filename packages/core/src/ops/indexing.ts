import { fmtShape, ShapeError, ValueError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, Variable } from '../graph/variable.js';
import { broadcastInto } from '../kernels/elementwise.js';
import { allocate } from '../tensor/dtype.js';
import { broadcastShapes, sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A Python-style slice `start:stop:step`; omitted parts take their usual defaults. */
export interface Slice {
  readonly start?: number | null;
  readonly stop?: number | null;
  readonly step?: number | null;
}

/**
 * One entry of an index: an integer (drops the axis), a `slice(...)`, `null` (the whole axis,
 * `:`), integer arrays (numpy's advanced indexing; several broadcast together, so
 * `p.getItem(arange(n), labels)` picks one element per row), or a boolean mask — a bool tensor
 * (`greater(x, 0)`) or nested booleans — selecting where it is true over as many axes as it has,
 * as numpy's `x[mask]`. `newAxis` inserts an axis of size 1.
 */
export type IndexSpec =
  | number
  | Slice
  | null
  | typeof newAxis
  | readonly number[]
  | readonly boolean[]
  | Tensor
  | Variable;

/** An index entry that inserts an axis of size 1 (numpy's `None`, PyTorch's `None`): `x.getItem(null, newAxis)`. */
export const newAxis: unique symbol = Symbol('newAxis');

/** `slice(start, stop, step)`, numpy/Python semantics including negative values. */
export function slice(start?: number | null, stop?: number | null, step?: number | null): Slice {
  return { start, stop, step };
}

function sliceIndices(op: string, s: Slice, n: number, axis: number): number[] {
  const step = s.step ?? 1;
  if (!Number.isInteger(step) || step === 0)
    throw new ValueError(op, `slice step must be a non-zero integer, got ${step}`);
  const norm = (v: number | null | undefined, dflt: number, lo: number, hi: number) => {
    if (v === null || v === undefined) return dflt;
    if (!Number.isInteger(v)) throw new ValueError(op, `slice bound ${v} on axis ${axis} is not an integer`);
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, lo), hi);
  };
  const out: number[] = [];
  if (step > 0) {
    const start = norm(s.start, 0, 0, n);
    const stop = norm(s.stop, n, 0, n);
    for (let i = start; i < stop; i += step) out.push(i);
  } else {
    const start = norm(s.start, n - 1, -1, n - 1);
    const stop = norm(s.stop, -1, -1, n - 1);
    for (let i = start; i > stop; i += step) out.push(i);
  }
  return out;
}

function checkIndex(op: string, i: number, n: number, axis: number): number {
  if (!Number.isInteger(i)) throw new ValueError(op, `index ${i} on axis ${axis} is not an integer`);
  if (i < -n || i >= n) throw new ShapeError(op, `index ${i} is out of bounds for axis ${axis} with size ${n}`);
  return i < 0 ? i + n : i;
}

function isSlice(x: unknown): x is Slice {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Tensor) && !(x instanceof Variable);
}

/**
 * Turns an index into a flat gather map: for each output element, the offset in the input.
 * The same map drives the forward gather and the backward scatter-add.
 */
export function gatherMap(
  shape: readonly number[],
  specs: readonly IndexSpec[],
): { map: Float64Array; shape: number[] } {
  const op = 'GetItem';
  if (specs.includes(newAxis)) return withNewAxes(shape, specs);
  const index = expandMasks(op, shape, specs);
  if (index.length > shape.length) {
    throw new ShapeError(op, `too many indices (${index.length}) for a tensor of shape ${fmtShape(shape)}`);
  }
  const strides = stridesOf(shape);
  const hasAdvanced = index.some((s) => Array.isArray(s) || s instanceof Tensor || s instanceof Variable);
  type Group = { offsets: number[]; dims: number[] };
  const groups: Group[] = [];
  let base = 0;
  const adv: { axis: number; values: Float64Array; shape: number[] }[] = [];
  for (let axis = 0; axis < shape.length; axis++) {
    const spec = axis < index.length ? index[axis] : null;
    const n = shape[axis];
    if (spec === null || spec === undefined || isSlice(spec)) {
      const pos = spec ? sliceIndices(op, spec, n, axis) : Array.from({ length: n }, (_, i) => i);
      groups.push({ offsets: pos.map((p) => p * strides[axis]), dims: [pos.length] });
    } else if (typeof spec === 'number' && !hasAdvanced) {
      base += checkIndex(op, spec, n, axis) * strides[axis];
    } else {
      const t =
        typeof spec === 'number'
          ? new Tensor(new Float64Array([spec]), [])
          : spec instanceof Variable
            ? spec.data
            : spec instanceof Tensor
              ? spec
              : asVariable(op, spec as number[]).data;
      const values = Float64Array.from(t.data, (v) => checkIndex(op, v, n, axis));
      adv.push({ axis, values, shape: t.shape.slice() });
      groups.push({ offsets: [], dims: [] }); // placeholder, marks where this advanced axis sits
    }
  }
  if (adv.length > 0) {
    const bshape = broadcastShapes(op, ...adv.map((a) => a.shape));
    const count = sizeOf(bshape);
    const offsets = new Array<number>(count).fill(0);
    const buf = allocate('float64', count);
    for (const a of adv) {
      broadcastInto(a.values, a.shape, buf, bshape);
      for (let i = 0; i < count; i++) offsets[i] += buf[i] * strides[a.axis];
    }
    // numpy: adjacent advanced indices keep their place; separated ones move to the front.
    const advAxes = adv.map((a) => a.axis);
    const adjacent = advAxes.every((a, i) => i === 0 || a === advAxes[i - 1] + 1);
    const rest = groups.filter((g) => g.dims.length > 0);
    const advGroup = { offsets, dims: bshape };
    groups.length = 0;
    // Every non-advanced axis is a slice group here (integers count as advanced), so the
    // number of slice groups before the first advanced axis is that axis itself.
    const sliceBefore = adjacent ? advAxes[0] : 0;
    groups.push(...rest.slice(0, sliceBefore), advGroup, ...rest.slice(sliceBefore));
  }
  // Cartesian sum of the groups' offsets, in output order.
  let offs = [base];
  const outShape: number[] = [];
  for (const g of groups) {
    outShape.push(...g.dims);
    const next = new Array<number>(offs.length * g.offsets.length);
    let k = 0;
    for (const o of offs) for (const q of g.offsets) next[k++] = o + q;
    offs = next;
  }
  // Offsets as doubles: exact up to 2^53, where an Int32Array wrapped past 2^31 elements.
  return { map: Float64Array.from(offs), shape: outShape };
}

/**
 * An index with `newAxis` entries: the gather map of the index without them (a size-1 axis moves
 * no value), and a 1 in the output shape where each stood — after the axes the entries before
 * it produce, as numpy's `x[:, None]`. Basic indices only (integers, slices, `null`).
 */
function withNewAxes(shape: readonly number[], specs: readonly IndexSpec[]): { map: Float64Array; shape: number[] } {
  const rest = specs.filter((s) => s !== newAxis);
  if (rest.some((s) => Array.isArray(s) || s instanceof Tensor || s instanceof Variable)) {
    throw new ValueError('GetItem', 'newAxis with integer-array or mask indices is not supported; reshape the result');
  }
  const { map, shape: out } = gatherMap(shape, rest);
  let produced = 0;
  for (const s of specs) {
    if (s === newAxis) out.splice(produced++, 0, 1);
    else if (typeof s !== 'number') produced++; // a slice or null keeps its axis
  }
  return { map, shape: out };
}

/**
 * Replaces each boolean mask by the integer arrays of its true positions, one per axis it
 * covers (numpy: `x[mask]` is `x[mask.nonzero()]`), so masks take the advanced-indexing path.
 */
function expandMasks(op: string, shape: readonly number[], index: readonly IndexSpec[]): IndexSpec[] {
  const out: IndexSpec[] = [];
  for (const spec of index) {
    if (typeof spec === 'boolean') throw new ValueError(op, 'a single true/false is not an index; use a mask array');
    const mask = arrayIndex(spec, false);
    if (mask === null || mask.dtype !== 'bool') {
      out.push(spec);
      continue;
    }
    const axis = out.length;
    const covered = shape.slice(axis, axis + mask.ndim);
    if (covered.length !== mask.ndim || covered.some((d, i) => d !== mask.shape[i])) {
      throw new ShapeError(
        op,
        `a mask of shape ${fmtShape(mask.shape)} does not fit axes ${axis}… of a tensor of shape ${fmtShape(shape)}`,
      );
    }
    const strides = stridesOf(mask.shape);
    const coords: number[][] = mask.shape.map(() => []);
    const m = mask.data;
    for (let i = 0; i < m.length; i++) {
      if (m[i] === 0) continue;
      for (let d = 0; d < mask.ndim; d++) coords[d].push(Math.floor(i / strides[d]) % mask.shape[d]);
    }
    out.push(...coords);
  }
  return out;
}

function isBooleanArray(spec: IndexSpec): spec is readonly boolean[] {
  let v: unknown = spec;
  while (Array.isArray(v) && v.length > 0) v = v[0];
  return typeof v === 'boolean';
}

/**
 * An array entry of an index as a tensor: a Variable's or Tensor's data, nested booleans as a
 * bool mask, and (when `numbers`) nested numbers as an integer array; else null.
 */
function arrayIndex(spec: IndexSpec, numbers: boolean): Tensor | null {
  if (spec instanceof Variable) return spec.data;
  if (spec instanceof Tensor) return spec;
  if (isBooleanArray(spec)) return asVariable('GetItem', spec as never, 'bool').data;
  return numbers ? asVariable('GetItem', spec as number[]).data : null;
}

/**
 * One index entry as data, as the user wrote it (what a traced graph shows and what
 * `@zerograd/onnx` maps to Slice/Squeeze/Unsqueeze/Gather): an integer, `null` (the whole axis),
 * a slice with its raw bounds (`null` where omitted), `'newAxis'`, or an advanced part — an
 * integer array or a boolean mask (0/1), each flat with its shape.
 */
export type IndexDescription =
  | number
  | null
  | 'newAxis'
  | { readonly start: number | null; readonly stop: number | null; readonly step: number | null }
  | { readonly array: readonly number[]; readonly shape: readonly number[] }
  | { readonly mask: readonly number[]; readonly shape: readonly number[] };

/** `spec` as plain data; the gather map above has already refused anything malformed. */
function describeSpec(spec: IndexSpec): IndexDescription {
  if (spec === newAxis) return 'newAxis';
  if (spec === null || spec === undefined || typeof spec === 'number') return spec ?? null;
  if (isSlice(spec)) return { start: spec.start ?? null, stop: spec.stop ?? null, step: spec.step ?? null };
  const t = arrayIndex(spec, true) as Tensor;
  const values = Array.from(t.data as ArrayLike<number>, Number);
  return t.dtype === 'bool' ? { mask: values, shape: t.shape.slice() } : { array: values, shape: t.shape.slice() };
}

interface GatherAttrs {
  map: Float64Array;
  shape: number[];
  inputShape: readonly number[];
  /** The index as written, for `describe` (a backward's GetItem of a ScatterAdd reuses it). */
  index: readonly IndexDescription[];
}

const GetItemDef: OpDefinition<GatherAttrs> = {
  name: 'GetItem',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  forward: ([x], { map, shape }) => {
    const out = allocate(x.dtype, map.length);
    const d = x.data;
    for (let i = 0; i < map.length; i++) out[i] = d[map[i]];
    return new Tensor(out, shape);
  },
  // Scatter-add: an element picked twice receives both gradients.
  backward: ([gy], { attrs }) => applyOp(ScatterAddDef, [gy], attrs) as Variable,
  // The index as written (small, readable, JSON) and the shape it gives; the gather map of
  // offsets stays out, it is tied to the traced shape and as long as the output.
  describe: (a) => ({ index: a.index, outShape: a.shape }),
};

const ScatterAddDef: OpDefinition<GatherAttrs> = {
  name: 'ScatterAdd',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  forward: ([g], { map, inputShape }) => {
    const out = allocate(g.dtype, sizeOf(inputShape));
    const d = g.data;
    for (let i = 0; i < map.length; i++) out[map[i]] += d[i];
    return new Tensor(out, inputShape);
  },
  backward: ([gy], { attrs }) => applyOp(GetItemDef, [gy], attrs) as Variable,
  describe: (a) => ({ shape: a.inputShape }),
};

/**
 * numpy-style indexing: `getItem(x, 0)`, `getItem(x, slice(1, 3), null)`,
 * `getItem(p, arange(n), labels)`. The backward scatters the gradient back (adding where an
 * element was picked more than once).
 */
export function getItem(x: Operand, ...index: IndexSpec[]): Variable {
  const v = asVariable('GetItem', x);
  const { map, shape } = gatherMap(v.shape, index);
  return applyOp(GetItemDef, [v], { map, shape, inputShape: v.shape, index: index.map(describeSpec) }) as Variable;
}

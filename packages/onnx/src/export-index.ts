/**
 * The exporters of ops that pick, cut and join: `GetItem` (numpy indexing), `Split`, `Concat`,
 * `Flip`, `Pad` and `Cumsum`. A basic index (integers, slices, whole axes, newAxis) becomes
 * ONNX's Slice → Squeeze → Unsqueeze, with the ±2⁶³ sentinels where a bound was omitted, so a
 * slice keeps working on a batch of any size; one integer array on one axis becomes a Gather;
 * any other advanced index (several arrays, masks) a Gather of flat offsets, which are tied to
 * the traced shape and are therefore refused on a dynamic batch.
 */
import {
  arange,
  fmtShape,
  GraphError,
  getItem,
  type IndexDescription,
  type IndexSpec,
  newAxis,
  slice,
  Tensor,
} from '@zerograd/core';
import type { Emit, Exporter, OpCall, Value } from './export-ops.js';
import type { OnnxAttribute } from './model.js';

/** One index entry as a traced GetItem describes it (core's `describe`). */
type Entry = IndexDescription;
type Advanced = Extract<Entry, { shape: readonly number[] }>;
type SliceEntry = Extract<Entry, { step: number | null }>;

const OP = 'exportOnnx';
/** ONNX Slice clamps its bounds to the axis, so these stand for "from the end"/"to the start". */
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const int = (value: number): OnnxAttribute => ({ type: 'int', value });
const isAdvanced = (e: Entry): e is Advanced => typeof e === 'object' && e !== null && 'shape' in e;
const where = (call: OpCall) => (call.op.scope.length ? ` (in ${call.op.scope.join('/')})` : '');

/** Nodes one after another: each step's output feeds the next, the last one writes `out`. */
function chain(emit: Emit, x: string, out: string, steps: [string, string[], Record<string, OnnxAttribute>?][]) {
  if (steps.length === 0) steps.push(['Identity', []]);
  let name = x;
  steps.forEach(([opType, extra, attrs], k) => {
    name = emit.node(opType, [name, ...extra], k === steps.length - 1 ? [out] : 1, attrs);
  });
}

/** Integers, slices, `null` and newAxis: Slice the kept ranges, Squeeze the integers, Unsqueeze the new axes. */
function basicIndex({ inputs: [x], out }: OpCall, index: readonly Entry[], emit: Emit): boolean {
  const starts: (number | bigint)[] = [];
  const ends: (number | bigint)[] = [];
  const axes: number[] = [];
  const steps: number[] = [];
  const squeezed: number[] = [];
  const inserted: number[] = []; // positions in the output, as numpy places `None`
  let axis = 0;
  let produced = 0;
  for (const e of index) {
    if (e === 'newAxis') inserted.push(produced++);
    else if (typeof e === 'number') {
      // x[i] is x[i:i+1] without the axis; for i = −1, i+1 = 0 would mean "before the start".
      starts.push(e);
      ends.push(e === -1 ? INT64_MAX : e + 1);
      axes.push(axis);
      steps.push(1);
      squeezed.push(axis++);
    } else {
      // A basic index has no advanced parts (the caller checked): what is left is a slice.
      const s = (e ?? { start: null, stop: null, step: null }) as SliceEntry;
      const step = s.step ?? 1;
      if (s.start !== null || s.stop !== null || step !== 1) {
        starts.push(s.start ?? (step > 0 ? 0 : INT64_MAX));
        ends.push(s.stop ?? (step > 0 ? INT64_MAX : INT64_MIN));
        axes.push(axis);
        steps.push(step);
      }
      axis++;
      produced++;
    }
  }
  const nodes: [string, string[], Record<string, OnnxAttribute>?][] = [];
  if (axes.length) nodes.push(['Slice', [emit.int64(starts), emit.int64(ends), emit.int64(axes), emit.int64(steps)]]);
  if (squeezed.length) nodes.push(['Squeeze', [emit.int64(squeezed)]]);
  if (inserted.length) nodes.push(['Unsqueeze', [emit.int64(inserted)]]);
  chain(emit, x.name, out.name, nodes);
  // Axis 0 is still the batch when it is whole: untouched, or all of it (reversed or not).
  const first = index[0];
  if (first === undefined || first === null) return x.batch;
  const whole = typeof first === 'object' && 'step' in first && first.start === null && first.stop === null;
  return x.batch && whole && Math.abs(first.step ?? 1) === 1;
}

/** The index as core's `getItem` takes it, from its description. */
function specOf(e: Entry): IndexSpec {
  if (e === 'newAxis') return newAxis;
  if (e === null || typeof e === 'number') return e;
  if ('step' in e) return slice(e.start, e.stop, e.step);
  if ('mask' in e) return new Tensor(Uint8Array.from(e.mask), e.shape);
  return new Tensor(Float64Array.from(e.array), e.shape);
}

const text = (index: readonly Entry[]) =>
  `[${index.map((e) => (isAdvanced(e) ? ('mask' in e ? `mask${fmtShape(e.shape)}` : `array${fmtShape(e.shape)}`) : JSON.stringify(e))).join(', ')}]`;

const getItemExporter: Exporter = (call, emit) => {
  const {
    op,
    inputs: [x],
    out,
    batchSize,
  } = call;
  const index = op.attrs.index as readonly Entry[] | undefined;
  if (!Array.isArray(index))
    throw new GraphError(
      OP,
      `op 'GetItem'${where(call)} was traced without its index (attrs ${JSON.stringify(op.attrs)})`,
    );
  const advanced = index.filter(isAdvanced);
  if (advanced.length === 0) return basicIndex(call, index, emit);
  // An index array as long as the batch, on a value without one, was computed from the data
  // (an Embedding's token ids): the model would hold this batch's indices.
  if (batchSize > 0 && !x.batch && advanced.some((a) => a.shape.length > 0 && a.shape[0] === batchSize)) {
    throw new GraphError(
      OP,
      `op 'GetItem'${where(call)} indexes ${fmtShape(x.shape)} with ${text(index)}, whose first axis follows the batch: it was computed from the data outside the graph, so the exported model would hold this batch's indices`,
    );
  }
  const arrayAt = index.findIndex(isAdvanced);
  const one = advanced[0];
  if (advanced.length === 1 && 'array' in one && index.every((e, i) => i === arrayAt || e === null)) {
    emit.node('Gather', [x.name, emit.int64(one.array, one.shape)], [out.name], { axis: int(arrayAt) });
    return x.batch && arrayAt !== 0;
  }
  if (x.batch) {
    throw new GraphError(
      OP,
      `op 'GetItem'${where(call)} indexes ${fmtShape(x.shape)} with ${text(index)}, which picks elements by offsets tied to the example's batch size: export with dynamicBatch: false`,
    );
  }
  // Several arrays or a mask: the offsets of the picked elements, found by indexing 0, 1, 2, …
  const offsets = getItem(arange(x.shape.reduce((a, b) => a * b, 1)).reshapeView(x.shape), ...index.map(specOf));
  const flat = emit.node('Reshape', [x.name, emit.int64([-1])], 1);
  emit.node('Gather', [flat, emit.int64(Array.from(offsets.data.data as Float64Array), out.shape)], [out.name], {
    axis: int(0),
  });
  return false;
};

/** The batch flag of a join or cut along `axis`: still the batch unless axis 0 itself is cut. */
const along = (axis: number, inputs: readonly Value[]) => axis !== 0 && inputs.some((v) => v.batch);

/** The exporters of this file, by the op name a traced graph records. */
export const INDEX_EXPORTERS: Readonly<Record<string, Exporter>> = {
  GetItem: getItemExporter,
  Split: (call, emit) => {
    const {
      op,
      inputs: [x],
      outs,
    } = call;
    const [axis, sizes] = [op.attrs.axis as number, op.attrs.sizes as number[]];
    if (x.batch && axis === 0) {
      throw new GraphError(
        OP,
        `op 'Split'${where(call)} cuts the batch axis of ${fmtShape(x.shape)} into parts of the example's sizes [${sizes.join(', ')}]: export with dynamicBatch: false`,
      );
    }
    emit.node(
      'Split',
      [x.name, emit.int64(sizes)],
      outs.map((o) => o.name),
      { axis: int(axis) },
    );
    return along(axis, [x]);
  },
  Concat: ({ op, inputs, out }, emit) => {
    const axis = op.attrs.axis as number;
    emit.node(
      'Concat',
      inputs.map((v) => v.name),
      [out.name],
      { axis: int(axis) },
    );
    return along(axis, inputs);
  },
  Flip: ({ op, inputs: [x], out }, emit) => {
    const axes = op.attrs.axes as number[];
    const ones = axes.map(() => -1);
    const ends = axes.map(() => INT64_MIN);
    chain(emit, x.name, out.name, [
      ['Slice', [emit.int64(ones), emit.int64(ends), emit.int64(axes), emit.int64(ones)]],
    ]);
    return x.batch; // reversed or not, axis 0 still has the batch's length
  },
  Pad: ({ op, inputs: [x], out }, emit) => {
    const widths = op.attrs.widths as [number, number][];
    const pads = [...widths.map((w) => w[0]), ...widths.map((w) => w[1])];
    emit.node('Pad', [x.name, emit.int64(pads), emit.scalar(op.attrs.value as number, x.dtype)], [out.name]);
    return x.batch && widths[0][0] === 0 && widths[0][1] === 0;
  },
  Cumsum: ({ op, inputs: [x], out }, emit) => {
    const reverse = int(op.attrs.reverse ? 1 : 0);
    emit.node('CumSum', [x.name, emit.int64([op.attrs.axis as number], [])], [out.name], { reverse });
    return x.batch;
  },
};

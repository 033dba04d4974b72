/**
 * ONNX's picking, cutting and joining operators as zerograd ops: Slice and Gather through
 * `getItem`, Squeeze, Unsqueeze, Split, Concat, Pad, CumSum and Expand through their namesakes. Slice
 * follows ONNX's clamping rules exactly (they differ from Python's in one corner: a backward
 * slice whose start lies before the axis starts at element 0), so every bound is resolved to
 * an index inside the axis before it is handed to `getItem`.
 */
import {
  broadcastTo,
  concat,
  cumsum,
  flip,
  getItem,
  type IndexSpec,
  pad,
  type Slice,
  slice,
  split,
  squeeze,
  unsqueeze,
  ValueError,
  type Variable,
} from '@zerograd/core';
import type { ImportCall, Importer } from './import-ops.js';

function fail(call: ImportCall, message: string): never {
  throw new ValueError('importOnnx', `${call.node.opType} node '${call.node.name}': ${message}`);
}

/** An axis as ONNX writes it (negative from the end) in a tensor of rank `rank`. */
function axisIn(call: ImportCall, axis: number, rank: number): number {
  if (axis < -rank || axis >= rank) fail(call, `axis ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** An ints input (opset ≥ 13 style) or, in older models, the attribute of that name. */
function intsOf(call: ImportCall, input: number, attribute: string): readonly number[] | undefined {
  return call.inputs[input] ? call.constant(input) : call.ints(attribute);
}

/** ONNX's Slice on one axis of length `n`, resolved to a Python slice of in-range bounds. */
function onnxSlice(start: number, end: number, step: number, n: number): Slice {
  const at = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (step > 0) return slice(at(start, 0, n), at(end, 0, n), step);
  const stop = at(end, -1, n - 1);
  return slice(at(start, 0, n - 1), stop < 0 ? null : stop, step);
}

/** The importers of this file, by ONNX op type. */
export const INDEX_IMPORTERS: Readonly<Record<string, Importer>> = {
  Slice: (call) => {
    const x = call.inputs[0] as Variable;
    const starts = intsOf(call, 1, 'starts') ?? fail(call, 'has no starts');
    const ends = intsOf(call, 2, 'ends') ?? fail(call, 'has no ends');
    const axes = intsOf(call, 3, 'axes') ?? starts.map((_, i) => i);
    const steps = (call.inputs[4] ? call.constant(4) : null) ?? starts.map(() => 1);
    const index: IndexSpec[] = x.shape.map(() => null);
    axes.forEach((a, i) => {
      const axis = axisIn(call, a, x.ndim);
      if (steps[i] === 0) fail(call, 'a step of 0');
      index[axis] = onnxSlice(starts[i], ends[i], steps[i], x.shape[axis]);
    });
    return getItem(x, ...index);
  },
  Squeeze: (call) => {
    const x = call.inputs[0] as Variable;
    const axes = intsOf(call, 1, 'axes');
    return squeeze(
      x,
      axes?.map((a) => axisIn(call, a, x.ndim)),
    );
  },
  Unsqueeze: (call) => {
    const x = call.inputs[0] as Variable;
    return unsqueeze(x, intsOf(call, 1, 'axes') ?? fail(call, 'has no axes'));
  },
  Gather: (call) => {
    const [x, indices] = call.inputs as [Variable, Variable];
    const axis = axisIn(call, call.int('axis', 0), x.ndim);
    // A 0-d index drops the axis (x[:, i]); an n-d one puts its axes there (numpy's x[:, idx]).
    const idx = indices.ndim === 0 ? indices.data.item() : indices.data;
    return getItem(x, ...new Array<null>(axis).fill(null), idx);
  },
  Split: (call) => {
    const x = call.inputs[0] as Variable;
    const axis = axisIn(call, call.int('axis', 0), x.ndim);
    // Sizes: an input (opset ≥ 13), an attribute (older), or equal parts, one per output.
    const sizes = intsOf(call, 1, 'split');
    const parts = call.int('num_outputs', call.node.outputs.length);
    if (sizes) return split(x, [...sizes], axis);
    const size = Math.ceil(x.shape[axis] / parts);
    return split(
      x,
      Array.from({ length: parts }, (_, k) => Math.min(size, x.shape[axis] - k * size)),
      axis,
    );
  },
  Concat: (call) => {
    const xs = call.inputs as Variable[];
    return concat(xs, axisIn(call, call.int('axis', 0), xs[0].ndim));
  },
  Pad: (call) => {
    const x = call.inputs[0] as Variable;
    const mode = call.node.attributes.mode;
    if (mode && mode.type === 'string' && mode.value !== 'constant') fail(call, `mode ${mode.value} is not supported`);
    const pads = intsOf(call, 1, 'pads') ?? fail(call, 'has no pads');
    const value = call.inputs[2] ? call.constant(2)[0] : call.float('value', 0);
    const axes = call.inputs[3] ? call.constant(3).map((a) => axisIn(call, a, x.ndim)) : x.shape.map((_, i) => i);
    if (pads.some((p) => p < 0)) fail(call, `negative pads [${pads}] (cropping) are not supported`);
    const widths = x.shape.map((): [number, number] => [0, 0]);
    axes.forEach((a, i) => {
      widths[a] = [pads[i], pads[i + axes.length]];
    });
    return pad(x, widths, { value });
  },
  Expand: (call) => {
    // Broadcasting both ways: a 1 in the target keeps x's length (zerograd's export writes the batch so).
    const x = call.inputs[0] as Variable;
    const target = call.constant(1);
    const rank = Math.max(x.ndim, target.length);
    const at = (s: readonly number[], i: number) => s[i - (rank - s.length)] ?? 1;
    const shape = Array.from({ length: rank }, (_, i) => {
      const [a, b] = [at(x.shape, i), at(target, i)];
      if (a !== b && a !== 1 && b !== 1) fail(call, `cannot broadcast (${x.shape}) to [${target}]`);
      return a === 1 ? b : a;
    });
    return broadcastTo(x, shape);
  },
  CumSum: (call) => {
    const x = call.inputs[0] as Variable;
    const axis = axisIn(call, call.constant(1)[0], x.ndim);
    if (call.int('exclusive', 0) === 1) fail(call, 'exclusive sums are not supported');
    // A reverse running sum is the running sum of the reversed axis, reversed back.
    return call.int('reverse', 0) === 1 ? flip(cumsum(flip(x, axis), axis), axis) : cumsum(x, axis);
  },
};

/**
 * Ops that change where values sit without changing them: `squeeze` and `unsqueeze` (reshapes
 * that drop or add axes of size 1), `flip` (reverse along axes) and `pad` (a border of a
 * constant). Each backward undoes its forward: a flip flips back, padding is cut off again.
 */
import { fmtShape, ShapeError, ValueError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { allocate } from '../tensor/dtype.js';
import { describeValue, normalizeAxes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { gatherMap, getItem, type Slice, slice } from './indexing.js';
import { reshape } from './shape.js';

/** One axis of a tensor of rank `rank`, negative counting from the end; anything else is refused. */
export function axisOf(op: string, axis: unknown, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis))
    throw new ValueError(op, `axis must be an integer, got ${describeValue(axis)}`);
  if (axis < -rank || axis >= rank)
    throw new ShapeError(op, `axis ${axis} is out of range for a tensor of rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * `x` without axes of size 1: all of them, or only `axis` (one or several), which must have
 * size 1 (numpy's rule; PyTorch silently keeps an axis that is not 1). A reshape in the graph.
 */
export function squeeze(x: Operand, axis?: number | readonly number[]): Variable {
  const v = asVariable('Squeeze', x);
  const axes =
    axis === undefined ? v.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('Squeeze', axis, v.ndim);
  for (const a of axes) {
    if (v.shape[a] !== 1)
      throw new ShapeError(
        'Squeeze',
        `cannot squeeze axis ${a} of size ${v.shape[a]} in a tensor of shape ${fmtShape(v.shape)}`,
      );
  }
  return reshape(
    v,
    v.shape.filter((_, i) => !axes.includes(i)),
  );
}

/**
 * `x` with a new axis of size 1 at `axis` (or several), counted in the result's axes, so
 * `unsqueeze(x, -1)` appends one (numpy's `expand_dims`, PyTorch's `unsqueeze`). A reshape.
 */
export function unsqueeze(x: Operand, axis: number | readonly number[]): Variable {
  const v = asVariable('Unsqueeze', x);
  if (axis === undefined || axis === null) throw new ValueError('Unsqueeze', 'needs the axis where the new axis goes');
  const count = typeof axis === 'number' ? 1 : Array.isArray(axis) ? axis.length : 0;
  const axes = normalizeAxes('Unsqueeze', axis, v.ndim + count);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < v.ndim + axes.length; i++) shape.push(axes.includes(i) ? 1 : v.shape[k++]);
  return reshape(v, shape);
}

const FlipDef: OpDefinition<{ axes: number[] }> = {
  name: 'Flip',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  // A flip is a gather with reversed slices on the flipped axes.
  forward: ([x], { axes }) => {
    const specs = x.shape.map((_, i) => (axes.includes(i) ? slice(null, null, -1) : null));
    const { map } = gatherMap(x.shape, specs);
    const out = allocate(x.dtype, map.length);
    const d = x.data;
    for (let i = 0; i < map.length; i++) out[i] = d[map[i]];
    return new Tensor(out, x.shape);
  },
  // Flipping twice gives back the original order.
  backward: ([gy], { attrs }) => flip(gy, attrs.axes),
  describe: (a) => ({ axes: a.axes }),
};

/** `x` reversed along `axes` (default: every axis, numpy's `flip`). */
export function flip(x: Operand, axes?: number | readonly number[]): Variable {
  const v = asVariable('Flip', x);
  const list = normalizeAxes('Flip', axes, v.ndim).filter((a) => v.shape[a] > 1);
  if (list.length === 0) return v;
  return applyOp(FlipDef, [v], { axes: list }) as Variable;
}

/** Pad widths in numpy's `pad_width` forms: `n`, `[before, after]`, `[[b, a]]`, or one `[b, a]` per axis. */
export type PadWidths = number | readonly [number] | readonly [number, number] | readonly (readonly number[])[];

/** Options of `pad`. */
export interface PadOptions {
  /** The value of the border (default 0). */
  readonly value?: number;
}

/** numpy's forms, resolved to one `[before, after]` per axis. */
function padWidths(shape: readonly number[], widths: PadWidths): [number, number][] {
  const bad = () =>
    new ValueError(
      'Pad',
      `widths must be n, [before, after], [[before, after]] or one [before, after] per axis (${shape.length}) ` +
        `of a tensor of shape ${fmtShape(shape)}, got ${JSON.stringify(widths)}`,
    );
  let pairs: number[][];
  if (typeof widths === 'number') pairs = shape.map(() => [widths, widths]);
  else if (!Array.isArray(widths)) throw bad();
  else if (widths.every((w) => typeof w === 'number')) {
    const flat = widths as readonly number[];
    if (flat.length === 1) pairs = shape.map(() => [flat[0], flat[0]]);
    else if (flat.length === 2) pairs = shape.map(() => [flat[0], flat[1]]);
    else throw bad();
  } else if (widths.every((w) => Array.isArray(w) && w.length === 2)) {
    const nested = widths as readonly (readonly number[])[];
    if (nested.length === 1) pairs = shape.map(() => nested[0].slice());
    else if (nested.length === shape.length) pairs = nested.map((w) => w.slice());
    else throw bad();
  } else throw bad();
  for (const w of pairs.flat()) {
    if (!Number.isSafeInteger(w) || w < 0)
      throw new ValueError('Pad', `widths must be non-negative integers, got ${JSON.stringify(widths)}`);
  }
  return pairs as [number, number][];
}

/** The value in `x`'s dtype: an int32 border must be an integer, a bool border 0 or 1. */
function borderValue(dtype: string, value: number): number {
  if (typeof value !== 'number') throw new ValueError('Pad', `value must be a number, got ${describeValue(value)}`);
  const fits =
    dtype === 'int32'
      ? Number.isInteger(value) && Math.abs(value) < 2 ** 31
      : dtype === 'bool'
        ? value === 0 || value === 1
        : true;
  if (!fits) throw new ValueError('Pad', `value ${value} cannot be stored in a ${dtype} tensor`);
  return value;
}

interface PadAttrs {
  widths: [number, number][];
  value: number;
}

/** Where `x` sits inside the padded result: one slice per axis. */
const interior = (shape: readonly number[], widths: readonly [number, number][]): Slice[] =>
  shape.map((n, i) => slice(widths[i][0], widths[i][0] + n));

const PadDef: OpDefinition<PadAttrs> = {
  name: 'Pad',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  forward: ([x], { widths, value }) => {
    const shape = x.shape.map((n, i) => widths[i][0] + n + widths[i][1]);
    // The border first, then x written into the interior (the offsets of a gather, used to scatter).
    const { map } = gatherMap(shape, interior(x.shape, widths));
    const out = allocate(
      x.dtype,
      shape.reduce((p, q) => p * q, 1),
    );
    if (value !== 0) out.fill(value);
    const d = x.data;
    for (let i = 0; i < map.length; i++) out[map[i]] = d[i];
    return new Tensor(out, shape);
  },
  // The border is constant: x's gradient is the interior of gy.
  backward: ([gy], { inputs: [x], attrs }) => getItem(gy, ...interior(x.shape, attrs.widths)),
  describe: (a) => ({ widths: a.widths, value: a.value }),
};

/**
 * `x` with a border of `value` (default 0): numpy's `pad(x, widths, constant_values=value)`.
 * `widths` is numpy's `pad_width`: `2` pads every side of every axis by 2, `[1, 2]` every axis
 * by 1 before and 2 after, `[[0, 0], [1, 1]]` each axis by its own pair.
 */
export function pad(x: Operand, widths: PadWidths, options: PadOptions = {}): Variable {
  const v = asVariable('Pad', x);
  const w = padWidths(v.shape, widths);
  const value = borderValue(v.dtype, options.value ?? 0);
  if (w.every(([b, a]) => b === 0 && a === 0)) return v;
  return applyOp(PadDef, [v], { widths: w, value }) as Variable;
}

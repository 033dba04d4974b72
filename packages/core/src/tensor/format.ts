/**
 * Printing tensors as numpy does: nested brackets, numbers aligned in columns, and — past a
 * threshold — only the first and last few entries of each axis with `...` between, so printing
 * never builds the whole nested array (a `[1e6, 1e6, 0]` tensor prints as quickly as a scalar).
 */
import type { TypedArray } from './dtype.js';

/** How values are printed (numpy's `set_printoptions`, in part). */
export interface PrintOptions {
  /** Above this many elements the output is summarised with `...` (numpy: 1000). */
  threshold: number;
  /** Entries shown at each end of a summarised axis (numpy: 3). */
  edgeItems: number;
  /** Significant digits of each number (default 6). */
  precision: number;
}

/** The defaults `String(tensor)` uses; change them to print more or less. */
export const printOptions: PrintOptions = { threshold: 1000, edgeItems: 3, precision: 6 };

/** One number as printed: `6` significant digits, integers without a point, NaN and ±Infinity by name. */
function formatNumber(v: number, precision: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Object.is(v, -0)) return '-0';
  return String(Number(v.toPrecision(precision)));
}

/**
 * The values of a tensor of `shape` stored row-major in `data`, as nested brackets.
 * `indent` is the column at which the outermost `[` is printed (continuation lines align to it).
 */
export function formatValues(
  data: TypedArray | ((i: number) => number),
  shape: readonly number[],
  indent = 0,
  options: PrintOptions = printOptions,
): string {
  const read = typeof data === 'function' ? data : (i: number) => data[i];
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0) return formatNumber(read(0), options.precision);
  if (size === 0) return '[]';
  const summarise = size > options.threshold;
  const edge = options.edgeItems;
  // Which indices of an axis of length n are shown (null marks the `...`).
  const shown = (n: number): (number | null)[] =>
    summarise && n > 2 * edge
      ? [...Array.from({ length: edge }, (_, i) => i), null, ...Array.from({ length: edge }, (_, i) => n - edge + i)]
      : Array.from({ length: n }, (_, i) => i);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));

  // First pass: the text of every shown number, to find the column width.
  let width = 0;
  const visit = (dim: number, offset: number, f: (offset: number) => void): void => {
    for (const i of shown(shape[dim])) {
      if (i === null) continue;
      if (dim === shape.length - 1) f(offset + i);
      else visit(dim + 1, offset + i * strides[dim], f);
    }
  };
  visit(0, 0, (o) => {
    width = Math.max(width, formatNumber(read(o), options.precision).length);
  });

  // Second pass: brackets, aligned numbers, a blank line between blocks of rank ≥ 3.
  const build = (dim: number, offset: number): string => {
    const parts = shown(shape[dim]).map((i) => {
      if (i === null) return '...';
      if (dim === shape.length - 1) return formatNumber(read(offset + i), options.precision).padStart(width);
      return build(dim + 1, offset + i * strides[dim]);
    });
    if (dim === shape.length - 1) return `[${parts.join(', ')}]`;
    const pad = ' '.repeat(indent + dim + 1);
    const gap = `,${'\n'.repeat(shape.length - dim - 1)}${pad}`;
    return `[${parts.join(gap)}]`;
  };
  return build(0, 0);
}

/**
 * The library's own error classes. Every error names the operation that refused the input,
 * the shapes involved and what was expected, so a message alone is enough to find the bug.
 */

/** Base class of every error zerograd throws on purpose. */
export class ZerogradError extends Error {
  /** The operation (op, function or layer) that raised the error, e.g. `"MatMul"`. */
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = new.target.name;
    this.op = op;
  }
}

/** Shapes that do not fit: broadcasting, matmul inner dimensions, reshape sizes, axes. */
export class ShapeError extends ZerogradError {}

/** A dtype that is not supported, or operands whose dtypes cannot be combined. */
export class DTypeError extends ZerogradError {}

/** A value that is not allowed: a ragged nested array, NaN where a count is needed, a bad option. */
export class ValueError extends ZerogradError {}

/** A misuse of the graph: backward through a node twice without a graph, a missing gradient. */
export class GraphError extends ZerogradError {}

/** Raised under `detectAnomaly` by the first op whose output holds NaN or Infinity. */
export class AnomalyError extends ZerogradError {}

/** Formats a shape the way numpy prints it: `(2, 3)`, `(5,)`, `()`. */
export function fmtShape(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

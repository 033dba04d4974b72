/**
 * Pooling over NCHW images, each channel on its own: `maxPool2d` keeps the largest value of
 * every window, `avgPool2d` its mean. One `MaxPool` or `AvgPool` node each.
 *
 * The chain rule. Once the winners of the windows are known, max pooling just reads x at
 * them (a gather), so its gradient sends gy back to the winners and zeros elsewhere — the
 * book's `arg_max` — as a `MaxPoolGrad` node (a scatter); the gradient of that scatter reads
 * at the same winners again, a `MaxPool` node with its winners given. Average pooling is
 * linear: its gradient spreads each gy evenly over its window (`AvgPoolGrad`), whose gradient
 * is average pooling again. So both differentiate to any order (max pooling's second
 * derivative is zero away from ties, and that is what these give).
 */
import {
  avgPoolBackTensor,
  avgPoolTensor,
  gatherTensor,
  maxPoolTensor,
  scatterTensor,
} from '../backend/conv-kernels.js';
import { ValueError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { type ConvGeometry, convGeometry, type Pair, toPair } from '../kernels/im2col.js';

/** Options of {@link maxPool2d} and {@link avgPool2d}. */
export interface Pool2dOptions {
  /** Window height and width: one number or `[KH, KW]`. */
  kernel: Pair;
  /** Step between windows (default: the window size, so windows do not overlap, as in PyTorch). */
  stride?: Pair;
  /** Padding on each side (default 0): never wins a max; counts as zeros in an average. Less than the window. */
  pad?: Pair;
}

interface PoolAttrs {
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly pad: [number, number];
  /** The pooled input's shape `[N, C, H, W]`. */
  readonly inputShape: readonly number[];
  /** MaxPool given its winners (flat indices into x) reads there instead of searching. */
  readonly winners?: Int32Array;
}

const describe = ({ kernel, stride, pad }: PoolAttrs) => ({ kernel, stride, pad });
const geometry = (op: string, a: PoolAttrs): ConvGeometry => convGeometry(op, a.inputShape, a.kernel, a.stride, a.pad);
const outputShape = (g: ConvGeometry) => [g.n, g.c, g.oh, g.ow];

const MaxPoolDef: OpDefinition<PoolAttrs> = {
  name: 'MaxPool',
  forward: ([x], a, ctx) => {
    const g = geometry('MaxPool', a);
    if (a.winners) return gatherTensor(x, a.winners, outputShape(g));
    const { y, winners } = maxPoolTensor(x, g);
    ctx.save(winners);
    return y;
  },
  backward: ([gy], { attrs, saved }) =>
    applyOp(MaxPoolGradDef, [gy], { ...attrs, winners: attrs.winners ?? (saved[0] as Int32Array) }) as Variable,
  describe,
};

const MaxPoolGradDef: OpDefinition<PoolAttrs> = {
  name: 'MaxPoolGrad',
  forward: ([gy], a) => scatterTensor(gy, a.winners as Int32Array, a.inputShape),
  backward: ([g], { attrs }) => applyOp(MaxPoolDef, [g], attrs) as Variable,
  describe,
};

const AvgPoolDef: OpDefinition<PoolAttrs> = {
  name: 'AvgPool',
  forward: ([x], a) => avgPoolTensor(x, geometry('AvgPool', a)),
  backward: ([gy], { attrs }) => applyOp(AvgPoolGradDef, [gy], attrs) as Variable,
  describe,
};

const AvgPoolGradDef: OpDefinition<PoolAttrs> = {
  name: 'AvgPoolGrad',
  forward: ([gy], a) => avgPoolBackTensor(gy, geometry('AvgPoolGrad', a)),
  backward: ([g], { attrs }) => applyOp(AvgPoolDef, [g], attrs) as Variable,
  describe,
};

function pool(def: OpDefinition<PoolAttrs>, x: Operand, options: Pool2dOptions): Variable {
  const op = def.name;
  const v = asVariable(op, x);
  const kernel = toPair(op, 'kernel', options?.kernel, 1);
  const stride = toPair(op, 'stride', options.stride ?? kernel, 1);
  const pad = toPair(op, 'pad', options.pad ?? 0, 0);
  if (pad[0] >= kernel[0] || pad[1] >= kernel[1]) {
    throw new ValueError(
      op,
      `pad (${pad[0]}, ${pad[1]}) must be smaller than the ${kernel[0]}×${kernel[1]} window (a window of padding alone)`,
    );
  }
  convGeometry(op, v.shape, kernel, stride, pad); // throws on a rank ≠ 4 or a window that does not tile
  return applyOp(def, [v], { kernel, stride, pad, inputShape: v.shape.slice() }) as Variable;
}

/**
 * Max pooling over each `KH × KW` window of x `[N, C, H, W]` → `[N, C, OH, OW]`, with
 * `OH = (H + 2·pad − KH) / stride + 1`; stride defaults to the window (PyTorch's default; the
 * book's SimpleConvNet passes `stride=2` for its 2×2 pooling). The gradient goes to the first
 * largest value of each window. Throws a `ShapeError` when x is not rank 4 or the windows do
 * not tile the padded input exactly, a `ValueError` for a bad kernel, stride or pad.
 *
 * @example
 * maxPool2d(x, { kernel: 2 }); // [100, 30, 24, 24] → [100, 30, 12, 12]
 */
export function maxPool2d(x: Operand, options: Pool2dOptions): Variable {
  return pool(MaxPoolDef, x, options);
}

/**
 * Average pooling over each `KH × KW` window of x `[N, C, H, W]` → `[N, C, OH, OW]` (padding
 * counts as zeros; the divisor is always KH·KW). Shapes and options as {@link maxPool2d}.
 */
export function avgPool2d(x: Operand, options: Pool2dOptions): Variable {
  return pool(AvgPoolDef, x, options);
}

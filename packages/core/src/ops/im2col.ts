/**
 * im2col and col2im as ops, so a reader can follow the book's steps (§7.4) with a graph and
 * gradients: `matmul(im2col(x, { kernel: 5 }), W.reshape([F, -1]), { transposeB: true })` is
 * the convolution the book writes, and backward works through it.
 *
 * Both are linear and each is the other's adjoint (⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩): the
 * gradient of im2col is col2im of the upstream gradient, and the gradient of col2im is im2col.
 */
import { col2imTensor, im2colTensor } from '../backend/conv-kernels.js';
import { fmtShape, ShapeError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { convGeometry, type Pair, toPair } from '../kernels/im2col.js';
import { checkShape } from '../tensor/shape.js';

/** Options of {@link im2col} and {@link col2im}: the window the book calls `filter_h × filter_w`. */
export interface Im2colOptions {
  /** Window height and width: one number or `[KH, KW]`. */
  kernel: Pair;
  /** Step between windows (default 1, as the book's `im2col`). */
  stride?: Pair;
  /** Zeros added on each side (default 0). */
  pad?: Pair;
}

interface WindowAttrs {
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly pad: [number, number];
  /** The image shape `[N, C, H, W]`. */
  readonly inputShape: readonly number[];
}

const describe = ({ kernel, stride, pad }: WindowAttrs) => ({ kernel, stride, pad });
const geometry = (op: string, a: WindowAttrs) => convGeometry(op, a.inputShape, a.kernel, a.stride, a.pad);

const Im2colDef: OpDefinition<WindowAttrs> = {
  name: 'Im2col',
  forward: ([x], a) => im2colTensor(x, geometry('Im2col', a)),
  backward: ([g], { attrs }) => applyOp(Col2imDef, [g], attrs) as Variable,
  describe,
};

const Col2imDef: OpDefinition<WindowAttrs> = {
  name: 'Col2im',
  forward: ([col], a) => col2imTensor(col, geometry('Col2im', a)),
  backward: ([g], { attrs }) => applyOp(Im2colDef, [g], attrs) as Variable,
  describe,
};

function attrsOf(op: string, inputShape: readonly number[], options: Im2colOptions): WindowAttrs {
  const kernel = toPair(op, 'kernel', options?.kernel, 1);
  const stride = toPair(op, 'stride', options.stride ?? 1, 1);
  const pad = toPair(op, 'pad', options.pad ?? 0, 0);
  convGeometry(op, inputShape, kernel, stride, pad); // throws when the windows do not tile
  return { kernel, stride, pad, inputShape: inputShape.slice() };
}

/**
 * The book's im2col: every `KH × KW` window of the images x `[N, C, H, W]` as one row of a
 * matrix `[N·OH·OW, C·KH·KW]`, rows ordered by image then output pixel, columns by channel
 * then filter row then filter column (padding gives zeros). One `Im2col` node; its gradient
 * is `col2im`.
 */
export function im2col(x: Operand, options: Im2colOptions): Variable {
  const v = asVariable('Im2col', x);
  return applyOp(Im2colDef, [v], attrsOf('Im2col', v.shape, options)) as Variable;
}

/**
 * The inverse way, col2im: rows of windows `[N·OH·OW, C·KH·KW]` folded back into images of
 * `shape` `[N, C, H, W]`, values of overlapping windows summed (so it is im2col's adjoint,
 * not its inverse). One `Col2im` node; its gradient is `im2col`.
 */
export function col2im(col: Operand, shape: readonly number[], options: Im2colOptions): Variable {
  const v = asVariable('Col2im', col);
  const a = attrsOf('Col2im', checkShape('Col2im', shape), options);
  const g = geometry('Col2im', a);
  const want = [g.n * g.oh * g.ow, g.c * g.kh * g.kw];
  if (v.ndim !== 2 || v.shape[0] !== want[0] || v.shape[1] !== want[1]) {
    throw new ShapeError(
      'Col2im',
      `images ${fmtShape(shape)} with a ${g.kh}×${g.kw} window need col ${fmtShape(want)}, got ${fmtShape(v.shape)}`,
    );
  }
  return applyOp(Col2imDef, [v], a) as Variable;
}

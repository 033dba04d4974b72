/**
 * Convolution, NCHW like the book and PyTorch: x `[N, C, H, W]`, filters W `[F, C, KH, KW]`,
 * bias b `[F]`, output `[N, F, OH, OW]`. Forward is im2col and one matrix product
 * (backend/conv-kernels.ts); the graph sees one `Conv2d` node.
 *
 * The chain rule. The convolution is linear in x and linear in W (bilinear), so each gradient
 * is the adjoint of a linear map applied to the upstream gradient gy:
 *
 *   ∂/∂x  Conv2dGradInput(gy, W)   = col2im(gy · W): every output pixel sends gy·W back to its window
 *   ∂/∂W  Conv2dGradWeight(x, gy)  = Σ over windows of gy ⊗ window: im2col(x)ᵀ · gy
 *   ∂/∂b  Σ gy over N, OH, OW
 *
 * Both gradient ops are bilinear too, and their own gradients are again the three ops of this
 * family (see each backward), so conv can be differentiated to any order, exactly.
 */
import { conv2dGradInputTensor, conv2dGradWeightTensor, conv2dTensor } from '../backend/conv-kernels.js';
import { fmtShape, ShapeError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { convGeometry, type Pair, toPair } from '../kernels/im2col.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

/** Options of {@link conv2d}. */
export interface Conv2dOptions {
  /** Step between windows: one number or `[vertical, horizontal]` (default 1). */
  stride?: Pair;
  /** Zeros added on each side of the image: one number or `[vertical, horizontal]` (default 0). */
  pad?: Pair;
}

interface ConvAttrs {
  readonly stride: [number, number];
  readonly pad: [number, number];
}
/** Conv2dGradInput keeps the input's shape (it follows from gy, W, stride and pad, but reads plainer kept). */
interface GradInputAttrs extends ConvAttrs {
  readonly inputShape: readonly number[];
}

const describe = ({ stride, pad }: ConvAttrs) => ({ stride, pad });
const kernelOf = (W: { shape: readonly number[] }): [number, number] => [W.shape[2], W.shape[3]];

const Conv2dDef: OpDefinition<ConvAttrs> = {
  name: 'Conv2d',
  forward: ([x, W, b], { stride, pad }) =>
    conv2dTensor(x, W, b ?? null, convGeometry('Conv2d', x.shape, kernelOf(W), stride, pad)),
  backward: ([gy], { inputs: [x, W, b], attrs, needsGrad }) => {
    const gx = needsGrad[0] ? gradInput(gy, W, x.shape, attrs) : null;
    const gW = needsGrad[1] ? gradWeight(x, gy, kernelOf(W), attrs) : null;
    if (!b) return [gx, gW];
    // Σ over N, OH, OW: each map summed first, as one contiguous run (the backends' fast path).
    const [n, f, oh, ow] = gy.shape;
    const db = needsGrad[2] ? sum(sum(reshape(gy, [n, f, oh * ow]), 2), 0) : null;
    return [gx, gW, db];
  },
  describe,
};

const GradInputDef: OpDefinition<GradInputAttrs> = {
  name: 'Conv2dGradInput',
  forward: ([gy, W], { stride, pad, inputShape }) =>
    conv2dGradInputTensor(gy, W, convGeometry('Conv2dGradInput', inputShape, kernelOf(W), stride, pad)),
  // gx = T(gy, W) with ⟨g, T(gy, W)⟩ = ⟨conv(g, W), gy⟩: so ∂/∂gy = conv(g, W), ∂/∂W = GradWeight(g, gy).
  backward: ([g], { inputs: [gy, W], attrs, needsGrad }) => [
    needsGrad[0] ? convolve(g, W, null, attrs) : null,
    needsGrad[1] ? gradWeight(g, gy, kernelOf(W), attrs) : null,
  ],
  describe,
};

/** Conv2dGradWeight needs the filters' size, which (x, gy) alone do not fix. */
interface GradWeightAttrs extends ConvAttrs {
  readonly kernel: [number, number];
}

const GradWeightDef: OpDefinition<GradWeightAttrs> = {
  name: 'Conv2dGradWeight',
  forward: ([x, gy], { stride, pad, kernel }) =>
    conv2dGradWeightTensor(x, gy, convGeometry('Conv2dGradWeight', x.shape, kernel, stride, pad)),
  // gW = U(x, gy) with ⟨G, U(x, gy)⟩ = ⟨conv(x, G), gy⟩: so ∂/∂x = GradInput(gy, G), ∂/∂gy = conv(x, G).
  backward: ([G], { inputs: [x, gy], attrs, needsGrad }) => [
    needsGrad[0] ? gradInput(gy, G, x.shape, attrs) : null,
    needsGrad[1] ? convolve(x, G, null, attrs) : null,
  ],
  describe,
};

function convolve(x: Variable, W: Variable, b: Variable | null, { stride, pad }: ConvAttrs): Variable {
  return applyOp(Conv2dDef, b ? [x, W, b] : [x, W], { stride, pad }) as Variable;
}
function gradInput(gy: Variable, W: Variable, inputShape: readonly number[], { stride, pad }: ConvAttrs): Variable {
  return applyOp(GradInputDef, [gy, W], { stride, pad, inputShape }) as Variable;
}
function gradWeight(x: Variable, gy: Variable, kernel: [number, number], { stride, pad }: ConvAttrs): Variable {
  return applyOp(GradWeightDef, [x, gy], { stride, pad, kernel }) as Variable;
}

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library) of a batch of images
 * x `[N, C, H, W]` with filters W `[F, C, KH, KW]`, plus a bias b `[F]` when given: an output
 * `[N, F, OH, OW]` with `OH = (H + 2·pad − KH) / stride + 1` (likewise OW). One `Conv2d` node.
 *
 * Throws a `ShapeError` naming the shapes when the ranks or channel counts do not fit, when b
 * is not `[F]`, or when the windows do not tile the padded input exactly (OH not a whole
 * number); a `ValueError` for a stride < 1 or a pad < 0.
 *
 * @example
 * const y = conv2d(x, W, b, { stride: 1, pad: 2 }); // x [100, 1, 28, 28], W [30, 1, 5, 5] → [100, 30, 28, 28]
 */
export function conv2d(x: Operand, W: Operand, b?: Operand | null, options: Conv2dOptions = {}): Variable {
  const xv = asVariable('Conv2d', x);
  const wv = asVariable('Conv2d', W, xv.dtype);
  const bv = b === undefined || b === null ? null : asVariable('Conv2d', b, xv.dtype);
  const stride = toPair('Conv2d', 'stride', options.stride ?? 1, 1);
  const pad = toPair('Conv2d', 'pad', options.pad ?? 0, 0);
  const shapes = `x ${fmtShape(xv.shape)}, W ${fmtShape(wv.shape)}${bv ? `, b ${fmtShape(bv.shape)}` : ''}`;
  if (xv.ndim !== 4 || wv.ndim !== 4) {
    throw new ShapeError('Conv2d', `expects x [N, C, H, W] and W [F, C, KH, KW], got ${shapes}`);
  }
  if (xv.shape[1] !== wv.shape[1]) {
    throw new ShapeError(
      'Conv2d',
      `x has ${xv.shape[1]} channels but the filters expect ${wv.shape[1]} (W is [F, C, KH, KW]): ${shapes}`,
    );
  }
  if (bv && (bv.ndim !== 1 || bv.shape[0] !== wv.shape[0])) {
    throw new ShapeError('Conv2d', `b must be [F] = (${wv.shape[0]},), one value per filter: ${shapes}`);
  }
  convGeometry('Conv2d', xv.shape, kernelOf(wv), stride, pad); // throws on a window that does not tile
  return convolve(xv, wv, bv, { stride, pad });
}

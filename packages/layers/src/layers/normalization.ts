import {
  type DType,
  div,
  fmtShape,
  mean,
  mul,
  ones,
  parameter,
  ShapeError,
  sqrt,
  sub,
  ValueError,
  type Variable,
  zeros,
} from '@zerograd/core';
import { Layer } from './layer.js';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5, PyTorch's). */
  eps?: number;
  /** Learn a scale `weight` and a shift `bias` of the normalised shape (default true). */
  elementwiseAffine?: boolean;
  /** Learn the shift `bias` (default true; only with `elementwiseAffine`). */
  bias?: boolean;
  /** dtype of the parameters (default `'float64'`). */
  dtype?: DType;
}

/**
 * Layer normalisation (Ba et al.), as PyTorch's `nn.LayerNorm`: each example is normalised over
 * its last axes — those of `normalizedShape` — with its own mean and (biased) variance,
 * `y = (x − μ)/√(σ² + ε)·weight + bias`. Unlike `BatchNorm` it does not mix the examples of a
 * batch, so training and evaluation compute the same thing and a batch of one is fine; there
 * are no running statistics. Composed of ops, so its gradient (and second order) comes from the
 * graph.
 *
 * @example
 * const norm = new LayerNorm(64); // over the last axis of [N, 64] or [N, T, 64]
 */
export class LayerNorm extends Layer {
  readonly type = 'LayerNorm';
  /** The trailing shape normalised over (`[64]` for `new LayerNorm(64)`). */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Scale, `normalizedShape`, initially ones; null without `elementwiseAffine`. */
  readonly weight: Variable | null;
  /** Shift, `normalizedShape`, initially zeros; null without one. */
  readonly bias: Variable | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
      throw new ValueError('LayerNorm', `normalizedShape must be positive integers, got ${fmtShape(shape)}`);
    }
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = 'float64' } = options;
    if (!(eps > 0) || !Number.isFinite(eps)) throw new ValueError('LayerNorm', `eps must be positive, got ${eps}`);
    this.normalizedShape = shape;
    this.eps = eps;
    this.weight = elementwiseAffine ? this.registerParameter('weight', parameter(ones(shape, { dtype }))) : null;
    this.bias = elementwiseAffine && bias ? this.registerParameter('bias', parameter(zeros(shape, { dtype }))) : null;
  }

  protected call(x: Variable): Variable {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(
        'LayerNorm',
        `input ${fmtShape(x.shape)} does not end in the normalised shape ${fmtShape(this.normalizedShape)}`,
      );
    }
    const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const xc = sub(x, mean(x, axes, true));
    const variance = mean(mul(xc, xc), axes, true);
    let y = div(xc, sqrt(variance.add(this.eps)));
    if (this.weight) y = mul(y, this.weight);
    if (this.bias) y = y.add(this.bias);
    return y;
  }
}

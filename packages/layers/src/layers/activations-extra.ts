/**
 * The activations of `functional/activations-extra.ts` as layers, plus `Identity`: each
 * `forward` calls the function inside the layer's scope, so a drawing boxes its nodes.
 */
import { identity, type Variable } from '@zerograd/core';
import { elu, type GeluOptions, gelu, leakyRelu, silu, softplus } from '../functional/activations-extra.js';
import { Layer } from './layer.js';

/** Leaky ReLU as a layer: `x` where `x > 0`, else `slope·x` (default 0.01, PyTorch's). */
export class LeakyReLU extends Layer {
  readonly type = 'LeakyReLU';
  /** The slope for negative inputs (PyTorch's `negative_slope`). */
  readonly slope: number;
  constructor(slope = 0.01) {
    super();
    leakyRelu(0, slope); // validates the slope now, not at the first forward
    this.slope = slope;
  }
  protected call(x: Variable): Variable {
    return leakyRelu(x, this.slope);
  }
}

/** ELU as a layer: `x` where `x > 0`, else `α·(eˣ − 1)` (default α = 1). */
export class ELU extends Layer {
  readonly type = 'ELU';
  /** α, the value approached for large negative inputs is −α. */
  readonly alpha: number;
  constructor(alpha = 1) {
    super();
    elu(0, alpha);
    this.alpha = alpha;
  }
  protected call(x: Variable): Variable {
    return elu(x, this.alpha);
  }
}

/**
 * GELU as a layer, `x·Φ(x)`: exact (with `erf`) by default as in PyTorch, or
 * `new GELU({ approximate: 'tanh' })` for the tanh approximation.
 */
export class GELU extends Layer {
  readonly type = 'GELU';
  /** Which form is computed. */
  readonly approximate: 'none' | 'tanh';
  constructor(options: GeluOptions = {}) {
    super();
    this.approximate = options.approximate ?? 'none';
    gelu(0, { approximate: this.approximate });
  }
  protected call(x: Variable): Variable {
    return gelu(x, { approximate: this.approximate });
  }
}

/** SiLU (swish) as a layer: `x·σ(x)`. */
export class SiLU extends Layer {
  readonly type = 'SiLU';
  protected call(x: Variable): Variable {
    return silu(x);
  }
}

/** Softplus as a layer: `(1/β)·log(1 + e^(βx))`, computed without overflow (default β = 1). */
export class Softplus extends Layer {
  readonly type = 'Softplus';
  /** β: larger values bring the curve closer to ReLU. */
  readonly beta: number;
  constructor(beta = 1) {
    super();
    softplus(0, beta);
    this.beta = beta;
  }
  protected call(x: Variable): Variable {
    return softplus(x, this.beta);
  }
}

/**
 * Passes its input through (one `Identity` node, gradient unchanged): a placeholder where a
 * model's structure asks for a layer, e.g. an optional normalisation switched off.
 */
export class Identity extends Layer {
  readonly type = 'Identity';
  protected call(x: Variable): Variable {
    return identity(x);
  }
}

import { mul, type Random, Tensor, ValueError, type Variable } from '@zerograd/core';
import { allocate } from '@zerograd/core/internals';
import { resolveRandom } from '../init.js';
import { Layer } from './layer.js';

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Generator of the masks (default: a new one from `seed`, else core's global generator). */
  random?: Random;
  /** Seed of a private generator, when `random` is not given. */
  seed?: number;
}

/**
 * Inverted dropout. In training mode each element is zeroed with probability `ratio` and the
 * survivors are scaled by `1/(1 − ratio)`, so the expected output equals the input and
 * evaluation mode simply passes the input through (the book instead scales by `1 − ratio` at
 * test time; the two agree in expectation). The mask is a constant: gradients flow only
 * through the kept elements, scaled the same way.
 */
export class Dropout extends Layer {
  readonly type = 'Dropout';
  /** Probability of dropping an element, in [0, 1). */
  readonly ratio: number;
  /** The generator the masks are drawn from. */
  readonly random: Random;
  /** The mask of the last training-mode forward (0 or `1/(1 − ratio)` per element), or null. */
  mask: Tensor | null = null;
  private draws = new Float64Array(0);

  constructor(ratio = 0.5, options: DropoutOptions = {}) {
    super();
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio < 1)) {
      throw new ValueError('Dropout', `ratio must be in [0, 1), got ${String(ratio)}`);
    }
    this.ratio = ratio;
    this.random = resolveRandom(options.random, options.seed);
  }

  protected call(x: Variable): Variable {
    if (!this.training || this.ratio === 0) return x;
    const keep = 1 / (1 - this.ratio);
    const m = allocate(x.dtype, x.size);
    // Draws in float64 (the same stream as `random.next()` per element), reused across calls.
    if (this.draws.length !== m.length) this.draws = new Float64Array(m.length);
    const u = this.random.uniformInto(this.draws);
    const ratio = this.ratio;
    // Branch-free (a kept/dropped branch mispredicts ~30% of the time): keep·1 or keep·0 = +0.
    for (let i = 0; i < m.length; i++) m[i] = keep * +(u[i] >= ratio);
    this.mask = new Tensor(m, x.shape);
    return mul(x, this.mask);
  }
}

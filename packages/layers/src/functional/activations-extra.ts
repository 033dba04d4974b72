/**
 * Activations beyond the book, as PyTorch users know them: leaky ReLU, ELU, GELU (exact and
 * tanh forms), SiLU and softplus. Each is composed of core ops, so its gradient — and the
 * gradient of that gradient — comes from the graph; the one piece core has no op for, the
 * error function `erf`, is an op defined here with its derivative `2/√π·e^(−x²)` written with ops.
 *
 * Two rules keep the compositions exact:
 * - A `where` must not hide an overflow. The engine sends the unselected branch a zero
 *   gradient, and `0 · ∞` is NaN: `where(x > 0, x, exp(x) − 1)` would give NaN gradients for
 *   large x. So each branch only ever sees arguments it can handle (`exp(minimum(x, 0))`).
 * - Gradients must be right at exactly 0, a common input (zero-initialised weights, padding).
 *   `relu(x) + log(1 + e^(−|x|))` is softplus, but `relu` and `abs` have slope 0 at 0, so its
 *   gradient there would be 0 instead of ½. `softplus` below picks a branch with `where`.
 */
import {
  asVariable,
  defineOp,
  exp,
  greater,
  maximum,
  minimum,
  mul,
  neg,
  type Operand,
  pow,
  sigmoid,
  square,
  Tensor,
  tanh,
  ValueError,
  type Variable,
  where,
} from '@zerograd/core';
import { allocate } from '@zerograd/core/internals';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) for one number, to about 1e-15 (checked against Python's `math.erf` in the tests).
 * Below |x| = 2 the series `erf x = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1))` (all terms
 * positive: no cancellation); from 2 to 6 the continued fraction of erfc,
 * `erfc x = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …))))`, 40 levels deep; beyond 6,
 * erf x rounds to ±1 in float64.
 */
export function erfScalar(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (Number.isNaN(a)) return Number.NaN;
  if (a < 2) {
    const a2 = a * a;
    let term = a;
    let s = a;
    for (let n = 1; n < 100 && term > s * 1e-17; n++) {
      term *= (2 * a2) / (2 * n + 1);
      s += term;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-a2) * s;
  } else if (a < 6) {
    let f = a;
    for (let n = 40; n >= 1; n--) f = a + n / 2 / f;
    r = 1 - Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}

const ErfDef = defineOp({
  name: 'Erf',
  forward: ([x]) => {
    const out = allocate(x.dtype, x.size);
    const d = x.data;
    for (let i = 0; i < out.length; i++) out[i] = erfScalar(d[i]);
    return new Tensor(out, x.shape);
  },
  // d/dx erf x = 2/√π · e^(−x²), written with ops so second order works.
  backward: ([gy], { inputs: [x] }) => mul(gy, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI)),
});

const Log1pDef = defineOp({
  name: 'Log1p',
  forward: ([x]) => {
    const out = allocate(x.dtype, x.size);
    const d = x.data;
    for (let i = 0; i < out.length; i++) out[i] = Math.log1p(d[i]);
    return new Tensor(out, x.shape);
  },
  backward: ([gy], { inputs: [x] }) => gy.div(x.add(1)),
});

/**
 * `log(1 + x)`, exact for tiny x where `log(x.add(1))` rounds `1 + x` first (core has no log1p
 * op yet; softplus and the logit losses need one).
 */
export function log1p(x: Operand): Variable {
  return Log1pDef(x);
}

/**
 * The error function `erf(x) = 2/√π ∫₀ˣ e^(−t²) dt`, elementwise, as an `Erf` node. (Core has
 * no erf op yet; exact GELU needs one, so it is defined here with `defineOp`.)
 */
export function erf(x: Operand): Variable {
  return ErfDef(x);
}

function checkFinite(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ValueError(op, `${name} must be a finite number, got ${String(v)}`);
  }
  return v;
}

/**
 * Leaky ReLU: `x` where `x > 0`, else `slope·x` (default slope 0.01, PyTorch's
 * `negative_slope`). At exactly 0 the gradient is `slope`, as in PyTorch.
 */
export function leakyRelu(x: Operand, slope = 0.01): Variable {
  checkFinite('leakyRelu', 'slope', slope);
  const v = asVariable('leakyRelu', x);
  return where(greater(v, 0), v, mul(v, slope));
}

/**
 * ELU: `x` where `x > 0`, else `α·(eˣ − 1)` (default α = 1). The exponential sees
 * `min(x, 0)`, so large positive inputs never overflow in the branch that is not used.
 */
export function elu(x: Operand, alpha = 1): Variable {
  checkFinite('elu', 'alpha', alpha);
  const v = asVariable('elu', x);
  return where(greater(v, 0), v, mul(exp(minimum(v, 0)).sub(1), alpha));
}

/** Options of {@link gelu}. */
export interface GeluOptions {
  /**
   * `'none'` (default, PyTorch's): the exact `x·Φ(x) = ½x·(1 + erf(x/√2))`. `'tanh'`: the
   * approximation `½x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` of Hendrycks & Gimpel (GPT-2's),
   * within 5e-4 of the exact form.
   */
  approximate?: 'none' | 'tanh';
}

/** GELU, the Gaussian error linear unit `x·Φ(x)`; see {@link GeluOptions} for the two forms. */
export function gelu(x: Operand, options: GeluOptions = {}): Variable {
  const { approximate = 'none' } = options;
  const v = asVariable('gelu', x);
  if (approximate === 'tanh') {
    const inner = mul(v.add(mul(pow(v, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(v, tanh(inner).add(1)).mul(0.5);
  }
  if (approximate !== 'none') {
    throw new ValueError('gelu', `approximate must be 'none' or 'tanh', got ${String(approximate)}`);
  }
  return mul(v, erf(mul(v, Math.SQRT1_2)).add(1)).mul(0.5);
}

/** SiLU (also called swish): `x·σ(x)`. */
export function silu(x: Operand): Variable {
  const v = asVariable('silu', x);
  return mul(v, sigmoid(v));
}

/**
 * Softplus, `(1/β)·log(1 + e^(βx))` (default β = 1), a smooth ReLU whose derivative is
 * `σ(βx)`. Computed without overflow for any x: where `βx > 0` as `βx + log1p(e^(−βx))`,
 * elsewhere as `log1p(e^(βx))`, each branch fed only arguments ≤ 0 of `exp`. Accurate for large
 * inputs too, so it needs no switch to the identity (PyTorch's `threshold = 20`, which changes
 * values by less than 2e-9).
 */
export function softplus(x: Operand, beta = 1): Variable {
  checkFinite('softplus', 'beta', beta);
  if (!(beta > 0)) throw new ValueError('softplus', `beta must be positive, got ${beta}`);
  const v = asVariable('softplus', x);
  const z = beta === 1 ? v : mul(v, beta);
  const pos = maximum(z, 0); // z where z > 0, else 0
  const negPart = minimum(z, 0); // z where z ≤ 0, else 0
  const y = where(greater(z, 0), pos.add(log1p(exp(neg(pos)))), log1p(exp(negPart)));
  return beta === 1 ? y : y.div(beta);
}

/**
 * Gradient clipping, called between `backward()` and `optimizer.step()` as in PyTorch. Both
 * functions give each parameter a new `.grad` Variable rather than writing into its buffer: a
 * gradient kept with `createGraph` is a value inside a recorded graph (writing it would make
 * that graph's backward stale), and a reference kept for logging keeps the numbers it had.
 */
import { AnomalyError, Tensor, ValueError, Variable } from '@zerograd/core';
import { allocate, kernels } from '@zerograd/core/internals';
import { type AnyLayer, Layer } from '../layers/layer.js';
import { Optimizer } from './optimizer.js';

/** What clipping reads: a layer, an optimizer (its parameters) or a list of Variables. */
export type GradientSource = AnyLayer | Optimizer | Iterable<Variable>;

function withGrads(op: string, params: GradientSource): Variable[] {
  let list: unknown[];
  if (params instanceof Layer) list = params.parameters();
  else if (params instanceof Optimizer) list = [...params.params];
  else if (params !== null && typeof params === 'object' && Symbol.iterator in params) list = [...params];
  else throw new ValueError(op, 'expected a Layer, an Optimizer or an iterable of parameters');
  return list.filter((p, i): p is Variable => {
    if (!(p instanceof Variable)) throw new ValueError(op, `parameter ${i} is not a Variable`);
    return p.grad !== null;
  });
}

function replaceGrad(p: Variable, data: Tensor): void {
  p.grad = new Variable(data, { requiresGrad: false });
}

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Which norm: 2 (default, Euclidean) or `Infinity` (the largest absolute value). */
  normType?: 2 | typeof Number.POSITIVE_INFINITY;
  /**
   * When the total norm is NaN or ±∞ (a diverged step): `true` throws an `AnomalyError`;
   * `false` (default, PyTorch's) leaves the gradients as they are and returns the norm, so the
   * caller can skip the step.
   */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients together so that their joint norm — the norm of every gradient element
 * of every parameter taken as one vector — is at most `maxNorm`: each `.grad` is multiplied by
 * `maxNorm / (total + 1e-6)` when that is below 1 (PyTorch's rule, ε included). Directions are
 * kept; only the step length is capped. Returns the total norm before clipping (worth logging:
 * spikes show instability). Parameters without a gradient are skipped.
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model, 1.0);
 * optimizer.step();
 */
export function clipGradNorm(params: GradientSource, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const op = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new ValueError(op, `maxNorm must be a number ≥ 0, got ${String(maxNorm)}`);
  }
  const normType = options.normType ?? 2;
  if (normType !== 2 && normType !== Number.POSITIVE_INFINITY) {
    throw new ValueError(op, `normType must be 2 or Infinity, got ${String(normType)}`);
  }
  const list = withGrads(op, params);
  let total = 0;
  for (const p of list) {
    const g = (p.grad as Variable).data.data;
    if (normType === 2) for (let i = 0; i < g.length; i++) total += g[i] * g[i];
    else {
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]);
        if (a > total || Number.isNaN(a)) total = a; // once NaN, stays NaN (NaN > x is false)
      }
    }
  }
  if (normType === 2) total = Math.sqrt(total);
  if (!Number.isFinite(total)) {
    if (options.errorIfNonfinite) {
      throw new AnomalyError(
        op,
        `the total gradient norm is ${total} over ${list.length} parameters; gradients left unchanged`,
      );
    }
    return total;
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const p of list) replaceGrad(p, kernels.unary('mulScalar', (p.grad as Variable).data, coef));
  return total;
}

/**
 * Clamps every gradient element into `[−clipValue, clipValue]` (PyTorch's `clip_grad_value_`).
 * Unlike `clipGradNorm` it changes directions; it is a blunt guard against single huge values.
 */
export function clipGradValue(params: GradientSource, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0) || !Number.isFinite(clipValue)) {
    throw new ValueError(op, `clipValue must be a finite number ≥ 0, got ${String(clipValue)}`);
  }
  for (const p of withGrads(op, params)) {
    const g = (p.grad as Variable).data;
    const out = allocate(g.dtype, g.size);
    const d = g.data;
    for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(d[i], -clipValue), clipValue); // NaN stays NaN
    replaceGrad(p, new Tensor(out, g.shape));
  }
}

/**
 * The losses PyTorch users reach for beyond the book's two: binary cross-entropy on
 * probabilities and on logits, L1, Huber and negative log-likelihood. Each is composed of core
 * ops (its gradient and second order come from the graph) and takes PyTorch's `reduction`:
 * `'mean'` (default), `'sum'` or `'none'` (one loss per element, or per row for `nllLoss`).
 *
 * Predictions and targets must have the same shape: PyTorch broadcasts `[N, 1]` against `[N]`
 * to `[N, N]` with only a warning, a classic silent mistake; here it is a `ShapeError`.
 */
import {
  arange,
  asVariable,
  exp,
  fmtShape,
  getItem,
  greater,
  log,
  maximum,
  minimum,
  mul,
  neg,
  type Operand,
  ShapeError,
  sub,
  sum,
  Tensor,
  ValueError,
  type Variable,
  where,
} from '@zerograd/core';
import { allocate } from '@zerograd/core/internals';
import { log1p, softplus } from './activations-extra.js';

/** How per-element losses are combined. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options shared by the elementwise losses. */
export interface LossOptions {
  /** `'mean'` (default) over every element, `'sum'`, or `'none'` for the per-element losses. */
  reduction?: Reduction;
}

function reduce(op: string, loss: Variable, reduction: Reduction): Variable {
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return sum(loss);
  if (reduction === 'none') return loss;
  throw new ValueError(op, `reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`);
}

/** Both operands as Variables of the prediction's dtype, with the same shape. */
function pair(op: string, y: Operand, t: Operand): [Variable, Variable] {
  const yv = asVariable(op, y);
  const tv = asVariable(op, t, yv.dtype);
  if (tv.ndim !== yv.ndim || tv.shape.some((d, i) => d !== yv.shape[i])) {
    throw new ShapeError(op, `targets ${fmtShape(tv.shape)} must have the predictions' shape ${fmtShape(yv.shape)}`);
  }
  return [yv, tv];
}

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions extends LossOptions {
  /** A weight per element, broadcast against the predictions (PyTorch's `weight`). */
  weight?: Operand;
}

/**
 * `log p` clamped at −100, as PyTorch's `binary_cross_entropy` clamps it, so `p = 0` gives a
 * loss of 100 instead of ∞. The input is first lifted to 1e-45 (the smallest float32 above 0)
 * so that `log` never sees 0: its backward `gy/p` would be 0/0 = NaN even though the clamp
 * sends it a zero gradient.
 */
function clampedLog(p: Variable): Variable {
  return maximum(log(maximum(p, 1e-45)), -100);
}

/**
 * Binary cross-entropy on probabilities `p ∈ [0, 1]`, `−(t·log p + (1 − t)·log(1 − p))` per
 * element, with each log clamped at −100 (PyTorch's rule). Targets may be soft (any value in
 * [0, 1]). Where a log is clamped the gradient is 0, the gradient of the clamped loss (PyTorch
 * returns `(p − t)/max(p(1 − p), 1e-12)` there). Prefer `binaryCrossEntropyWithLogits` on the
 * scores before the sigmoid: it is exact where `p` rounds to 0 or 1.
 */
export function binaryCrossEntropy(p: Operand, t: Operand, options: BinaryCrossEntropyOptions = {}): Variable {
  const op = 'binaryCrossEntropy';
  const [pv, tv] = pair(op, p, t);
  const d = pv.data.data;
  for (let i = 0; i < d.length; i++) {
    if (!(d[i] >= 0 && d[i] <= 1)) {
      throw new ValueError(
        op,
        `p must hold probabilities in [0, 1]; p[${i}] is ${d[i]} (apply sigmoid, or use binaryCrossEntropyWithLogits)`,
      );
    }
  }
  let loss = neg(mul(tv, clampedLog(pv)).add(mul(sub(1, tv), clampedLog(sub(1, pv)))));
  if (options.weight !== undefined) loss = mul(loss, asVariable(op, options.weight, pv.dtype));
  return reduce(op, loss, options.reduction ?? 'mean');
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /**
   * Weight of the positive term (PyTorch's `pos_weight`), broadcast against the last axis:
   * above 1 it counts missed positives more (e.g. negatives/positives for rare classes).
   */
  posWeight?: Operand;
}

/**
 * Sigmoid and binary cross-entropy in one, on logits `x`: per element
 * `max(x, 0) − x·t + log(1 + e^(−|x|))` (PyTorch's stable form of `softplus(x) − x·t`) —
 * accurate and finite for logits of ±1000, with gradient `σ(x) − t` (½ − t at exactly 0).
 * With `posWeight` w: `(1 − t)·x + (1 + (w − 1)·t)·softplus(−x)`, as PyTorch computes it.
 */
export function binaryCrossEntropyWithLogits(
  x: Operand,
  t: Operand,
  options: BinaryCrossEntropyWithLogitsOptions = {},
): Variable {
  const op = 'binaryCrossEntropyWithLogits';
  const [xv, tv] = pair(op, x, t);
  let loss: Variable;
  if (options.posWeight === undefined) {
    // PyTorch's max(x, 0) − x·t + log(1 + e^(−|x|)), one branch per sign of x so that the
    // gradient at exactly 0 is σ(0) − t (relu and abs have slope 0 there) and so that a small
    // loss at a large |x| is not the difference of two large numbers (x − x·t is exactly 0 at t = 1).
    const pos = maximum(xv, 0);
    const negPart = minimum(xv, 0);
    loss = where(
      greater(xv, 0),
      sub(pos, mul(pos, tv)).add(log1p(exp(neg(pos)))), // x > 0: x − x·t + log(1 + e^−x)
      log1p(exp(negPart)).sub(mul(negPart, tv)), // x ≤ 0: log(1 + eˣ) − x·t
    );
  } else {
    // PyTorch's form with the positive weight w: (1 − t)·x + (1 + (w − 1)·t)·softplus(−x).
    const w = asVariable(op, options.posWeight, xv.dtype);
    const scale = mul(sub(w, 1), tv).add(1);
    loss = mul(sub(1, tv), xv).add(mul(scale, softplus(neg(xv))));
  }
  if (options.weight !== undefined) loss = mul(loss, asVariable(op, options.weight, xv.dtype));
  return reduce(op, loss, options.reduction ?? 'mean');
}

/** Mean absolute error, `|y − t|` per element (gradient `sign(y − t)`, 0 where equal). */
export function l1Loss(y: Operand, t: Operand, options: LossOptions = {}): Variable {
  const [yv, tv] = pair('l1Loss', y, t);
  return reduce('l1Loss', sub(yv, tv).abs(), options.reduction ?? 'mean');
}

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1, PyTorch's). */
  delta?: number;
}

/**
 * Huber loss: with `d = y − t`, `½d²` where `|d| < δ`, else `δ·(|d| − ½δ)` — squared error for
 * small errors, absolute error (gradient `±δ`) for outliers. With δ = 1 it is PyTorch's
 * `smooth_l1_loss` too.
 */
export function huberLoss(y: Operand, t: Operand, options: HuberLossOptions = {}): Variable {
  const op = 'huberLoss';
  const { delta = 1 } = options;
  if (!(delta > 0) || !Number.isFinite(delta)) throw new ValueError(op, `delta must be positive, got ${delta}`);
  const [yv, tv] = pair(op, y, t);
  const d = sub(yv, tv);
  const a = d.abs();
  const loss = where(greater(a, delta), mul(a.sub(0.5 * delta), delta), mul(d, d).mul(0.5));
  return reduce(op, loss, options.reduction ?? 'mean');
}

/** Options of {@link nllLoss}. */
export interface NllLossOptions extends LossOptions {
  /** A weight per class `[C]` (PyTorch's `weight`); `'mean'` then divides by the weights' sum. */
  weight?: Operand;
  /** Rows whose label is this value contribute nothing (default −100, PyTorch's). */
  ignoreIndex?: number;
}

/**
 * Negative log-likelihood on log-probabilities (e.g. `logSoftmax(scores)`): `−logp[r, tᵣ]` per
 * row. `logp` is `[N, C]` (or `[..., C]`, classes on the last axis as everywhere in zerograd —
 * PyTorch's `[N, C, d…]` form has them on axis 1) and `t` holds labels `[N]` (or `[...]`).
 * `'mean'` is PyTorch's: `Σ wₜ·loss / Σ wₜ` over rows not ignored; `'none'` gives a loss per row
 * (0 for ignored rows). `nllLoss(logSoftmax(x), t)` equals `softmaxCrossEntropy(x, t)`.
 */
export function nllLoss(logp: Operand, t: Operand, options: NllLossOptions = {}): Variable {
  const op = 'nllLoss';
  const { ignoreIndex = -100, reduction = 'mean' } = options;
  const x = asVariable(op, logp);
  if (x.ndim === 0) throw new ShapeError(op, 'log-probabilities must have a class axis, got a scalar');
  const tv = asVariable(op, t);
  const lead = x.shape.slice(0, -1);
  const classes = x.shape[x.ndim - 1];
  if (tv.ndim !== lead.length || tv.shape.some((d, i) => d !== lead[i])) {
    throw new ShapeError(
      op,
      `labels ${fmtShape(tv.shape)} must be one per row ${fmtShape(lead)} of log-probabilities ${fmtShape(x.shape)}`,
    );
  }
  let w: Float64Array | null = null;
  if (options.weight !== undefined) {
    const wt = asVariable(op, options.weight).data;
    if (wt.ndim !== 1 || wt.shape[0] !== classes) {
      throw new ShapeError(op, `weight ${fmtShape(wt.shape)} must have one value per class [${classes}]`);
    }
    w = Float64Array.from(wt.data);
  }
  const rows = tv.size;
  const labels = new Float64Array(rows);
  const rowWeight = allocate(x.dtype, rows);
  let weighted = w !== null;
  for (let r = 0; r < rows; r++) {
    const k = tv.data.data[r];
    if (k === ignoreIndex) {
      weighted = true; // row weight 0, label 0 as a harmless placeholder
    } else if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new ValueError(op, `label ${k} at index ${r} is not a class index in [0, ${classes})`);
    } else {
      labels[r] = k;
      rowWeight[r] = w ? w[k] : 1;
    }
  }
  const picked = getItem(x.reshape([rows, classes]), arange(rows), new Tensor(labels, [rows]));
  const weights = new Tensor(rowWeight, [rows]);
  const perRow = weighted ? neg(mul(picked, weights)) : neg(picked);
  if (reduction === 'none') return perRow.reshape(lead);
  if (reduction === 'sum') return sum(perRow);
  if (reduction !== 'mean') {
    throw new ValueError(op, `reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`);
  }
  let total = 0;
  for (let r = 0; r < rows; r++) total += rowWeight[r];
  return sum(perRow).div(total); // 0/0 = NaN when every row is ignored, as in PyTorch
}

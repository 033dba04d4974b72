/**
 * Loss functions. `crossEntropyError` and `meanSquaredError` are the notes' formulas composed of
 * ops; `softmaxCrossEntropy` is one fused op (softmax and cross-entropy together, through
 * log-sum-exp) for speed and for stability, checked in the tests against its composed form
 * `softmaxCrossEntropyComposed`.
 */
import {
  arange,
  asVariable,
  type BackwardContext,
  defineOp,
  fmtShape,
  getItem,
  log,
  mean,
  mul,
  neg,
  type Operand,
  pow,
  ShapeError,
  sub,
  sum,
  Tensor,
  ValueError,
  type Variable,
} from '@zerograd/core';
import { allocate, kernels } from '@zerograd/core/internals';
import { logSoftmax } from './activations.js';
import { softmaxCrossEntropyGrad, type TargetKind } from './sce-grad.js';

/**
 * Decides whether `t` holds class labels (shape `[...]`, one per row of `y`) or one-hot/
 * probability rows (shape `[..., C]`, same as `y`), and checks the labels.
 */
function targetKind(op: string, y: Variable, t: Variable): TargetKind {
  if (y.ndim === 0) throw new ShapeError(op, 'the prediction must have a class axis, got a scalar');
  const lead = y.shape.slice(0, -1);
  if (t.ndim === y.ndim && t.shape.every((d, i) => d === y.shape[i])) return 'onehot';
  if (t.ndim === lead.length && t.shape.every((d, i) => d === lead[i])) {
    const classes = y.shape[y.ndim - 1];
    const d = t.data.data;
    for (let i = 0; i < d.length; i++) {
      const k = d[i];
      if (!Number.isInteger(k) || k < 0 || k >= classes) {
        throw new ValueError(op, `label ${k} at index ${i} is not a class index in [0, ${classes})`);
      }
    }
    return 'labels';
  }
  throw new ShapeError(
    op,
    `targets ${fmtShape(t.shape)} fit neither labels ${fmtShape(lead)} nor one-hot rows ${fmtShape(y.shape)} for predictions ${fmtShape(y.shape)}`,
  );
}

interface SceAttrs {
  kind: TargetKind;
}

/**
 * Forward: for each row, `lse = m + log Σ exp(x − m)` with `m` the row maximum, loss
 * `lse − x[label]` (or `Σ t·(lse − x)` for one-hot or soft targets), mean over rows. No
 * epsilon: the loss is exact and finite for logits of ±1000. The softmax probabilities come
 * out of the same pass and are saved for backward.
 */
function sceForward([x, t]: Tensor[], { kind }: SceAttrs, ctx: { save(...v: unknown[]): void }): Tensor {
  const classes = x.shape[x.ndim - 1];
  const rows = classes === 0 ? 0 : x.size / classes;
  const xd = x.data;
  const td = t.data;
  // Each row shifted by its maximum, then exp over the whole buffer in one kernel call.
  const shifted = allocate(x.dtype, x.size);
  const maxes = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let m = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) if (xd[o + c] > m) m = xd[o + c];
    if (m === Number.NEGATIVE_INFINITY || m === Number.POSITIVE_INFINITY) m = 0; // let NaN/∞ show
    maxes[r] = m;
    for (let c = 0; c < classes; c++) shifted[o + c] = xd[o + c] - m;
  }
  const p = kernels.unary('exp', new Tensor(shifted, x.shape)).data;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let s = 0;
    for (let c = 0; c < classes; c++) s += p[o + c];
    const inv = 1 / s;
    for (let c = 0; c < classes; c++) p[o + c] *= inv;
    const lse = maxes[r] + Math.log(s);
    if (kind === 'labels') total += lse - xd[o + td[r]];
    else {
      for (let c = 0; c < classes; c++) {
        const w = td[o + c];
        if (w !== 0) total += w * (lse - xd[o + c]);
      }
    }
  }
  ctx.save(new Tensor(p, x.shape), rows);
  const out = allocate(x.dtype, 1);
  out[0] = rows > 0 ? total / rows : Number.NaN;
  return new Tensor(out, []);
}

/**
 * Backward: ∂L/∂x is the `SoftmaxCrossEntropyGrad` op — the book's `(softmax(x) − t)·gy/N` in
 * one pass over the saved probabilities, differentiable because that op's own backward is
 * written with ops (see sce-grad.ts). Soft/one-hot targets that require a gradient get
 * ∂L/∂t = −log softmax(x)·gy/N.
 */
function sceBackward([gy]: Variable[], ctx: BackwardContext<SceAttrs>): (Variable | null)[] {
  const [x, t] = ctx.inputs;
  const [probs, rows] = ctx.saved as [Tensor, number];
  const { kind } = ctx.attrs;
  const gx = ctx.needsGrad[0] ? softmaxCrossEntropyGrad(x, t, gy, { kind, rows, probs }) : null;
  const gt = ctx.needsGrad[1] && kind === 'onehot' ? mul(neg(logSoftmax(x)), gy.div(rows)) : null;
  return [gx, gt];
}

const SoftmaxCrossEntropyOp = defineOp<SceAttrs>({
  name: 'SoftmaxCrossEntropy',
  promote: false,
  forward: sceForward,
  backward: sceBackward,
  describe: (a) => ({ targets: a.kind }),
});

/**
 * Softmax followed by cross-entropy, averaged over the batch, as one fused op:
 * `L = −(1/N) Σᵣ log softmax(xᵣ)[tᵣ]`. `logits` is `[N, C]` (or any `[..., C]`, rows being all
 * leading positions); `t` is class labels `[N]` or one-hot (or probability) rows `[N, C]`.
 *
 * Computed with log-sum-exp and no epsilon, so it is finite and exact for logits of ±1000.
 * Its gradient is the book's `(y − t)/N` with `y = softmax(x)`.
 *
 * @example
 * const loss = softmaxCrossEntropy(scores, labels); // scores [100, 10], labels [100]
 * loss.backward();
 */
export function softmaxCrossEntropy(logits: Operand, t: Operand): Variable {
  const x = asVariable('SoftmaxCrossEntropy', logits);
  const tv = asVariable('SoftmaxCrossEntropy', t, x.dtype);
  const kind = targetKind('SoftmaxCrossEntropy', x, tv);
  if (x.size === 0) throw new ShapeError('SoftmaxCrossEntropy', `no rows to average over in ${fmtShape(x.shape)}`);
  return SoftmaxCrossEntropyOp.withAttrs({ kind }, x, tv);
}

/**
 * The same loss as `softmaxCrossEntropy`, composed of elementary ops (`logSoftmax`, then
 * `getItem` to pick each row's label, or a product with the one-hot rows, and a mean). Slower;
 * used to check the fused op and to draw the loss node by node.
 */
export function softmaxCrossEntropyComposed(logits: Operand, t: Operand): Variable {
  const x = asVariable('SoftmaxCrossEntropy', logits);
  const tv = asVariable('SoftmaxCrossEntropy', t, x.dtype);
  const kind = targetKind('SoftmaxCrossEntropy', x, tv);
  const classes = x.shape[x.ndim - 1];
  const rows = x.size / classes;
  const logp = logSoftmax(x).reshape([rows, classes]);
  if (kind === 'labels') return neg(mean(getItem(logp, arange(rows), tv.data.reshapeView([rows]))));
  return neg(sum(mul(logp, tv.reshape([rows, classes])))).div(rows);
}

/** Options of {@link crossEntropyError}. */
export interface CrossEntropyOptions {
  /** Added inside the log so `log 0` cannot occur, as in the notes (default 1e-7). */
  eps?: number;
  /** `'mean'` (default): averaged over the batch; `'none'`: one loss per row, as the notes plot. */
  reduction?: 'mean' | 'none';
}

/**
 * The notes' cross-entropy on probabilities, `E = −Σₖ tₖ log(yₖ + ε)`, per row, averaged over
 * the batch. `y` is `[N, C]` or a single row `[C]`; `t` is labels `[N]` (a scalar label for one
 * row) or one-hot rows like `y`. Prefer `softmaxCrossEntropy` on logits for training: it needs
 * no ε and does not lose precision when a probability underflows.
 */
export function crossEntropyError(y: Operand, t: Operand, options: CrossEntropyOptions = {}): Variable {
  const { eps = 1e-7, reduction = 'mean' } = options;
  if (!(eps >= 0)) throw new ValueError('crossEntropyError', `eps must be non-negative, got ${eps}`);
  checkReduction('crossEntropyError', reduction, ['mean', 'none']);
  let yv = asVariable('crossEntropyError', y);
  let tv = asVariable('crossEntropyError', t, yv.dtype);
  const kind = targetKind('crossEntropyError', yv, tv);
  if (yv.ndim === 1) {
    // The book's `y.reshape(1, y.size)`: a single prediction is a batch of one.
    yv = yv.reshape([1, yv.size]);
    tv = tv.reshape(kind === 'labels' ? [1] : [1, tv.size]);
  }
  const classes = yv.shape[yv.ndim - 1];
  const rows = yv.size / classes;
  const logy = log(yv.add(eps)).reshape([rows, classes]);
  const perRow =
    kind === 'labels'
      ? neg(getItem(logy, arange(rows), tv.data.reshapeView([rows])))
      : neg(sum(mul(tv.reshape([rows, classes]), logy), 1));
  return reduction === 'none' ? perRow : mean(perRow);
}

/** Options of {@link meanSquaredError}. */
export interface MeanSquaredErrorOptions {
  /**
   * `'halfSum'` (default): the notes' `½ Σ (y − t)²` over every element (the book's
   * `mean_squared_error`, gradient `y − t`). `'mean'`: the mean of `(y − t)²` over every element.
   * `'none'`: `½ Σₖ (yₖ − tₖ)²` per row (last axis), as the notes plot it.
   */
  reduction?: 'halfSum' | 'mean' | 'none';
}

/** The squared error between predictions `y` and targets `t` of the same shape (see the options). */
export function meanSquaredError(y: Operand, t: Operand, options: MeanSquaredErrorOptions = {}): Variable {
  const { reduction = 'halfSum' } = options;
  checkReduction('meanSquaredError', reduction, ['halfSum', 'mean', 'none']);
  const yv = asVariable('meanSquaredError', y);
  const tv = asVariable('meanSquaredError', t, yv.dtype);
  if (tv.ndim !== yv.ndim || tv.shape.some((d, i) => d !== yv.shape[i])) {
    throw new ShapeError(
      'meanSquaredError',
      `targets ${fmtShape(tv.shape)} must have the predictions' shape ${fmtShape(yv.shape)}`,
    );
  }
  const sq = pow(sub(yv, tv), 2);
  if (reduction === 'mean') return mean(sq);
  if (reduction === 'none') return sum(sq, yv.ndim === 0 ? null : -1).mul(0.5);
  return sum(sq).mul(0.5);
}

function checkReduction(op: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) {
    throw new ValueError(
      op,
      `reduction must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`,
    );
  }
}

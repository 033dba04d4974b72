/**
 * The gradient of softmax cross-entropy as an op of its own, so the loss has one backward that
 * is both fast and differentiable: the forward of `SoftmaxCrossEntropyGrad` is the book's
 * `(y − t)·gy/N` in one pass over the probabilities the loss saved, and its backward — the chain
 * rule through softmax, written with ops — is what makes second derivatives of the loss work.
 * Without a recorded graph nothing else runs: training pays for one pass and one buffer.
 */
import { type BackwardContext, defineOp, mul, sub, sum, Tensor, type Variable } from '@zerograd/core';
import { allocate } from '@zerograd/core/internals';
import { softmax } from './activations.js';

/** How the loss's targets are given: class labels `[N]` or one-hot/probability rows `[N, C]`. */
export type TargetKind = 'labels' | 'onehot';

interface GradAttrs {
  kind: TargetKind;
  /** Rows the loss averages over (N). */
  rows: number;
  /** softmax(x), saved by the loss's forward. */
  probs: Tensor;
}

/** One-hot rows `[rows, C]` (in `like`'s shape and dtype) from a flat list of labels. */
export function oneHotOf(labels: Tensor, like: { shape: readonly number[]; dtype: Tensor['dtype'] }): Tensor {
  const classes = like.shape[like.shape.length - 1];
  const out = allocate(like.dtype, labels.size * classes);
  const d = labels.data;
  for (let r = 0; r < d.length; r++) out[r * classes + d[r]] = 1;
  return new Tensor(out, like.shape);
}

/**
 * `(p − onehot(t))·gy/N`, or `(p·Σₖtₖ − t)·gy/N` for target rows, in one pass, rounding where
 * the composed ops round (after each product, sum and difference), so float32 gives the
 * composed backward's bits for labels.
 */
function gradForward([, t, gy]: Tensor[], { kind, rows, probs }: GradAttrs): Tensor {
  const classes = probs.shape[probs.ndim - 1];
  const round = probs.dtype === 'float32' ? Math.fround : (v: number) => v;
  const p = probs.data;
  const td = t.data;
  const out = allocate(probs.dtype, probs.size);
  const scale = round(gy.data[0] / rows);
  if (kind === 'labels') {
    for (let i = 0; i < out.length; i++) out[i] = round(p[i] * scale);
    for (let r = 0; r < rows; r++) {
      const i = r * classes + td[r];
      out[i] = round(round(p[i] - 1) * scale);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const o = r * classes;
      let total = 0;
      for (let c = 0; c < classes; c++) total = round(total + td[o + c]);
      for (let c = 0; c < classes; c++) out[o + c] = round(round(round(p[o + c] * total) - td[o + c]) * scale);
    }
  }
  return new Tensor(out, probs.shape);
}

/**
 * The chain rule through `G = (p·S − T)·s` (p = softmax(x), S the target rows' sums — 1 for
 * labels — T the targets, s = gy/N), given the upstream gradient `u` of G:
 * - x: softmax's vector-Jacobian product `p ⊙ (v − Σ p⊙v)` with `v = u·S·s`;
 * - gy: `Σ u ⊙ (p·S − T) / N`;
 * - target rows: `s·(Σ u⊙p − u)`.
 * Softmax is rebuilt from x with ops, so the result can itself be differentiated.
 */
function gradBackward([u]: Variable[], ctx: BackwardContext<GradAttrs>): (Variable | null)[] {
  const [x, t, gy] = ctx.inputs;
  const { kind, rows } = ctx.attrs;
  const p = softmax(x);
  const s = gy.div(rows);
  const rowSums = kind === 'labels' ? null : sum(t, -1, true);
  const targets = kind === 'labels' ? oneHotOf(t.data, x) : t;
  let gx: Variable | null = null;
  if (ctx.needsGrad[0]) {
    const v = rowSums ? mul(mul(u, rowSums), s) : mul(u, s);
    gx = mul(p, sub(v, sum(mul(p, v), -1, true)));
  }
  const gt = ctx.needsGrad[1] && kind === 'onehot' ? mul(sub(sum(mul(u, p), -1, true), u), s) : null;
  const weighted = rowSums ? mul(p, rowSums) : p;
  const ggy = ctx.needsGrad[2] ? sum(mul(u, sub(weighted, targets))).div(rows) : null;
  return [gx, gt, ggy];
}

const SoftmaxCrossEntropyGradOp = defineOp<GradAttrs>({
  name: 'SoftmaxCrossEntropyGrad',
  promote: false,
  forward: gradForward,
  backward: gradBackward,
  describe: (a) => ({ targets: a.kind }),
});

/**
 * ∂L/∂x of `softmaxCrossEntropy` for upstream gradient `gy`, given the probabilities its forward
 * saved. Used by the loss's backward; differentiable in `x`, in target rows and in `gy`.
 */
export function softmaxCrossEntropyGrad(
  x: Variable,
  t: Variable,
  gy: Variable,
  saved: { kind: TargetKind; rows: number; probs: Tensor },
): Variable {
  return SoftmaxCrossEntropyGradOp.withAttrs(saved, x, t, gy);
}

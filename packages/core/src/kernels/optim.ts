/**
 * The optimizers' update rules as in-place kernels: one step of SGD, momentum, Nesterov,
 * AdaGrad, RMSprop or Adam over a parameter buffer, its gradient and the rule's state
 * buffers. `@zerograd/layers`' optimizers call `updateParameter`; the loops here are the
 * reference, and the WebAssembly backend's `updateF32/F64` (wasm/assembly/optim.ts) reproduce
 * them bit for bit (all arithmetic in float64, state read back as stored).
 */
import { ShapeError, ValueError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';

/** The rules, with the codes the WebAssembly kernel uses. */
export const UPDATE_RULES = {
  sgd: 0,
  momentum: 1,
  nesterov: 2,
  adagrad: 3,
  rmsprop: 4,
  adam: 5,
} as const;

export type UpdateRule = keyof typeof UPDATE_RULES;

/**
 * Hyper-parameters of one step. `weightDecay` (λ) is added to the gradient as `g + λ·w`;
 * Adam's `decoupledDecay` is AdamW's `η·λ` applied to `w` directly instead.
 */
export interface UpdateHyper {
  lr: number;
  weightDecay?: number;
  /** momentum, nesterov: α. */
  momentum?: number;
  /** adagrad, rmsprop, adam: ε. */
  eps?: number;
  /** rmsprop: ρ. */
  decay?: number;
  /** adam: β₁, β₂, and the bias corrections `1 − β₁ᵗ`, `1 − β₂ᵗ`. */
  beta1?: number;
  beta2?: number;
  correction1?: number;
  correction2?: number;
  /** adam (AdamW): `η·λ`, subtracted as `η·λ·w`. */
  decoupledDecay?: number;
}

/** State buffers each rule keeps: momentum's v, AdaGrad's and RMSprop's h, Adam's m and v. */
export const UPDATE_STATE: Readonly<Record<UpdateRule, readonly string[]>> = {
  sgd: [],
  momentum: ['v'],
  nesterov: ['v'],
  adagrad: ['h'],
  rmsprop: ['h'],
  adam: ['m', 'v'],
};

/** The eight numbers the kernels take, in their order (see wasm/assembly/optim.ts). */
export function packHyper(rule: UpdateRule, h: UpdateHyper): number[] {
  const need = (name: keyof UpdateHyper): number => {
    const v = h[name];
    if (typeof v !== 'number' || Number.isNaN(v))
      throw new ValueError(`update(${rule})`, `hyper-parameter '${name}' is required, got ${String(v)}`);
    return v;
  };
  const lr = need('lr');
  const wd = h.weightDecay ?? 0;
  switch (rule) {
    case 'sgd':
      return [lr, wd, 0, 0, 0, 0, 0, 0];
    case 'momentum':
    case 'nesterov':
      return [lr, wd, need('momentum'), 0, 0, 0, 0, 0];
    case 'adagrad':
      return [lr, wd, need('eps'), 0, 0, 0, 0, 0];
    case 'rmsprop':
      return [lr, wd, need('eps'), need('decay'), 0, 0, 0, 0];
    case 'adam':
      return [
        lr,
        wd,
        need('eps'),
        need('beta1'),
        need('beta2'),
        need('correction1'),
        need('correction2'),
        h.decoupledDecay ?? 0,
      ];
  }
}

/** Checks the buffers of one step: same length and type as `w`, as many states as the rule keeps. */
export function checkUpdate(rule: UpdateRule, w: TypedArray, g: TypedArray, state: readonly TypedArray[]): void {
  const op = `update(${rule})`;
  if (!(rule in UPDATE_RULES)) throw new ValueError('update', `unknown rule ${JSON.stringify(rule)}`);
  const want = UPDATE_STATE[rule].length;
  if (state.length !== want)
    throw new ValueError(op, `expects ${want} state buffer(s) (${UPDATE_STATE[rule].join(', ')}), got ${state.length}`);
  for (const [name, b] of [['gradient', g] as const, ...state.map((s, i) => [UPDATE_STATE[rule][i], s] as const)]) {
    if (b.length !== w.length) throw new ShapeError(op, `${name} has ${b.length} elements, the parameter ${w.length}`);
    if (b.constructor !== w.constructor)
      throw new ValueError(op, `${name} is a ${b.constructor.name}, the parameter a ${w.constructor.name}`);
  }
}

/** The reference loops: `w` (and the state) updated in place from `g`. */
export function updateInto(
  rule: UpdateRule,
  w: TypedArray,
  g: TypedArray,
  state: readonly TypedArray[],
  p: number[],
): void {
  const [lr, wd] = p;
  const n = w.length;
  switch (rule) {
    case 'sgd':
      for (let i = 0; i < n; i++) w[i] -= lr * (g[i] + wd * w[i]);
      return;
    case 'momentum':
    case 'nesterov': {
      const v = state[0];
      const a = p[2];
      const nesterov = rule === 'nesterov';
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * w[i];
        v[i] = a * v[i] - lr * gi;
        w[i] += nesterov ? a * v[i] - lr * gi : v[i];
      }
      return;
    }
    case 'adagrad':
    case 'rmsprop': {
      const h = state[0];
      const eps = p[2];
      const rho = p[3];
      const rms = rule === 'rmsprop';
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * w[i];
        h[i] = rms ? rho * h[i] + (1 - rho) * gi * gi : h[i] + gi * gi;
        w[i] -= (lr * gi) / (Math.sqrt(h[i]) + eps);
      }
      return;
    }
    case 'adam': {
      const [m, v] = state;
      const [, , eps, b1, b2, c1, c2, decay] = p;
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps) + decay * w[i];
      }
      return;
    }
  }
}

/**
 * The optimizers' update rules as in-place kernels: one step of SGD, momentum, Nesterov,
 * AdaGrad, RMSprop or Adam over a parameter buffer, its gradient and the rule's state
 * buffers. `@zerograd/layers`' optimizers call `updateParameter`; the loops here are the
 * reference, and the WebAssembly backend's `updateF32/F64` (wasm/assembly/optim.ts) reproduce
 * them bit for bit.
 *
 * Arithmetic is in the parameter's dtype, as numpy and PyTorch do it: for float32 every
 * operation below is rounded with `Math.fround` (one +, −, ×, ÷ or √ of float32 values done in
 * float64 and rounded once is exactly the float32 operation), hyper-parameters once.
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

/** The nine numbers the kernels take, in their order (see wasm/assembly/optim.ts). */
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
      return [lr, wd, 0, 0, 0, 0, 0, 0, 0];
    case 'momentum':
    case 'nesterov':
      return [lr, wd, need('momentum'), 0, 0, 0, 0, 0, 0];
    case 'adagrad':
      return [lr, wd, need('eps'), 0, 0, 0, 0, 0, 0];
    case 'rmsprop': {
      const rho = need('decay');
      return [lr, wd, need('eps'), rho, 1 - rho, 0, 0, 0, 0];
    }
    case 'adam': {
      const b1 = need('beta1');
      const b2 = need('beta2');
      return [
        lr / need('correction1'),
        wd,
        need('eps'),
        b1,
        b2,
        1 - b1,
        1 - b2,
        1 / Math.sqrt(need('correction2')),
        h.decoupledDecay ?? 0,
      ];
    }
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

/** The reference loops: `w` (and the state) updated in place from `g`, with `packHyper`'s numbers. */
export function updateInto(
  rule: UpdateRule,
  w: TypedArray,
  g: TypedArray,
  state: readonly TypedArray[],
  p: number[],
): void {
  if (w instanceof Float32Array) update32(rule, w, g, state, p.map(Math.fround));
  else update64(rule, w, g, state, p);
}

const f = Math.fround;

function update32(rule: UpdateRule, w: TypedArray, g: TypedArray, state: readonly TypedArray[], p: number[]): void {
  const [lr, wd] = p;
  const n = w.length;
  switch (rule) {
    case 'sgd':
      for (let i = 0; i < n; i++) w[i] = w[i] - f(lr * f(g[i] + f(wd * w[i])));
      return;
    case 'momentum':
    case 'nesterov': {
      const v = state[0];
      const a = p[2];
      const nesterov = rule === 'nesterov';
      for (let i = 0; i < n; i++) {
        const gi = f(g[i] + f(wd * w[i]));
        const vi = f(f(a * v[i]) - f(lr * gi));
        v[i] = vi;
        w[i] = w[i] + (nesterov ? f(f(a * vi) - f(lr * gi)) : vi);
      }
      return;
    }
    case 'adagrad':
    case 'rmsprop': {
      const h = state[0];
      const [, , eps, rho, rest] = p;
      const rms = rule === 'rmsprop';
      for (let i = 0; i < n; i++) {
        const gi = f(g[i] + f(wd * w[i]));
        const hi = rms ? f(f(rho * h[i]) + f(f(rest * gi) * gi)) : f(h[i] + f(gi * gi));
        h[i] = hi;
        w[i] = w[i] - f(f(lr * gi) / f(f(Math.sqrt(hi)) + eps));
      }
      return;
    }
    case 'adam': {
      const [m, v] = state;
      const [, , eps, b1, b2, r1, r2, isc2, decay] = p;
      for (let i = 0; i < n; i++) {
        const wi = w[i];
        const gi = f(g[i] + f(wd * wi));
        const mi = f(f(b1 * m[i]) + f(r1 * gi));
        const vi = f(f(b2 * v[i]) + f(f(r2 * gi) * gi));
        m[i] = mi;
        v[i] = vi;
        const step = f(f(lr * mi) / f(f(f(Math.sqrt(vi)) * isc2) + eps));
        w[i] = wi - f(step + f(decay * wi));
      }
      return;
    }
  }
}

function update64(rule: UpdateRule, w: TypedArray, g: TypedArray, state: readonly TypedArray[], p: number[]): void {
  const [lr, wd] = p;
  const n = w.length;
  switch (rule) {
    case 'sgd':
      for (let i = 0; i < n; i++) w[i] = w[i] - lr * (g[i] + wd * w[i]);
      return;
    case 'momentum':
    case 'nesterov': {
      const v = state[0];
      const a = p[2];
      const nesterov = rule === 'nesterov';
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * w[i];
        const vi = a * v[i] - lr * gi;
        v[i] = vi;
        w[i] = w[i] + (nesterov ? a * vi - lr * gi : vi);
      }
      return;
    }
    case 'adagrad':
    case 'rmsprop': {
      const h = state[0];
      const [, , eps, rho, rest] = p;
      const rms = rule === 'rmsprop';
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * w[i];
        const hi = rms ? rho * h[i] + rest * gi * gi : h[i] + gi * gi;
        h[i] = hi;
        w[i] = w[i] - (lr * gi) / (Math.sqrt(hi) + eps);
      }
      return;
    }
    case 'adam': {
      const [m, v] = state;
      const [, , eps, b1, b2, r1, r2, isc2, decay] = p;
      for (let i = 0; i < n; i++) {
        const wi = w[i];
        const gi = g[i] + wd * wi;
        const mi = b1 * m[i] + r1 * gi;
        const vi = b2 * v[i] + r2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = wi - ((lr * mi) / (Math.sqrt(vi) * isc2 + eps) + decay * wi);
      }
      return;
    }
  }
}

/**
 * The update rules of the book's chapter 6. Each runs as one in-place kernel of core's
 * (`updateParameter`: a WebAssembly SIMD loop on the WASM backends, the reference loop on the
 * TS one, the same bits on both). `g` below is the gradient plus the weight decay term, `g + λ·w`.
 */
import { type TypedArray, ValueError } from '@zerograd/core';
import { updateParameter } from '@zerograd/core/internals';
import { Optimizer, type OptimizerOptions, type ParameterSource } from './optimizer.js';

/** Stochastic gradient descent, `w ← w − η·g` (default η = 0.01). */
export class SGD extends Optimizer {
  readonly type = 'SGD';
  constructor(params: ParameterSource, options: OptimizerOptions = {}) {
    super(params, options, 0.01);
  }
  protected update(w: TypedArray, g: TypedArray, _slot: (n: string) => TypedArray, wd: number): void {
    updateParameter('sgd', w, g, [], { lr: this.lr, weightDecay: wd });
  }
}

/** Options of the momentum methods. */
export interface MomentumOptions extends OptimizerOptions {
  /** Momentum α (default 0.9). */
  momentum?: number;
}

/** Momentum, the book's `v ← α·v − η·g`, `w ← w + v` (defaults η = 0.01, α = 0.9). */
export class Momentum extends Optimizer {
  readonly type: string = 'Momentum';
  /** Momentum α. */
  momentum: number;
  constructor(params: ParameterSource, options: MomentumOptions = {}) {
    super(params, options, 0.01);
    this.momentum = unit('momentum', options.momentum ?? 0.9);
  }
  protected update(w: TypedArray, g: TypedArray, slot: (n: string) => TypedArray, wd: number): void {
    updateParameter('momentum', w, g, [slot('v')], { lr: this.lr, weightDecay: wd, momentum: this.momentum });
  }
  protected override hyper(): Record<string, number> {
    return { momentum: this.momentum };
  }
  protected override setHyper(h: Record<string, number>): void {
    if (h.momentum !== undefined) this.momentum = unit('momentum', h.momentum);
  }
}

/**
 * Nesterov's accelerated gradient in the velocity form of Sutskever et al. (and PyTorch):
 * `v ← α·v − η·g`, `w ← w + α·v − η·g` — the step looks ahead along the new velocity.
 * (The book's listing steps by `α²·v − (1 + α)·η·g` instead, a variant of the same idea; this
 * is the form PyTorch's `nesterov=True` computes.)
 */
export class Nesterov extends Momentum {
  override readonly type = 'Nesterov';
  protected override update(w: TypedArray, g: TypedArray, slot: (n: string) => TypedArray, wd: number): void {
    updateParameter('nesterov', w, g, [slot('v')], { lr: this.lr, weightDecay: wd, momentum: this.momentum });
  }
}

/** Options of AdaGrad and RMSprop. */
export interface AdaptiveOptions extends OptimizerOptions {
  /** Added to `√h` so the first steps do not divide by zero (default 1e-7, the book's). */
  eps?: number;
}

/** AdaGrad: `h ← h + g²`, `w ← w − η·g/(√h + ε)` (default η = 0.01). */
export class AdaGrad extends Optimizer {
  readonly type = 'AdaGrad';
  /** ε added to √h. */
  eps: number;
  constructor(params: ParameterSource, options: AdaptiveOptions = {}) {
    super(params, options, 0.01);
    this.eps = positive('eps', options.eps ?? 1e-7);
  }
  protected update(w: TypedArray, g: TypedArray, slot: (n: string) => TypedArray, wd: number): void {
    updateParameter('adagrad', w, g, [slot('h')], { lr: this.lr, weightDecay: wd, eps: this.eps });
  }
  protected override hyper(): Record<string, number> {
    return { eps: this.eps };
  }
  protected override setHyper(h: Record<string, number>): void {
    if (h.eps !== undefined) this.eps = positive('eps', h.eps);
  }
}

/** Options of RMSprop. */
export interface RMSpropOptions extends AdaptiveOptions {
  /** Decay ρ of the squared-gradient average (default 0.99, the book's). */
  decay?: number;
}

/** RMSprop: `h ← ρ·h + (1 − ρ)·g²`, `w ← w − η·g/(√h + ε)` (default η = 0.01). */
export class RMSprop extends Optimizer {
  readonly type = 'RMSprop';
  /** ε added to √h. */
  eps: number;
  /** Decay ρ of the squared-gradient average. */
  decay: number;
  constructor(params: ParameterSource, options: RMSpropOptions = {}) {
    super(params, options, 0.01);
    this.eps = positive('eps', options.eps ?? 1e-7);
    this.decay = unit('decay', options.decay ?? 0.99);
  }
  protected update(w: TypedArray, g: TypedArray, slot: (n: string) => TypedArray, wd: number): void {
    const { lr, eps, decay } = this;
    updateParameter('rmsprop', w, g, [slot('h')], { lr, weightDecay: wd, eps, decay });
  }
  protected override hyper(): Record<string, number> {
    return { eps: this.eps, decay: this.decay };
  }
  protected override setHyper(h: Record<string, number>): void {
    if (h.eps !== undefined) this.eps = positive('eps', h.eps);
    if (h.decay !== undefined) this.decay = unit('decay', h.decay);
  }
}

/** Options of Adam. */
export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first moment β₁ (default 0.9). */
  beta1?: number;
  /** Decay of the second moment β₂ (default 0.999). */
  beta2?: number;
  /** Added to `√v̂` (default 1e-8). */
  eps?: number;
  /**
   * Decay the weights directly, `w ← w − η·λ·w`, instead of adding `λ·w` to the gradient
   * (AdamW, Loshchilov & Hutter). Default false.
   */
  decoupledWeightDecay?: boolean;
}

/**
 * Adam (Kingma & Ba): `m ← β₁·m + (1 − β₁)·g`, `v ← β₂·v + (1 − β₂)·g²`, and with the
 * bias-corrected `m̂ = m/(1 − β₁ᵗ)`, `v̂ = v/(1 − β₂ᵗ)`: `w ← w − η·m̂/(√v̂ + ε)`
 * (default η = 0.001).
 */
export class Adam extends Optimizer {
  readonly type = 'Adam';
  /** Decay β₁ of the first moment. */
  beta1: number;
  /** Decay β₂ of the second moment. */
  beta2: number;
  /** ε added to √v̂. */
  eps: number;
  /** AdamW-style weight decay (see `AdamOptions`). */
  readonly decoupledWeightDecay: boolean;
  constructor(params: ParameterSource, options: AdamOptions = {}) {
    super(params, options, 0.001);
    this.beta1 = unit('beta1', options.beta1 ?? 0.9);
    this.beta2 = unit('beta2', options.beta2 ?? 0.999);
    this.eps = positive('eps', options.eps ?? 1e-8);
    this.decoupledWeightDecay = options.decoupledWeightDecay ?? false;
  }
  protected update(w: TypedArray, g: TypedArray, slot: (n: string) => TypedArray, wd: number): void {
    const { lr, beta1, beta2, eps } = this;
    const t = this.stepCount;
    const decoupled = this.decoupledWeightDecay;
    updateParameter('adam', w, g, [slot('m'), slot('v')], {
      lr,
      weightDecay: decoupled ? 0 : wd,
      eps,
      beta1,
      beta2,
      correction1: 1 - beta1 ** t,
      correction2: 1 - beta2 ** t,
      decoupledDecay: decoupled ? lr * wd : 0,
    });
  }
  protected override hyper(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps };
  }
  protected override setHyper(h: Record<string, number>): void {
    if (h.beta1 !== undefined) this.beta1 = unit('beta1', h.beta1);
    if (h.beta2 !== undefined) this.beta2 = unit('beta2', h.beta2);
    if (h.eps !== undefined) this.eps = positive('eps', h.eps);
  }
}

function unit(name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1))
    throw new ValueError('Optimizer', `${name} must be in [0, 1), got ${String(v)}`);
  return v;
}

function positive(name: string, v: number): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new ValueError('Optimizer', `${name} must be a positive finite number, got ${String(v)}`);
  }
  return v;
}

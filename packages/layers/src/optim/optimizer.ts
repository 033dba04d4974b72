import { fmtShape, noGrad, ShapeError, Tensor, type TypedArray, ValueError, Variable } from '@zerograd/core';
import { allocate } from '@zerograd/core/internals';
import { type AnyLayer, Layer } from '../layers/layer.js';

/** What an optimizer updates: a layer's parameters, or a list of Variables (or named ones). */
export type ParameterSource = AnyLayer | Iterable<Variable> | Iterable<readonly [string, Variable]>;

/** Options every optimizer takes. */
export interface OptimizerOptions {
  /** Learning rate η (each optimizer has its own default, the book's). */
  lr?: number;
  /**
   * L2 weight decay λ: the gradient used is `g + λ·w` (the book's `weight_decay_lambda`,
   * which adds `½λ‖W‖²` to the loss). Default 0.
   */
  weightDecay?: number;
}

/** An optimizer's saved state: plain numbers and tensors, restorable with `loadStateDict`. */
export interface OptimizerState {
  /** The optimizer's type, e.g. `'Adam'`; loading into another type is refused. */
  readonly type: string;
  /** Steps taken so far. */
  readonly step: number;
  /** Hyper-parameters (learning rate, momentum, …) at the time of saving. */
  readonly hyper: Readonly<Record<string, number>>;
  /** Per-parameter state (velocities, moment estimates) by `<parameter>.<slot>`. */
  readonly slots: Readonly<Record<string, Tensor>>;
}

/**
 * The base of the optimizers. `step()` updates every parameter that has a gradient, in place,
 * on its tensor's buffer and outside the graph (under `noGrad`): an update is bookkeeping,
 * not part of the function being differentiated. Per-parameter state (velocities, moments) is
 * allocated on first use, like the book's `if self.v is None`.
 */
export abstract class Optimizer {
  /** The optimizer's name, e.g. `'SGD'`. */
  abstract readonly type: string;
  /** The parameters updated, in order. */
  readonly params: readonly Variable[];
  /** Their keys in the state dict (qualified names when known, else positions). */
  readonly keys: readonly string[];
  /** Learning rate; may be changed between steps (a schedule). */
  lr: number;
  /** L2 weight decay λ. */
  weightDecay: number;
  /** Steps taken. */
  stepCount = 0;
  private readonly slots: Map<string, Tensor>[];

  constructor(params: ParameterSource, options: OptimizerOptions, defaultLr: number) {
    const named = collect(params);
    if (named.length === 0) {
      // An optimizer over nothing trains nothing: usually layers that were never registered.
      throw new ValueError(
        new.target.name,
        'there are no parameters to update (does the model register its layers? fields of a Layer are registered when it is first used)',
      );
    }
    this.params = named.map(([, p]) => p);
    this.keys = named.map(([k]) => k);
    this.slots = named.map(() => new Map());
    this.lr = checkNumber('lr', options.lr ?? defaultLr, 0);
    this.weightDecay = checkNumber('weightDecay', options.weightDecay ?? 0, 0);
  }

  /** Updates every parameter that has a gradient by one step of the rule. */
  step(): void {
    noGrad(() => {
      this.stepCount++;
      for (let i = 0; i < this.params.length; i++) {
        const p = this.params[i];
        if (!p.grad) continue;
        const w = p.data.data;
        const g = p.grad.data.data;
        if (g.length !== w.length) {
          throw new ShapeError(
            this.type,
            `gradient ${fmtShape(p.grad.shape)} does not match parameter '${this.keys[i]}' ${fmtShape(p.shape)}`,
          );
        }
        this.update(w, g, (name) => this.slot(i, name), this.weightDecay);
        p.data.markModified();
      }
    });
  }

  /** Forgets every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /**
   * One step of the rule for one parameter: `w` is updated in place from the gradient `g`;
   * `slot(name)` is the parameter's state buffer `name` (zeros at first); `wd` is λ (use
   * `g[i] + wd·w[i]`).
   */
  protected abstract update(w: TypedArray, g: TypedArray, slot: (name: string) => TypedArray, wd: number): void;

  /** Hyper-parameters beyond `lr` and `weightDecay`, for the state dict. */
  protected hyper(): Record<string, number> {
    return {};
  }

  private slot(i: number, name: string): TypedArray {
    const map = this.slots[i];
    let t = map.get(name);
    const p = this.params[i];
    if (!t || t.dtype !== p.dtype) {
      t = new Tensor(allocate(p.dtype, p.size), p.shape);
      map.set(name, t);
    }
    return t.data;
  }

  /** A copy of the optimizer's state (step count, hyper-parameters, per-parameter buffers). */
  stateDict(): OptimizerState {
    const slots: Record<string, Tensor> = Object.create(null);
    this.slots.forEach((map, i) => {
      for (const [n, t] of map) slots[`${this.keys[i]}.${n}`] = t.clone();
    });
    return {
      type: this.type,
      step: this.stepCount,
      hyper: { lr: this.lr, weightDecay: this.weightDecay, ...this.hyper() },
      slots,
    };
  }

  /**
   * Restores a state from `stateDict()`: the step count, the learning rate and weight decay,
   * and the per-parameter buffers (copied). Another optimizer type, an unknown key or a shape
   * that differs is refused with nothing changed.
   */
  loadStateDict(state: OptimizerState): void {
    if (!state || typeof state !== 'object' || typeof state.slots !== 'object') {
      throw new ValueError(this.type, 'expected a state from stateDict()');
    }
    if (state.type !== this.type) throw new ValueError(this.type, `cannot load the state of a ${state.type} optimizer`);
    if (!Number.isSafeInteger(state.step) || state.step < 0) {
      throw new ValueError(this.type, `step must be a non-negative integer, got ${state.step}`);
    }
    const index = new Map(this.keys.map((k, i) => [k, i]));
    const pending: [number, string, Tensor][] = [];
    for (const [key, t] of Object.entries(state.slots)) {
      const dot = key.lastIndexOf('.');
      const i = index.get(key.slice(0, dot));
      if (dot < 0 || i === undefined) throw new ValueError(this.type, `state '${key}' belongs to no parameter`);
      if (!(t instanceof Tensor)) throw new ValueError(this.type, `state '${key}' is not a Tensor`);
      const p = this.params[i];
      if (t.shape.length !== p.shape.length || t.shape.some((d, j) => d !== p.shape[j])) {
        throw new ShapeError(
          this.type,
          `state '${key}' has shape ${fmtShape(t.shape)}, its parameter ${fmtShape(p.shape)}`,
        );
      }
      pending.push([i, key.slice(dot + 1), t]);
    }
    const hyper = { ...state.hyper };
    for (const [k, v] of Object.entries(hyper)) checkNumber(k, v, Number.NEGATIVE_INFINITY);
    this.slots.forEach((m) => {
      m.clear();
    });
    for (const [i, name, t] of pending) this.slots[i].set(name, t.clone(this.params[i].dtype));
    this.stepCount = state.step;
    if (hyper.lr !== undefined) this.lr = hyper.lr;
    if (hyper.weightDecay !== undefined) this.weightDecay = hyper.weightDecay;
    this.setHyper(hyper);
  }

  /** Restores the hyper-parameters of `hyper()` (subclasses with their own). */
  protected setHyper(_hyper: Record<string, number>): void {}
}

function collect(params: ParameterSource): [string, Variable][] {
  if (params instanceof Layer) return params.namedParameters();
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw new ValueError('Optimizer', 'expected a Layer or an iterable of parameters');
  }
  const list = [...(params as Iterable<Variable | readonly [string, Variable]>)];
  const out: [string, Variable][] = list.map((item, i) => {
    if (item instanceof Variable) return [item.name ?? String(i), item];
    if (Array.isArray(item) && typeof item[0] === 'string' && item[1] instanceof Variable) return [item[0], item[1]];
    throw new ValueError('Optimizer', `parameter ${i} is not a Variable`);
  });
  const seen = new Set<Variable>();
  for (const [k, p] of out) {
    if (seen.has(p)) throw new ValueError('Optimizer', `parameter '${k}' is listed twice`);
    seen.add(p);
  }
  // Names must be unique to key the state; fall back to positions when they are not.
  const names = new Set(out.map(([k]) => k));
  return names.size === out.length ? out : out.map(([, p], i) => [String(i), p]);
}

function checkNumber(name: string, v: number, min: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new ValueError('Optimizer', `${name} must be a finite number${min === 0 ? ' ≥ 0' : ''}, got ${String(v)}`);
  }
  return v;
}

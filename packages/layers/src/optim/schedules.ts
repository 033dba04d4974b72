/**
 * Learning-rate schedules, used as in PyTorch: build one on an optimizer, call `step()` after
 * `optimizer.step()` (once per epoch or once per iteration — the schedule counts whatever you
 * call a step), and it sets `optimizer.lr`. `train({ schedule })` calls it for you.
 *
 * Each closed-form schedule is a function of the step count `t` alone (`lrAt(t)`), so its value
 * at any step can be read, tested and plotted without running it; `ReduceLROnPlateau` instead
 * reacts to a metric. A schedule starts from the optimizer's learning rate when it is built
 * (`baseLr`), and building it sets `optimizer.lr = lrAt(0)`.
 */
import { ValueError } from '@zerograd/core';
import type { Optimizer } from './optimizer.js';

/** A schedule's saved state (`stateDict()`), restorable with `loadStateDict`. */
export interface SchedulerState {
  /** The schedule's type; loading into another type is refused. */
  readonly type: string;
  /** Steps taken. */
  readonly step: number;
  /** Numbers the schedule keeps besides the step (e.g. ReduceLROnPlateau's best value). */
  readonly values: Readonly<Record<string, number>>;
}

/** `v` if it is a finite number passing `ok`, else a `ValueError` saying it must be `what`. */
export function check(op: string, name: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new ValueError(op, `${name} must be ${what}, got ${String(v)}`);
  }
  return v;
}

/** The base of the schedules: a step counter that sets `optimizer.lr`. */
export abstract class LRScheduler {
  /** The schedule's name, e.g. `'StepLR'`. */
  abstract readonly type: string;
  /** The optimizer whose `lr` is set. */
  readonly optimizer: Optimizer;
  /** The learning rate at step 0 (the optimizer's when the schedule was built). */
  readonly baseLr: number;
  /** Steps taken (PyTorch's `last_epoch`). */
  stepCount = 0;
  /** The learning rate this schedule set last. */
  protected lastLr: number;

  constructor(optimizer: Optimizer, baseLr?: number) {
    if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.lr !== 'number') {
      throw new ValueError('LRScheduler', 'expected an Optimizer');
    }
    this.optimizer = optimizer;
    this.baseLr = check('LRScheduler', 'baseLr', baseLr ?? optimizer.lr, (x) => x >= 0, 'a number ≥ 0');
    this.lastLr = this.baseLr;
  }

  /** The learning rate this schedule set last (PyTorch's `get_last_lr()`). */
  get lr(): number {
    return this.lastLr;
  }

  /** Sets the optimizer's learning rate and remembers it. */
  protected setLr(lr: number): void {
    this.lastLr = lr;
    this.optimizer.lr = lr;
  }

  /** Advances one step and sets the optimizer's learning rate. `metric` is for ReduceLROnPlateau. */
  abstract step(metric?: number): void;

  /** A copy of the schedule's state. */
  stateDict(): SchedulerState {
    return { type: this.type, step: this.stepCount, values: { lr: this.lastLr, ...this.values() } };
  }

  /** Restores a state from `stateDict()` (and the optimizer's learning rate with it). */
  loadStateDict(state: SchedulerState): void {
    if (!state || state.type !== this.type) {
      throw new ValueError(this.type, `cannot load the state of a ${String(state?.type)} schedule`);
    }
    this.stepCount = check(this.type, 'step', state.step, (x) => Number.isSafeInteger(x) && x >= 0, 'an integer ≥ 0');
    const lr = check(this.type, 'lr', state.values?.lr, (x) => x >= 0, 'a number ≥ 0');
    this.setValues(state.values);
    this.setLr(lr);
  }

  /** State beyond the step count. */
  protected values(): Record<string, number> {
    return {};
  }
  /** Restores what `values()` saved. */
  protected setValues(_values: Readonly<Record<string, number>>): void {}
}

/** A schedule whose learning rate is a function of the step count alone. */
export abstract class ClosedFormScheduler extends LRScheduler {
  /** The learning rate after `t` steps. */
  abstract lrAt(t: number): number;

  /** Advances one step: `optimizer.lr = lrAt(stepCount)`. */
  step(): void {
    this.stepCount++;
    this.setLr(this.lrAt(this.stepCount));
  }

  /** Sets the optimizer's learning rate for step 0; subclasses call it at the end of their constructor. */
  protected start(): void {
    this.setLr(this.lrAt(0));
  }
}

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Steps between decays. */
  stepSize: number;
  /** Factor of each decay (default 0.1, PyTorch's). */
  gamma?: number;
}

/** Decays by `gamma` every `stepSize` steps: `lr = baseLr·γ^⌊t/stepSize⌋`. */
export class StepLR extends ClosedFormScheduler {
  readonly type = 'StepLR';
  /** Steps between decays. */
  readonly stepSize: number;
  /** Factor of each decay. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: StepLROptions) {
    super(optimizer);
    this.stepSize = check(
      'StepLR',
      'stepSize',
      options?.stepSize,
      (x) => Number.isSafeInteger(x) && x >= 1,
      'a positive integer',
    );
    this.gamma = check('StepLR', 'gamma', options.gamma ?? 0.1, (x) => x >= 0, 'a number ≥ 0');
    this.start();
  }
  lrAt(t: number): number {
    return this.baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** Decays by `gamma` every step: `lr = baseLr·γᵗ`. */
export class ExponentialLR extends ClosedFormScheduler {
  readonly type = 'ExponentialLR';
  /** Factor per step. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { gamma: number }) {
    super(optimizer);
    this.gamma = check('ExponentialLR', 'gamma', options?.gamma, (x) => x >= 0, 'a number ≥ 0');
    this.start();
  }
  lrAt(t: number): number {
    return this.baseLr * this.gamma ** t;
  }
}

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingOptions {
  /** Steps from `baseLr` down to `etaMin` (half a cosine period). */
  tMax: number;
  /** The lowest learning rate (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing (Loshchilov & Hutter, without restarts), PyTorch's closed form:
 * `lr = η_min + (baseLr − η_min)·(1 + cos(π·t/tMax))/2` — `baseLr` at 0, the midpoint at
 * `tMax/2`, `η_min` at `tMax`. Past `tMax` the cosine continues (it rises again), as in
 * PyTorch: size `tMax` to the run.
 */
export class CosineAnnealingLR extends ClosedFormScheduler {
  readonly type = 'CosineAnnealingLR';
  /** Half period, in steps. */
  readonly tMax: number;
  /** The lowest learning rate. */
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: CosineAnnealingOptions) {
    super(optimizer);
    this.tMax = check(
      'CosineAnnealingLR',
      'tMax',
      options?.tMax,
      (x) => Number.isSafeInteger(x) && x >= 1,
      'a positive integer',
    );
    this.etaMin = check('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, (x) => x >= 0, 'a number ≥ 0');
    this.start();
  }
  lrAt(t: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}

/** Options of {@link LinearWarmup}. */
export interface LinearWarmupOptions {
  /** Steps of the warm-up; the target learning rate is reached at this step. */
  steps: number;
  /** The fraction of the target learning rate at step 0 (default 1/3, PyTorch's `LinearLR`). */
  startFactor?: number;
  /**
   * The schedule that takes over after the warm-up, built beforehand on the same optimizer and
   * not stepped by you: the warm-up steps it, so its step 0 is the warm-up's last step and it
   * receives the metric (a ReduceLROnPlateau works too). The target is its `baseLr`.
   */
  after?: LRScheduler;
}

/**
 * Linear warm-up: the learning rate climbs from `startFactor·target` to `target` over `steps`
 * steps (`target·(f + (1 − f)·t/steps)`), then stays there or hands over to `after` — PyTorch's
 * `LinearLR` followed by another schedule (its `SequentialLR`).
 *
 * @example
 * const cosine = new CosineAnnealingLR(opt, { tMax: 900 });
 * const schedule = new LinearWarmup(opt, { steps: 100, after: cosine }); // step this one only
 */
export class LinearWarmup extends LRScheduler {
  readonly type = 'LinearWarmup';
  /** Steps of the warm-up. */
  readonly steps: number;
  /** Fraction of the target at step 0. */
  readonly startFactor: number;
  /** The schedule after the warm-up, if any. */
  readonly after: LRScheduler | null;

  constructor(optimizer: Optimizer, options: LinearWarmupOptions) {
    const after = options?.after ?? null;
    if (after && after.optimizer !== optimizer) {
      throw new ValueError('LinearWarmup', 'the schedule given as `after` belongs to another optimizer');
    }
    if (after && after.stepCount !== 0) {
      throw new ValueError(
        'LinearWarmup',
        `the schedule given as \`after\` has already taken ${after.stepCount} steps`,
      );
    }
    super(optimizer, after?.baseLr);
    this.steps = check(
      'LinearWarmup',
      'steps',
      options.steps,
      (x) => Number.isSafeInteger(x) && x >= 1,
      'a positive integer',
    );
    this.startFactor = check(
      'LinearWarmup',
      'startFactor',
      options.startFactor ?? 1 / 3,
      (x) => x >= 0 && x <= 1,
      'in [0, 1]',
    );
    this.after = after;
    this.setLr(this.warm(0));
  }

  private warm(t: number): number {
    const f = this.startFactor;
    return this.baseLr * (f + ((1 - f) * Math.min(t, this.steps)) / this.steps);
  }

  /** Advances one step; after the warm-up, steps `after` (with the metric). */
  step(metric?: number): void {
    this.stepCount++;
    if (this.stepCount < this.steps || !this.after) this.setLr(this.warm(this.stepCount));
    else if (this.stepCount === this.steps)
      this.setLr(this.after.lr); // `after` at its step 0
    else {
      this.after.step(metric);
      this.lastLr = this.after.lr;
    }
  }

  /** The state of `after` rides along, keyed `after.…`. */
  protected override values(): Record<string, number> {
    if (!this.after) return {};
    const inner = this.after.stateDict();
    const out: Record<string, number> = { 'after.step': inner.step };
    for (const [k, v] of Object.entries(inner.values)) out[`after.${k}`] = v;
    return out;
  }

  protected override setValues(values: Readonly<Record<string, number>>): void {
    if (!this.after) return;
    const inner: Record<string, number> = {};
    for (const [k, v] of Object.entries(values))
      if (k.startsWith('after.') && k !== 'after.step') inner[k.slice('after.'.length)] = v;
    this.after.loadStateDict({ type: this.after.type, step: values['after.step'] ?? 0, values: inner });
  }
}

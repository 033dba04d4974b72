/**
 * ReduceLROnPlateau: the schedule that watches a metric instead of counting steps (PyTorch's
 * rule and defaults).
 */
import { ValueError } from '@zerograd/core';
import type { Optimizer } from './optimizer.js';
import { check, LRScheduler } from './schedules.js';

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): lower metrics are better (a loss); `'max'`: higher are (an accuracy). */
  mode?: 'min' | 'max';
  /** Factor of each reduction (default 0.1). */
  factor?: number;
  /** Steps without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default): relative to the best so far; `'abs'`: absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The learning rate is never reduced below this (default 0). */
  minLr?: number;
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the learning rate by `factor` when a metric has stopped improving for more than
 * `patience` steps — PyTorch's rule, defaults included. `step(metric)` takes the metric
 * (a validation loss, say); `train({ schedule })` passes the test loss of the epoch's
 * evaluation, or the epoch's mean training loss without a test set.
 */
export class ReduceLROnPlateau extends LRScheduler {
  readonly type = 'ReduceLROnPlateau';
  /** Whether lower or higher metrics are better. */
  readonly mode: 'min' | 'max';
  /** Factor of each reduction. */
  readonly factor: number;
  /** Steps without improvement tolerated. */
  readonly patience: number;
  /** Least change that counts. */
  readonly threshold: number;
  /** Relative or absolute threshold. */
  readonly thresholdMode: 'rel' | 'abs';
  /** Steps of cooldown after a reduction. */
  readonly cooldown: number;
  /** Lower bound of the learning rate. */
  readonly minLr: number;
  /** Smallest reduction applied. */
  readonly eps: number;
  /** The best metric so far. */
  best: number;
  /** Steps since the best (reset by a reduction). */
  badSteps = 0;
  private cooldownLeft = 0;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    super(optimizer);
    const op = 'ReduceLROnPlateau';
    this.mode = options.mode ?? 'min';
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.mode !== 'min' && this.mode !== 'max')
      throw new ValueError(op, `mode must be 'min' or 'max', got ${String(this.mode)}`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw new ValueError(op, `thresholdMode must be 'rel' or 'abs', got ${String(this.thresholdMode)}`);
    }
    this.factor = check(op, 'factor', options.factor ?? 0.1, (x) => x >= 0 && x < 1, 'in [0, 1)');
    this.patience = check(
      op,
      'patience',
      options.patience ?? 10,
      (x) => Number.isSafeInteger(x) && x >= 0,
      'an integer ≥ 0',
    );
    this.threshold = check(op, 'threshold', options.threshold ?? 1e-4, (x) => x >= 0, 'a number ≥ 0');
    this.cooldown = check(
      op,
      'cooldown',
      options.cooldown ?? 0,
      (x) => Number.isSafeInteger(x) && x >= 0,
      'an integer ≥ 0',
    );
    this.minLr = check(op, 'minLr', options.minLr ?? 0, (x) => x >= 0, 'a number ≥ 0');
    this.eps = check(op, 'eps', options.eps ?? 1e-8, (x) => x >= 0, 'a number ≥ 0');
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(a: number): boolean {
    const { best, threshold: th } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - th) : a < best - th;
    return this.thresholdMode === 'rel' ? a > best * (1 + th) : a > best + th;
  }

  /** Records `metric` and reduces the learning rate after more than `patience` bad steps. */
  step(metric?: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new ValueError(this.type, `step(metric) needs the metric to watch (a number), got ${String(metric)}`);
    }
    this.stepCount++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.badSteps = 0;
    } else {
      this.badSteps++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badSteps = 0; // bad steps during the cooldown are forgiven
    }
    if (this.badSteps > this.patience) {
      const reduced = Math.max(this.lastLr * this.factor, this.minLr);
      if (this.lastLr - reduced > this.eps) this.setLr(reduced);
      this.cooldownLeft = this.cooldown;
      this.badSteps = 0;
    }
  }

  protected override values(): Record<string, number> {
    return { best: this.best, badSteps: this.badSteps, cooldownLeft: this.cooldownLeft };
  }

  protected override setValues(values: Readonly<Record<string, number>>): void {
    this.best = values.best ?? this.best;
    this.badSteps = values.badSteps ?? 0;
    this.cooldownLeft = values.cooldownLeft ?? 0;
  }
}

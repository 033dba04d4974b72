import type { Tensor } from '@zerograd/core';

/**
 * A supervised dataset (or one batch of it): inputs `x` and targets `t`, with one example per
 * row. `x` is `[N, ...features]`; `t` is `[N]` (class labels stored as floats) or `[N, classes]`
 * (one-hot), the book's `x_train` / `t_train`.
 */
export interface Dataset {
  /** Inputs, `[N, ...features]`. */
  readonly x: Tensor;
  /** Targets, `[N]` labels or `[N, classes]` one-hot (any `[N, ...]` shape is accepted). */
  readonly t: Tensor;
}

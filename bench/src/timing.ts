/**
 * Timing, done the same way on both sides of a comparison (bench/numpy_matmul.py mirrors
 * it): warm up, calibrate how many calls make one sample last at least `minSampleSeconds`,
 * then collect samples of seconds per call. Figures are medians over samples; quartiles are
 * kept to show the noise.
 */

export interface Calibration {
  callsPerSample: number;
}

/** Runs `fn` `warmup` times, then doubles the call count until a sample is long enough. */
export function calibrate(fn: () => void, warmup: number, minSampleSeconds: number): Calibration {
  for (let i = 0; i < warmup; i++) fn();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const seconds = (performance.now() - t0) / 1e3;
    if (seconds >= minSampleSeconds || calls >= 1 << 20) return { callsPerSample: calls };
    calls *= 2;
  }
}

/** One sample: seconds per call, averaged over `calls` calls. */
export function sample(fn: () => void, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - t0) / 1e3 / calls;
}

/** The q-quantile (0 ≤ q ≤ 1) of a list, linearly interpolated. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

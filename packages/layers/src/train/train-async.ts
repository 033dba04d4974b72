import { ValueError } from '@zerograd/core';
import { type IterationEvent, type TrainOptions, type TrainResult, trainSteps } from './train.js';

/** Options of {@link trainAsync}: those of `train`, plus a signal and an awaited callback. */
export interface TrainAsyncOptions extends TrainOptions {
  /**
   * Stops the run: it is checked between steps, so the step under way finishes (the model keeps
   * the weights of the last whole step) and `trainAsync` rejects with `signal.reason`, as
   * `fetch` does. A signal that is already aborted rejects before the first step.
   */
  signal?: AbortSignal;
  /**
   * Called after every step with its event and awaited before the next step: return a promise
   * to pause the run until it settles (a page's Pause button). To stop, abort `signal`, or return
   * `false` from `onIteration` (the run then ends as `train`'s does: one last evaluation,
   * `stopped: true`).
   */
  onStep?: (event: IterationEvent) => unknown;
  /**
   * Yield to the event loop after this many milliseconds of training at the latest (default 0:
   * after every step). A larger budget saves the cost of a task switch on tiny steps.
   */
  yieldEvery?: number;
}

/**
 * Resolves in a new task (not a microtask), so timers, messages, input and painting get their
 * turn. `setTimeout(0)` is clamped to 4 ms after a few nested calls, which would cost more than a
 * chapter-5 step, so browsers and workers go through a `MessageChannel` and Node through
 * `setImmediate`.
 */
function nextTask(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate?.(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('training was aborted', 'AbortError');
}

/**
 * `train` for pages and servers that must stay responsive: the same loop (the same numbers for
 * the same seed, model and data — it drives the same generator), but it awaits the event loop
 * between steps, awaits `onStep` (return a promise to pause), and stops when `signal` is aborted.
 * Progress arrives through `train`'s callbacks and events (`onIteration`, `onEvaluate`,
 * `onEpoch`, `events`) as well as `onStep`.
 *
 * @example
 * const controller = new AbortController();
 * const result = await trainAsync({
 *   model: net, loss: new SoftmaxWithLoss(), optimizer: new SGD(net, { lr: 0.1 }), data,
 *   epochs: 5, progress: false, signal: controller.signal,
 *   onEpoch: (e) => postMessage({ epoch: e.epoch, accuracy: e.evaluation?.testAccuracy }),
 * });
 */
export async function trainAsync(options: TrainAsyncOptions): Promise<TrainResult> {
  const { signal, onStep, yieldEvery = 0 } = options;
  if (typeof yieldEvery !== 'number' || !(yieldEvery >= 0)) {
    throw new ValueError('trainAsync', `yieldEvery must be a number of milliseconds >= 0, got ${String(yieldEvery)}`);
  }
  if (onStep !== undefined && typeof onStep !== 'function') {
    throw new ValueError('trainAsync', 'onStep must be a function');
  }
  if (signal?.aborted) throw abortReason(signal);
  const steps = trainSteps(options);
  let finished = false;
  try {
    let since = performance.now();
    for (;;) {
      const next = steps.next();
      if (next.done) {
        finished = true;
        return next.value;
      }
      if (onStep) await onStep(next.value);
      if (performance.now() - since >= yieldEvery) {
        await nextTask();
        since = performance.now();
      }
      if (signal?.aborted) throw abortReason(signal);
    }
  } finally {
    if (!finished) steps.return(undefined as never); // runs train's cleanup (the progress display)
  }
}

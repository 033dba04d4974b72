/**
 * Progress of a training run in the terminal: a thin wrapper over `cli-progress`.
 *
 * Three modes, chosen once when the progress starts:
 * - `bar`: a live bar (epoch, iterations, loss and accuracy, ETA) on an interactive terminal;
 *   lines logged meanwhile are printed above it.
 * - `lines`: no bar, plain lines only (one per epoch via `endEpoch`), for logs and CI, where
 *   a redrawn bar would turn into thousands of lines of escape codes.
 * - `silent`: every call is a no-op (tests, library use).
 *
 * `cli-progress` is loaded only when a bar is actually drawn, so importing this module costs
 * nothing and pulls no Node module into a browser bundle.
 */

import { ValueError } from '@zerograd/core';
import type { MultiBar, SingleBar } from 'cli-progress';
import { nodeBuiltin } from '../io/node-builtins.js';

/** How progress is shown; see {@link createProgress}. */
export type ProgressMode = 'bar' | 'lines' | 'silent';

/** Numbers shown beside the bar, e.g. `{ loss: 0.31, accuracy: 0.91 }`; undefined ones are skipped. */
export type ProgressValues = Readonly<Record<string, number | undefined>>;

/** Where progress is written: `process.stdout` by default, anything with `write` in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  /** An interactive terminal? Only then is a bar drawn in `auto` mode. */
  isTTY?: boolean;
  /** Terminal width, used by the bar. */
  columns?: number;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Iterations in the whole run (the bar's 100%). */
  total: number;
  /** Epochs in the run, shown as `epoch 2/5` (optional). */
  epochs?: number;
  /** `false` makes the progress silent (default true). */
  enabled?: boolean;
  /**
   * `auto` (default): a bar when `stream` is a TTY and the `CI` environment variable is unset,
   * plain lines otherwise. Or force `bar`, `lines` or `silent`.
   */
  mode?: ProgressMode | 'auto';
  /** Output (default `process.stdout`; `console.log` where there is no process). */
  stream?: ProgressStream;
  /** Text in front of the bar, e.g. `'train'`. */
  label?: string;
}

/** A running progress display; see {@link createProgress}. */
export interface Progress {
  /** The mode that was chosen. */
  readonly mode: ProgressMode;
  /**
   * Sets the iterations done so far (`0…total`) and the values to show (merged with the
   * previous ones), e.g. `update(i + 1, { loss })`. The bar redraws at most 10 times a second.
   */
  update(iteration: number, values?: ProgressValues): void;
  /**
   * Marks the end of an epoch (1-based) with its metrics: prints one summary line,
   * `epoch 2/5 · loss 0.3120 · train acc 0.9102 · test acc 0.9050 · 3.1s`, above the bar or alone.
   * Keys are shown as written, except `trainAccuracy`/`testAccuracy`/`accuracy` (as `… acc`).
   */
  endEpoch(epoch: number, values?: ProgressValues): void;
  /** Prints a line (above the bar in `bar` mode). */
  log(line: string): void;
  /** Draws the final state and releases the terminal. Later calls do nothing. */
  stop(): void;
}

const SILENT: Progress = Object.freeze({
  mode: 'silent' as const,
  update() {},
  endEpoch() {},
  log() {},
  stop() {},
});

/**
 * Starts a progress display for a training loop.
 *
 * @example
 * const progress = createProgress({ total: epochs * loader.length, epochs, label: 'train' });
 * for (let epoch = 1; epoch <= epochs; epoch++) {
 *   for (const batch of loader) progress.update(++iteration, { epoch, loss: step(batch) });
 *   progress.endEpoch(epoch, { loss, trainAccuracy, testAccuracy });
 * }
 * progress.stop();
 */
export function createProgress(options: ProgressOptions): Progress {
  if (options === null || typeof options !== 'object')
    throw new ValueError('createProgress', 'options must be an object');
  const { total, epochs, enabled = true, label = '' } = options;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
    throw new ValueError('createProgress', `total must be a non-negative integer, got ${String(total)}`);
  }
  if (epochs !== undefined && (!Number.isSafeInteger(epochs) || epochs < 0)) {
    throw new ValueError('createProgress', `epochs must be a non-negative integer, got ${String(epochs)}`);
  }
  const requested = options.mode ?? 'auto';
  if (!['auto', 'bar', 'lines', 'silent'].includes(requested)) {
    throw new ValueError('createProgress', `mode must be 'auto', 'bar', 'lines' or 'silent', got ${String(requested)}`);
  }
  if (!enabled || requested === 'silent') return SILENT;
  const stream = options.stream ?? defaultStream();
  const mode: ProgressMode = requested === 'auto' ? (stream.isTTY && !inCI() ? 'bar' : 'lines') : requested;
  const start = Date.now();
  const epochText = (epoch: number) => `epoch ${epoch}${epochs !== undefined ? `/${epochs}` : ''}`;
  const summary = (epoch: number, values: ProgressValues = {}) =>
    [
      label ? `${label} ${epochText(epoch)}` : epochText(epoch),
      formatValues(values),
      `${((Date.now() - start) / 1000).toFixed(1)}s`,
    ]
      .filter((s) => s !== '')
      .join(' · ');

  if (mode === 'lines') {
    let stopped = false;
    return {
      mode,
      update() {},
      endEpoch(epoch, values) {
        if (!stopped) stream.write(`${summary(epoch, values)}\n`);
      },
      log(line) {
        if (!stopped) stream.write(`${line}\n`);
      },
      stop() {
        stopped = true;
      },
    };
  }
  return barProgress(stream, total, label, epochText, summary);
}

function barProgress(
  stream: ProgressStream,
  total: number,
  label: string,
  epochText: (epoch: number) => string,
  summary: (epoch: number, values?: ProgressValues) => string,
): Progress {
  const cliProgress = nodeBuiltin<typeof import('node:module')>('createProgress', 'node:module').createRequire(
    import.meta.url,
  )('cli-progress') as typeof import('cli-progress');
  const multi: MultiBar = new cliProgress.MultiBar({
    stream: stream as NodeJS.WritableStream,
    format: '{label}{epoch}{bar} {value}/{total} | {metrics} | ETA {eta_formatted}',
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    barsize: 30,
    hideCursor: false,
    clearOnComplete: false,
    stopOnComplete: false,
    etaBuffer: 50,
  });
  let values: Record<string, number | undefined> = {};
  let epoch: number | undefined;
  const payload = () => ({
    label: label ? `${label} ` : '',
    epoch: epoch !== undefined ? `${epochText(epoch)} ` : '',
    metrics: formatValues(values) || '…',
  });
  const bar: SingleBar = multi.create(total, 0, payload());
  let stopped = false;
  return {
    mode: 'bar',
    update(iteration, next) {
      if (stopped) return;
      if (next) {
        values = { ...values, ...next };
        if (typeof next.epoch === 'number') epoch = next.epoch;
        delete values.epoch;
      }
      bar.update(iteration, payload());
    },
    endEpoch(e, metrics) {
      if (stopped) return;
      multi.log(`${summary(e, metrics)}\n`);
    },
    log(line) {
      if (!stopped) multi.log(`${line}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // MultiBar.stop does not flush lines logged since the last redraw; a redraw does.
      (multi as unknown as { update(): void }).update();
      multi.stop();
    },
  };
}

const NAMES: Record<string, string> = { accuracy: 'acc', trainAccuracy: 'train acc', testAccuracy: 'test acc' };

/** `loss 0.3120 · train acc 1.0000 · batch 100`: four decimals, counts as integers, tiny or huge values in exponent form. */
function formatValues(values: ProgressValues): string {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(values)) {
    if (v === undefined || key === 'epoch') continue;
    parts.push(`${NAMES[key] ?? key} ${formatNumber(v)}`);
  }
  return parts.join(' · ');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) && a >= 10) return String(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toFixed(4);
}

function inCI(): boolean {
  const ci = (globalThis as { process?: NodeJS.Process }).process?.env?.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

function defaultStream(): ProgressStream {
  const stdout = (globalThis as { process?: NodeJS.Process }).process?.stdout;
  if (stdout) return stdout;
  return { write: (chunk: string) => console.log(chunk.replace(/\n$/, '')), isTTY: false };
}

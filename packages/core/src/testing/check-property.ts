/**
 * Running a fast-check property with zerograd's run counts, seeds and failure reports: the
 * parameters CI and `pnpm proptest` set through the environment, and a message that names the
 * shrunk counterexample and how to replay it.
 */
import * as fc from 'fast-check';
import type { GradcheckReport } from '../check/gradcheck.js';
import { ValueError } from '../errors.js';
import { proptestEnv, recordPropertyStats } from './stats.js';

/** Runs per property when neither the options nor the environment say otherwise (CI's count). */
export const DEFAULT_NUM_RUNS = 20;

/** How many times, and from which seed, a property runs. */
export interface PropertyRunOptions {
  /**
   * Runs in an ordinary (CI) test run; default 20. The environment overrides it for long
   * runs: `ZEROGRAD_PROPTEST_RUNS=N` sets every property to N runs, and
   * `ZEROGRAD_PROPTEST_SCALE=k` multiplies each property's own count by k.
   */
  numRuns?: number;
  /** fast-check seed (default: `ZEROGRAD_PROPTEST_SEED`, else a fresh random seed). */
  seed?: number;
  /** fast-check replay path, printed with the seed when a property fails. */
  path?: string;
}

function positiveNumber(name: string, raw: string): number {
  const v = Number(raw);
  if (!(v > 0) || !Number.isFinite(v))
    throw new ValueError('proptest', `${name} must be a positive number, got "${raw}"`);
  return v;
}

/**
 * The fast-check parameters a property runs with: `numRuns` and `seed` after the environment
 * overrides described in `PropertyRunOptions`. Useful with `fc.assert` directly.
 */
export function propertyParameters(options: PropertyRunOptions = {}): {
  numRuns: number;
  seed?: number;
  path?: string;
} {
  let numRuns = options.numRuns ?? DEFAULT_NUM_RUNS;
  const runs = proptestEnv('ZEROGRAD_PROPTEST_RUNS');
  const scale = proptestEnv('ZEROGRAD_PROPTEST_SCALE');
  if (runs !== undefined) numRuns = Math.round(positiveNumber('ZEROGRAD_PROPTEST_RUNS', runs));
  else if (scale !== undefined) numRuns = Math.ceil(numRuns * positiveNumber('ZEROGRAD_PROPTEST_SCALE', scale));
  const envSeed = proptestEnv('ZEROGRAD_PROPTEST_SEED');
  const seed = options.seed ?? (envSeed === undefined ? undefined : Number(envSeed));
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new ValueError('proptest', `the seed must be an integer, got ${envSeed ?? seed}`);
  }
  const out: { numRuns: number; seed?: number; path?: string } = { numRuns };
  if (seed !== undefined) out.seed = seed;
  if (options.path !== undefined) out.path = options.path;
  return out;
}

/** Options of `checkProperty`. */
export interface CheckPropertyOptions extends PropertyRunOptions {
  /** Column "order" of the statistics table (0 for properties that are not gradient checks). */
  order?: number;
}

function replayHint(seed: number, path: string | null): string {
  const p = path === null ? '' : `, path: '${path}'`;
  return `Replay: pass { seed: ${seed}${p} } in the property's options, or run the suite with ZEROGRAD_PROPTEST_SEED=${seed} (pnpm proptest --seed ${seed}).`;
}

/**
 * Runs any fast-check property under the environment's run count and seed, records its runs
 * and failure under `label` (see `propertyStats`), and on failure throws an `Error` with the
 * shrunk counterexample, the error it raised, and the seed and path to replay it.
 *
 * @example
 * checkProperty('Dropout', fc.property(tensorArb(), (x) => dropout(x, 0).equals(x)), { numRuns: 30 });
 */
export function checkProperty<Ts>(
  label: string,
  property: fc.IProperty<Ts>,
  options: CheckPropertyOptions = {},
): fc.RunDetails<Ts> {
  const details = fc.check(property, propertyParameters(options));
  recordPropertyStats(label, options.order ?? 0, { runs: details.numRuns, failures: details.failed ? 1 : 0 });
  if (details.failed) throw new Error(failureMessage(`property "${label}"`, details, null));
  return details;
}

export function failureMessage<Ts>(
  what: string,
  details: fc.RunDetails<Ts>,
  describe: ((c: Ts) => string) | null,
): string {
  const lines = [
    `${what} failed after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s) (seed ${details.seed}).`,
  ];
  if (details.counterexample === null) {
    lines.push(details.interrupted ? 'The run was interrupted.' : 'Too many generated values were skipped.');
  } else {
    lines.push(
      'Counterexample:',
      describe ? describe(details.counterexample) : `  ${fc.stringify(details.counterexample)}`,
    );
    const err = details.errorInstance;
    if (err instanceof GradientMismatch) lines.push(err.details);
    else if (err instanceof Error) lines.push(`Error: ${err.name}: ${err.message}`);
    else if (err !== null && err !== undefined) lines.push(`Error: ${String(err)}`);
  }
  lines.push(replayHint(details.seed, details.counterexamplePath));
  return lines.join('\n');
}

/** Thrown inside the property when a check fails; carries the readable diagnosis. */
export class GradientMismatch extends Error {
  constructor(
    readonly report: GradcheckReport,
    readonly order: 1 | 2,
    readonly details: string,
  ) {
    super(report.message);
    this.name = 'GradientMismatch';
  }
}

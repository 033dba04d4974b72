/**
 * A module-level registry of property-test statistics, keyed by a label (an op, a layer, any
 * name a test chooses). `gradientProperty` and `checkProperty` record into it; a test runner
 * or the repository's `pnpm proptest` command reads it back as a table.
 *
 * When the environment variable `ZEROGRAD_PROPTEST_STATS_DIR` names a directory (Node only),
 * every update also writes this module instance's whole registry to a JSON file of its own
 * there, so statistics from parallel test workers can be merged by whoever started them.
 */

/** What was observed for one label (and derivative order). */
export interface PropertyStats {
  /** The label given to the property, e.g. `"Mul"` or `"Affine"`. */
  label: string;
  /** 1 for gradient checks, 2 for gradient-of-gradient checks, 0 for other properties. */
  order: number;
  /** Property runs performed (generated inputs checked), summed over properties with this label. */
  runs: number;
  /** Properties with this label that failed. */
  failures: number;
  /**
   * Worst relative error seen over every run, as gradcheck's `maxRelError` defines it: the
   * largest |analytic − numerical| / |numerical| among compared values whose absolute error
   * exceeds atol — so 0 means no value was off by more than atol. NaN if a NaN was compared.
   */
  maxRelError: number;
  /** Worst absolute error |analytic − numerical| seen over every run. */
  maxAbsError: number;
}

/** One observation: a run of a property, or its failure. */
export interface PropertyObservation {
  runs?: number;
  failures?: number;
  relError?: number;
  absError?: number;
}

const registry = new Map<string, PropertyStats>();
/** Distinguishes this module instance's stats file from other workers' (and re-imports). */
const instanceId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

const keyOf = (label: string, order: number) => `${label}\u0000${order}`;

/** NaN beats everything: a NaN error must not hide behind a finite maximum. */
function worse(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  return Math.max(a, b);
}

/**
 * Adds an observation to the statistics of `label` (and derivative `order`). Tests that use
 * fast-check directly can report through this to appear in the same table.
 */
export function recordPropertyStats(label: string, order: number, observation: PropertyObservation): void {
  const key = keyOf(label, order);
  let s = registry.get(key);
  if (!s) {
    s = { label, order, runs: 0, failures: 0, maxRelError: 0, maxAbsError: 0 };
    registry.set(key, s);
  }
  s.runs += observation.runs ?? 0;
  s.failures += observation.failures ?? 0;
  if (observation.relError !== undefined) s.maxRelError = worse(s.maxRelError, observation.relError);
  if (observation.absError !== undefined) s.maxAbsError = worse(s.maxAbsError, observation.absError);
  flushToDirectory();
}

/** A copy of every label's statistics, in the order labels were first recorded. */
export function propertyStats(): PropertyStats[] {
  return [...registry.values()].map((s) => ({ ...s }));
}

/** Forgets all recorded statistics (of this module instance). */
export function resetPropertyStats(): void {
  registry.clear();
}

/**
 * Merges statistics from several sources (e.g. the files of parallel workers): runs and
 * failures add up, errors take the worst. Sorted by label, then order.
 */
export function mergePropertyStats(...lists: readonly (readonly PropertyStats[])[]): PropertyStats[] {
  const out = new Map<string, PropertyStats>();
  for (const list of lists) {
    for (const s of list) {
      const key = keyOf(s.label, s.order);
      const t = out.get(key);
      if (!t) out.set(key, { ...s });
      else {
        t.runs += s.runs;
        t.failures += s.failures;
        t.maxRelError = worse(t.maxRelError, s.maxRelError);
        t.maxAbsError = worse(t.maxAbsError, s.maxAbsError);
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.order - b.order));
}

const fmtErr = (v: number) => (Number.isNaN(v) ? 'NaN' : v === 0 ? '0' : v.toExponential(2));

/** The statistics as a fixed-width text table (label, order, runs, failures, errors). */
export function formatPropertyStats(stats: readonly PropertyStats[] = propertyStats()): string {
  const rows = stats.map((s) => [
    s.label,
    s.order === 0 ? '-' : String(s.order),
    String(s.runs),
    String(s.failures),
    fmtErr(s.maxRelError),
    fmtErr(s.maxAbsError),
  ]);
  const head = ['label', 'order', 'runs', 'failures', 'worst rel err', 'worst abs err'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

interface NodeFs {
  mkdirSync(path: string, options: { recursive: boolean }): unknown;
  writeFileSync(path: string, data: string): void;
}

/** Node's `fs`, reached without an import so the module stays browser-safe. */
function nodeFs(): NodeFs | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined) ?? null;
}

/** The environment variable that asks for stats files; read through `globalThis` (browser-safe). */
export function proptestEnv(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = proc?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

function flushToDirectory(): void {
  const dir = proptestEnv('ZEROGRAD_PROPTEST_STATS_DIR');
  if (!dir) return;
  const fs = nodeFs();
  if (!fs) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/stats-${instanceId}.json`, JSON.stringify(propertyStats()));
}

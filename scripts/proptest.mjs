#!/usr/bin/env node
// `pnpm proptest`: runs the property suite (every `*.prop.test.ts` in the workspace) with many
// more runs than CI, then prints one row per op/layer label: runs, failures and the worst
// relative error seen. Exits non-zero on any failure. A fixed seed reproduces a run exactly.
//
//   pnpm proptest                      10× each property's CI count, a fresh seed (printed)
//   pnpm proptest --scale 50           50× the CI counts
//   pnpm proptest --runs 500 --seed 7  500 runs for every property, from seed 7
//   pnpm proptest -- -t MatMul         other arguments go to vitest (here: a test-name filter)
//
// The environment works too: ZEROGRAD_PROPTEST_RUNS, ZEROGRAD_PROPTEST_SCALE,
// ZEROGRAD_PROPTEST_SEED. Test workers write their statistics (the registry of
// `@zerograd/core/testing`) as JSON files into the directory named by
// ZEROGRAD_PROPTEST_STATS_DIR; this script merges them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const out = { extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const take = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--') {
      out.extra.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--runs')) out.runs = take();
    else if (a.startsWith('--seed')) out.seed = take();
    else if (a.startsWith('--scale')) out.scale = take();
    else if (a === '--help' || a === '-h') {
      console.log('usage: pnpm proptest [--runs N | --scale K] [--seed S] [-- vitest args]');
      process.exit(0);
    } else out.extra.push(a);
  }
  return out;
}

function fail(message) {
  console.error(`proptest: ${message}`);
  process.exit(2);
}

const args = parseArgs(process.argv.slice(2));
const env = { ...process.env };
const runs = args.runs ?? env.ZEROGRAD_PROPTEST_RUNS;
const scale = args.scale ?? env.ZEROGRAD_PROPTEST_SCALE ?? (runs === undefined ? '10' : undefined);
const seed = args.seed ?? env.ZEROGRAD_PROPTEST_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
if (runs !== undefined && !(Number.isSafeInteger(Number(runs)) && Number(runs) > 0))
  fail(`--runs must be a positive integer, got ${runs}`);
if (scale !== undefined && !(Number(scale) > 0)) fail(`--scale must be a positive number, got ${scale}`);
if (!Number.isSafeInteger(Number(seed))) fail(`--seed must be an integer, got ${seed}`);

delete env.ZEROGRAD_PROPTEST_RUNS;
delete env.ZEROGRAD_PROPTEST_SCALE;
if (runs !== undefined) env.ZEROGRAD_PROPTEST_RUNS = String(runs);
else env.ZEROGRAD_PROPTEST_SCALE = String(scale);
env.ZEROGRAD_PROPTEST_SEED = String(seed);
const statsDir = mkdtempSync(join(tmpdir(), 'zerograd-proptest-'));
env.ZEROGRAD_PROPTEST_STATS_DIR = statsDir;

const how = runs !== undefined ? `${runs} runs per property` : `${scale}× the CI run counts`;
console.log(`proptest: ${how}, seed ${seed}`);

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', '.prop.test.', '--testTimeout=1200000', ...args.extra], {
  cwd: root,
  env,
  stdio: 'inherit',
});

// Merge the workers' registries: runs and failures add up, errors take the worst (NaN wins).
const worse = (a, b) => (Number.isNaN(a) || Number.isNaN(b) || a === null || b === null ? Number.NaN : Math.max(a, b));
const merged = new Map();
for (const file of readdirSync(statsDir).filter((f) => f.endsWith('.json'))) {
  for (const s of JSON.parse(readFileSync(join(statsDir, file), 'utf8'))) {
    const key = `${s.label}\u0000${s.order}`;
    const t = merged.get(key);
    if (!t) merged.set(key, { ...s });
    else {
      t.runs += s.runs;
      t.failures += s.failures;
      t.maxRelError = worse(t.maxRelError, s.maxRelError);
      t.maxAbsError = worse(t.maxAbsError, s.maxAbsError);
    }
  }
}
rmSync(statsDir, { recursive: true, force: true });
const stats = [...merged.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.order - b.order));

// JSON turns NaN into null; show it as NaN again.
const fmtErr = (v) => (v === null || Number.isNaN(v) ? 'NaN' : v === 0 ? '0' : v.toExponential(2));
const head = ['label', 'order', 'runs', 'failures', 'worst rel err', 'worst abs err'];
const rows = stats.map((s) => [
  s.label,
  s.order === 0 ? '-' : String(s.order),
  String(s.runs),
  String(s.failures),
  fmtErr(s.maxRelError),
  fmtErr(s.maxAbsError),
]);
const totalRuns = stats.reduce((n, s) => n + s.runs, 0);
const totalFailures = stats.reduce((n, s) => n + s.failures, 0);
rows.push(['total', '', String(totalRuns), String(totalFailures), '', '']);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log('');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows.slice(0, -1)) console.log(line(r));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
console.log(line(rows[rows.length - 1]));
console.log('');
console.log("order 1: gradcheck, 2: gradgradcheck, -: other properties. rel err: gradcheck's maxRelError,");
console.log('|analytic − numerical| / |numerical| over derivatives larger than atol; abs err: over all values.');
console.log(`Replay: pnpm proptest ${runs !== undefined ? `--runs ${runs}` : `--scale ${scale}`} --seed ${seed}`);

const vitestFailed = result.status !== 0;
if (stats.length === 0) console.error('proptest: no property statistics were recorded');
if (vitestFailed || totalFailures > 0 || stats.length === 0) {
  console.error(
    `proptest: FAILED (${totalFailures} failing properties${vitestFailed ? ', vitest reported failures' : ''})`,
  );
  process.exit(1);
}
console.log(`proptest: ${stats.length} labels, ${totalRuns} runs, no failures`);

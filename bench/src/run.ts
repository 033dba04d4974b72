/**
 * `pnpm bench`: runs every registered suite (or those named with `--suite`), prints one
 * Markdown table per suite and writes `bench/results/latest.json` and `latest.md`.
 *
 *   pnpm bench                       the full run
 *   pnpm bench --quick               fewer sizes and samples (a smoke test, not figures to quote)
 *   pnpm bench --suite matmul        only some suites (comma-separated or repeated)
 *   pnpm bench --filter 'float64'    only rows whose name matches the regular expression
 *   pnpm bench --no-write            print only
 *   pnpm bench --page-only           measure nothing: redraw latest.html from the results on disk
 *
 * After writing, `latest.html` (src/page.ts) is drawn from the output folder's `latest.json`
 * and its subfolders' (`results/backends/latest.json`, …), the newest figures of each suite.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CpuMeter } from './cpu.js';
import { machineInfo, markdownReport, type Report, writeReport } from './report.js';
import { suites } from './suites/index.js';
import type { Row } from './types.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    suite: { type: 'string', multiple: true },
    filter: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    out: { type: 'string' },
    'page-only': { type: 'boolean', default: false },
  },
});

const outDir = values.out ?? fileURLToPath(new URL('../results/', import.meta.url));
/** Draws `latest.html` in the output folder from every results file there (viz loads only now, after measuring). */
async function writePageFile(): Promise<void> {
  const { loadReports, writeBenchPage } = await import('./page.js');
  const reports = loadReports(outDir);
  const page = await writeBenchPage(join(outDir, 'latest.html'), reports);
  console.error(`wrote ${page} (from ${reports.map((r) => r.source).join(', ') || 'no results'})`);
}
if (values['page-only']) {
  await writePageFile();
  process.exit(0);
}

const wanted = (values.suite ?? []).flatMap((s) => s.split(',')).filter(Boolean);
const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? suites.filter((s) => wanted.includes(s.name)) : suites;
const filter = values.filter ? new RegExp(values.filter) : null;

const started = Date.now();
const meter = new CpuMeter();
const rows: Row[] = [];
const notes: Report['notes'] = {};
const errors: Report['errors'] = {};
for (const suite of selected) {
  const suiteNotes: Record<string, unknown> = {};
  notes[suite.name] = suiteNotes;
  console.error(`— ${suite.name}: ${suite.description}`);
  try {
    const got = await suite.run({
      quick: values.quick ?? false,
      filter,
      log: (message) => console.error(`  ${message}`),
      addChildCpu: (seconds) => meter.addChildCpu(seconds),
      note: (key, value) => {
        suiteNotes[key] = value;
      },
    });
    rows.push(...got);
  } catch (e) {
    errors[suite.name] = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.error(`  suite ${suite.name} failed: ${errors[suite.name]}`);
  }
}

const report: Report = {
  schema: 1,
  date: new Date(started).toISOString(),
  seconds: (Date.now() - started) / 1e3,
  args: process.argv.slice(2).filter((a) => a !== '--'),
  machine: machineInfo(),
  notes,
  errors,
  rows,
  contention: meter.stop(),
};
console.log(markdownReport(report));
if (!values['no-write']) {
  const written = writeReport(outDir, report);
  console.error(`wrote ${written.json} and ${written.md}`);
  try {
    await writePageFile();
  } catch (e) {
    // The figures are written; a page that cannot be drawn must not lose them.
    console.error(`could not write latest.html: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
if (Object.keys(errors).length) process.exitCode = 1;

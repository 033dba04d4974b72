import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Contention } from './cpu.js';
import type { Row } from './types.js';

/** Everything one `pnpm bench` run produced; written as `latest.json`. */
export interface Report {
  schema: 1;
  date: string;
  seconds: number;
  args: string[];
  machine: Record<string, unknown>;
  /** Facts the suites recorded, keyed by suite name (BLAS in use, environment changes, …). */
  notes: Record<string, Record<string, unknown>>;
  /** Suites that failed, with their error; their rows are missing. */
  errors: Record<string, string>;
  rows: Row[];
  /** Whether other processes competed for the cores during the run. */
  contention: Contention;
}

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  let git: string | null = null;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8', stdio: 'pipe' }).trim() !== '';
    git = dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    // not a checkout
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    git,
  };
}

/** 3 significant figures, without exponent notation for the magnitudes benchmarks produce. */
export function fmt(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return 'n/a';
  const abs = Math.abs(x);
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

function cell(value: number | null, spread: [number, number] | undefined): string {
  if (value == null) return 'n/a';
  return spread ? `${fmt(value)} <sub>${fmt(spread[0])}–${fmt(spread[1])}</sub>` : fmt(value);
}

/** One Markdown table per suite: zerograd, reference, ratio, then one column per peer. */
export function markdownTables(rows: Row[]): string {
  const out: string[] = [];
  const suites = [...new Set(rows.map((r) => r.suite))];
  for (const suite of suites) {
    const rs = rows.filter((r) => r.suite === suite);
    const refNames = [...new Set(rs.map((r) => r.referenceName))];
    const refHeader = refNames.length === 1 ? refNames[0] : 'reference';
    const peerNames = [...new Set(rs.flatMap((r) => Object.keys(r.peers ?? {})))];
    const header = ['benchmark', 'unit', 'zerograd', refHeader, 'ratio', ...peerNames];
    out.push(`### ${suite}`, '');
    out.push(`| ${header.join(' | ')} |`);
    out.push(`|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const r of rs) {
      const ratio = r.ratio == null ? 'n/a' : `${fmt(r.ratio)}×`;
      const cells = [
        r.name,
        `${r.unit} (${r.better === 'higher' ? '↑' : '↓'})`,
        cell(r.zerograd, r.spread?.zerograd),
        cell(r.reference, r.spread?.[r.referenceName]),
        ratio,
        ...peerNames.map((p) => cell(r.peers?.[p] ?? null, r.spread?.[p])),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function markdownReport(report: Report): string {
  const m = report.machine;
  const c = report.contention;
  const lines = [
    '# zerograd benchmarks',
    '',
    `Run ${report.date} (${report.seconds.toFixed(0)} s${report.args.length ? `, args: \`${report.args.join(' ')}\`` : ''}),` +
      ` git ${m.git ?? 'n/a'}.`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}; Node ${m.node} (V8 ${m.v8}).`,
    `CPU during the run: ${c.busyCores.toFixed(2)} cores busy on average, ${c.ownCores.toFixed(2)} of them this benchmark’s,` +
      ` ${c.otherCores.toFixed(2)} other processes’ (load average at the start ${c.loadAverageAtStart.join('/')}).`,
    ...(c.otherCores > OTHER_CORES_WARNING
      ? [
          '',
          '**Warning:** other processes competed for the cores during this run; numpy’s two-thread figures suffer most. Rerun on an idle machine.',
        ]
      : []),
    '',
    'Figures are medians over samples; on each row the sides (zerograd, reference, peers) take turns,',
    'with the interquartile range in small print. ratio = zerograd / reference in the row’s unit:',
    'for ↑ units above 1 means zerograd is faster, for ↓ units below 1 does.',
    '',
  ];
  for (const [suite, notes] of Object.entries(report.notes)) {
    for (const [key, value] of Object.entries(notes)) lines.push(`- ${suite} · ${key}: ${describeNote(value)}`);
  }
  if (Object.keys(report.notes).length) lines.push('');
  for (const [suite, error] of Object.entries(report.errors)) lines.push(`- **${suite} failed:** ${error}`, '');
  lines.push(markdownTables(report.rows));
  return lines.join('\n');
}

/** Cores' worth of CPU other processes may use before the report calls the figures suspect. */
const OTHER_CORES_WARNING = 0.1;

function describeNote(value: unknown): string {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('numpy' in v && 'blas' in v) {
      const b = (v.blas ?? {}) as Record<string, unknown>;
      const env = Object.entries((v.env ?? {}) as Record<string, unknown>)
        .map(([k, x]) => `${k}=${x ?? 'unset'}`)
        .join(', ');
      return (
        `numpy ${v.numpy} (Python ${v.python}), BLAS ${b.name} ${b.version}, runtime core ${b.coreName ?? '?'},` +
        ` ${b.threads ?? '?'} threads; its environment: ${env}`
      );
    }
    const entries = Object.entries(v);
    if (entries.length === 0) return 'none (nothing was set)';
    if (entries.every(([, x]) => typeof x === 'string')) return entries.map(([k, x]) => `${k}=${x}`).join(', ');
  }
  return `\`${JSON.stringify(value)}\``;
}

/** Writes `latest.json` and `latest.md` into `dir` (each via a temporary file and a rename). */
export function writeReport(dir: string, report: Report): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const md = join(dir, 'latest.md');
  writeFileSync(`${json}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${json}.tmp`, json);
  writeFileSync(`${md}.tmp`, `${markdownReport(report)}\n`);
  renameSync(`${md}.tmp`, md);
  return { json, md };
}

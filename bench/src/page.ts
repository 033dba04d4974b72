/**
 * The results page: `bench/results/latest.html`, drawn by @zerograd/viz from one or more results
 * files (`latest.json` and the per-suite folders' `latest.json`). One section per suite: what it
 * measures, the run it comes from (machine, CPU contention, notes), charts of the figures and of
 * the ratios, and the rows as text lines. Every name from the results is set as text (viz never
 * parses it as HTML).
 */
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { heading, linePlot, type PageSpec, paragraph, row, type Section, type Series, writePage } from '@zerograd/viz';
import { fmt, type Report } from './report.js';
import type { Row } from './types.js';

/** A results file and where it was read from (shown on the page). */
export interface LoadedReport {
  report: Report;
  source: string;
}

/** What each known suite measures; a suite not listed here gets its rows without a description. */
export const SUITE_DESCRIPTIONS: Record<string, string> = {
  matmul:
    'Matrix multiply throughput (GFLOP/s, higher is better) of zerograd’s matmul on its default backend (WebAssembly, two threads when worth it) beside numpy’s matmul (OpenBLAS), on square sizes and on the forward and backward products of the chapter-5 MNIST net (batch 100, 784 → 50 → 10).',
  backends:
    'Matrix multiply throughput (GFLOP/s) per zerograd backend — the default (auto), WebAssembly SIMD on one thread, relaxed SIMD on two, the TypeScript kernels — through the tensor-level entry point, beside numpy and TensorFlow.js’s CPU and WASM backends.',
  'backends-vs-tfjs':
    'The float32 rows of the backends suite restated with TensorFlow.js (WASM backend, then CPU backend) as the reference.',
  training:
    'Milliseconds per training iteration (forward, loss, backward, update on a batch of 100 MNIST digits; lower is better) of the chapter-5 net and the stronger net, beside the same nets in numpy.',
  conv: 'Chapters 7 and 8’s convolutions in float32, batch 100 (milliseconds, lower is better): conv2d on SimpleConvNet’s first layer (x 100×1×28×28, 30 filters 5×5) — the forward with bias alone, then the forward with the gradients of x, W and b — and one training iteration (forward, loss, backward, Adam) of SimpleConvNet and of DeepConvNet, beside the book’s numpy im2col implementation, PyTorch on the CPU and TensorFlow.js’s WASM backend (which has no filter-gradient kernel, so it has a figure on the forward row only). The conv2d rows check that every side computes the same results.',
  scalar:
    'A micrograd-style graph of scalar nodes (an MLP, about 100,000 nodes): microseconds per node for forward + backward (lower is better), beside the same graph in plain Python, with and without its garbage collector.',
  memory:
    'Resident memory (MiB, lower is better) over 10 training epochs of the chapter-5 net, each side in a fresh process: after epoch 1, after the last epoch, and the peak. Flat is good; growth is a leak.',
};

/** Cores' worth of CPU other processes may use before the page calls the figures suspect (as in report.ts). */
const OTHER_CORES_WARNING = 0.1;

/**
 * Reads `dir/latest.json` and every `dir/<folder>/latest.json`. Missing or unreadable files are
 * skipped; the newest report comes first.
 */
export function loadReports(dir: string): LoadedReport[] {
  const files: string[] = [];
  if (existsSync(join(dir, 'latest.json'))) files.push(join(dir, 'latest.json'));
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir).sort()) {
      const file = join(dir, entry, 'latest.json');
      if (statSync(join(dir, entry)).isDirectory() && existsSync(file)) files.push(file);
    }
  }
  const loaded: LoadedReport[] = [];
  for (const file of files) {
    try {
      const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
      if (Array.isArray(report.rows)) loaded.push({ report, source: relative(dir, file) || file });
    } catch {
      // a half-written or foreign file: not ours to draw
    }
  }
  return loaded.sort((a, b) => String(b.report.date).localeCompare(String(a.report.date)));
}

/** One suite as drawn: its rows, from the newest report that has them. */
interface SuiteData {
  suite: string;
  rows: Row[];
  from: LoadedReport;
}

/** Each suite's rows (or error) from the newest report that has any, in order of first appearance. */
function collectSuites(reports: readonly LoadedReport[]): {
  suites: SuiteData[];
  failed: [string, string, LoadedReport][];
} {
  const newestFirst = [...reports].sort((a, b) => String(b.report.date).localeCompare(String(a.report.date)));
  const bySuite = new Map<string, SuiteData>();
  for (const loaded of newestFirst) {
    const names = [...new Set(loaded.report.rows.map((r) => r.suite))];
    for (const suite of names) {
      if (bySuite.has(suite)) continue;
      bySuite.set(suite, { suite, rows: loaded.report.rows.filter((r) => r.suite === suite), from: loaded });
    }
  }
  const failed: [string, string, LoadedReport][] = [];
  const seen = new Set<string>();
  for (const loaded of newestFirst) {
    for (const [suite, error] of Object.entries(loaded.report.errors ?? {})) {
      if (bySuite.has(suite) || seen.has(suite)) continue;
      seen.add(suite);
      failed.push([suite, error, loaded]);
    }
  }
  // The order `pnpm bench` runs them in, known suites first; others after, alphabetically.
  const order = Object.keys(SUITE_DESCRIPTIONS);
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  const suites = [...bySuite.values()].sort((a, b) => rank(a.suite) - rank(b.suite) || a.suite.localeCompare(b.suite));
  return { suites, failed };
}

/** The run a suite comes from: date, arguments, git, machine, CPU contention. */
export function runText(loaded: LoadedReport): string {
  const { report } = loaded;
  const m = report.machine ?? {};
  const c = report.contention;
  const lines = [
    `From ${loaded.source}: run ${report.date} (${fmt(report.seconds)} s${report.args?.length ? `, args: ${report.args.join(' ')}` : ''}), git ${m.git ?? 'n/a'}.`,
    `Machine: ${m.cpu ?? '?'}, ${m.cores ?? '?'} cores, ${m.memoryGiB ?? '?'} GiB, ${m.platform ?? '?'}; Node ${m.node ?? '?'} (V8 ${m.v8 ?? '?'}).`,
  ];
  if (c) {
    lines.push(
      `CPU during the run: ${fmt(c.busyCores)} cores busy on average, ${fmt(c.ownCores)} of them the benchmark’s, ${fmt(c.otherCores)} other processes’ (load average at the start ${c.loadAverageAtStart?.join('/') ?? '?'}).`,
    );
    if (c.otherCores > OTHER_CORES_WARNING) {
      lines.push(
        'Warning: other processes competed for the cores during this run; its figures are noisier than usual.',
      );
    }
  }
  return lines.join('\n');
}

/** A note's value in one line of plain text (long values cut short). */
export function noteText(value: unknown, depth = 0): string {
  const cut = (s: string) => (s.length > 400 ? `${s.slice(0, 399)}…` : s);
  if (value == null) return 'none';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : fmt(value);
  if (typeof value !== 'object') return cut(String(value));
  if (Array.isArray(value)) {
    const shown = value.slice(0, 12).map((v) => noteText(v, depth + 1));
    return cut(`${shown.join(', ')}${value.length > 12 ? `, … (${value.length} in all)` : ''}`);
  }
  const v = value as Record<string, unknown>;
  if ('numpy' in v && 'blas' in v && typeof v.blas === 'object' && v.blas) {
    const b = v.blas as Record<string, unknown>;
    return `numpy ${v.numpy} (Python ${v.python ?? '?'}), BLAS ${b.name ?? '?'} ${b.version ?? ''}, runtime core ${b.coreName ?? '?'}, ${b.threads ?? '?'} threads`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return 'none (nothing was set)';
  if (depth > 2) return cut(JSON.stringify(value));
  return cut(entries.map(([k, x]) => `${k}: ${noteText(x, depth + 1)}`).join('; '));
}

/** The columns of a suite's rows: zerograd, then each reference, then each peer. */
function columnsOf(rows: readonly Row[]): string[] {
  const refs = [...new Set(rows.map((r) => r.referenceName))];
  const peers = [...new Set(rows.flatMap((r) => Object.keys(r.peers ?? {})))];
  return ['zerograd', ...refs, ...peers.filter((p) => !refs.includes(p))];
}

function figure(r: Row, column: string): number | null {
  if (column === 'zerograd') return r.zerograd;
  if (column === r.referenceName) return r.reference;
  const p = r.peers?.[column];
  return p == null || !Number.isFinite(p) ? null : p;
}

/** How many times better zerograd is than the reference (above 1: zerograd better), whatever the unit's direction. */
export function advantage(r: Row): number | null {
  if (r.ratio == null || !(r.ratio > 0)) return null;
  return r.better === 'higher' ? r.ratio : 1 / r.ratio;
}

/** The rows as text: `1. name — zerograd 4.16, numpy 128 GFLOP/s ↑: numpy 30.8× better · tfjs-cpu 0.834`. */
export function rowLines(rows: readonly Row[]): string {
  const columns = columnsOf(rows);
  return rows
    .map((r, i) => {
      const adv = advantage(r);
      const verdict =
        adv == null
          ? 'no reference figure'
          : adv >= 1
            ? `zerograd ${fmt(adv)}× better`
            : `${r.referenceName} ${fmt(1 / adv)}× better`;
      const others = columns
        .filter((c) => c !== 'zerograd' && c !== r.referenceName)
        .map((c) => `${c} ${fmt(figure(r, c))}`)
        .filter((s) => !s.endsWith('n/a'));
      const arrow = r.better === 'higher' ? '↑' : '↓';
      return (
        `${i + 1}. ${r.name} — zerograd ${fmt(r.zerograd)}, ${r.referenceName} ${fmt(r.reference)} ${r.unit} ${arrow}: ` +
        `${verdict}${others.length ? ` · ${others.join(', ')}` : ''}`
      );
    })
    .join('\n');
}

/** How many times the largest row's top figure may exceed the smallest row's before the figures chart goes relative. */
const SPAN_FOR_RELATIVE = 20;

/**
 * Whether the rows' figures span so many orders that a common axis would flatten the small rows
 * (the conv suite: a 2 ms forward beside a 1,900 ms numpy DeepConvNet iteration). Then the
 * figures chart shows each figure relative to zerograd's on the same row.
 */
export function needsRelativeFigures(rows: readonly Row[]): boolean {
  const columns = columnsOf(rows);
  const tops = rows.map((r) => Math.max(0, ...columns.map((c) => figure(r, c) ?? 0)));
  const positive = tops.filter((t) => t > 0);
  if (positive.length < 2 || !rows.every((r) => r.zerograd > 0 && Number.isFinite(r.zerograd))) return false;
  return Math.max(...positive) / Math.min(...positive) > SPAN_FOR_RELATIVE;
}

/**
 * Figures per row as a grouped "lollipop" chart: rows numbered along x, one stem and dot per
 * column beside each other (viz has no bar chart; a stem is a line broken by NaN). When the
 * rows' figures span more than {@link SPAN_FOR_RELATIVE}× (viz has no log axis), every figure is
 * divided by zerograd's on its row, so zerograd's dots sit at 1 and each row stays readable.
 */
export function figuresChart(rows: readonly Row[], title: string): Section {
  const columns = columnsOf(rows).filter((c) => rows.some((r) => figure(r, c) != null));
  const relative = needsRelativeFigures(rows);
  const value = (r: Row, c: string) => {
    const v = figure(r, c);
    return v == null ? null : relative ? v / r.zerograd : v;
  };
  const width = 0.7 / Math.max(1, columns.length);
  const series: Series[] = [];
  columns.forEach((c, ci) => {
    const offset = (ci - (columns.length - 1) / 2) * width;
    const xs: number[] = [];
    const ys: number[] = [];
    const tx: number[] = [];
    const ty: number[] = [];
    rows.forEach((r, i) => {
      const v = value(r, c);
      if (v == null) return;
      xs.push(i + 1 + offset, i + 1 + offset, Number.NaN);
      ys.push(0, v, Number.NaN);
      tx.push(i + 1 + offset);
      ty.push(v);
    });
    const colour = PALETTE[ci % PALETTE.length];
    series.push({ x: xs, y: ys, colour });
    series.push({ x: tx, y: ty, label: c, colour, line: false, markers: true });
  });
  const unit = rows[0]?.unit ?? '';
  const arrow = rows[0]?.better === 'lower' ? 'lower is better' : 'higher is better';
  return linePlot({
    series,
    title: relative ? `${title}, relative to zerograd` : title,
    xlabel: 'row (numbered as in the list below)',
    ylabel: relative ? `× zerograd’s ${unit} on the row (${arrow})` : `${unit} (${arrow})`,
    ...rowAxis(rows.length),
    ylim: yRoom(
      series.flatMap((s) => s.y),
      columns.length,
    ),
  });
}

/** zerograd's advantage over the reference per row, with the line at 1 (equal). */
export function ratioChart(rows: readonly Row[], title: string): Section {
  const xs: number[] = [];
  const ys: number[] = [];
  const stems: { x: number[]; y: number[] } = { x: [], y: [] };
  rows.forEach((r, i) => {
    const a = advantage(r);
    if (a == null) return;
    xs.push(i + 1);
    ys.push(a);
    stems.x.push(i + 1, i + 1, Number.NaN);
    stems.y.push(0, a, Number.NaN);
  });
  const refs = [...new Set(rows.map((r) => r.referenceName))].join(' / ');
  const axis = rowAxis(rows.length);
  return linePlot({
    series: [
      { x: axis.xlim, y: [1, 1], colour: '#888', dashed: true, label: `as good as ${refs}` },
      { x: stems.x, y: stems.y, colour: '#4e79a7' },
      { x: xs, y: ys, colour: '#4e79a7', line: false, markers: true, label: 'zerograd' },
    ],
    title,
    xlabel: 'row (numbered as in the list below)',
    ylabel: `× ${refs} (above 1: zerograd better)`,
    ...axis,
    ylim: yRoom([1, ...ys], 2),
  });
}

/** A round number at or above `x` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten). */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/**
 * A y range from 0 with room above the data for a top-corner legend of `entries` lines
 * (viz draws the legend inside the axes), for a plot of the default height.
 */
function yRoom(values: readonly number[], entries: number, height = 360): [number, number] {
  const top = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  const inner = height - 34 - 48;
  const legend = Math.min(0.6, (16 * entries + 16) / inner);
  return [0, niceCeil(top / (1 - legend))];
}

/**
 * x range and width of a plot of `n` numbered rows: at least five slots, so d3 puts its ticks
 * on whole numbers only (row 1, 2, …, never 1.5); few rows make a narrow plot, so three fit a line.
 */
function rowAxis(n: number): { xlim: [number, number]; width: number } {
  return n <= 5 ? { xlim: [0.5, 5.5], width: 370 } : { xlim: [0.4, n + 0.6], width: 560 };
}

/** matplotlib's tab10, as viz uses it, so stems and dots of one column share a colour. */
const PALETTE = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f'];

/** Matmul-like rows on square sizes: GFLOP/s against the size, one line per column, per dtype. */
function squareSizeCharts(rows: readonly Row[]): Section[] {
  const squares = rows.filter((r) => {
    const p = r.params ?? {};
    return typeof p.m === 'number' && p.m === p.n && p.n === p.k && !p.transA && !p.transB;
  });
  const dtypes = [...new Set(squares.map((r) => String(r.params?.dtype ?? '')))];
  const charts: Section[] = [];
  for (const dtype of dtypes) {
    const rs = squares.filter((r) => String(r.params?.dtype ?? '') === dtype);
    if (rs.length < 2) continue;
    rs.sort((a, b) => Number(a.params?.m) - Number(b.params?.m));
    const columns = columnsOf(rs).filter((c) => rs.some((r) => figure(r, c) != null));
    // Taller with a long legend, so the legend's room above the data does not squash it.
    const height = 360 + 16 * Math.max(0, columns.length - 3);
    const series: Series[] = columns.map((c, ci) => ({
      x: rs.map((r) => Number(r.params?.m)),
      y: rs.map((r) => figure(r, c) ?? Number.NaN),
      label: c,
      colour: PALETTE[ci % PALETTE.length],
      markers: true,
      dashed: c !== 'zerograd' && c !== rs[0]?.referenceName && !c.startsWith('zg'),
    }));
    charts.push(
      linePlot({
        series,
        title: `${dtype ? `${dtype} ` : ''}square n×n · n×n`,
        xlabel: 'n',
        ylabel: `${rs[0]?.unit ?? ''} (higher is better)`,
        xlim: [0, niceCeil(Math.max(...series[0].x) * 1.05)],
        height,
        ylim: yRoom(
          series.flatMap((s) => s.y),
          series.length,
          height,
        ),
        legend: 'top-left',
      }),
    );
  }
  return charts;
}

/** Per-epoch RSS (memory suite rows carry `params.rssAfterEpochMiB`): a line per side. */
function epochCharts(rows: readonly Row[]): Section[] {
  const r = rows.find((x) => x.params && typeof x.params.rssAfterEpochMiB === 'object' && x.params.rssAfterEpochMiB);
  if (!r) return [];
  const perSide = r.params?.rssAfterEpochMiB as Record<string, unknown>;
  const series: Series[] = Object.entries(perSide)
    .filter(([, v]) => Array.isArray(v) && v.every((x) => typeof x === 'number'))
    .map(([side, v], i) => ({
      x: (v as number[]).map((_, e) => e + 1),
      y: v as number[],
      label: side,
      colour: PALETTE[i % PALETTE.length],
      markers: true,
    }));
  if (series.length === 0) return [];
  const top = Math.max(...series.flatMap((s) => s.y));
  if (!Number.isFinite(top)) return [];
  return [
    linePlot({
      series,
      title: 'RSS after each epoch',
      width: 370,
      xlabel: 'epoch',
      ylabel: 'MiB (flat is good)',
      xlim: [0.5, Math.max(...series.map((s) => s.x.length)) + 0.5],
      ylim: yRoom([top], series.length),
    }),
  ];
}

/** The sections of one suite. */
export function suiteSections(data: SuiteData): Section[] {
  const { suite, rows, from } = data;
  const sections: Section[] = [heading(suite)];
  const description = SUITE_DESCRIPTIONS[suite];
  if (description) sections.push(paragraph(description));
  sections.push(paragraph(runText(from)));
  const notes = from.report.notes?.[suite] ?? {};
  const noteLines = Object.entries(notes).map(([k, v]) => `• ${k}: ${noteText(v)}`);
  if (noteLines.length) sections.push(paragraph(`Notes:\n${noteLines.join('\n')}`));

  const charts: Section[] = [...squareSizeCharts(rows), ...epochCharts(rows)];
  // With many rows and columns a grouped chart turns to grass; the square-size lines say it better.
  if (rows.length * columnsOf(rows).length <= 60) charts.push(figuresChart(rows, `${suite}: figures per row`));
  charts.push(ratioChart(rows, `${suite}: zerograd vs ${[...new Set(rows.map((r) => r.referenceName))].join(' / ')}`));
  sections.push(row(...charts));
  sections.push(paragraph(rowLines(rows)));
  return sections;
}

/** The whole page from one or more results files. */
export function benchPage(reports: readonly LoadedReport[]): PageSpec {
  const { suites, failed } = collectSuites(reports);
  const sections: Section[] = [];
  sections.push(
    paragraph(
      'Each row measures zerograd and its reference in the same run, taking turns. Figures are medians over samples. ' +
        'The ratio charts show how many times better zerograd is than the reference: above 1 it wins, below 1 it loses ' +
        '(for time and memory the ratio is inverted so that higher always means zerograd is better). ' +
        `Suites: ${suites.map((s) => s.suite).join(', ') || 'none'}.`,
    ),
  );
  for (const s of suites) sections.push(...suiteSections(s));
  for (const [suite, error, loaded] of failed) {
    sections.push(
      heading(suite),
      paragraph(`This suite failed in ${loaded.source} (${loaded.report.date}):\n${error.split('\n')[0]}`),
    );
  }
  if (suites.length === 0 && failed.length === 0) sections.push(paragraph('No results yet: run `pnpm bench`.'));
  return {
    title: 'zerograd benchmarks',
    description: `Built from ${reports.map((r) => r.source).join(', ') || 'no results'}.`,
    sections,
  };
}

/** Writes the page for `reports` to `path` (via a temporary file and a rename) and returns the path. */
export async function writeBenchPage(path: string, reports: readonly LoadedReport[]): Promise<string> {
  await writePage(`${path}.tmp`, benchPage(reports));
  renameSync(`${path}.tmp`, path);
  return path;
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildNet, CHAPTER5, epochBatches } from '../nets.js';
import { hasNumpy, PYTHON, pythonEnv } from '../python.js';
import { makeRow, type Row, type Suite, type SuiteContext } from '../types.js';

/**
 * Peak resident memory over 10 training epochs of the chapter-5 net, and whether it stays
 * flat: a training loop that leaks (graphs kept alive, buffers never released) grows epoch
 * after epoch. Each side trains in a process of its own — zerograd in a fresh Node
 * (src/memory-child.ts, RSS sampled every iteration), numpy in a fresh Python
 * (numpy_twolayer.py --memory) — on the same 8,000 digits from the same initial parameters.
 * Both peaks are the kernel's high-water mark (VmHWM) where Linux gives it: getrusage's
 * ru_maxrss survives execve, so a child of this Node process would report the parent's peak.
 * Memory is not timing: the two run one after the other.
 */

const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('../memory-child.ts', import.meta.url));
const TRACE_CHILD = fileURLToPath(new URL('../trace-child.ts', import.meta.url));
/** Nodes of the graph traceGraph is measured on (issue 11: it took 20 s and 3 GB at this size). */
const TRACE_NODES = 1_000_000;
const NUMPY_SCRIPT = fileURLToPath(new URL('../../numpy_twolayer.py', import.meta.url));
const EPOCHS = 10;
/** Growth of the RSS from the end of epoch 1 to the end of the last epoch that still counts as flat. */
const FLAT = 0.1;
/** Growth over the second half of the run below which an early rise counts as levelling off. */
const LATE_FLAT = 0.02;
const MIB = 2 ** 20;

interface MemoryRun {
  /** Before loading the data: the runtime alone (Node with tsx and zerograd; Python with numpy). */
  rssAtStart: number;
  rssAfterEpoch: number[];
  peakRss: number;
  /** zerograd only: the largest of the per-iteration samples. */
  sampledPeakRss?: number;
  cpuSeconds: number;
  losses: number[];
}

/** What bench/src/trace-child.ts prints. */
interface TraceRun {
  nodes: number;
  buildMs: number;
  traceMs: number[];
  traceCpuMs: number[];
  rssGraph: number;
  peakRss: number;
  peakFrom: string;
  snapshotHeap: number;
  cpuSeconds: number;
}

/** Runs a command to completion and parses the JSON line it prints last. */
function runJson<T = MemoryRun>(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as T);
      } catch (e) {
        reject(new Error(`${cmd} printed no JSON result (${String(e)}): ${out.slice(0, 300)}\n${err}`));
      }
    });
  });
}

export const memorySuite: Suite = {
  name: 'memory',
  description:
    `peak RSS over ${EPOCHS} training epochs of the chapter-5 net (fresh processes), and whether it is flat, vs numpy; ` +
    `traceGraph of a ${TRACE_NODES.toLocaleString('en-US')}-node graph`,
  async run(ctx: SuiteContext): Promise<Row[]> {
    const traced = await traceRows(ctx);
    const label = `float32 chapter-5 net, ${EPOCHS} epochs`;
    if (ctx.filter && !ctx.filter.test(label)) return traced;

    ctx.log(`zerograd: ${EPOCHS} epochs in a child Node process`);
    const zg = await runJson(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CHILD, '--epochs', String(EPOCHS), '--dtype', 'float32'],
      { cwd: BENCH_DIR },
    );
    ctx.addChildCpu(zg.cpuSeconds);

    let np: MemoryRun | null = null;
    if (hasNumpy()) {
      ctx.log(`numpy: ${EPOCHS} epochs in a child Python process`);
      const data = epochBatches(0, ['float32']);
      try {
        const request = {
          dir: data.dir,
          rows: data.rows,
          batchSize: 100,
          epochs: EPOCHS,
          sizes: CHAPTER5.sizes,
          lr: CHAPTER5.lr,
          params: data.writeParams('chapter5', buildNet(CHAPTER5, 'float32').net),
          dtype: 'float32',
          seed: 0,
        };
        np = await runJson<MemoryRun>(PYTHON, [NUMPY_SCRIPT, '--memory', JSON.stringify(request)], {
          env: pythonEnv().env,
        });
        ctx.addChildCpu(np.cpuSeconds);
      } finally {
        data.dispose();
      }
    } else ctx.log('numpy is not available: reference columns will be empty');

    const mib = (x: number) => x / MIB;
    const growth = (r: MemoryRun) => r.rssAfterEpoch[r.rssAfterEpoch.length - 1] / r.rssAfterEpoch[0] - 1;
    const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    // A leak keeps growing; a heap (or malloc's arenas) still finding its size grows early and
    // then stops. The second half of the run tells the two apart: 'flat' is under FLAT over the
    // whole run, 'levels off' is more than that early but under LATE_FLAT over the second half,
    // anything else is GROWING.
    const half = Math.floor(EPOCHS / 2);
    const lateGrowth = (r: MemoryRun) => r.rssAfterEpoch[EPOCHS - 1] / r.rssAfterEpoch[half - 1] - 1;
    const verdict = (r: MemoryRun) =>
      `${growth(r) < FLAT ? 'flat' : lateGrowth(r) < LATE_FLAT ? 'levels off' : 'GROWING'} (${signed(growth(r))} from epoch 1 to ${EPOCHS})`;
    const describe = (r: MemoryRun) =>
      `${verdict(r)}; ${signed(lateGrowth(r))} from epoch ${half} to ${EPOCHS}; after each epoch ` +
      `${r.rssAfterEpoch.map((x) => mib(x).toFixed(0)).join(' ')} MiB`;
    ctx.note('RSS growth', { zerograd: describe(zg), ...(np ? { numpy: describe(np) } : {}) });
    ctx.note('RSS before loading any data (the runtime alone)', {
      zerograd: `${mib(zg.rssAtStart).toFixed(0)} MiB (Node, tsx, zerograd)`,
      ...(np ? { numpy: `${mib(np.rssAtStart).toFixed(0)} MiB (Python, numpy)` } : {}),
    });
    ctx.note('mean loss of the last epoch', {
      zerograd: zg.losses[zg.losses.length - 1].toFixed(4),
      ...(np ? { numpy: np.losses[np.losses.length - 1].toFixed(4) } : {}),
    });

    const row = (name: string, z: number, n: number | null, params: Record<string, unknown> = {}) =>
      makeRow({
        suite: 'memory',
        name: `${label}: ${name}`,
        unit: 'MiB',
        better: 'lower',
        zerograd: mib(z),
        reference: n == null ? null : mib(n),
        referenceName: 'numpy',
        params,
      });
    const last = EPOCHS - 1;
    return [
      row('RSS after epoch 1', zg.rssAfterEpoch[0], np?.rssAfterEpoch[0] ?? null, {
        rssAtStartMiB: {
          zerograd: Math.round(mib(zg.rssAtStart)),
          ...(np ? { numpy: Math.round(mib(np.rssAtStart)) } : {}),
        },
      }),
      row(`RSS after epoch ${EPOCHS}, ${verdict(zg)}`, zg.rssAfterEpoch[last], np?.rssAfterEpoch[last] ?? null, {
        growth: { zerograd: growth(zg), ...(np ? { numpy: growth(np) } : {}) },
        growthSecondHalf: { zerograd: lateGrowth(zg), ...(np ? { numpy: lateGrowth(np) } : {}) },
        flatBelow: FLAT,
        levelsOffBelow: LATE_FLAT,
      }),
      row('peak RSS', zg.peakRss, np?.peakRss ?? null, {
        rssAfterEpochMiB: {
          zerograd: zg.rssAfterEpoch.map((x) => Math.round(mib(x))),
          ...(np ? { numpy: np.rssAfterEpoch.map((x) => Math.round(mib(x))) } : {}),
        },
        peak: 'VmHWM (Linux), else the largest per-iteration sample (zerograd) or ru_maxrss (numpy)',
        zerogradSampledPeakMiB: zg.sampledPeakRss == null ? null : Math.round(mib(zg.sampledPeakRss)),
      }),
      ...traced,
    ];
  },
};

/**
 * traceGraph of a 1,000,000-node graph of scalars, in a fresh Node (src/trace-child.ts): the
 * time of one trace beside the time of the forward pass that built the graph, and the peak RSS
 * while tracing beside the RSS of the graph alone — the reference columns say what the snapshot
 * costs relative to the graph it describes.
 */
async function traceRows(ctx: SuiteContext): Promise<Row[]> {
  const label = `traceGraph, ${TRACE_NODES.toLocaleString('en-US')}-node graph of scalars`;
  if (ctx.filter && !ctx.filter.test(label)) return [];
  ctx.log(`zerograd: ${label} in a child Node process`);
  const samples = ctx.quick ? 1 : 5;
  const run = await runJson<TraceRun>(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      TRACE_CHILD,
      '--nodes',
      String(TRACE_NODES),
      '--samples',
      String(samples),
    ],
    { cwd: BENCH_DIR },
  );
  ctx.addChildCpu(run.cpuSeconds);
  const sorted = [...run.traceMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const referenceName = 'forward pass / graph alone';
  const params = { nodes: run.nodes, samples, graph: 'chain y = y·w + b of scalars (a Mul and an Add per link)' };
  return [
    makeRow({
      suite: 'memory',
      name: `${label}: ms per trace (reference: the forward pass that built it)`,
      unit: 'ms',
      better: 'lower',
      zerograd: at(0.5),
      reference: run.buildMs,
      referenceName,
      spread: { zerograd: [at(0.25), at(0.75)] },
      params: { ...params, traceMs: run.traceMs.map(Math.round), traceCpuMs: run.traceCpuMs.map(Math.round) },
    }),
    makeRow({
      suite: 'memory',
      name: `${label}: peak RSS while tracing (reference: the graph alone)`,
      unit: 'MiB',
      better: 'lower',
      zerograd: run.peakRss / MIB,
      reference: run.rssGraph / MIB,
      referenceName,
      params: { ...params, peak: run.peakFrom, snapshotHeapMiB: Math.round(run.snapshotHeap / MIB) },
    }),
  ];
}

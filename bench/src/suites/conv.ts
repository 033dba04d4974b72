import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendInfo } from '@zerograd/core';
import {
  C,
  type Checksums,
  type ConvCaseName,
  F,
  H,
  K,
  N,
  squares,
  W,
  zerogradCase,
  zerogradCheck,
} from '../conv-nets.js';
import type { ConvPeer, ConvResults, ConvWork } from '../peers/index.js';
import { tfjsWasmConvPeer } from '../peers/tfjs-conv.js';
import { hasNumpy, PythonServer, pythonEnv } from '../python.js';
import { calibrate, sample } from '../timing.js';
import { type Side, summarise, takeTurns } from '../turns.js';
import { makeRow, type Row, type Suite, type SuiteContext } from '../types.js';

/**
 * Chapters 7 and 8's convolutions, side by side, in float32 on a batch of 100: milliseconds
 * for conv2d on SimpleConvNet's first layer (x 100×1×28×28, 30 filters of 5×5) — the forward
 * with bias alone, and the forward with the gradients of x, W and b — and for one training
 * iteration of SimpleConvNet (Conv 30@5×5 → ReLU → MaxPool 2×2 → Affine 100 → ReLU →
 * Affine 10) and of DeepConvNet (six 3×3 convolutions, pooling, Affine 50, Dropout; see
 * conv-nets.ts), softmax loss and Adam. The reference is the book's own numpy implementation
 * (im2col, bench/numpy_conv.py); PyTorch on the CPU is a peer, run by Debian's
 * `/usr/bin/python3` (`python3-torch`), and its column is empty, with a note, where
 * `import torch` fails. Inputs are random (uniform pixels, random labels): the cost does not
 * depend on the values. On the two conv2d rows every side also computes the row's work on the
 * same x, W, b and gy (written by zerograd to a temporary folder) and the results are compared,
 * so the sides are known to compute the same thing. Sides take turns, as in the other suites.
 *
 * TensorFlow.js's WASM backend (`tfjs-wasm`) is a peer on the conv2d rows, calling tfjs's conv
 * kernels directly in tfjs's own NHWC layout (see peers/tfjs-conv.ts). It lacks
 * `Conv2DBackpropFilter`, so its forward+backward cell is empty (with a note naming the
 * kernel) and the forward row is where it has a figure. tfjs's CPU backend is not a column:
 * see `TFJS_CPU`.
 */

const SCRIPT = fileURLToPath(new URL('../../numpy_conv.py', import.meta.url));
/** The interpreter that has PyTorch (Debian's python3-torch installs into the system python). */
const TORCH_PYTHON = process.env.ZEROGRAD_BENCH_TORCH_PYTHON ?? '/usr/bin/python3';
/** The in-process peers of the conv2d rows, one column each. */
const convPeers: ConvPeer[] = [tfjsWasmConvPeer];
/** Why tfjs-cpu is not a column (written into the notes; the figures are in bench/README.md). */
const TFJS_CPU =
  'not a column: its forward+backward took 8.3–9.6 s per call on this machine (its filter gradient, Conv2DBackpropFilter, alone 8.3 s), against zerograd’s tens of milliseconds; it added ~45 s to the suite and flattened its chart';
/** Why the training rows have no tfjs cells (written into the notes). */
const TFJS_NETS =
  'not measured: tfjs-core 4.22 on npm registers no gradient functions in Node (its dist/register_all_gradients.js is an ES module with extension-less imports Node cannot load; the @tensorflow/tfjs bundle, not a dependency here, does it), so tf.variableGrads cannot train the nets from tfjs-core ops alone; the WASM backend also lacks Conv2DBackpropFilter';

/** One row of the suite. */
interface ConvRow {
  key: ConvCaseName;
  name: string;
  /** For the conv2d rows: what one call does (and what every side's results are checked on). */
  work?: ConvWork;
  /**
   * Sides whose one iteration lasts over a second (numpy's DeepConvNet: 1.0–1.9 s measured):
   * one warm-up call and one sample per turn (three in all) instead of three and nine, which
   * keeps the suite near a minute and a half. The other sides of the row sample as usual.
   */
  slowSides?: string[];
}

const CASES: ConvRow[] = [
  {
    key: 'forward',
    work: 'forward',
    name: `float32 conv2d forward (with bias), x ${N}×${C}×${H}×${W}, W ${F}×${C}×${K}×${K}`,
  },
  {
    key: 'conv',
    work: 'forward+backward',
    name: `float32 conv2d forward+backward, x ${N}×${C}×${H}×${W}, W ${F}×${C}×${K}×${K}`,
  },
  { key: 'net', name: `float32 SimpleConvNet iteration (batch ${N}, Adam)` },
  { key: 'deep', name: `float32 DeepConvNet iteration (batch ${N}, Adam)`, slowSides: ['numpy'] },
];

interface Options {
  blocks: number;
  samplesPerBlock: number;
  settleMs: number;
  minSampleSeconds: number;
  warmup: number;
}

/** A peer's results, summed like zerograd's. */
const peerSums = (r: ConvResults): Checksums => {
  const sums: Checksums = {};
  for (const key of ['y', 'dx', 'dW', 'db'] as const) if (r[key]) sums[key] = squares(r[key]);
  return sums;
};

/** "agree" when every checksum zerograd has matches the side's within float32 rounding. */
function agreement(mine: Checksums, theirs: Checksums): string {
  const keys = Object.keys(mine) as (keyof Checksums)[];
  const worst = Math.max(
    ...keys.map(
      (k) => Math.abs((mine[k] ?? Number.NaN) - (theirs[k] ?? Number.NaN)) / Math.abs(theirs[k] ?? Number.NaN),
    ),
  );
  return `${worst <= 1e-4 ? 'agree' : 'DISAGREE'} (max relative difference of the sums of squares of ${keys.join(', ')}: ${worst.toExponential(1)})`;
}

/** A Python side, or null (with a note saying why) when that interpreter cannot run it. */
async function pythonSide(
  impl: 'numpy' | 'torch',
  ctx: SuiteContext,
): Promise<{ server: PythonServer; info: Record<string, unknown> } | null> {
  if (impl === 'numpy' && !hasNumpy()) {
    ctx.note('numpy', 'not available: the reference column is empty');
    return null;
  }
  if (impl === 'torch') {
    const probe = spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy'], { env: pythonEnv().env, stdio: 'ignore' });
    if (probe.status !== 0) {
      ctx.note(
        'torch',
        `${TORCH_PYTHON} cannot import torch and numpy (apt-get install -y python3-torch): column skipped`,
      );
      return null;
    }
  }
  const server = new PythonServer(SCRIPT, ['--serve'], impl === 'torch' ? TORCH_PYTHON : undefined);
  const info = await server.request<Record<string, unknown>>({ op: 'info' });
  ctx.note(impl, impl === 'torch' ? info.torch : info.numpy);
  return { server, info };
}

export const convSuite: Suite = {
  name: 'conv',
  description:
    'ms for conv2d forward and forward+backward (SimpleConvNet’s first layer) and a SimpleConvNet and a DeepConvNet iteration vs the book’s numpy im2col, PyTorch and tfjs-wasm',
  async run(ctx: SuiteContext): Promise<Row[]> {
    const opts: Options = ctx.quick
      ? { blocks: 1, samplesPerBlock: 2, settleMs: 100, minSampleSeconds: 0.05, warmup: 1 }
      : { blocks: 3, samplesPerBlock: 3, settleMs: 150, minSampleSeconds: 0.2, warmup: 3 };
    const cases = CASES.filter((c) => !ctx.filter || ctx.filter.test(c.name));
    if (cases.length === 0) return [];
    ctx.note('zerograd backend', backendInfo());
    ctx.note('removed from the Python environment', pythonEnv().removed);
    const numpy = await pythonSide('numpy', ctx);
    const torch = await pythonSide('torch', ctx);
    const peers: ConvPeer[] = [];
    if (cases.some((c) => c.work))
      for (const peer of convPeers) {
        const ok = await peer.setup();
        ctx.note(peer.name, ok === true ? await peer.describe() : ok);
        if (ok === true) peers.push(peer);
      }
    ctx.note('tfjs-cpu', TFJS_CPU);
    if (cases.some((c) => !c.work)) ctx.note('tfjs on the training rows', TFJS_NETS);
    const rows: Row[] = [];
    try {
      for (const c of cases) {
        ctx.log(`measuring ${c.name}`);
        rows.push(await measure(c, numpy?.server ?? null, torch?.server ?? null, peers, opts, ctx));
      }
    } finally {
      for (const s of [numpy, torch]) {
        if (!s) continue;
        ctx.addChildCpu(await s.server.cpuSeconds().catch(() => 0));
        s.server.close();
      }
    }
    return rows;
  },
};

async function measure(
  c: ConvRow,
  numpy: PythonServer | null,
  torch: PythonServer | null,
  peers: ConvPeer[],
  opts: Options,
  ctx: SuiteContext,
): Promise<Row> {
  const fn = zerogradCase(c.key);
  const dir = c.work ? mkdtempSync(join(tmpdir(), 'zg-conv-bench-')) : null;
  const check = dir && c.work ? zerogradCheck(dir, c.work) : null;
  const mine = check?.sums ?? null;
  const calls = calibrate(fn, opts.warmup, opts.minSampleSeconds).callsPerSample;
  const sides: Side[] = [{ name: 'zerograd', seconds: [], sample: async () => sample(fn, calls) }];
  const servers: [string, PythonServer | null][] = [
    ['numpy', numpy],
    ['PyTorch', torch],
  ];
  for (const [name, server] of servers) {
    if (!server) continue;
    const id = `${c.key}-${name}`;
    const slow = c.slowSides?.includes(name) ?? false;
    if (slow)
      ctx.note(
        `${c.name}: ${name} samples`,
        `one iteration lasts over a second: one warm-up call, one sample per turn (${opts.blocks} in all)`,
      );
    const prepared = await server.request<{ check?: Checksums }>({
      op: 'prepare',
      id,
      case: c.key,
      impl: name === 'numpy' ? 'numpy' : 'torch',
      warmup: slow ? 1 : opts.warmup,
      minSampleSeconds: opts.minSampleSeconds,
      ...(dir ? { inputs: dir } : {}),
    });
    if (mine && prepared.check) ctx.note(`${c.name}: zerograd vs ${name}`, agreement(mine, prepared.check));
    sides.push({
      name,
      seconds: [],
      sample: async () => (await server.request<{ seconds: number[] }>({ op: 'sample', id, count: 1 })).seconds[0],
      ...(slow ? { samplesPerTurn: 1 } : {}),
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  // In-process peers compute the check on zerograd's inputs, then are timed on the same
  // operands (the cost does not depend on the values).
  const inProcess: { peer: ConvPeer; step: () => ConvResults }[] = [];
  if (check && c.work)
    for (const peer of peers) {
      const cannot = await peer.cannot(c.work);
      if (cannot) {
        ctx.note(`${c.name}: ${peer.name}`, cannot);
        continue;
      }
      const step = peer.prepare(check.inputs, c.work);
      inProcess.push({ peer, step });
      ctx.note(`${c.name}: zerograd vs ${peer.name}`, agreement(check.sums, peerSums(step())));
      const peerCalls = calibrate(step, opts.warmup, opts.minSampleSeconds).callsPerSample;
      sides.push({ name: peer.name, seconds: [], sample: async () => sample(step, peerCalls) });
    }
  try {
    await takeTurns(sides, opts);
  } finally {
    for (const { peer } of inProcess) peer.release();
  }
  for (const [name, server] of servers) await server?.request({ op: 'release', id: `${c.key}-${name}` });

  const figure = (name: string) => {
    const side = sides.find((s) => s.name === name);
    return side ? summarise(side, 1e3) : null;
  };
  const zg = figure('zerograd');
  const np = figure('numpy');
  const pt = figure('PyTorch');
  const peerFigures = convPeers.map((p) => [p.name, figure(p.name)] as const);
  return makeRow({
    suite: 'conv',
    name: c.name,
    unit: 'ms/iter',
    better: 'lower',
    zerograd: zg?.value ?? Number.NaN,
    reference: np?.value ?? null,
    referenceName: 'numpy (book im2col)',
    peers: {
      PyTorch: pt?.value ?? null,
      ...Object.fromEntries(peerFigures.map(([name, f]) => [name, f?.value ?? null])),
    },
    spread: {
      ...(zg ? { zerograd: zg.spread } : {}),
      ...(np ? { 'numpy (book im2col)': np.spread } : {}),
      ...(pt ? { PyTorch: pt.spread } : {}),
      ...Object.fromEntries(peerFigures.flatMap(([name, f]) => (f ? [[name, f.spread]] : []))),
    },
    params: {
      dtype: 'float32',
      batch: N,
      input: [N, C, H, W],
      ...(c.work ? { filters: [F, C, K, K], work: c.work } : {}),
      samples: Object.fromEntries(sides.map((s) => [s.name, s.seconds.length])),
      callsPerSample: calls,
      ...(zg && pt ? { ratioToPyTorch: zg.value / pt.value } : {}),
      ...(inProcess.length > 0 ? { tfjsLayout: 'NHWC input, HWIO filters' } : {}),
    },
  });
}

import { fileURLToPath } from 'node:url';
import { backendInfo, Tensor } from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import { type MatmulCase, type MatmulPeer, matmulPeers } from '../peers/index.js';
import { hasNumpy, PythonServer, pythonEnv } from '../python.js';
import { calibrate, median, quantile, sample } from '../timing.js';
import { makeRow, type Row, type Suite, type SuiteContext } from '../types.js';

/**
 * Matrix multiply throughput (GFLOP/s = 2·m·n·k / seconds): zerograd's matrix product as
 * `matmul` runs it — on the default backend, the one `auto` picks — against numpy's `matmul`
 * (OpenBLAS) on square sizes and on every product of the chapter-5
 * two-layer MNIST net (batch 100, 784 → 50 → 10), forward and backward. The two sides (and
 * any peers) take turns on each case, so drift in the machine's speed hits both.
 */

const NUMPY_SCRIPT = fileURLToPath(new URL('../../numpy_matmul.py', import.meta.url));

/** A matrix product to measure: `m×k · k×n`, operands optionally read transposed. */
export interface Shape {
  label: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** An `s×s · s×s` product. */
export const square = (s: number): Shape => ({ label: `square ${s}`, m: s, n: s, k: s, transA: false, transB: false });

/**
 * The net's products. Forward: h = x·W1 (100×784 · 784×50), y = h·W2 (100×50 · 50×10).
 * Backward of y = h·W2: dh = dy·W2ᵀ, dW2 = hᵀ·dy; of h = x·W1: dx = dh·W1ᵀ, dW1 = xᵀ·dh.
 */
export const MNIST: Shape[] = [
  { label: 'mnist x·W1', m: 100, n: 50, k: 784, transA: false, transB: false },
  { label: 'mnist h·W2', m: 100, n: 10, k: 50, transA: false, transB: false },
  { label: 'mnist dy·W2ᵀ', m: 100, n: 50, k: 10, transA: false, transB: true },
  { label: 'mnist hᵀ·dy', m: 50, n: 10, k: 100, transA: true, transB: false },
  { label: 'mnist dh·W1ᵀ', m: 100, n: 784, k: 50, transA: false, transB: true },
  { label: 'mnist xᵀ·dh', m: 784, n: 50, k: 100, transA: true, transB: false },
];

/** `100×50 · (784×50)ᵀ`: the operands as stored, with ᵀ where gemm reads them transposed. */
export function describe(s: Shape): string {
  const a = s.transA ? `(${s.k}×${s.m})ᵀ` : `${s.m}×${s.k}`;
  const b = s.transB ? `(${s.n}×${s.k})ᵀ` : `${s.k}×${s.n}`;
  return `${a} · ${b}`;
}

/** Deterministic operands in [-1, 1) (a tiny LCG: the values do not matter, only that they are not special). */
function fill(arr: Float32Array | Float64Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < arr.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    arr[i] = s / 2147483648 - 1;
  }
}

interface MeasureOptions {
  /** How many times each side takes a turn. */
  blocks: number;
  samplesPerBlock: number;
  /** Pause before each turn, so the previous side's threads are idle. */
  settleMs: number;
  minSampleSeconds: number;
  warmup: number;
}

const settle = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Side {
  name: string;
  /** Takes one sample; resolves to seconds per call. */
  sample(): Promise<number>;
  seconds: number[];
}

export const matmulSuite: Suite = {
  name: 'matmul',
  description:
    'matmul GFLOP/s on the default backend vs numpy.matmul (OpenBLAS), square and MNIST-net shapes, float32 and float64',
  async run(ctx: SuiteContext): Promise<Row[]> {
    const opts: MeasureOptions = ctx.quick
      ? { blocks: 1, samplesPerBlock: 3, settleMs: 100, minSampleSeconds: 0.01, warmup: 2 }
      : { blocks: 3, samplesPerBlock: 3, settleMs: 150, minSampleSeconds: 0.05, warmup: 3 };
    const shapes = [...(ctx.quick ? [128, 256, 512] : [128, 256, 512, 1024]).map(square), ...MNIST];
    const cases: MatmulCase[] = [];
    for (const dtype of ['float32', 'float64'] as const)
      for (const s of shapes) {
        const id = `${dtype} ${s.label}: ${describe(s)}`;
        if (ctx.filter && !ctx.filter.test(id)) continue;
        cases.push({ id, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, dtype });
      }

    // The reference: a numpy server with OpenBLAS's CPU pins removed from its environment.
    const { removed } = pythonEnv();
    ctx.note('removed from numpy’s environment', removed);
    let numpy: PythonServer | null = null;
    if (hasNumpy()) {
      numpy = new PythonServer(NUMPY_SCRIPT, ['--serve']);
      const info = await numpy.request<Record<string, unknown>>({ op: 'info' });
      ctx.note('numpy', info);
      const blas = info.blas as Record<string, unknown> | undefined;
      ctx.log(
        `numpy ${info.numpy}: ${blas?.name} ${blas?.version}, core ${blas?.coreName ?? '?'}, ${blas?.threads ?? '?'} threads` +
          ` (removed from its environment: ${Object.keys(removed).join(', ') || 'nothing was set'})`,
      );
    } else {
      ctx.log('numpy is not available: reference columns will be empty');
      ctx.note('numpy', null);
    }

    const peers: MatmulPeer[] = [];
    for (const peer of matmulPeers) {
      const ok = await peer.setup();
      if (ok === true) peers.push(peer);
      else ctx.log(`peer ${peer.name} skipped: ${ok}`);
    }

    const info = backendInfo();
    ctx.note('zerograd backend', `${info.name}, ${info.threads} thread(s)`);
    const rows: Row[] = [];
    try {
      for (const c of cases) {
        ctx.log(`matmul ${c.id}`);
        rows.push(await measureCase(c, numpy, peers, opts));
      }
    } finally {
      if (numpy) ctx.addChildCpu(await numpy.cpuSeconds().catch(() => 0));
      numpy?.close();
      for (const peer of peers) await peer.teardown?.();
    }
    return rows;
  },
};

async function measureCase(
  c: MatmulCase,
  numpy: PythonServer | null,
  peers: MatmulPeer[],
  opts: MeasureOptions,
): Promise<Row> {
  const { m, n, k, transA, transB } = c;
  const Arr = c.dtype === 'float32' ? Float32Array : Float64Array;
  const a = new Arr(m * k);
  const b = new Arr(k * n);
  fill(a, 1);
  fill(b, 2);
  const A = new Tensor(a, transA ? [k, m] : [m, k]);
  const B = new Tensor(b, transB ? [n, k] : [k, n]);
  const zgCall = () => kernels.matmulTensor(A, B, transA, transB);
  zgCall(); // starts the worker where there is one
  await settle(50);
  const zgCalls = calibrate(zgCall, opts.warmup, opts.minSampleSeconds).callsPerSample;

  const sides: Side[] = [{ name: 'zerograd', seconds: [], sample: async () => sample(zgCall, zgCalls) }];
  if (numpy) {
    const np = numpy;
    await np.request({ op: 'prepare', case: c, warmup: opts.warmup, minSampleSeconds: opts.minSampleSeconds });
    sides.push({
      name: 'numpy',
      seconds: [],
      sample: async () => (await np.request<{ seconds: number[] }>({ op: 'sample', id: c.id, count: 1 })).seconds[0],
    });
  }
  const peerNames: string[] = [];
  for (const peer of peers) {
    peerNames.push(peer.name);
    const call = await peer.prepare(c);
    if (!call) continue;
    const calls = calibrate(call, opts.warmup, opts.minSampleSeconds).callsPerSample;
    sides.push({ name: peer.name, seconds: [], sample: async () => sample(call, calls) });
  }

  // Sides take turns in blocks, with a pause between turns: OpenBLAS's worker threads spin
  // for ~0.1 s after each call and V8 finishes compiling and collecting in the background,
  // and on two cores either would steal the other side's time if they overlapped.
  for (let block = 0; block < opts.blocks; block++)
    for (const side of sides) {
      await settle(opts.settleMs);
      for (let r = 0; r < opts.samplesPerBlock; r++) side.seconds.push(await side.sample());
    }
  if (numpy) await numpy.request({ op: 'release', id: c.id });
  for (const peer of peers) peer.release?.(c);

  const flops = 2 * m * n * k;
  const gflops = (side: Side | undefined) => (side ? flops / median(side.seconds) / 1e9 : null);
  const iqr = (side: Side): [number, number] => [
    flops / quantile(side.seconds, 0.75) / 1e9,
    flops / quantile(side.seconds, 0.25) / 1e9,
  ];
  const byName = (name: string) => sides.find((s) => s.name === name);
  const spread: Record<string, [number, number]> = {};
  for (const side of sides) spread[side.name] = iqr(side);
  const row = makeRow({
    suite: 'matmul',
    name: c.id,
    unit: 'GFLOP/s',
    better: 'higher',
    zerograd: gflops(byName('zerograd')) as number,
    reference: gflops(byName('numpy')),
    referenceName: 'numpy',
    spread,
    params: { m, n, k, transA, transB, dtype: c.dtype, samples: opts.blocks * opts.samplesPerBlock },
  });
  if (peerNames.length > 0) row.peers = Object.fromEntries(peerNames.map((p) => [p, gflops(byName(p))]));
  return row;
}

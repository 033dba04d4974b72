import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { availableBackends, type BackendName, backendInfo, setBackend, Tensor, type TypedArray } from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import type { MatmulCase, MatmulPeer } from '../peers/index.js';
import { tfjsCpuPeer, tfjsWasmPeer } from '../peers/tfjs.js';
import { hasNumpy, PythonServer, pythonEnv } from '../python.js';
import { calibrate, median, quantile, sample } from '../timing.js';
import { makeRow, type Row, type Suite, type SuiteContext } from '../types.js';
import { MNIST, square } from './matmul.js';

/**
 * Matrix-multiply throughput of each zerograd backend — the TypeScript kernels, WebAssembly
 * SIMD on one thread, on two threads, and relaxed SIMD where the engine has it — through the
 * tensor-level entry point the ops use (`kernels.matmulTensor`: output allocated, operands
 * copied into WebAssembly memory and back, transposes read in place), beside numpy
 * (OpenBLAS), TensorFlow.js's CPU backend and its WASM backend, in one run. Everyone takes
 * turns on each case.
 *
 * Rows (suite `backends`): zerograd = the default backend (what `auto` picks: the best
 * WebAssembly variant, two threads), reference = numpy, other columns = the other zerograd
 * configurations (see `configs`) and tfjs. Rows of suite `backends-vs-tfjs` restate the float32 figures with tfjs's WASM
 * backend (and then its CPU backend) as the reference, so those ratios are printed too.
 */

const NUMPY_SCRIPT = fileURLToPath(new URL('../../numpy_matmul.py', import.meta.url));

interface Config {
  column: string;
  backend: BackendName;
  threads: number;
}

/**
 * The zerograd configurations: first the default (what `auto` picks in this engine without
 * flags, with two threads), then one thread of plain SIMD, relaxed SIMD where it can be had
 * (in Node 20 only behind a V8 flag, which this suite turns on — Chromium has it by
 * default), and the TypeScript kernels.
 */
function configs(): Config[] {
  const avail = availableBackends();
  const best = avail[0];
  const out: Config[] = [{ column: 'zerograd', backend: best, threads: best === 'ts' ? 1 : 2 }];
  if (avail.includes('wasm-simd')) out.push({ column: 'zg simd ×1', backend: 'wasm-simd', threads: 1 });
  if (best !== 'wasm-relaxed') {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // not Node: nothing to turn on
    }
    if (availableBackends().includes('wasm-relaxed'))
      out.push({ column: 'zg relaxed ×2 (flag)', backend: 'wasm-relaxed', threads: 2 });
  }
  if (best !== 'ts') out.push({ column: 'zg ts', backend: 'ts', threads: 1 });
  return out;
}

function fill(arr: TypedArray, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < arr.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    arr[i] = s / 2147483648 - 1;
  }
}

interface Side {
  name: string;
  before?: () => void;
  sample(): Promise<number>;
  seconds: number[];
}

interface Options {
  blocks: number;
  samplesPerBlock: number;
  settleMs: number;
  minSampleSeconds: number;
  warmup: number;
}

const settle = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const backendsSuite: Suite = {
  name: 'backends',
  description:
    'matmulTensor GFLOP/s per zerograd backend (TS, WASM SIMD ×1/×2, relaxed) vs numpy, tfjs-cpu and tfjs-wasm',
  async run(ctx: SuiteContext): Promise<Row[]> {
    const opts: Options = ctx.quick
      ? { blocks: 1, samplesPerBlock: 3, settleMs: 100, minSampleSeconds: 0.01, warmup: 2 }
      : { blocks: 3, samplesPerBlock: 3, settleMs: 150, minSampleSeconds: 0.05, warmup: 3 };
    const shapes = [...(ctx.quick ? [128, 512] : [128, 256, 512, 1024]).map(square), ...MNIST];
    const cases: MatmulCase[] = [];
    for (const dtype of ['float32', 'float64'] as const)
      for (const s of shapes) {
        const id = `${dtype} ${s.label}`;
        if (ctx.filter && !ctx.filter.test(id)) continue;
        cases.push({ id, m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB, dtype });
      }
    if (cases.length === 0) return [];

    const initial = backendInfo();
    const zg = configs();
    ctx.note('zerograd configurations', zg.map((c) => `${c.column} = ${c.backend}, ${c.threads} thread(s)`).join('; '));
    let numpy: PythonServer | null = null;
    if (hasNumpy()) {
      ctx.note('removed from numpy’s environment', pythonEnv().removed);
      numpy = new PythonServer(NUMPY_SCRIPT, ['--serve']);
      const info = await numpy.request<Record<string, unknown>>({ op: 'info' });
      const blas = info.blas as Record<string, unknown> | undefined;
      ctx.note('numpy', `${info.numpy}, ${blas?.name} ${blas?.version}, ${blas?.threads ?? '?'} threads`);
    } else ctx.log('numpy is not available: reference columns will be empty');
    const peers: MatmulPeer[] = [];
    for (const peer of [tfjsCpuPeer, tfjsWasmPeer]) {
      const ok = await peer.setup();
      if (ok === true) peers.push(peer);
      else ctx.log(`peer ${peer.name} skipped: ${ok}`);
    }

    const rows: Row[] = [];
    try {
      for (const c of cases) {
        ctx.log(`backends ${c.id}`);
        rows.push(...(await measure(c, zg, numpy, peers, opts)));
      }
    } finally {
      numpy?.close();
      setBackend(initial.requested, { threads: initial.threads });
    }
    return rows;
  },
};

async function measure(
  c: MatmulCase,
  zg: Config[],
  numpy: PythonServer | null,
  peers: MatmulPeer[],
  opts: Options,
): Promise<Row[]> {
  const { m, n, k, transA, transB } = c;
  const Arr = c.dtype === 'float32' ? Float32Array : Float64Array;
  const a = new Arr(m * k);
  const b = new Arr(k * n);
  fill(a, 1);
  fill(b, 2);
  const A = new Tensor(a, transA ? [k, m] : [m, k]);
  const B = new Tensor(b, transB ? [n, k] : [k, n]);
  const sides: Side[] = [];
  for (const z of zg) {
    const before = () => setBackend(z.backend, { threads: z.threads });
    const call = () => kernels.matmulTensor(A, B, transA, transB);
    before();
    call(); // starts the worker where there is one
    await settle(50);
    const calls = calibrate(call, opts.warmup, opts.minSampleSeconds).callsPerSample;
    sides.push({ name: z.column, before, seconds: [], sample: async () => sample(call, calls) });
  }
  if (numpy) {
    const np = numpy;
    const id = c.id;
    await np.request({
      op: 'prepare',
      case: { ...c, id },
      warmup: opts.warmup,
      minSampleSeconds: opts.minSampleSeconds,
    });
    sides.push({
      name: 'numpy',
      seconds: [],
      sample: async () => (await np.request<{ seconds: number[] }>({ op: 'sample', id, count: 1 })).seconds[0],
    });
  }
  for (const peer of peers) {
    const call = await peer.prepare(c);
    if (!call) continue;
    const calls = calibrate(call, opts.warmup, opts.minSampleSeconds).callsPerSample;
    sides.push({ name: peer.name, seconds: [], sample: async () => sample(call, calls) });
  }

  for (let block = 0; block < opts.blocks; block++)
    for (const side of sides) {
      side.before?.();
      await settle(opts.settleMs);
      for (let r = 0; r < opts.samplesPerBlock; r++) side.seconds.push(await side.sample());
    }
  if (numpy) await numpy.request({ op: 'release', id: c.id });
  for (const peer of peers) peer.release?.(c);

  const flops = 2 * m * n * k;
  const figure = (name: string) => {
    const side = sides.find((s) => s.name === name);
    return side ? flops / median(side.seconds) / 1e9 : null;
  };
  const spread: Record<string, [number, number]> = {};
  for (const side of sides)
    spread[side.name] = [flops / quantile(side.seconds, 0.75) / 1e9, flops / quantile(side.seconds, 0.25) / 1e9];
  const others = [...zg.slice(1).map((z) => z.column), ...peers.map((p) => p.name)];
  const params = { m, n, k, transA, transB, dtype: c.dtype, samples: opts.blocks * opts.samplesPerBlock };
  const zerograd = figure('zerograd') as number;
  const rows = [
    makeRow({
      suite: 'backends',
      name: c.id,
      unit: 'GFLOP/s',
      better: 'higher',
      zerograd,
      reference: figure('numpy'),
      referenceName: 'numpy',
      peers: Object.fromEntries(others.map((o) => [o, figure(o)])),
      spread,
      params,
    }),
  ];
  for (const ref of ['tfjs-wasm', 'tfjs-cpu']) {
    const r = figure(ref);
    if (r === null) continue;
    rows.push(
      makeRow({
        suite: 'backends-vs-tfjs',
        name: `${c.id} vs ${ref}`,
        unit: 'GFLOP/s',
        better: 'higher',
        zerograd,
        reference: r,
        referenceName: ref,
        params,
      }),
    );
  }
  return rows;
}

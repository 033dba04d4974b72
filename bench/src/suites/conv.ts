import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendInfo, conv2d, Random, type Tensor, variable } from '@zerograd/core';
import { Adam, Affine, Conv2d, MaxPool2d, ReLU, Sequential, SoftmaxWithLoss } from '@zerograd/layers';
import { hasNumpy, PythonServer, pythonEnv } from '../python.js';
import { calibrate, sample } from '../timing.js';
import { type Side, summarise, takeTurns } from '../turns.js';
import { makeRow, type Row, type Suite, type SuiteContext } from '../types.js';

/**
 * Chapter 7's convolutions, side by side: milliseconds for conv2d forward+backward on
 * SimpleConvNet's first layer (x 100×1×28×28, 30 filters of 5×5) and for one SimpleConvNet
 * training iteration (Conv 30@5×5 → ReLU → MaxPool 2×2 → Affine 100 → ReLU → Affine 10,
 * softmax loss, Adam; batch 100), all in float32. The reference is the book's own numpy
 * implementation (im2col, bench/numpy_conv.py); PyTorch on the CPU is a peer, run by Debian's
 * `/usr/bin/python3` (`python3-torch`), and its column is empty, with a note, where
 * `import torch` fails. Inputs are random (uniform pixels, random labels): the cost does not
 * depend on the values. For the conv row every side also computes conv forward+backward on the
 * same x, W, b and gy (written by zerograd to a temporary folder) and the results are compared,
 * so the sides are known to compute the same thing. Sides take turns, as in the other suites.
 */

const SCRIPT = fileURLToPath(new URL('../../numpy_conv.py', import.meta.url));
/** The interpreter that has PyTorch (Debian's python3-torch installs into the system python). */
const TORCH_PYTHON = process.env.ZEROGRAD_BENCH_TORCH_PYTHON ?? '/usr/bin/python3';
const [N, C, H, W, F, K] = [100, 1, 28, 28, 30, 5];

type CaseName = 'conv' | 'net';
const CASES: { key: CaseName; name: string }[] = [
  { key: 'conv', name: `float32 conv2d forward+backward, x ${N}×${C}×${H}×${W}, W ${F}×${C}×${K}×${K}` },
  { key: 'net', name: `float32 SimpleConvNet iteration (batch ${N}, Adam)` },
];

interface Options {
  blocks: number;
  samplesPerBlock: number;
  settleMs: number;
  minSampleSeconds: number;
  warmup: number;
}

type Checksums = Record<'y' | 'dx' | 'dW' | 'db', number>;

/** zerograd's conv forward+backward on fixed inputs, written to `dir` for the other sides: sums of squares. */
function zerogradCheck(dir: string): Checksums {
  const r = new Random(5);
  const x = variable(r.rand([N, C, H, W]).astype('float32'));
  const w = variable(r.randn([F, C, K, K]).astype('float32'));
  const b = variable(r.randn([F]).astype('float32'));
  const gy = r.randn([N, F, H - K + 1, W - K + 1]).astype('float32');
  const files: [string, Tensor][] = [
    ['x', x.data],
    ['w', w.data],
    ['b', b.data],
    ['gy', gy],
  ];
  for (const [name, t] of files)
    writeFileSync(join(dir, `${name}.f32`), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  const y = conv2d(x, w, b);
  y.backward({ seed: gy });
  const squares = (t: Tensor | undefined) => (t ? Array.from(t.data).reduce((s, v) => s + v * v, 0) : Number.NaN);
  return { y: squares(y.data), dx: squares(x.grad?.data), dW: squares(w.grad?.data), db: squares(b.grad?.data) };
}

/** "agree" when every checksum matches zerograd's within float32 rounding. */
function agreement(mine: Checksums, theirs: Checksums): string {
  const keys = Object.keys(mine) as (keyof Checksums)[];
  const worst = Math.max(...keys.map((k) => Math.abs(mine[k] - theirs[k]) / Math.abs(theirs[k])));
  return `${worst <= 1e-4 ? 'agree' : 'DISAGREE'} (max relative difference of the sums of squares of y, dx, dW, db: ${worst.toExponential(1)})`;
}

/** zerograd's side of a case: one call is one measured iteration. */
function zerogradCase(key: CaseName): () => void {
  const r = new Random(0);
  const x = variable(r.rand([N, C, H, W]).astype('float32'), { requiresGrad: key === 'conv' });
  if (key === 'conv') {
    const w = variable(r.randn([F, C, K, K]).astype('float32'));
    const b = variable(r.randn([F]).astype('float32'));
    const gy: Tensor = r.randn([N, F, H - K + 1, W - K + 1]).astype('float32');
    return () => {
      x.clearGrad();
      w.clearGrad();
      b.clearGrad();
      conv2d(x, w, b).backward({ seed: gy });
    };
  }
  const net = new Sequential([
    new Conv2d(C, F, K, { random: r }),
    new ReLU(),
    new MaxPool2d(2),
    new Affine(F * 12 * 12, 100, { init: 'he', random: r }),
    new ReLU(),
    new Affine(100, 10, { init: 'he', random: r }),
  ]).astype('float32');
  const t = Array.from(r.randint(0, 10, [N]).data);
  const loss = new SoftmaxWithLoss();
  const optimizer = new Adam(net, { lr: 0.001 });
  return () => {
    net.zeroGrad();
    loss.forward(net.forward(x), t).backward();
    optimizer.step();
  };
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
    'ms for conv2d forward+backward (SimpleConvNet’s first layer) and a SimpleConvNet iteration vs the book’s numpy im2col and PyTorch',
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
    const rows: Row[] = [];
    try {
      for (const c of cases) {
        ctx.log(`measuring ${c.name}`);
        rows.push(await measure(c, numpy?.server ?? null, torch?.server ?? null, opts, ctx));
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
  c: (typeof CASES)[number],
  numpy: PythonServer | null,
  torch: PythonServer | null,
  opts: Options,
  ctx: SuiteContext,
): Promise<Row> {
  const fn = zerogradCase(c.key);
  const dir = c.key === 'conv' ? mkdtempSync(join(tmpdir(), 'zg-conv-bench-')) : null;
  const mine = dir ? zerogradCheck(dir) : null;
  const calls = calibrate(fn, opts.warmup, opts.minSampleSeconds).callsPerSample;
  const sides: Side[] = [{ name: 'zerograd', seconds: [], sample: async () => sample(fn, calls) }];
  const servers: [string, PythonServer | null][] = [
    ['numpy', numpy],
    ['PyTorch', torch],
  ];
  for (const [name, server] of servers) {
    if (!server) continue;
    const id = `${c.key}-${name}`;
    const prepared = await server.request<{ check?: Checksums }>({
      op: 'prepare',
      id,
      case: c.key,
      impl: name === 'numpy' ? 'numpy' : 'torch',
      warmup: opts.warmup,
      minSampleSeconds: opts.minSampleSeconds,
      ...(dir ? { inputs: dir } : {}),
    });
    if (mine && prepared.check) ctx.note(`${c.name}: zerograd vs ${name}`, agreement(mine, prepared.check));
    sides.push({
      name,
      seconds: [],
      sample: async () => (await server.request<{ seconds: number[] }>({ op: 'sample', id, count: 1 })).seconds[0],
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  await takeTurns(sides, opts);
  for (const [name, server] of servers) await server?.request({ op: 'release', id: `${c.key}-${name}` });

  const figure = (name: string) => {
    const side = sides.find((s) => s.name === name);
    return side ? summarise(side, 1e3) : null;
  };
  const zg = figure('zerograd');
  const np = figure('numpy');
  const pt = figure('PyTorch');
  return makeRow({
    suite: 'conv',
    name: c.name,
    unit: 'ms/iter',
    better: 'lower',
    zerograd: zg?.value ?? Number.NaN,
    reference: np?.value ?? null,
    referenceName: 'numpy (book im2col)',
    peers: { PyTorch: pt?.value ?? null },
    spread: {
      ...(zg ? { zerograd: zg.spread } : {}),
      ...(np ? { 'numpy (book im2col)': np.spread } : {}),
      ...(pt ? { PyTorch: pt.spread } : {}),
    },
    params: {
      dtype: 'float32',
      batch: N,
      input: [N, C, H, W],
      filters: [F, C, K, K],
      samples: opts.blocks * opts.samplesPerBlock,
      callsPerSample: calls,
      ...(zg && pt ? { ratioToPyTorch: zg.value / pt.value } : {}),
    },
  });
}

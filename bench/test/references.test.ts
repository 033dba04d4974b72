import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildNet, CHAPTER5, epochBatches, trainStep } from '../src/nets.js';
import { hasNumpy, PYTHON, PythonServer, pythonEnv } from '../src/python.js';

// The references the training, scalar and memory suites compare against must compute what
// they claim (right gradients, falling losses, the same numbers as zerograd) — otherwise a
// ratio means nothing. Nothing here is timed.

const BENCH = fileURLToPath(new URL('../', import.meta.url));
const TWOLAYER = join(BENCH, 'numpy_twolayer.py');

/** Runs a Python snippet with bench/ on its path; returns the JSON it prints. */
function python<T>(code: string): T {
  const r = spawnSync(PYTHON, ['-c', code], { cwd: BENCH, env: pythonEnv().env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe.skipIf(!hasNumpy())('numpy_twolayer.py', () => {
  it('backpropagates the gradients central differences give, with and without hidden layers', () => {
    const got = python<{ worst: number; checked: number }>(`
import json, numpy as np, numpy_twolayer as m
rng = np.random.default_rng(3)
worst, checked = 0.0, 0
for sizes in ([5, 4, 3], [6, 5, 4, 3]):
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params += [rng.standard_normal((a, b)), rng.standard_normal(b)]
    x = rng.standard_normal((7, sizes[0]))
    t = rng.integers(0, sizes[-1], 7)
    net = m.Net(params, 0.0, m.SGD(0.0))
    net.step(x, t)  # lr 0: computes the gradients, leaves the parameters
    grads = [g for a in net.affines for g in (a.dW, a.db)]
    def loss():
        h = x
        for layer in net.layers:
            h = layer.forward(h)
        return net.loss_layer.forward(h, t)
    for p, g in zip(params, grads):
        for i in np.ndindex(p.shape):
            keep = p[i]
            p[i] = keep + 1e-6; up = loss()
            p[i] = keep - 1e-6; down = loss()
            p[i] = keep
            num = (up - down) / 2e-6
            worst = max(worst, abs(num - g[i]) / max(1e-4, abs(num)))  # relative, absolute below 1e-4
            checked += 1
print(json.dumps({"worst": worst, "checked": checked}))
`);
    expect(got.checked).toBe(5 * 4 + 4 + 4 * 3 + 3 + (6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3)); // every W and b entry
    expect(got.worst).toBeLessThan(1e-5); // central differences are good to ~1e-6; a wrong backward is off by O(1)
  });

  it('updates as Adam and inverted Dropout are defined', () => {
    const got = python<{ adam: number; dropoutMean: number; dropoutValues: number[] }>(`
import json, numpy as np, numpy_twolayer as m
w = np.array([1.0, -2.0]); g = np.array([0.5, -0.25])
opt = m.Adam(0.1)
for _ in range(2):
    opt.update([w], [g])
# by hand: constant gradient, so m_hat = g and v_hat = g^2 every step: w moves by lr * sign(g) twice
expected = np.array([1.0, -2.0]) - 2 * 0.1 * g / (np.abs(g) + 1e-8)
d = m.Dropout(0.3, np.random.default_rng(0))
y = d.forward(np.ones((200, 50)))
print(json.dumps({"adam": float(np.max(np.abs(w - expected))), "dropoutMean": float(y.mean()),
                  "dropoutValues": sorted(set(np.round(y, 6).ravel().tolist()))}))
`);
    expect(got.adam).toBeLessThan(1e-7);
    expect(got.dropoutValues).toEqual([0, Number((1 / 0.7).toFixed(6))]);
    expect(Math.abs(got.dropoutMean - 1)).toBeLessThan(0.03);
  });

  it('computes the same losses as zerograd from the same parameters and MNIST batches', async () => {
    const data = epochBatches(0, ['float64']);
    const server = new PythonServer(TWOLAYER, ['--serve']);
    try {
      const built = buildNet(CHAPTER5, 'float64');
      const params = data.writeParams('check', built.net);
      const batches = data.batches.float64 ?? [];
      const zerograd = batches.map((b) => trainStep(built, b.x, b.t)); // one epoch, 80 batches
      const numpy = await server.request<{ losses: number[] }>({
        op: 'prepare',
        id: 'check',
        dir: data.dir,
        rows: data.rows,
        batchSize: 100,
        sizes: CHAPTER5.sizes,
        optimizer: 'sgd',
        lr: CHAPTER5.lr,
        params,
        dtype: 'float64',
        checkIterations: batches.length,
        warmup: 0,
        minSampleSeconds: 0,
      });
      expect(numpy.losses).toHaveLength(80);
      for (let i = 0; i < 80; i++) expect(numpy.losses[i]).toBeCloseTo(zerograd[i], 10);
      expect(zerograd[79]).toBeLessThan(2); // and it learns (ln 10 ≈ 2.30 at the start)
    } finally {
      server.close();
      data.dispose();
    }
  });

  it('--memory trains (the loss falls) and reports the RSS after each epoch and its peak', () => {
    // Two separable classes of synthetic "digits": bright left half or bright right half.
    const dir = mkdtempSync(join(os.tmpdir(), 'zerograd-bench-test-'));
    try {
      const rows = 400;
      const x = new Uint8Array(rows * 784);
      const t = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) {
        t[r] = r % 2;
        for (let p = 0; p < 784; p++) x[r * 784 + p] = p % 28 < 14 === (t[r] === 0) ? 200 : (r * 7 + p) % 40;
      }
      writeFileSync(join(dir, 'x.u8'), x);
      writeFileSync(join(dir, 't.u8'), t);
      const params = new Float64Array(784 * 50 + 50 + 50 * 10 + 10).map((_, i) => 0.01 * Math.sin(i * 12.9898));
      writeFileSync(join(dir, 'p.f64'), new Uint8Array(params.buffer));
      const request = {
        dir,
        rows,
        batchSize: 100,
        epochs: 3,
        sizes: [784, 50, 10],
        lr: 0.1,
        params: 'p.f64',
        dtype: 'float32',
      };
      const r = spawnSync(PYTHON, [TWOLAYER, '--memory', JSON.stringify(request)], {
        env: pythonEnv().env,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { rssAfterEpoch: number[]; peakRss: number; losses: number[] };
      expect(out.rssAfterEpoch).toHaveLength(3);
      expect(out.rssAfterEpoch[0]).toBeGreaterThan(10 * 2 ** 20);
      expect(out.peakRss).toBeGreaterThanOrEqual(Math.max(...out.rssAfterEpoch) * 0.99);
      expect(out.losses[2]).toBeLessThan(out.losses[0] * 0.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('python_scalar.py', () => {
  it('differentiates a known function and counts its nodes', () => {
    const got = python<{ value: number; ga: number; gb: number; gc: number; nodes: number }>(`
import json
from python_scalar import Scalar
a, b, c = Scalar(2.0), Scalar(-3.0), Scalar(0.5)
# f = relu(a*b + c*c) + (a - b) * a * 4   with a*b + c*c = -5.75 < 0, so the ReLU branch is 0
f = (a * b + c * c).relu() + (a - b) * a * 4
nodes = f.backward()
print(json.dumps({"value": f.value, "ga": a.grad, "gb": b.grad, "gc": c.grad, "nodes": nodes}))
`);
    // f = 4a² − 4ab on this side of the kink: ∂f/∂a = 8a − 4b = 28, ∂f/∂b = −4a = −8, ∂f/∂c = 0
    expect(got.value).toBe(40);
    expect(got.ga).toBe(28);
    expect(got.gb).toBe(-8);
    expect(got.gc).toBe(0);
    // a, b, c, a·b, c·c, +, relu, a−b, ·a, 4, ·4, + : 12 distinct nodes
    expect(got.nodes).toBe(12);
  });

  it('accumulates the gradient of a node used by many others (fan-out)', () => {
    const got = python<{ g: number }>(`
import json
from python_scalar import Scalar
x = Scalar(3.0)
y = x
for _ in range(50):
    y = y * x          # x^51
y.backward()
print(json.dumps({"g": x.grad / (51 * 3.0 ** 50)}))
`);
    expect(got.g).toBeCloseTo(1, 12);
  });

  it('serves the MLP graph: loss, gradients and node count of a tiny batch', async () => {
    const server = new PythonServer(join(BENCH, 'python_scalar.py'), ['--serve']);
    try {
      // One neuron per layer: y = w2·relu(w1·x + b1) + b2; loss = (y − t)² · (1/1)
      const tiny = {
        op: 'prepare',
        id: 'tiny',
        sizes: [1, 1, 1],
        params: [[[2, 1]], [[3, -1]]],
        inputs: [[0.5]],
        targets: [1],
        warmup: 0,
        minSampleSeconds: 0,
      };
      type Prepared = { nodes: number; loss: number; paramGrads: number[][]; inputGrads: number[][] };
      const got = await server.request<Prepared>(tiny);
      // h = 2·0.5 + 1 = 2; y = 3·2 − 1 = 5; loss = 16; dL/dy = 8
      expect(got.loss).toBe(16);
      expect(got.paramGrads).toEqual([
        [8 * 3 * 0.5, 8 * 3],
        [8 * 2, 8],
      ]);
      expect(got.inputGrads).toEqual([[8 * 3 * 2]]);
      // leaves w1 b1 w2 b2 x t; w1·x, +b1, relu, w2·h, +b2, −t, d·d, 1/1, ·(1/1)
      expect(got.nodes).toBe(15);
      // With the cyclic collector paused for the pass: the same numbers.
      const again = await server.request<Prepared>({ ...tiny, id: 'tiny, gc off', gc: false });
      expect(again.loss).toBe(16);
      expect(again.paramGrads).toEqual(got.paramGrads);
    } finally {
      server.close();
    }
  });
});

describe('memory-child.ts', () => {
  it('trains the chapter-5 net in its own process and reports RSS per epoch, its peak and falling losses', () => {
    const r = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', join(BENCH, 'src/memory-child.ts'), '--epochs', '2'],
      { cwd: BENCH, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      rssAfterEpoch: number[];
      peakRss: number;
      losses: number[];
      iterations: number;
    };
    expect(out.iterations).toBe(160); // 8,000 digits in batches of 100, twice
    expect(out.rssAfterEpoch).toHaveLength(2);
    expect(out.peakRss).toBeGreaterThanOrEqual(Math.max(...out.rssAfterEpoch));
    expect(out.losses[1]).toBeLessThan(out.losses[0]);
  });
});

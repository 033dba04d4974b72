import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { conv2d, maxPool2d, Random, variable } from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import { deepConvNet, simpleConvNet } from '../src/conv-nets.js';
import { hasNumpy, PYTHON, pythonEnv } from '../src/python.js';

// The conv suite's numpy reference (bench/numpy_conv.py, the book's im2col implementation)
// must compute what it claims — the same convolution and pooling as zerograd, with the right
// gradients — or its ratio means nothing. Nothing here is timed.

const BENCH = fileURLToPath(new URL('../', import.meta.url));

/** Runs a Python snippet with bench/ on its path and `data` as JSON on stdin; returns the JSON it prints. */
function python<T>(code: string, data: unknown = null, interpreter = PYTHON): T {
  const r = spawnSync(interpreter, ['-c', code], {
    cwd: BENCH,
    env: pythonEnv().env,
    encoding: 'utf8',
    input: JSON.stringify(data),
  });
  if (r.status !== 0) throw new Error(`python failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe.skipIf(!hasNumpy())('numpy_conv.py', () => {
  it('computes zerograd’s conv2d and max pooling, forward and backward, over strides and pads', () => {
    const r = new Random(11);
    for (const { x: xs, w: ws, stride, pad } of [
      { x: [2, 3, 7, 7], w: [4, 3, 3, 3], stride: 2, pad: 1 },
      { x: [3, 1, 8, 8], w: [5, 1, 5, 5], stride: 1, pad: 0 },
      { x: [1, 2, 6, 6], w: [2, 2, 3, 3], stride: 1, pad: 2 },
    ]) {
      const x = variable(r.randn(xs));
      const w = variable(r.randn(ws));
      const b = variable(r.randn([ws[0]]));
      const y = conv2d(x, w, b, { stride, pad });
      const gy = r.randn(y.shape);
      y.backward({ seed: gy });
      const py = python<{ y: number[]; dx: number[]; dW: number[]; db: number[] }>(
        `
import json, sys, numpy as np, numpy_conv as m
d = json.load(sys.stdin)
arr = lambda k: np.array(d[k]["data"], dtype=np.float64).reshape(d[k]["shape"])
conv = m.Convolution(arr("w"), arr("b"), d["stride"], d["pad"])
y = conv.forward(arr("x"))
dx = conv.backward(arr("gy"))
print(json.dumps({"y": y.ravel().tolist(), "dx": dx.ravel().tolist(), "dW": conv.dW.ravel().tolist(), "db": conv.db.ravel().tolist()}))
`,
        {
          x: { data: Array.from(x.data.data), shape: xs },
          w: { data: Array.from(w.data.data), shape: ws },
          b: { data: Array.from(b.data.data), shape: [ws[0]] },
          gy: { data: Array.from(gy.data), shape: gy.shape },
          stride,
          pad,
        },
      );
      const close = (got: ArrayLike<number>, want: readonly number[], what: string) => {
        expect(got.length, what).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(got[i], `${what}[${i}]`).toBeCloseTo(want[i], 9);
      };
      close(y.data.data, py.y, 'y');
      close(x.grad?.data.data ?? [], py.dx, 'dx');
      close(w.grad?.data.data ?? [], py.dW, 'dW');
      close(b.grad?.data.data ?? [], py.db, 'db');
    }

    const x = variable(new Random(2).randn([2, 3, 6, 6]));
    const y = maxPool2d(x, { kernel: 2 });
    const gy = new Random(3).randn(y.shape);
    y.backward({ seed: gy });
    const py = python<{ y: number[]; dx: number[] }>(
      `
import json, sys, numpy as np, numpy_conv as m
d = json.load(sys.stdin)
pool = m.Pooling(2, 2, stride=2)
y = pool.forward(np.array(d["x"], dtype=np.float64).reshape(2, 3, 6, 6))
dx = pool.backward(np.array(d["gy"], dtype=np.float64).reshape(y.shape))
print(json.dumps({"y": y.ravel().tolist(), "dx": dx.ravel().tolist()}))
`,
      { x: Array.from(x.data.data), gy: Array.from(gy.data) },
    );
    expect(Array.from(y.data.data)).toEqual(py.y);
    expect(Array.from(x.grad?.data.data ?? [])).toEqual(py.dx);
  });

  it('trains: SimpleConvNet’s loss falls on a fixed batch', () => {
    const got = python<{ first: number; last: number }>(`
import json, numpy as np, numpy_conv as m
rng = np.random.default_rng(0)
net = m.SimpleConvNet(rng)
x = rng.random((m.N, m.C, m.H, m.W), dtype=np.float32)
t = rng.integers(0, 10, m.N)
losses = [float(net.step(x, t)) for _ in range(30)]
print(json.dumps({"first": losses[0], "last": losses[-1]}))
`);
    expect(got.first).toBeGreaterThan(1.5); // about ln 10 for ten random classes
    expect(got.last).toBeLessThan(got.first / 2); // memorising one batch of random labels (2.58 → 1.06 observed)
  }, 60_000);

  it('builds DeepConvNet with zerograd’s parameter shapes, and it learns a fixed batch', () => {
    const zerograd = deepConvNet(new Random(0))
      .parameters()
      .map((p) => p.shape);
    expect(zerograd.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0)).toBe(123_552); // the book's net
    // SimpleConvNet too, since both nets share numpy_conv.Net.
    const simple = simpleConvNet(new Random(0))
      .parameters()
      .map((p) => p.shape);
    const got = python<{ deep: number[][]; simple: number[][]; losses: number[] }>(`
import json, numpy as np, numpy_conv as m
rng = np.random.default_rng(0)
net = m.DeepConvNet(rng)
shapes = [list(p.shape) for p in net.params.values()]
x = rng.random((10, m.C, m.H, m.W), dtype=np.float32)  # the net takes any batch size
t = rng.integers(0, 10, 10)
losses = [float(net.step(x, t)) for _ in range(25)]
print(json.dumps({"deep": shapes, "simple": [list(p.shape) for p in m.SimpleConvNet(rng).params.values()], "losses": losses}))
`);
    expect(got.deep).toEqual(zerograd);
    expect(got.simple).toEqual(simple);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Dropout on the logits makes single steps noisy; seeded, the first five average 2.51 and the
    // last five 2.14. A backward that broke a layer would leave the loss near ln 10 = 2.30 or above.
    expect(mean(got.losses.slice(-5))).toBeLessThan(mean(got.losses.slice(0, 5)) - 0.2);
  }, 60_000);

  const torchPython = process.env.ZEROGRAD_BENCH_TORCH_PYTHON ?? '/usr/bin/python3';
  const hasTorch = spawnSync(torchPython, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasTorch)(
    'builds PyTorch’s DeepConvNet with the same parameters (Linear weights stored transposed)',
    () => {
      const zerograd = deepConvNet(new Random(0))
        .parameters()
        .map((p) => p.shape);
      const torch = python<number[][]>(
        `
import json, torch, numpy_conv as m
net = m.torch_deep_conv_net(torch)
print(json.dumps([list(p.shape)[::-1] if p.dim() == 2 else list(p.shape) for p in net.parameters()]))
`,
        null,
        torchPython,
      );
      expect(torch).toEqual(zerograd);
    },
  );
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conv2d, noGrad, Random, releaseGraph, type Tensor, variable } from '@zerograd/core';
import { Adam, Affine, Conv2d, Dropout, MaxPool2d, ReLU, Sequential, SoftmaxWithLoss } from '@zerograd/layers';
import type { ConvCase, ConvWork } from './peers/index.js';

/**
 * zerograd's side of the conv suite: the conv2d calls and the book's two convolutional nets,
 * built here from @zerograd/layers the way examples/src/cnn.ts builds them (the bench does not
 * import the examples), and the fixed inputs every side checks its conv2d results on.
 */

/** SimpleConvNet's first layer and batch: x `[N, C, H, W]`, filters `[F, C, K, K]`. */
export const [N, C, H, W, F, K] = [100, 1, 28, 28, 30, 5];

/** The rows of the conv suite: two of one conv2d layer, two of a whole training iteration. */
export type ConvCaseName = 'forward' | 'conv' | 'net' | 'deep';

/** Sums of squares of a conv2d call's results (y alone for a forward), what the sides compare. */
export type Checksums = Partial<Record<'y' | 'dx' | 'dW' | 'db', number>>;

/** Sums of squares, in float64 (they do not depend on the layout, so NCHW and NHWC compare). */
export const squares = (a: ArrayLike<number> | undefined): number =>
  a ? Array.from(a).reduce((s, v) => s + v * v, 0) : Number.NaN;

/** The book's SimpleConvNet (chapter 7), He-initialised, float32. */
export function simpleConvNet(random: Random): Sequential {
  return new Sequential([
    new Conv2d(C, F, K, { random }), // → [N, 30, 24, 24]
    new ReLU(),
    new MaxPool2d(2), // → [N, 30, 12, 12]
    new Affine(F * 12 * 12, 100, { init: 'he', random }),
    new ReLU(),
    new Affine(100, 10, { init: 'he', random }),
  ]).astype('float32');
}

/**
 * The book's DeepConvNet (chapter 8), as examples/src/cnn.ts `deepConvNet()`: six 3×3
 * convolutions (16, 16, 32, 32, 64, 64 filters; pads 1, 1, 1, 2, 1, 1) with ReLU, 2×2 max
 * pooling after every second (28 → 14 → 8 → 4), then Affine 50 → ReLU → Dropout 0.5 →
 * Affine 10 → Dropout 0.5; He init, float32.
 */
export function deepConvNet(random: Random): Sequential {
  const conv = (c: number, f: number, pad: number) => new Conv2d(c, f, 3, { pad, random });
  return new Sequential([
    conv(C, 16, 1),
    new ReLU(),
    conv(16, 16, 1),
    new ReLU(),
    new MaxPool2d(2), // → 16×14×14
    conv(16, 32, 1),
    new ReLU(),
    conv(32, 32, 2), // 14 + 2·2 − 3 + 1 = 16, so the next pooling gives 8×8
    new ReLU(),
    new MaxPool2d(2), // → 32×8×8
    conv(32, 64, 1),
    new ReLU(),
    conv(64, 64, 1),
    new ReLU(),
    new MaxPool2d(2), // → 64×4×4
    new Affine(64 * 4 * 4, 50, { init: 'he', random }),
    new ReLU(),
    new Dropout(0.5, { random }),
    new Affine(50, 10, { init: 'he', random }),
    new Dropout(0.5, { random }),
  ]).astype('float32');
}

/** zerograd's side of a row: one call is one measured iteration. */
export function zerogradCase(key: ConvCaseName): () => void {
  const r = new Random(0);
  const x = variable(r.rand([N, C, H, W]).astype('float32'), { requiresGrad: key === 'conv' });
  if (key === 'forward' || key === 'conv') {
    const w = variable(r.randn([F, C, K, K]).astype('float32'));
    const b = variable(r.randn([F]).astype('float32'));
    // Under noGrad no graph is recorded: the forward alone, as an inference would run it.
    if (key === 'forward') return () => void noGrad(() => conv2d(x, w, b));
    const gy: Tensor = r.randn([N, F, H - K + 1, W - K + 1]).astype('float32');
    return () => {
      x.clearGrad();
      w.clearGrad();
      b.clearGrad();
      conv2d(x, w, b).backward({ seed: gy });
    };
  }
  const net = key === 'net' ? simpleConvNet(r) : deepConvNet(r);
  const t = Array.from(r.randint(0, 10, [N]).data);
  const loss = new SoftmaxWithLoss();
  const optimizer = new Adam(net, { lr: 0.001 });
  // As examples/src/cnn.ts trains them (`train({ recycle: true })`): each step's forward
  // values go back to the buffer pool for the next step (SimpleConvNet 42–47 → 35–42 ms).
  return () => {
    net.zeroGrad();
    const l = loss.forward(net.forward(x), t);
    l.backward();
    optimizer.step();
    releaseGraph(l);
  };
}

/**
 * zerograd's conv2d on fixed inputs, for the sides to compare against: x, W, b and the upstream
 * gradient gy are written to `dir` (raw float32, C order) for the Python sides and returned for
 * the in-process peers, with the sums of squares of zerograd's results — y alone for
 * `'forward'`, y, dx, dW and db for `'forward+backward'`.
 */
export function zerogradCheck(dir: string, work: ConvWork): { sums: Checksums; inputs: ConvCase } {
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
  const f32 = (t: Tensor) => t.data as Float32Array;
  const inputs: ConvCase = {
    n: N,
    c: C,
    h: H,
    w: W,
    f: F,
    k: K,
    x: f32(x.data),
    weight: f32(w.data),
    bias: f32(b.data),
    gy: f32(gy),
  };
  if (work === 'forward') return { sums: { y: squares(noGrad(() => conv2d(x, w, b)).data.data) }, inputs };
  const y = conv2d(x, w, b);
  y.backward({ seed: gy });
  const sums = {
    y: squares(y.data.data),
    dx: squares(x.grad?.data.data),
    dW: squares(w.grad?.data.data),
    db: squares(b.grad?.data.data),
  };
  return { sums, inputs };
}

// exportOnnx, judged by ONNX Runtime: the exported model must compute zerograd's numbers, on
// the book's nets and on a random family of programs over the exportable ops.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  concat,
  cumsum,
  type DType,
  flip,
  GraphError,
  maximum,
  minimum,
  newAxis,
  pad,
  Random,
  ShapeError,
  slice,
  split,
  sum,
  sumTo,
  type Tensor,
  tensor,
  type Variable,
  variable,
} from '@zerograd/core';
import { propertyParameters } from '@zerograd/core/testing';
import {
  Affine,
  AvgPool2d,
  affine,
  BatchNorm,
  Conv2d,
  Dropout,
  logSoftmax,
  MaxPool2d,
  ReLU,
  Sequential,
  Sigmoid,
  softmax,
  softmaxCrossEntropy,
  Tanh,
} from '@zerograd/layers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModel, exportOnnx, importOnnx, saveOnnx, toOnnxModel } from '../src/index.js';
import { maxDisagreement, runOrt } from './support/onnx-runtime.js';

const TOL: Record<'float32' | 'float64', number> = { float64: 1e-12, float32: 1e-6 };

/** The book's TwoLayerNet (Affine 784→50, ReLU, Affine 50→10), as examples/src/mnist.ts builds it. */
function chapter5Net(dtype: DType, seed = 1) {
  const random = new Random(seed);
  return new Sequential([
    new Affine(784, 50, { init: 'he', random }),
    new ReLU(),
    new Affine(50, 10, { init: 'he', random }),
  ]).astype(dtype);
}

/** The stronger net with BatchNorm added: Affine, BatchNorm, ReLU, Dropout, … (run in eval mode). */
function strongerNet(dtype: DType, seed = 2) {
  const random = new Random(seed);
  const net = new Sequential([
    new Affine(784, 100, { init: 'he', random }),
    new BatchNorm(100),
    new ReLU(),
    new Dropout(0.3, { seed }),
    new Affine(100, 100, { init: 'he', random, activation: 'relu' }),
    new Dropout(0.3, { seed: seed + 1 }),
    new Affine(100, 10, { init: 'he', random }),
  ]).astype(dtype);
  // Training-mode passes give BatchNorm running statistics that are not the defaults.
  for (let i = 0; i < 3; i++) net.forward(random.rand([16, 784], { dtype }));
  return net;
}

const pixels = (n: number, dtype: DType, seed: number) => new Random(seed).rand([n, 784], { dtype });

async function agreement(model: Parameters<typeof exportOnnx>[0], example: Tensor, x: Tensor, zerograd: () => Tensor) {
  const ort = await runOrt(exportOnnx(model, example), { input: x });
  const ours = zerograd();
  expect(ort.output.dims).toEqual(ours.shape);
  return maxDisagreement(ort.output.data, ours.data as ArrayLike<number>);
}

describe('exportOnnx runs in ONNX Runtime with zerograd’s numbers', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`the chapter-5 net (${dtype}), on a batch size other than the example's`, async () => {
      const net = chapter5Net(dtype);
      const x = pixels(37, dtype, 3);
      const d = await agreement(net, pixels(2, dtype, 4), x, () => net.forward(x).data);
      expect(d).toBeLessThanOrEqual(TOL[dtype]);
    });

    it(`the stronger net with Dropout and BatchNorm, in eval mode (${dtype})`, async () => {
      const net = strongerNet(dtype);
      expect(net.training).toBe(true);
      const x = pixels(1000, dtype, 5);
      const bytes = exportOnnx(net, pixels(4, dtype, 6));
      expect(net.training).toBe(true); // the modes come back after the trace
      const ort = await runOrt(bytes, { input: x });
      net.eval();
      const ours = net.forward(x).data;
      expect(maxDisagreement(ort.output.data, ours.data as ArrayLike<number>)).toBeLessThanOrEqual(TOL[dtype]);
      // And not the training-mode numbers: those differ (Dropout drops, BatchNorm uses the batch).
      net.train();
      expect(maxDisagreement(ort.output.data, net.forward(x).data.data as ArrayLike<number>)).toBeGreaterThan(1e-3);
    });
  }

  it('softmax and log-softmax outputs: the shift is exported as a ReduceMax of the input', async () => {
    const net = chapter5Net('float64');
    const f = (x: Variable) => [softmax(net.forward(x)), logSoftmax(net.forward(x))];
    const model = toOnnxModel(f, pixels(3, 'float64', 7));
    expect(model.graph.nodes.filter((n) => n.opType === 'ReduceMax')).toHaveLength(2);
    const x = new Random(8).rand([9, 784], { low: -30, high: 30 }); // large scores: a fixed shift would overflow exp
    const ort = await runOrt(exportOnnx(f, pixels(3, 'float64', 7)), { input: x });
    const [p, lp] = f(variable(x, { requiresGrad: false }));
    expect(maxDisagreement(ort.output0.data, p.data.data as ArrayLike<number>)).toBeLessThanOrEqual(1e-12);
    expect(maxDisagreement(ort.output1.data, lp.data.data as ArrayLike<number>)).toBeLessThanOrEqual(1e-12);
  });

  it('a convolutional net (Conv, MaxPool, AveragePool with padding, float32), and back', async () => {
    const random = new Random(11);
    const net = new Sequential([
      new Conv2d(1, 4, 3, { pad: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new AvgPool2d(3, { stride: 1, pad: 1 }),
      new Affine(4 * 4 * 4, 5, { init: 'he', random }),
    ]).astype('float32');
    const model = toOnnxModel(net, random.rand([2, 1, 8, 8], { dtype: 'float32' }));
    expect(model.graph.nodes.map((n) => n.opType)).toEqual([
      'Conv',
      'Relu',
      'MaxPool',
      'AveragePool',
      'Reshape',
      'MatMul',
      'Add',
    ]);
    const x = random.randn([7, 1, 8, 8], { dtype: 'float32' });
    const ort = await runOrt(exportOnnx(net, random.rand([2, 1, 8, 8], { dtype: 'float32' })), { input: x });
    const ours = net.eval().forward(x).data;
    expect(ort.output.dims).toEqual([7, 5]);
    expect(maxDisagreement(ort.output.data, ours.data as ArrayLike<number>)).toBeLessThanOrEqual(1e-6);
    const back = importOnnx(exportOnnx(net, random.rand([2, 1, 8, 8], { dtype: 'float32' })));
    expect(Array.from(back.forward(x).data.data)).toEqual(Array.from(ours.data));
  });

  it('saveOnnx writes the bytes atomically (no temporary file is left)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zerograd-onnx-'));
    try {
      const net = chapter5Net('float32');
      const bytes = await saveOnnx(join(dir, 'net.onnx'), net, pixels(2, 'float32', 1));
      expect(new Uint8Array(readFileSync(join(dir, 'net.onnx')))).toEqual(bytes);
      expect(readdirSync(dir)).toEqual(['net.onnx']);
      await expect(saveOnnx(join(dir, 'missing', 'net.onnx'), net, pixels(2, 'float32', 1))).rejects.toThrow(/ENOENT/);
      expect(readdirSync(dir)).toEqual(['net.onnx']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the layer structure: doc_strings carry scopes, initializers carry parameter names', () => {
    const model = toOnnxModel(chapter5Net('float32'), pixels(2, 'float32', 1));
    const { graph } = model;
    expect(model.opset).toBe(17);
    expect(graph.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['N', 784] }]);
    expect(graph.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: ['N', 10] }]);
    expect(graph.initializers.map((t) => [t.name, t.dtype, t.dims])).toEqual([
      ['affine1.W', 'float32', [784, 50]],
      ['affine1.b', 'float32', [50]],
      ['affine2.W', 'float32', [50, 10]],
      ['affine2.b', 'float32', [10]],
    ]);
    expect(graph.nodes.map((n) => [n.opType, n.docString])).toEqual([
      ['MatMul', 'Sequential/affine1'],
      ['Add', 'Sequential/affine1'],
      ['Relu', 'Sequential/relu1'],
      ['MatMul', 'Sequential/affine2'],
      ['Add', 'Sequential/affine2'],
    ]);
    // The bytes say the same: decoding the encoding gives the model back.
    const decoded = decodeModel(exportOnnx(chapter5Net('float32'), pixels(2, 'float32', 1)));
    expect(decoded.graph.nodes.map((n) => n.docString)).toEqual(graph.nodes.map((n) => n.docString));
    expect(decoded.graph.initializers[0].data).toEqual(graph.initializers[0].data);
  });

  it('an op with no ONNX mapping is a GraphError naming the op and its scope', () => {
    const net = chapter5Net('float64');
    const t = tensor([1, 2]);
    expect(() => exportOnnx((x) => softmaxCrossEntropy(net.forward(x), t), pixels(2, 'float64', 1))).toThrow(
      GraphError,
    );
    expect(() => exportOnnx((x) => softmaxCrossEntropy(net.forward(x), t), pixels(2, 'float64', 1))).toThrow(
      /op 'SoftmaxCrossEntropy' has no ONNX mapping/,
    );
  });

  it('refuses what it cannot export faithfully', () => {
    const net = new Sequential([new Affine(4, 3, { seed: 0 }), new Dropout(0.5, { seed: 0 })]);
    const x = new Random(0).randn([5, 4]);
    // A training-mode Dropout mask is a constant shaped like the batch: exporting it would be wrong.
    expect(() => exportOnnx((v) => net.forward(v), x)).toThrow(/first axis follows the batch/);
    // A batch of one cannot tell the batch axis from a broadcast one.
    expect(() => exportOnnx(net, new Random(0).randn([1, 4]))).toThrow(ShapeError);
    expect(() => exportOnnx(net, x, { inputNames: ['a', 'b'] })).toThrow(/one distinct name per input/);
  });
});

// ---- a random family of programs ----------------------------------------------------------

type Step =
  | { kind: 'unary'; f: 'tanh' | 'sigmoid' | 'relu' | 'neg' | 'abs' | 'expTanh' | 'square' | 'sqrtAbs' | 'logAbs' }
  | { kind: 'param'; f: 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' }
  | { kind: 'matmul'; out: number; fused: boolean }
  | {
      kind:
        | 'softmax'
        | 'logSoftmax'
        | 'sumKeep'
        | 'maxKeep'
        | 'meanKeep'
        | 'broadcast'
        | 'reshapeT'
        | 'sumTo'
        | 'layer'
        | 'splitConcat'
        | 'flip'
        | 'pad'
        | 'cumsum';
    }
  | { kind: 'slice'; from: number; cut: number; step: number }
  | { kind: 'pick'; at: number; columns: readonly number[] };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('unary' as const),
    f: fc.constantFrom('tanh', 'sigmoid', 'relu', 'neg', 'abs', 'expTanh', 'square', 'sqrtAbs', 'logAbs'),
  }),
  fc.record({
    kind: fc.constant('param' as const),
    f: fc.constantFrom('add', 'sub', 'mul', 'div', 'maximum', 'minimum'),
  }),
  fc.record({ kind: fc.constant('matmul' as const), out: fc.integer({ min: 1, max: 6 }), fused: fc.boolean() }),
  fc.record({
    kind: fc.constantFrom(
      'softmax',
      'logSoftmax',
      'sumKeep',
      'maxKeep',
      'meanKeep',
      'broadcast',
      'reshapeT',
      'sumTo',
      'layer',
      'splitConcat',
      'flip',
      'pad',
      'cumsum',
    ),
  }),
  // x[:, from:−cut:step] (or backwards), x[:, at, None], x[:, columns]: cut to fit the width.
  fc.record({
    kind: fc.constant('slice' as const),
    from: fc.nat(2),
    cut: fc.nat(2),
    step: fc.constantFrom(1, 2, -1, -2),
  }),
  fc.record({
    kind: fc.constant('pick' as const),
    at: fc.integer({ min: -4, max: 3 }),
    columns: fc.array(fc.integer({ min: -4, max: 3 }), { minLength: 0, maxLength: 4 }),
  }),
) as fc.Arbitrary<Step>;

/** The program as a function of its input, with parameters drawn once from `seed`. */
function program(steps: readonly Step[], features: number, dtype: DType, seed: number) {
  const random = new Random(seed);
  let f = features;
  const ops: ((x: Variable) => Variable)[] = [];
  for (const s of steps) {
    const width = f;
    if (s.kind === 'unary') {
      const u = {
        tanh: (x: Variable) => x.tanh(),
        sigmoid: (x: Variable) => x.sigmoid(),
        relu: (x: Variable) => x.relu(),
        neg: (x: Variable) => x.neg(),
        abs: (x: Variable) => x.abs(),
        expTanh: (x: Variable) => x.tanh().exp(),
        square: (x: Variable) => x.pow(2),
        sqrtAbs: (x: Variable) => x.abs().add(1).sqrt(),
        logAbs: (x: Variable) => x.abs().add(1).log(),
      }[s.f];
      ops.push(u);
    } else if (s.kind === 'param') {
      const p = random.rand([width], { low: 1, high: 2, dtype });
      const b = {
        add: (x: Variable) => x.add(p),
        sub: (x: Variable) => x.sub(p),
        mul: (x: Variable) => x.mul(p),
        div: (x: Variable) => x.div(p),
        maximum: (x: Variable) => maximum(x, p),
        minimum: (x: Variable) => minimum(x, p),
      }[s.f];
      ops.push(b);
    } else if (s.kind === 'matmul') {
      const W = random.randn([width, s.out], { std: 1 / Math.sqrt(width), dtype });
      const bias = random.randn([s.out], { dtype });
      ops.push(s.fused ? (x) => affine(x, W, bias) : (x) => x.matmul(W));
      f = s.out;
    } else if (s.kind === 'layer') {
      const layer = new Sequential([new Affine(width, 3, { seed }), new Tanh(), new Sigmoid()]).astype(dtype);
      ops.push((x) => layer.forward(x));
      f = 3;
    } else if (s.kind === 'softmax') ops.push((x) => softmax(x));
    else if (s.kind === 'logSoftmax') ops.push((x) => logSoftmax(x));
    else if (s.kind === 'sumKeep' || s.kind === 'maxKeep' || s.kind === 'meanKeep') {
      ops.push((x) =>
        s.kind === 'sumKeep' ? sum(x, 1, true) : s.kind === 'maxKeep' ? x.max(1, true) : x.mean(1, true),
      );
      f = 1;
    } else if (s.kind === 'broadcast') {
      const out = width + 2;
      ops.push((x) => sum(x, 1, true).broadcastTo([x.shape[0], out]));
      f = out;
    } else if (s.kind === 'sumTo') ops.push((x) => x.add(sumTo(x, [1, x.shape[1]])));
    else if (s.kind === 'slice') {
      const from = Math.min(s.from, width - 1);
      const cut = Math.min(s.cut, width - 1 - from); // at least one column is left
      const range =
        s.step > 0
          ? slice(from, cut ? -cut : null, s.step)
          : slice(cut ? -1 - cut : null, from ? from - 1 : null, s.step);
      ops.push((x) => x.getItem(null, range));
      f = Math.ceil((width - from - cut) / Math.abs(s.step));
    } else if (s.kind === 'pick') {
      // An integer index (negative ones too) then a new axis; or a list of columns (a Gather).
      const inRange = (i: number) => (i < 0 ? -1 - ((-1 - i) % width) : i % width);
      const columns = s.columns.map(inRange);
      ops.push((x) => (columns.length ? x.getItem(null, columns) : x.getItem(null, inRange(s.at), newAxis)));
      f = Math.max(columns.length, 1);
    } else if (s.kind === 'splitConcat') {
      ops.push((x) => {
        if (width === 1) return concat([x, x.tanh()], 1);
        const [a, b] = split(x, [1, width - 1], 1);
        return concat([b.tanh(), a], 1);
      });
      f = width === 1 ? 2 : width;
    } else if (s.kind === 'flip') ops.push((x) => flip(x, 1));
    else if (s.kind === 'pad') {
      ops.push((x) =>
        pad(
          x,
          [
            [0, 0],
            [1, 1],
          ],
          { value: 0.5 },
        ),
      );
      f = width + 2;
    } else if (s.kind === 'cumsum') ops.push((x) => cumsum(x, 1));
    else ops.push((x) => x.reshape([x.shape[0], 1, width]).transpose([0, 2, 1]).reshape([x.shape[0], width]));
  }
  return (x: Variable) => ops.reduce((v, op) => op(v), x);
}

describe('a random family of programs over the exportable ops', () => {
  it('computes in ONNX Runtime what it computes in zerograd, for any batch size, and imports back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom<'float32' | 'float64'>('float64', 'float32'),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1000 }),
        async (steps, dtype, features, exampleRows, rows, seed) => {
          const f = program(steps, features, dtype, seed);
          const example = new Random(seed + 1).randn([exampleRows, features], { dtype });
          const x = new Random(seed + 2).randn([rows, features], { std: 2, dtype });
          // float64 at ORT's 'basic' level: its 'extended' fusions fold a scalar Mul/Div into a
          // MatMul's float32 alpha (1/3 → 3e-8 relative error); see docs/decisions/0011-onnx.md.
          const level = dtype === 'float64' ? 'basic' : 'all';
          const bytes = exportOnnx(f, example);
          const ort = await runOrt(bytes, { input: x }, { graphOptimizationLevel: level });
          const xa = variable(x, { requiresGrad: true });
          const ya = f(xa);
          const ours = ya.data;
          expect(ort.output.dims).toEqual(ours.shape);
          expect(maxDisagreement(ort.output.data, ours.data as ArrayLike<number>)).toBeLessThanOrEqual(TOL[dtype]);
          // And back: the imported model computes the same outputs and input gradients.
          const xb = variable(x, { requiresGrad: true });
          const yb = importOnnx(bytes).forward(xb);
          expect(maxDisagreement(yb.data.data, ours.data as ArrayLike<number>)).toBeLessThanOrEqual(TOL[dtype]);
          const g = new Random(seed + 3).randn(ours.shape, { dtype });
          sum(ya.mul(g)).backward();
          sum(yb.mul(g)).backward();
          const [ga, gb] = [xa.grad?.data.data ?? [], xb.grad?.data.data ?? []];
          expect(maxDisagreement(gb, ga)).toBeLessThanOrEqual(TOL[dtype]);
        },
      ),
      propertyParameters({ numRuns: 40 }),
    );
  });
});

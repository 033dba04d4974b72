// importOnnx: zerograd's own exports come back with the same numbers and gradients, and a
// model written by PyTorch computes what ONNX Runtime computes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GraphError, Random, Tensor, tensor, traceGraph, ValueError, type Variable, variable } from '@zerograd/core';
import { Affine, BatchNorm, Dropout, ReLU, Sequential, SGD, softmaxCrossEntropy } from '@zerograd/layers';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, exportOnnx, importOnnx } from '../src/index.js';
import { maxDisagreement, runOrt } from './support/onnx-runtime.js';

function net(dtype: 'float32' | 'float64') {
  const random = new Random(3);
  const model = new Sequential([
    new Affine(12, 16, { init: 'he', random }),
    new BatchNorm(16),
    new ReLU(),
    new Dropout(0.3, { seed: 1 }),
    new Affine(16, 4, { init: 'he', random }),
  ]).astype(dtype);
  for (let i = 0; i < 3; i++) model.forward(random.randn([8, 12], { dtype }));
  return model.eval();
}

const labels = tensor([0, 3, 1, 2, 2, 0], { dtype: 'int32' });

describe('export → import round trip', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`gives the same outputs and the same gradients (${dtype})`, () => {
      const original = net(dtype);
      const imported = importOnnx(exportOnnx(original, new Random(4).randn([2, 12], { dtype })));
      // Weights are parameters (named after the ONNX initializers); BatchNorm's statistics are not.
      expect(imported.namedParameters().map(([n, p]) => [n, imported.onnxName(p)])).toEqual([
        ['affine1_W', 'affine1.W'],
        ['affine1_b', 'affine1.b'],
        ['batchnorm1_gamma', 'batchnorm1.gamma'],
        ['batchnorm1_beta', 'batchnorm1.beta'],
        ['affine2_W', 'affine2.W'],
        ['affine2_b', 'affine2.b'],
      ]);
      expect(imported.namedBuffers()).toHaveLength(2);
      const x = new Random(5).randn([6, 12], { dtype });
      const xa = variable(x);
      const xb = variable(x);
      const ya = original.forward(xa);
      const yb = imported.forward(xb);
      expect(yb.dtype).toBe(dtype);
      expect(Array.from(yb.data.data)).toEqual(Array.from(ya.data.data)); // the same ops: bit for bit
      softmaxCrossEntropy(ya, labels).backward();
      softmaxCrossEntropy(yb, labels).backward();
      expect(Array.from(xb.grad?.data.data ?? [])).toEqual(Array.from(xa.grad?.data.data ?? []));
      const byName = new Map(original.namedParameters());
      for (const p of imported.parameters()) {
        const q = byName.get(imported.onnxName(p) as string) as Variable;
        expect(Array.from(p.grad?.data.data ?? []), imported.onnxName(p)).toEqual(Array.from(q.grad?.data.data ?? []));
      }
    });
  }

  it('can be fine-tuned: SGD steps on the imported parameters lower the loss', () => {
    const imported = importOnnx(exportOnnx(net('float64'), new Random(4).randn([2, 12])));
    const x = new Random(6).randn([6, 12]);
    const optimizer = new SGD(imported, { lr: 0.1 });
    const loss = () => softmaxCrossEntropy(imported.forward(x), labels);
    const before = loss().item();
    for (let i = 0; i < 20; i++) {
      optimizer.zeroGrad();
      loss().backward();
      optimizer.step();
    }
    expect(loss().item()).toBeLessThan(before * 0.7);
  });

  it('draws like any other graph: the layers of the export are the scopes of the import', () => {
    const imported = importOnnx(exportOnnx(net('float64'), new Random(4).randn([2, 12])));
    const snapshot = traceGraph(imported.forward(new Random(7).randn([3, 12])));
    const scopes = new Set(snapshot.nodes.filter((n) => n.kind === 'op').map((n) => n.scope.join('/')));
    expect([...scopes]).toEqual([
      'Onnx/Sequential/affine1',
      'Onnx/Sequential/batchnorm1',
      'Onnx/Sequential/relu1',
      'Onnx/Sequential/affine2',
    ]);
  });
});

describe('a model written by PyTorch (scripts/onnx/make-pytorch-mlp.py)', () => {
  const dir = fileURLToPath(new URL('../../../scripts/onnx/', import.meta.url));
  const bytes = new Uint8Array(readFileSync(`${dir}pytorch-mlp.onnx`));
  const ref = JSON.parse(readFileSync(`${dir}pytorch-mlp.json`, 'utf8')) as {
    x: number[];
    shape: number[];
    probs: number[];
  };

  it('reads the file PyTorch wrote', () => {
    const model = decodeModel(bytes);
    expect(model.producerName).toBe('pytorch');
    expect(model.opset).toBe(17);
    expect(model.graph.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 2, 6] }]);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual([
      'Flatten',
      'Gemm',
      'BatchNormalization',
      'Relu',
      'Gemm',
      'Tanh',
      'Gemm',
      'Sigmoid',
      'Gemm',
      'Softmax',
    ]);
  });

  it('computes what ONNX Runtime computes (and what PyTorch computed), within 1e-6 in float32', async () => {
    const imported = importOnnx(bytes);
    for (const rows of [5, 17]) {
      const x =
        rows === 5
          ? new Tensor(Float32Array.from(ref.x), ref.shape)
          : new Random(9).randn([rows, 2, 6], { std: 2, dtype: 'float32' });
      const ours = imported.forward(x);
      expect(ours.shape).toEqual([rows, 4]);
      const ort = await runOrt(bytes, { x });
      expect(maxDisagreement(ours.data.data as ArrayLike<number>, ort.probs.data)).toBeLessThanOrEqual(1e-6);
      if (rows === 5) expect(maxDisagreement(ours.data.data as ArrayLike<number>, ref.probs)).toBeLessThanOrEqual(1e-6);
    }
    // PyTorch's weight [out, in] arrives as Gemm with transB = 1: the parameter keeps its layout.
    expect(imported.namedParameters()[0]).toEqual(['_1_weight', expect.objectContaining({ shape: [16, 12] })]);
  });
});

describe('import refuses what it cannot run, with the library’s errors', () => {
  const graph = (ops: string[]) =>
    encodeModel({
      irVersion: 8,
      opset: 17,
      producerName: 'test',
      producerVersion: '0',
      graph: {
        name: 'g',
        nodes: ops.map((op, i) => ({
          opType: op,
          inputs: [i ? `v${i}` : 'x'],
          outputs: [`v${i + 1}`],
          name: `n${i}`,
          attributes: {},
        })),
        initializers: [],
        inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3] }],
        outputs: [{ name: `v${ops.length}`, dtype: 'float32', shape: ['N', 3] }],
      },
    });

  it('lists every op it does not know', () => {
    expect(() => importOnnx(graph(['Relu', 'LSTM', 'Relu', 'NonMaxSuppression']))).toThrow(GraphError);
    expect(() => importOnnx(graph(['Relu', 'LSTM', 'Relu', 'NonMaxSuppression']))).toThrow(
      /ops zerograd cannot run: LSTM, NonMaxSuppression/,
    );
    expect(
      importOnnx(graph(['Relu', 'Tanh']))
        .forward(tensor([[-1, 0, 2]], { dtype: 'float32' }))
        .toArray(),
    ).toEqual([[0, 0, Math.tanh(2)].map(Math.fround)]);
  });

  it('bad bytes are a ValueError, not a crash', () => {
    const good = exportOnnx(net('float32'), new Random(4).randn([2, 12], { dtype: 'float32' }));
    expect(() => importOnnx(good.subarray(0, good.length - 7))).toThrow(ValueError);
    expect(() => importOnnx(new Uint8Array([0x08]))).toThrow(/truncated varint/);
    expect(() => importOnnx('model.onnx' as never)).toThrow(ValueError);
  });

  it('a missing input is named', () => {
    const imported = importOnnx(graph(['Relu']));
    expect(() => imported.run({ y: tensor([[1, 2, 3]]) })).toThrow(/missing input 'x'/);
  });
});

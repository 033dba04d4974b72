// LayerNorm and Embedding (issue 17): values against loops written here from PyTorch's
// definitions, input and parameter gradients against central differences, second order for
// LayerNorm, the scatter-add backward of Embedding, and the errors they give.
import {
  gradcheck,
  gradgradcheck,
  Random,
  ShapeError,
  type Tensor,
  tensor,
  ValueError,
  variable,
} from '@zerograd/core';
import { checkProperty, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Embedding, LayerNorm, Sequential } from '../src/index.js';
import { checkParameterGradients } from './support/gradients.js';

const RUNS = { numRuns: 8 };

function expectOk(r: { ok: boolean; message: string }) {
  if (!r.ok) throw new Error(r.message);
}

/** PyTorch's layer norm over the last `k` axes, as a plain loop over groups. */
function layerNormReference(x: Tensor, k: number, w: ArrayLike<number>, b: ArrayLike<number>, eps: number): number[] {
  const group = x.shape.slice(x.ndim - k).reduce((p, q) => p * q, 1);
  const out: number[] = [];
  for (let o = 0; o < x.size; o += group) {
    const g = Array.from(x.data.subarray(o, o + group));
    const mu = g.reduce((s, v) => s + v, 0) / group;
    const variance = g.reduce((s, v) => s + (v - mu) ** 2, 0) / group; // biased, as PyTorch
    g.forEach((v, i) => {
      out.push(((v - mu) / Math.sqrt(variance + eps)) * w[i] + b[i]);
    });
  }
  return out;
}

/** A tensor whose last `k` axes are the normalised shape. */
const normCase = fc
  .tuple(
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }),
    fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 2 }),
    fc.nat({ max: 1000 }),
  )
  .chain(([lead, norm, seed]) => fc.tuple(tensorArb([...lead, ...norm]), fc.constant(norm), fc.constant(seed)));

describe('LayerNorm', () => {
  it('normalises each example over its last axes, with weight and bias (values)', () => {
    checkProperty(
      'layers.LayerNorm.values',
      fc.property(normCase, ([x, norm, seed]) => {
        const layer = new LayerNorm(norm, { eps: 1e-5 });
        const r = new Random(seed);
        layer.weight?.data.data.set(r.randn(norm).data);
        layer.bias?.data.data.set(r.randn(norm).data);
        const got = layer.forward(x).data.data;
        const want = layerNormReference(x, norm.length, layer.weight!.data.data, layer.bias!.data.data, 1e-5);
        want.forEach((v, i) => {
          expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)));
        });
      }),
      { numRuns: 20 },
    );
  });

  it('input and parameter gradients against central differences', () => {
    checkProperty(
      'layers.LayerNorm',
      fc.property(normCase, ([x, norm, seed]) => {
        const layer = new LayerNorm(norm);
        const r = new Random(seed);
        layer.weight?.data.data.set(r.randn(norm).data);
        layer.bias?.data.data.set(r.randn(norm).data);
        expectOk(gradcheck((v) => layer.forward(v), [x]));
        expectOk(checkParameterGradients(layer, x, new Random(seed + 1)));
      }),
      RUNS,
    );
  });

  it('second order (the graph of its backward is differentiable too)', () => {
    const layer = new LayerNorm(3);
    const x = new Random(3).randn([2, 3]);
    expectOk(gradgradcheck((v) => layer.forward(v), [x]));
  });

  it('each example alone: no batch statistics, same in train and eval, a batch of one works', () => {
    const layer = new LayerNorm(4);
    const x = tensor([
      [1, 2, 3, 4],
      [10, 20, 30, 40],
    ]);
    const both = layer.forward(x).toArray() as number[][];
    const first = layer.forward(tensor([[1, 2, 3, 4]])).toArray() as number[][];
    expect(first[0]).toEqual(both[0]);
    layer.eval();
    expect(layer.forward(x).toArray()).toEqual(both);
    // Each row normalised: mean 0, (biased) variance 1 − eps/(σ² + eps).
    for (const row of both) {
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
    }
    expect(layer.namedParameters().map(([n, p]) => `${n} ${p.shape}`)).toEqual(['weight 4', 'bias 4']);
    expect(layer.eps).toBe(1e-5);
  });

  it('without elementwise affine it has no parameters; bias: false drops the bias only', () => {
    expect(new LayerNorm(3, { elementwiseAffine: false }).parameters()).toEqual([]);
    const noBias = new LayerNorm([2, 3], { bias: false });
    expect(noBias.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(noBias.forward(new Random(0).randn([4, 2, 3])).shape).toEqual([4, 2, 3]);
  });

  it('a shape that does not end in the normalised shape is a ShapeError naming both', () => {
    expect(() => new LayerNorm(4).forward(tensor([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => new LayerNorm(4).forward(tensor([[1, 2, 3]]))).toThrow(
      /LayerNorm: input \(1, 3\) does not end in the normalised shape \(4,\)/,
    );
    expect(() => new LayerNorm([2, 2]).forward(tensor([1, 2]))).toThrow(ShapeError);
    expect(() => new LayerNorm(0)).toThrow(ValueError);
    expect(() => new LayerNorm(3, { eps: 0 })).toThrow(/eps must be positive/);
  });
});

describe('Embedding', () => {
  it('looks up rows: indices [N, T] give [N, T, dim], row i of the table for each i', () => {
    const emb = new Embedding(5, 3, { seed: 0 });
    const w = emb.weight.toArray() as number[][];
    const y = emb.forward(
      tensor([
        [4, 0, 4],
        [2, 2, 1],
      ]),
    );
    expect(y.shape).toEqual([2, 3, 3]);
    expect(y.toArray()).toEqual([
      [w[4], w[0], w[4]],
      [w[2], w[2], w[1]],
    ]);
    expect(emb.forward(tensor(3)).toArray()).toEqual(w[3]); // a single index gives one row
    expect(emb.forward([1, 2]).shape).toEqual([2, 3]);
  });

  it('backward scatters the upstream gradient into the rows read, adding repeats', () => {
    const emb = new Embedding(4, 2, { seed: 1 });
    const g = tensor([
      [1, 2],
      [10, 20],
      [100, 200],
    ]);
    emb
      .forward(tensor([3, 0, 3]))
      .mul(g)
      .sum()
      .backward();
    expect(emb.weight.grad?.toArray()).toEqual([
      [10, 20],
      [0, 0],
      [0, 0],
      [101, 202],
    ]);
  });

  it('the table gradient against central differences, over generated indices', () => {
    checkProperty(
      'layers.Embedding',
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.nat({ max: 1000 }),
        (num, dim, raw, seed) => {
          const emb = new Embedding(num, dim, { seed });
          const idx = tensor(raw.map((k) => k % num));
          expectOk(checkParameterGradients(emb, idx, new Random(seed)));
        },
      ),
      RUNS,
    );
  });

  it('PyTorch’s N(0, 1) init by default; init, dtype and the generator can be chosen', () => {
    const w = new Embedding(200, 50, { seed: 0 }).weight.data.data;
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(std).toBeGreaterThan(0.97);
    expect(std).toBeLessThan(1.03);
    expect(new Embedding(3, 2, { init: 0.01, dtype: 'float32', seed: 0 }).weight.dtype).toBe('float32');
    expect(new Embedding(3, 2, { seed: 7 }).weight.toArray()).toEqual(
      new Embedding(3, 2, { seed: 7 }).weight.toArray(),
    );
  });

  it('inside a container its table is a named parameter (saved, optimised)', () => {
    const net = new Sequential({ emb: new Embedding(6, 4, { seed: 2 }) });
    expect(net.namedParameters().map(([n]) => n)).toEqual(['emb.weight']);
  });

  it('indices that are not rows of the table are ValueErrors naming the index and the range', () => {
    const emb = new Embedding(5, 2);
    expect(() => emb.forward(tensor([1, 5]))).toThrow(ValueError);
    expect(() => emb.forward(tensor([1, 5]))).toThrow(/Embedding: index 5 at flat position 1 .* \[0, 5\)/);
    expect(() => emb.forward(tensor([-1]))).toThrow(/index -1/);
    expect(() => emb.forward(tensor([1.5]))).toThrow(/index 1.5/);
    expect(() => new Embedding(0, 2)).toThrow(/numEmbeddings must be a positive integer/);
    // The indices get no gradient: they are data.
    const idx = variable([0, 1]);
    emb.forward(idx).sum().backward();
    expect(idx.grad).toBeNull();
  });
});

// Every layer's gradient (input and parameters) against numerical differentiation, naming,
// modes, scopes and state dicts.
import {
  fromArray,
  gradcheck,
  Random,
  ShapeError,
  Tensor,
  traceGraph,
  ValueError,
  type Variable,
  variable,
} from '@zerograd/core';
import { checkProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Affine,
  BatchNorm,
  Dropout,
  MeanSquaredError,
  ReLU,
  Sequential,
  Sigmoid,
  SoftmaxWithLoss,
  softmax,
  Tanh,
} from '../src/index.js';
import { checkParameterGradients } from './support/gradients.js';

const RUNS = { numRuns: 8 };

/** A batch `[N, features]` (or `[N, 2, features/2]` to exercise flattening) and a seed. */
const batchArb = (features: number, opts: { awayFrom?: number[]; nd?: boolean } = {}) =>
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.nat({ max: 1000 })).chain(([n, nd, seed]) => {
    const shape = opts.nd && nd && features % 2 === 0 ? [n, 2, features / 2] : [n, features];
    return fc.tuple(tensorArb(shape, { awayFrom: opts.awayFrom }), fc.constant(seed));
  });

function expectOk(r: { ok: boolean; message: string }) {
  if (!r.ok) throw new Error(r.message);
}

describe('layer gradients (input and parameters) against numerical differentiation', () => {
  it('ReLU, Sigmoid, Tanh', () => {
    for (const [layer, away] of [
      [new ReLU(), [0]],
      [new Sigmoid(), []],
      [new Tanh(), []],
    ] as const) {
      checkProperty(
        `layers.${layer.type}`,
        fc.property(tensorArb(shapeArb({ maxElements: 24 }), { awayFrom: away }), (x) => {
          expectOk(gradcheck((v) => layer.forward(v), [x]));
        }),
        RUNS,
      );
    }
  });

  it('Affine, including N-d input flattened like the book', () => {
    checkProperty(
      'layers.Affine',
      fc.property(batchArb(4, { nd: true }), fc.integer({ min: 1, max: 3 }), ([x, seed], out) => {
        const layer = new Affine(4, out, { init: 0.5, seed });
        const g = gradcheck((v) => layer.forward(v), [x]);
        expectOk(g);
        expectOk(checkParameterGradients(layer, x, new Random(seed)));
      }),
      RUNS,
    );
    const layer = new Affine(6, 2, { seed: 1 });
    const x = variable(new Random(0).randn([3, 2, 3]));
    const y = layer.forward(x);
    expect(y.shape).toEqual([3, 2]);
    y.sum().backward();
    expect(x.grad?.shape).toEqual([3, 2, 3]);
  });

  it('SoftmaxWithLoss: gradient (y − t)/N, checked numerically too', () => {
    const loss = new SoftmaxWithLoss();
    checkProperty(
      'layers.SoftmaxWithLoss',
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((n) => fc.tuple(tensorArb([n, 3]), fc.array(fc.nat(2), { minLength: n, maxLength: n }))),
        ([x, t]) => {
          expectOk(gradcheck((v) => loss.forward(v, t), [x]));
          const v = variable(x);
          loss.forward(v, t).backward();
          const y = softmax(x).data.data;
          const n = t.length;
          const expected = Array.from(y, (p, i) => (p - (t[Math.floor(i / 3)] === i % 3 ? 1 : 0)) / n);
          Array.from(v.grad!.data.data).forEach((g, i) => {
            expect(g).toBeCloseTo(expected[i], 14);
          });
        },
      ),
      RUNS,
    );
  });

  it('MeanSquaredError layer: gradient y − t for the ½Σ form', () => {
    const y = variable([
      [1, 2],
      [3, 5],
    ]);
    new MeanSquaredError()
      .forward(y, [
        [0, 2],
        [4, 4],
      ])
      .backward();
    expect(y.grad?.toArray()).toEqual([
      [1, 0],
      [-1, 1],
    ]);
  });

  it('Dropout with a fixed seed (train mode), and a pass-through in eval mode', () => {
    checkProperty(
      'layers.Dropout',
      fc.property(tensorArb(shapeArb({ minRank: 1, maxElements: 24 })), fc.nat({ max: 1000 }), (x, seed) => {
        const layer = new Dropout(0.4, { seed });
        // Reseed before every forward: gradcheck evaluates the function many times, all with one mask.
        const run = (v: Variable) => {
          layer.random.seed(seed);
          return layer.forward(v);
        };
        expectOk(gradcheck(run, [x]));
        const v = variable(x);
        const y = run(v);
        const mask = layer.mask!.data;
        y.data.data.forEach((yi, i) => {
          expect(yi).toBeCloseTo(x.data[i] * mask[i], 14);
        });
        expect(Array.from(mask).every((m) => m === 0 || Math.abs(m - 1 / 0.6) < 1e-12)).toBe(true);
      }),
      RUNS,
    );
    const layer = new Dropout(0.5, { seed: 3 });
    const x = new Random(1).randn([200, 50]);
    const kept = layer.forward(x).data.data.filter((v) => v !== 0).length / x.size;
    expect(kept).toBeGreaterThan(0.45);
    expect(kept).toBeLessThan(0.55);
    layer.eval();
    expect(layer.forward(x).data).toBe(x);
    expect(() => new Dropout(1)).toThrow(ValueError);
  });

  it('BatchNorm in training mode: input, gamma and beta', () => {
    checkProperty(
      'layers.BatchNorm',
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((n) => fc.tuple(tensorArb([n, 3]), fc.nat({ max: 1000 }))),
        ([x, seed]) => {
          const layer = new BatchNorm(3);
          const r = new Random(seed);
          // Non-trivial gamma and beta, so their gradients and the input's are all exercised.
          layer.gamma.data = r.randn([3]);
          layer.beta.data = r.randn([3]);
          expectOk(gradcheck((v) => layer.forward(v), [x], { seed }));
          expectOk(checkParameterGradients(layer, x, r));
        },
      ),
      RUNS,
    );
  });

  it('BatchNorm normalises in training, tracks running statistics, uses them in eval', () => {
    const layer = new BatchNorm(2, { momentum: 0.5 });
    const x = fromArray([
      [1, 10],
      [3, 20],
      [5, 30],
    ]);
    const y = layer.forward(x).data.data;
    expect(y[0] + y[2] + y[4]).toBeCloseTo(0, 12);
    expect((y[0] ** 2 + y[2] ** 2 + y[4] ** 2) / 3).toBeCloseTo(1, 4);
    expect(Array.from(layer.runningMean.data)).toEqual([1.5, 10]);
    // Unbiased batch variances 4 and 100, averaged with the initial 1.
    expect(Array.from(layer.runningVar.data)).toEqual([2.5, 50.5]);
    layer.eval();
    const e = layer.forward([[1.5, 10]]).data.data;
    expect(e[0]).toBeCloseTo(0, 12);
    expect(e[1]).toBeCloseTo(0, 12);
    expect(() => layer.forward([[1, 2, 3]])).toThrow(ShapeError);
    expect(layer.forward([1.5, 10]).shape).toEqual([2]); // one example, [features]
  });

  it('Sequential composes the gradients of its layers', () => {
    checkProperty(
      'layers.Sequential',
      fc.property(batchArb(3), ([x, seed]) => {
        const r = new Random(seed);
        const net = new Sequential([
          new Affine(3, 4, { random: r, init: 'he' }),
          new Tanh(),
          new Affine(4, 2, { random: r, init: 'xavier' }),
        ]);
        expectOk(gradcheck((v) => net.forward(v), [x]));
        expectOk(checkParameterGradients(net, x, r));
      }),
      RUNS,
    );
  });
});

describe('naming, modes, scopes', () => {
  const net = () =>
    new Sequential([new Affine(4, 3, { seed: 1 }), new ReLU(), new Affine(3, 2, { seed: 2 }), new BatchNorm(2)]);

  it('names parameters like the book: affine1.W, affine2.b, batchnorm1.gamma', () => {
    const m = net();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'affine1.W',
      'affine1.b',
      'affine2.W',
      'affine2.b',
      'batchnorm1.gamma',
      'batchnorm1.beta',
    ]);
    expect(m.parameters().map((p) => p.name)).toEqual(m.namedParameters().map(([n]) => n));
    expect(m.parameters().every((p) => p.isParameter)).toBe(true);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['batchnorm1.runningMean', 'batchnorm1.runningVar']);
    expect(m.parameterCount()).toBe(4 * 3 + 3 + 3 * 2 + 2 + 2 + 2);
    const outer = new Sequential({ body: m, head: new Affine(2, 1) });
    expect(outer.namedParameters()[0][0]).toBe('body.affine1.W');
    expect(outer.parameters()[0].name).toBe('body.affine1.W');
    expect(outer.toString()).toContain('affine1: Affine [W(4, 3), b(3,)]');
    expect(() => new Sequential({ 'a.b': new ReLU() })).toThrow(ValueError);
    expect(m.get('relu1').type).toBe('ReLU');
    expect(m.get(-1).type).toBe('BatchNorm');
  });

  it('carries parameters’ gradients after backward, and zeroGrad clears them', () => {
    const m = net();
    m.forward(new Random(0).randn([5, 4]))
      .sum()
      .backward();
    expect(m.parameters().every((p) => p.grad !== null && p.grad.shape.join() === p.shape.join())).toBe(true);
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('switches train/eval mode in every layer', () => {
    const m = new Sequential([new Affine(2, 2), new Dropout(0.5)]);
    expect([...m.layers()].every((l) => l.training)).toBe(true);
    m.eval();
    expect([...m.layers()].every((l) => !l.training)).toBe(true);
    m.train();
    expect(m.get(1).training).toBe(true);
  });

  it('runs each layer in a named scope, so a drawing can box its nodes', () => {
    const m = new Sequential([new Affine(4, 3, { seed: 1 }), new ReLU(), new Affine(3, 2, { seed: 2 })]);
    const loss = new SoftmaxWithLoss().forward(m.forward(new Random(0).randn([2, 4])), [0, 1]);
    const snap = traceGraph(loss);
    const scopes = new Map<string, string[]>();
    for (const n of snap.nodes)
      if (n.kind === 'op') scopes.set(`${n.scope.join('/')}`, [...(scopes.get(n.scope.join('/')) ?? []), n.op]);
    expect(scopes.get('Sequential/affine1')).toEqual(expect.arrayContaining(['MatMul', 'Add']));
    expect(scopes.get('Sequential/relu1')).toEqual(['ReLU']);
    expect(scopes.get('Sequential/affine2')).toEqual(expect.arrayContaining(['MatMul', 'Add']));
    expect(scopes.get('SoftmaxWithLoss')).toEqual(['SoftmaxCrossEntropy']);
    const single = new Affine(2, 2).forward([[1, 2]]);
    expect(single.creator?.scope).toEqual(['Affine']);
  });

  it('astype converts parameters and buffers in place of the same Variables', () => {
    const m = net();
    const params = m.parameters();
    m.astype('float32');
    expect(m.parameters()).toEqual(params);
    expect(params.every((p) => p.dtype === 'float32')).toBe(true);
    expect(m.namedBuffers().every(([, t]) => t.dtype === 'float32')).toBe(true);
    expect(m.forward(new Tensor(new Float32Array(8), [2, 4])).dtype).toBe('float32');
  });

  it('loadStateDict copies everything or, on any mismatch, nothing', () => {
    const a = net();
    const b = net();
    b.parameters().forEach((p) => {
      p.data.data.fill(7);
    });
    a.loadStateDict(b.stateDict());
    expect(a.parameters()[0].data.data[0]).toBe(7);
    const before = a.stateDict();
    const bad: Record<string, Tensor> = { ...b.stateDict(), 'affine2.W': new Tensor(new Float64Array(6), [2, 3]) };
    bad['affine1.b'] = new Tensor(new Float64Array(3).fill(9), [3]);
    expect(() => a.loadStateDict(bad)).toThrow(/affine2\.W' has shape \(2, 3\), the model expects \(3, 2\)/);
    expect(a.stateDict()['affine1.b'].data).toEqual(before['affine1.b'].data);
    const { 'affine1.W': _, ...missing } = b.stateDict();
    expect(() => a.loadStateDict(missing)).toThrow(/'affine1.W' is missing/);
    expect(() => a.loadStateDict({ ...b.stateDict(), extra: new Tensor(new Float64Array(1), [1]) })).toThrow(
      /'extra' is not in the model/,
    );
    a.loadStateDict({ ...b.stateDict(), extra: new Tensor(new Float64Array(1), [1]) }, { strict: false });
  });
});

// The fused Affine (product + bias + ReLU in one node and one kernel pass) against its
// composed form, bit for bit, and against numerical differentiation.
import {
  add,
  type DType,
  matmul,
  Random,
  relu,
  ShapeError,
  Tensor,
  traceGraph,
  ValueError,
  variable,
} from '@zerograd/core';
import { checkProperty, gradientProperty, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Affine, affine, ReLU, Sequential, SGD, SoftmaxWithLoss } from '../src/index.js';

const RUNS = { numRuns: 25 };

/** Sizes from tiny (TypeScript kernels) to large enough for the WebAssembly paths. */
const caseArb = fc.record({
  n: fc.integer({ min: 1, max: 40 }),
  inF: fc.integer({ min: 1, max: 33 }),
  outF: fc.integer({ min: 1, max: 21 }),
  bias: fc.boolean(),
  relu: fc.boolean(),
  dtype: fc.constantFrom<DType>('float32', 'float64'),
  seed: fc.nat({ max: 10_000 }),
});

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect([i, a[i]]).toEqual([i, b[i]]);
};

describe('fused Affine', () => {
  it('equals relu(add(matmul(x, W), b)) bit for bit, in value and in every gradient', () => {
    checkProperty(
      'layers.affine fused = composed',
      fc.property(caseArb, ({ n, inF, outF, bias, relu: act, dtype, seed }) => {
        const r = new Random(seed);
        const xs = r.randn([n, inF], { dtype });
        const Ws = r.randn([inF, outF], { dtype });
        const bs = r.randn([outF], { dtype });
        const up = r.randn([n, outF], { dtype }); // weights of the output in the scalar loss
        const run = (fused: boolean) => {
          const x = variable(xs);
          const W = variable(Ws);
          const b = variable(bs);
          let y = fused
            ? affine(x, W, bias ? b : null, { activation: act ? 'relu' : null })
            : bias
              ? add(matmul(x, W), b)
              : matmul(x, W);
          if (!fused && act) y = relu(y);
          y.mul(up).sum().backward();
          return { y: y.data.data, gx: x.grad?.data.data, gW: W.grad?.data.data, gb: b.grad?.data.data };
        };
        const f = run(true);
        const c = run(false);
        sameBits(f.y, c.y);
        sameBits(f.gx as ArrayLike<number>, c.gx as ArrayLike<number>);
        sameBits(f.gW as ArrayLike<number>, c.gW as ArrayLike<number>);
        if (bias) sameBits(f.gb as ArrayLike<number>, c.gb as ArrayLike<number>);
        else expect(f.gb).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('has the numerical gradient, first and second order, with and without ReLU', () => {
    // The ReLU has a kink where x·W + b = 0: each bias entry is shifted (by the first of
    // 0, ±0.25, ±0.5, … that works) so every pre-activation in its column is ≥ 0.05 from 0.
    const awayFromKink = ([x, W, b]: Tensor[]): Tensor[] => {
      const pre = matmul(x, W).data.data;
      const [n, o] = [x.shape[0], W.shape[1]];
      const shifted = b.data.slice();
      for (let j = 0; j < o; j++) {
        for (const d of [0, 0.25, -0.25, 0.5, -0.5, 0.75, -0.75, 1, -1, 1.25]) {
          let ok = true;
          for (let i = 0; i < n; i++) if (Math.abs(pre[i * o + j] + b.data[j] + d) < 0.05) ok = false;
          if (ok) {
            shifted[j] = b.data[j] + d;
            break;
          }
        }
      }
      return [x, W, new Tensor(shifted, b.shape)];
    };
    const shapes = fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }))
      .chain(([n, i, o]) => fc.tuple(tensorArb([n, i]), tensorArb([i, o]), tensorArb([o])))
      .map(awayFromKink);
    for (const activation of [null, 'relu'] as const) {
      gradientProperty((x, W, b) => affine(x, W, b, { activation }), shapes, {
        numRuns: 20,
        secondOrder: true,
        label: `layers.affine(${activation ?? 'linear'})`,
      });
    }
  });

  it('rejects bad shapes and activations, naming the op', () => {
    const x = variable(new Random(1).randn([3, 4]));
    expect(() => affine(x, new Random(2).randn([5, 2]))).toThrow(ShapeError);
    expect(() => affine(x, new Random(2).randn([5, 2]))).toThrow(/Affine.*\(3, 4\).*\(5, 2\)/);
    expect(() => affine(x, new Random(2).randn([4, 2]), new Random(3).randn([3]))).toThrow(/Affine/);
    expect(() => affine(x, new Random(2).randn([4, 2]), null, { activation: 'gelu' as 'relu' })).toThrow(ValueError);
    expect(() => new Affine(4, 2, { activation: 'tanh' as 'relu' })).toThrow(ValueError);
  });

  it('Affine({ activation: "relu" }) trains exactly like Affine then ReLU, as one Affine node per layer', () => {
    const r = new Random(5);
    const x = r.randn([64, 20], { dtype: 'float32' });
    const t = Array.from({ length: 64 }, (_, i) => i % 5);
    const make = (fused: boolean) => {
      const random = new Random(9);
      const layers = fused
        ? [new Affine(20, 16, { random, activation: 'relu' }), new Affine(16, 5, { random, fused: true })]
        : [new Affine(20, 16, { random }), new ReLU(), new Affine(16, 5, { random })];
      return new Sequential(layers).astype('float32');
    };
    const losses = (net: Sequential) => {
      const loss = new SoftmaxWithLoss();
      const opt = new SGD(net, { lr: 0.5 });
      const out: number[] = [];
      for (let step = 0; step < 5; step++) {
        opt.zeroGrad();
        const l = loss.forward(net.forward(variable(x)), t);
        l.backward();
        opt.step();
        out.push(l.item());
      }
      return out;
    };
    const fused = make(true);
    const plain = make(false);
    expect(losses(fused)).toEqual(losses(plain));
    const ops = traceGraph(fused.forward(variable(x)))
      .nodes.filter((n) => n.kind === 'op')
      .map((n) => (n.kind === 'op' ? n.op : ''));
    expect(ops).toEqual(['Affine', 'Affine']);
  });
});

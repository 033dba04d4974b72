// The convolution layers: gradients of input and parameters against numerical
// differentiation (a small SimpleConvNet included), He initialisation with the conv fan-in,
// names, drawings and errors.
import { gradcheck, Random, ShapeError, traceGraph, ValueError, variable } from '@zerograd/core';
import { checkProperty, distinctValuesTensorArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Affine, AvgPool2d, Conv2d, Flatten, MaxPool2d, ReLU, Sequential, Tanh } from '../src/index.js';
import { checkParameterGradients } from './support/gradients.js';

const RUNS = { numRuns: 8 };
const expectOk = (r: { ok: boolean; message: string }) => {
  if (!r.ok) throw new Error(r.message);
};

describe('Conv2d, pooling and Flatten layers', () => {
  it('Conv2d: input, filters and bias against numerical differentiation, over strides and pads', () => {
    checkProperty(
      'Conv2d layer',
      fc.property(
        fc
          .record({
            n: fc.integer({ min: 1, max: 2 }),
            c: fc.integer({ min: 1, max: 2 }),
            f: fc.integer({ min: 1, max: 3 }),
            k: fc.integer({ min: 1, max: 3 }),
            stride: fc.integer({ min: 1, max: 2 }),
            pad: fc.integer({ min: 0, max: 1 }),
            out: fc.integer({ min: 1, max: 3 }),
            seed: fc.nat({ max: 1000 }),
          })
          .filter(({ k, stride, pad, out }) => (out - 1) * stride + k - 2 * pad >= 1)
          .chain((p) =>
            fc.tuple(
              fc.constant(p),
              tensorArb([p.n, p.c, (p.out - 1) * p.stride + p.k - 2 * p.pad, (p.out - 1) * p.stride + p.k - 2 * p.pad]),
            ),
          ),
        ([p, x]) => {
          const random = new Random(p.seed);
          const layer = new Conv2d(p.c, p.f, p.k, { stride: p.stride, pad: p.pad, random });
          layer.b?.data.data.set(random.randn([p.f]).data); // a non-zero bias
          expectOk(checkParameterGradients(layer, x, random));
          expect(gradcheck((v) => layer.forward(v), [x], { seed: p.seed }).ok).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('MaxPool2d and AvgPool2d: input gradients (distinct values for the max)', () => {
    checkProperty(
      'Pooling layers',
      fc.property(
        fc
          .record({
            n: fc.integer({ min: 1, max: 2 }),
            c: fc.integer({ min: 1, max: 2 }),
            out: fc.integer({ min: 1, max: 3 }),
          })
          .chain((p) =>
            fc.tuple(
              distinctValuesTensorArb([p.n, p.c, 2 * p.out, 2 * p.out], { min: -3, max: 3, gap: 0.02 }),
              fc.nat(),
            ),
          ),
        ([x, seed]) => {
          expect(gradcheck((v) => new MaxPool2d(2).forward(v), [x], { seed }).ok).toBe(true);
          expect(gradcheck((v) => new AvgPool2d(2).forward(v), [x], { seed }).ok).toBe(true);
          expect(gradcheck((v) => new AvgPool2d(3, { stride: 1, pad: 1 }).forward(v), [x], { seed }).ok).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('a small SimpleConvNet: every parameter’s gradient through conv, pooling and Affine', () => {
    const random = new Random(3);
    const net = new Sequential([
      new Conv2d(1, 3, 3, { random }),
      new Tanh(), // smooth, so central differences never straddle a kink
      new AvgPool2d(2),
      new Flatten(),
      new Affine(3 * 3 * 3, 4, { random, init: 0.5 }),
    ]);
    expectOk(checkParameterGradients(net, random.randn([2, 1, 8, 8]), random));
  });

  it('Conv2d draws its filters with He’s standard deviation √(2 / (C·KH·KW)) by default', () => {
    const conv = new Conv2d(8, 64, 3, { seed: 1 });
    expect(conv.W.shape).toEqual([64, 8, 3, 3]);
    const w = Array.from(conv.W.data.data);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 72), 2); // 4608 draws: within ~1% of 0.1667
    expect(Array.from(conv.b?.data.data ?? [])).toEqual(new Array(64).fill(0));
    const fixed = new Conv2d(1, 30, 5, { init: 0.01, seed: 1, bias: false });
    expect(fixed.b).toBeNull();
    const s = Math.sqrt(Array.from(fixed.W.data.data).reduce((a, v) => a + v * v, 0) / 750);
    expect(s).toBeGreaterThan(0.008);
    expect(s).toBeLessThan(0.012);
  });

  it('names and boxes the book’s way: conv2d1.W, one Conv2d node in its box', () => {
    const net = new Sequential([
      new Conv2d(1, 2, 3, { seed: 0 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Affine(2 * 2 * 2, 3),
    ]);
    expect(net.namedParameters().map(([n, p]) => `${n} ${p.shape}`)).toEqual([
      'conv2d1.W 2,1,3,3',
      'conv2d1.b 2',
      'affine1.W 8,3',
      'affine1.b 3',
    ]);
    const y = net.forward(variable(new Random(0).randn([2, 1, 6, 6])));
    expect(y.shape).toEqual([2, 3]);
    const ops = traceGraph(y).nodes.flatMap((n) => (n.kind === 'op' ? [`${n.scope.at(-1)}:${n.op}`] : []));
    expect(ops).toEqual([
      'conv2d1:Conv2d',
      'relu1:ReLU',
      'maxpool2d1:MaxPool',
      'flatten1:Reshape',
      'affine1:MatMul',
      'affine1:Add',
    ]);
  });

  it('refuses bad sizes when built and bad inputs when run, naming the layer or op and shapes', () => {
    expect(() => new Conv2d(0, 3, 3)).toThrow(ValueError);
    expect(() => new Conv2d(1, 3, [3, 0] as never)).toThrow(/Conv2d: inChannels, outChannels and the kernel/);
    expect(() => new MaxPool2d(0)).toThrow(/MaxPool2d: bad window/);
    expect(() => new Conv2d(1, 3, 3, { stride: 0 })).toThrow(/Conv2d: stride must be ≥ 1 and pad ≥ 0/);
    expect(() => new Conv2d(1, 3, 3, { pad: [1, -1] })).toThrow(ValueError);
    expect(() => new AvgPool2d(2, { pad: -1 })).toThrow(ValueError);
    expect(() => new Conv2d(3, 4, 3).forward(new Random(0).randn([1, 1, 5, 5]))).toThrow(ShapeError);
    expect(() => new Conv2d(3, 4, 3).forward(new Random(0).randn([1, 1, 5, 5]))).toThrow(
      /x has 1 channels but the filters expect 3/,
    );
    expect(() => new MaxPool2d(2).forward(new Random(0).randn([1, 1, 5, 5]))).toThrow(
      /MaxPool: output size is not a whole number/,
    );
  });
});

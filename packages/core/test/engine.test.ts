// The backward engine and the graph modes: anomaly detection, scoped modes restored after a
// throw, very deep and very wide graphs, the functional API's zeros, and custom ops behaving
// exactly like built-in ones.
import {
  AnomalyError,
  add,
  applyOp,
  backward,
  currentScope,
  defineOp,
  detectAnomaly,
  div,
  enableGrad,
  exp,
  GraphError,
  grad,
  isAnomalyEnabled,
  isGradEnabled,
  log,
  mul,
  neg,
  noGrad,
  ones,
  scope,
  sigmoid,
  sqrt,
  sub,
  sum,
  traceGraph,
  type Variable,
  valueAndGrad,
  variable,
  zeros,
} from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import { broadcastTensorsArb, gradientProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import { describe, expect, it } from 'vitest';

describe('detectAnomaly', () => {
  it('names the first forward op that makes NaN or Infinity, with its input shapes', () => {
    const x = variable([[1, -1, 2]]);
    let err: unknown;
    try {
      detectAnomaly(() => exp(log(x))); // log(-1) = NaN is first; exp never runs
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AnomalyError);
    expect((err as AnomalyError).op).toBe('Log');
    expect((err as Error).message).toMatch(/^Log: output 0 holds NaN at flat index 1.*input shapes \(1, 3\)/);
    expect(() => detectAnomaly(() => div(variable([1, 2]), variable([[0], [1]])))).toThrow(
      /Div: output 0 holds Infinity.*input shapes \(2,\), \(2, 1\)/,
    );
    // Without the mode, the same computation just yields NaN.
    expect(Number.isNaN((log(x).toArray() as number[][])[0][1])).toBe(true);
  });

  it('names the op whose backward makes NaN or Infinity', () => {
    const x = variable([4, 0]);
    const y = sum(sqrt(x)); // forward finite; d sqrt/dx at 0 is 1/(2·0) = Infinity
    expect(() => detectAnomaly(() => y.backward())).toThrow(/^Div: output 0 holds Infinity.*in the backward of Sqrt/);
    expect(isAnomalyEnabled()).toBe(false);
  });
});

describe('scoped modes restore their state after a throw', () => {
  it('noGrad, enableGrad, detectAnomaly and scope', () => {
    const boom = () => {
      throw new Error('boom');
    };
    expect(() => noGrad(boom)).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(() => enableGrad(boom))).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(() => detectAnomaly(boom)).toThrow('boom');
    expect(isAnomalyEnabled()).toBe(false);
    expect(() => scope('A', () => scope('B', boom))).toThrow('boom');
    expect(currentScope()).toEqual([]);
    // A library error thrown by an op inside noGrad restores the mode too.
    expect(() => noGrad(() => add(variable([1, 2]), variable([1, 2, 3])))).toThrow(/Add/);
    expect(isGradEnabled()).toBe(true);
    expect(noGrad(() => mul(variable(2), 3)).creator).toBeNull();
    expect(noGrad(() => enableGrad(() => mul(variable(2), 3))).creator).not.toBeNull();
  });

  it('a failing backward leaves the graph usable and the modes unchanged', () => {
    const bad = defineOp({ name: 'BadShape', forward: ([x]) => x, backward: () => zeros([7]) });
    const x = variable([1, 2]);
    expect(() => bad(x).sum().backward()).toThrow(/BadShape: backward gave a gradient of shape \(7,\)/);
    expect(isGradEnabled()).toBe(true);
    const y = mul(x, 3);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([3, 3]);
  });
});

describe('deep and wide graphs', () => {
  it('backpropagates through a chain of 1,000,000 ops without a stack overflow', () => {
    const x = variable(1.5);
    let y: Variable = x;
    for (let i = 0; i < 1_000_000; i++) y = neg(y);
    y.backward();
    expect(x.grad?.item()).toBe(1); // (-1)^1e6
  });

  it('handles a fan-in of 100,000 leaves', () => {
    const leaves = Array.from({ length: 100_000 }, (_, i) => variable(i));
    let total: Variable = leaves[0];
    for (let i = 1; i < leaves.length; i++) total = add(total, mul(leaves[i], 2));
    total.backward();
    expect(leaves[0].grad?.item()).toBe(1);
    expect(leaves.slice(1).every((l) => l.grad?.item() === 2)).toBe(true);
  });
});

describe('the input lists nodes keep', () => {
  it('a unary op on a one-output result shares its creator’s outputs list; others keep a copy', () => {
    const x = variable([1, 2]);
    const e = exp(x);
    const n = neg(e);
    expect(n.creator?.inputs).toBe(e.creator?.outputs); // the same read-only list [e]
    expect(n.creator?.inputs).toEqual([e]);
    const first = defineOp({ name: 'First', forward: ([a]) => a, backward: ([g]) => [g, null] });
    const operands = [e, x];
    const s = applyOp(first.def, operands, undefined) as Variable;
    operands[1] = e; // the caller's array is not the node's
    expect(s.creator?.inputs).toEqual([e, x]);
    expect(s.creator?.inputs).not.toBe(operands);
    // Sharing changes nothing the gradient sees: d/dx −exp(x) = −exp(x).
    n.sum().backward();
    expect(x.grad?.toArray()).toEqual([-Math.exp(1), -Math.exp(2)]);
  });
});

describe('backward basics', () => {
  it('a non-scalar output needs its seed (PyTorch’s rule); a one-element one is seeded with 1', () => {
    const x = variable([[1, 2, 3]]);
    expect(() => x.backward()).toThrow(
      /the output has shape \(1, 3\): a gradient of ones is implied only for a one-element output/,
    );
    expect(x.grad).toBeNull();
    x.backward({ seed: ones([1, 3]) });
    expect(x.grad?.toArray()).toEqual([[1, 1, 1]]);
    const one = variable([[4]]);
    one.mul(2).backward();
    expect(one.grad?.toArray()).toEqual([[2]]);
  });

  it('accumulating a second backward does not change gradients handed out earlier', () => {
    const x = variable([1, 2]);
    const y = sum(mul(x, x));
    y.backward({ retainGrad: true });
    const first = x.grad as Variable;
    const copy = Array.from(first.data.data);
    backward(sum(mul(x, 3)));
    expect(Array.from(first.data.data)).toEqual(copy);
    expect(x.grad?.toArray()).toEqual([5, 7]);
  });

  it('fan-out sums added in place never change a gradient another variable holds', () => {
    // v fans out three times, so its slot holds a sum the engine adds into; Add then hands that
    // sum on unchanged to a and b, and a receives more afterwards: b's gradient must stay 3.
    for (const late of [true, false]) {
      const a = variable([1, 2]);
      const b = variable([3, 4]);
      const v = add(a, b);
      const w = add(add(v, v), v);
      const y = late ? add(w, mul(mul(a, 1), 1)) : add(mul(mul(a, 1), 1), w);
      const seed = variable([1, 10]);
      const seedCopy = Array.from(seed.data.data);
      y.backward({ seed: seed.data, retainGrad: true });
      expect(a.grad?.toArray()).toEqual([4, 40]);
      expect(b.grad?.toArray()).toEqual([3, 30]);
      expect(v.grad?.toArray()).toEqual([3, 30]);
      expect(Array.from(seed.data.data)).toEqual(seedCopy);
    }
  });

  it('a seed upstream gradient scales the result', () => {
    const x = variable([1, 2]);
    mul(x, x).backward({ seed: variable([10, 100]).data });
    expect(x.grad?.toArray()).toEqual([20, 400]);
    expect(() => mul(x, x).backward({ seed: ones([3]) })).toThrow(/seed gradient \(3,\) does not match output \(2,\)/);
  });
});

describe('functional grad', () => {
  it('gives zeros, not null, for an argument that does not reach the output', () => {
    const [ga, gb, gc] = grad((a, _b, c) => sum(mul(a, c)))([1, 2], [[1, 2, 3]], [3, 4]);
    expect(ga.toArray()).toEqual([3, 4]);
    expect(gb.toArray()).toEqual([[0, 0, 0]]);
    expect(gc.toArray()).toEqual([1, 2]);
    const { value, grads } = valueAndGrad((a) => mul(variable(5), 2).add(sum(a).mul(0)))(7);
    expect(value.item()).toBe(10);
    expect(grads[0].item()).toBe(0);
  });
});

// A user-defined op, defined the way the built-in ops are: softplus(x) = log(1 + eˣ), with its
// backward written with ops (so it is differentiable again).
const softplus = defineOp({
  name: 'Softplus',
  forward: ([x]) => {
    const out = kernels.unary('copy', x);
    for (let i = 0; i < out.size; i++) {
      const v = x.data[i];
      out.data[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return out;
  },
  backward: ([gy], { inputs: [x] }) => mul(gy, sigmoid(x)),
});

// A broadcasting custom op: (a − b)², gradients returned in the broadcast shape and summed
// back by the engine.
const squaredDiff = defineOp({
  name: 'SquaredDiff',
  broadcast: true,
  forward: ([a, b]) => kernels.unary('square', kernels.binary('sub', a, b, 'SquaredDiff')),
  backward: ([gy], { inputs: [a, b] }) => {
    const g = mul(gy, mul(sub(a, b), 2));
    return [g, neg(g)];
  },
});

describe('custom ops via defineOp', () => {
  it('appear in traceGraph under their own name', () => {
    const y = softplus(variable([1, 2], { name: 'x' }));
    const ops = traceGraph(y).nodes.filter((n) => n.kind === 'op');
    expect(ops.map((n) => (n.kind === 'op' ? n.op : ''))).toEqual(['Softplus']);
    expect(softplus.name).toBe('Softplus');
  });

  it('pass gradient properties to first and second order, broadcasting included', () => {
    gradientProperty((x) => softplus(x), [tensorArb(shapeArb())], { label: 'Softplus (custom op)', secondOrder: true });
    gradientProperty((a, b) => squaredDiff(a, b), broadcastTensorsArb(2), {
      label: 'SquaredDiff (custom op)',
      secondOrder: true,
    });
  });

  it('respect noGrad, createGraph and detectAnomaly', () => {
    const x = variable([0.5, -1]);
    expect(noGrad(() => softplus(x)).creator).toBeNull();
    // createGraph: the gradient sigmoid(x) is differentiable again: σ'(x) = σ(1 − σ).
    const y = sum(softplus(x));
    y.backward({ createGraph: true });
    const g = x.grad as Variable;
    x.clearGrad();
    sum(g).backward();
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const expected = [0.5, -1].map((v) => s(v) * (1 - s(v)));
    ((x.grad as Variable).toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
    const nanIn = variable([Number.NaN]);
    expect(() => detectAnomaly(() => softplus(nanIn))).toThrow(/^Softplus: output 0 holds NaN/);
    const blowUp = defineOp({
      name: 'BlowUpBackward',
      forward: ([t]) => t,
      backward: ([gy]) => div(gy, 0),
    });
    expect(() => detectAnomaly(() => blowUp(variable([1])).backward())).toThrow(/in the backward of BlowUpBackward/);
  });

  it('broadcast when declared, and return gradients of the inputs’ shapes', () => {
    const a = variable([[1], [2]]);
    const b = variable([1, 2, 3]);
    const y = squaredDiff(a, b);
    expect(y.shape).toEqual([2, 3]);
    y.backward({ seed: ones([2, 3]) });
    expect(a.grad?.shape).toEqual([2, 1]);
    expect(b.grad?.shape).toEqual([3]);
    expect(a.grad?.toArray()).toEqual([[2 * (0 - 1 - 2)], [2 * (1 + 0 - 1)]]);
  });

  it('defineOp rejects incomplete definitions with a GraphError', () => {
    expect(() => defineOp({ name: 'X' } as never)).toThrow(GraphError);
  });
});

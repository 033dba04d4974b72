import {
  add,
  backwardSteps,
  grad,
  gradcheck,
  gradgradcheck,
  matmul,
  mul,
  ones,
  Random,
  traceGraph,
  variable,
} from '@zerograd/core';
import { describe, expect, it } from 'vitest';

describe('the book’s apple example', () => {
  it('gives the book’s gradients: 2.2 per apple price, 110 per apple, 200 for the tax', () => {
    const apple = variable(100, { name: 'apple' });
    const count = variable(2, { name: 'count' });
    const tax = variable(1.1, { name: 'tax' });
    const price = mul(mul(apple, count), tax);
    price.backward();
    expect(price.item()).toBeCloseTo(220, 10);
    expect(apple.grad?.item()).toBeCloseTo(2.2, 12);
    expect(count.grad?.item()).toBeCloseTo(110, 10);
    expect(tax.grad?.item()).toBeCloseTo(200, 10);
  });
});

describe('backward engine', () => {
  it('accumulates on fan-out and does not mutate shared gradient buffers', () => {
    const x = variable([1, 2, 3]);
    const y = add(mul(x, x), x); // dy/dx = 2x + 1
    y.backward({ seed: ones([3]) });
    expect(x.grad?.toArray()).toEqual([3, 5, 7]);
  });

  it('computes third derivatives of tanh with createGraph', () => {
    const x = variable(0.5);
    x.tanh().backward({ createGraph: true });
    const g1 = x.grad!;
    x.clearGrad();
    g1.backward({ createGraph: true });
    const g2 = x.grad!;
    x.clearGrad();
    g2.backward();
    const t = Math.tanh(0.5);
    expect(x.grad?.item()).toBeCloseTo(-2 * (1 - t * t) * (1 - 3 * t * t), 12);
  });

  it('nested grad gives second derivatives', () => {
    const d2 = grad((u) => grad((w) => w.mul(w).mul(w))(u)[0])(2);
    expect(d2[0].item()).toBeCloseTo(12, 12);
  });

  it('gradcheck passes matmul∘tanh to first and second order', () => {
    const r = new Random(1);
    const f = (p: ReturnType<typeof variable>, q: ReturnType<typeof variable>) => matmul(p, q).tanh();
    expect(gradcheck(f, [r.randn([3, 4]), r.randn([4, 2])]).ok).toBe(true);
    expect(gradgradcheck(f, [r.randn([3, 4]), r.randn([4, 2])]).ok).toBe(true);
  });

  it('replays backprop as frozen snapshots that survive JSON', () => {
    const a = variable(100, { name: 'apple' });
    const y = mul(a, 2);
    const steps = backwardSteps(y);
    expect(steps.length).toBe(2);
    expect(Object.isFrozen(steps[1].nodes)).toBe(true);
    const last = steps[steps.length - 1];
    const apple = last.nodes.find((n) => n.kind === 'variable' && n.name === 'apple');
    expect(apple && apple.kind === 'variable' && apple.grad).toEqual({ kind: 'full', data: [2] });
    expect(JSON.parse(JSON.stringify(traceGraph(y)))).toEqual(traceGraph(y));
  });
});

describe('snapshot JSON', () => {
  it('serializeSnapshot/parseSnapshot keep NaN and ±Infinity, which plain JSON turns into null', async () => {
    const { parseSnapshot, serializeSnapshot, variable: v, log } = await import('@zerograd/core');
    const x = v([0, 1, -1], { name: 'x' });
    const y = log(x); // -Infinity, 0, NaN
    const snap = traceGraph(y);
    const back = parseSnapshot(serializeSnapshot(snap));
    expect(back).toEqual(snap);
    expect(Object.isFrozen(back.nodes[0])).toBe(true);
    const out = back.nodes.find((n) => n.kind === 'variable' && n.role === 'intermediate');
    expect(out?.kind === 'variable' && out.value.kind === 'full' && out.value.data).toEqual([
      Number.NEGATIVE_INFINITY,
      0,
      Number.NaN,
    ]);
    expect(() => parseSnapshot('{"version":2}')).toThrow(/not a zerograd graph snapshot/);
  });
});

describe('backwardSteps on fan-out', () => {
  it('lights both edges of x·x and ends with the backward gradient 2x', () => {
    const x = variable(3, { name: 'x' });
    const steps = backwardSteps(mul(x, x));
    const last = steps[steps.length - 1];
    expect(last.step?.edges.length).toBe(2);
    expect(last.step?.updated.length).toBe(1);
    const xs = last.nodes.find((n) => n.kind === 'variable' && n.name === 'x');
    expect(xs?.kind === 'variable' && xs.grad).toEqual({ kind: 'full', data: [6] });
  });
});

describe('leaf gradients are separate buffers', () => {
  it('after add(a, b).backward(), editing a.grad leaves b.grad alone', async () => {
    const { reshape } = await import('@zerograd/core');
    const a = variable([1, 2]);
    const b = variable([3, 4]);
    const c = variable([[5], [6]]);
    add(add(a, b), reshape(c, [2])).backward({ seed: ones([2]) });
    expect(a.grad).not.toBe(b.grad);
    a.grad!.data.data[0] = 42;
    expect(b.grad?.toArray()).toEqual([1, 1]);
    expect(c.grad?.toArray()).toEqual([[1], [1]]);
  });
});

describe('small tensor conveniences', () => {
  it('choice without replacement draws distinct indices in range, in O(size) even for huge n', async () => {
    const { Random, fromArray } = await import('@zerograd/core');
    const r = new Random(3);
    for (const [n, k] of [
      [10, 10],
      [1000, 17],
      [1e12, 50],
    ]) {
      const c = r.choice(n, k);
      expect(c.length).toBe(k);
      expect(new Set(c).size).toBe(k);
      for (const i of c) expect(Number.isInteger(i) && i >= 0 && i < n).toBe(true);
    }
    expect(new Random(9).choice(100, 5)).toEqual(new Random(9).choice(100, 5));
    expect(() => r.choice(3, 4)).toThrow(/without replacement/);
    expect(String(fromArray([Number.NaN, Number.POSITIVE_INFINITY]))).toBe(
      'Tensor([     NaN, Infinity], shape=(2,), dtype=float64)',
    );
  });
});

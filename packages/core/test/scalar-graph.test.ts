import {
  add,
  applyOp,
  type DType,
  defineOp,
  div,
  exp,
  fromArray,
  grad,
  mul,
  neg,
  type OpNode,
  pow,
  Random,
  ShapeError,
  sigmoid,
  sub,
  type Tensor,
  tanh,
  Variable,
  variable,
} from '@zerograd/core';
import { describe, expect, it } from 'vitest';

// 0-d tensors take a short path through the elementwise ops (their results hold their value
// until a buffer is asked for) and scalar graphs are what the engine's bookkeeping is tuned for. These tests
// pin that the short path is only faster: same numbers, gradients, dtypes and errors as the
// general path, which shape [1] still takes.

type Binary = (a: Variable, b: Variable) => Variable;
type Unary = (x: Variable) => Variable;

const BINARY: [string, Binary][] = [
  ['add', add],
  ['sub', sub],
  ['mul', mul],
  ['div', div],
  ['pow', (a, b) => pow(a, b)],
  ['maximum', (a, b) => a.maximum(b)],
  ['minimum', (a, b) => a.minimum(b)],
];

const UNARY: [string, Unary][] = [
  ['neg', neg],
  ['exp', exp],
  ['tanh', tanh],
  ['sigmoid', sigmoid],
  ['relu', (x) => x.relu()],
  ['abs', (x) => x.abs()],
  ['sqrt', (x) => x.abs().sqrt()],
  ['log', (x) => x.abs().log()],
  ['square', (x) => x.pow(2)],
  ['sin', (x) => x.sin()],
];

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Value and input gradients of `f` on 0-d inputs and on the same numbers as shape [1]. */
function bothPaths(f: (...xs: Variable[]) => Variable, values: number[], dtype: DType) {
  const run = (shape: number[]) => {
    const xs = values.map((v) => variable(fromArray([v], { dtype, shape })));
    const y = f(...xs);
    y.backward();
    return {
      dtype: y.dtype,
      shape: y.shape,
      value: y.data.data[0],
      grads: xs.map((x) => x.grad?.data.data[0] ?? 0),
      gradDtypes: xs.map((x) => x.grad?.dtype),
    };
  };
  return { scalar: run([]), general: run([1]) };
}

describe('0-d ops agree with the general path bit for bit', () => {
  const random = new Random(11);
  const values = () => [4 * random.next() - 2, 4 * random.next() - 2];
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [name, f] of BINARY) {
      it(`${name} (${dtype})`, () => {
        for (let k = 0; k < 20; k++) {
          const v = values();
          if (name === 'pow') v[0] = Math.abs(v[0]) + 0.1;
          const { scalar, general } = bothPaths(f as (...xs: Variable[]) => Variable, v, dtype);
          expect(scalar.shape).toEqual([]);
          expect(scalar.dtype).toBe(dtype);
          expect(same(scalar.value, general.value)).toBe(true);
          scalar.grads.forEach((g, i) => expect(same(g, general.grads[i])).toBe(true));
          expect(scalar.gradDtypes).toEqual([dtype, dtype]);
        }
      });
    }
    for (const [name, f] of UNARY) {
      it(`${name} (${dtype})`, () => {
        for (const v of [-1.5, -0.25, 0.3, 2, 1e-8]) {
          const { scalar, general } = bothPaths(f as (...xs: Variable[]) => Variable, [v], dtype);
          expect(scalar.shape).toEqual([]);
          expect(scalar.dtype).toBe(dtype);
          expect(same(scalar.value, general.value)).toBe(true);
          expect(same(scalar.grads[0], general.grads[0])).toBe(true);
        }
      });
    }
  }

  it('keeps NaN, infinities and signed zeros as the kernels do', () => {
    const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1];
    for (const a of specials) {
      for (const b of specials) {
        for (const [, f] of BINARY) {
          const { scalar, general } = bothPaths(f as (...xs: Variable[]) => Variable, [a, b], 'float64');
          expect(same(scalar.value, general.value)).toBe(true);
        }
      }
      for (const [, f] of UNARY) {
        const { scalar, general } = bothPaths(f as (...xs: Variable[]) => Variable, [a], 'float64');
        expect(same(scalar.value, general.value)).toBe(true);
      }
    }
  });

  it('rounds float32 results to float32', () => {
    const a = variable(0.1, { dtype: 'float32' });
    const b = variable(0.2, { dtype: 'float32' });
    const y = add(a, b);
    expect(y.data.data).toBeInstanceOf(Float32Array);
    expect(y.item()).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)));
  });
});

describe('0-d ops promote and check like the general path', () => {
  it('promotes float32 with float64 to float64, and plain numbers take the variable’s dtype', () => {
    const a = variable(1.5, { dtype: 'float32' });
    const b = variable(2.25);
    expect(add(a, b).dtype).toBe('float64');
    expect(mul(b, a).dtype).toBe('float64');
    expect(a.mul(0.1).dtype).toBe('float32');
    expect(a.mul(0.1).item()).toBe(Math.fround(Math.fround(1.5) * Math.fround(0.1)));
    const y = mul(a, b);
    y.backward();
    expect(a.grad?.dtype).toBe('float32');
    expect(b.grad?.dtype).toBe('float64');
    expect(a.grad?.item()).toBe(2.25);
    expect(b.grad?.item()).toBe(1.5);
  });

  it('broadcasts a 0-d operand against arrays and sums its gradient back to 0-d', () => {
    const s = variable(3);
    const v = variable([1, 2, 4]);
    const y = mul(s, v);
    expect(y.shape).toEqual([3]);
    y.sum().backward();
    expect(s.grad?.shape).toEqual([]);
    expect(s.grad?.item()).toBe(7);
    expect(v.grad?.toArray()).toEqual([3, 3, 3]);
  });

  it('still names the op and the shapes when shapes do not broadcast', () => {
    const a = variable([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = variable([1, 2, 3, 4]);
    expect(() => add(a, b)).toThrow(ShapeError);
    expect(() => add(a, b)).toThrow(/Add/);
    expect(() => mul(a, b)).toThrow(/\(2, 3\).*\(4,?\)|\(4,?\).*\(2, 3\)/);
  });
});

describe('0-d results own their numbers', () => {
  it('never share an element: writing one result leaves the others alone', () => {
    const xs = Array.from({ length: 2000 }, (_, i) => variable(i));
    const ys = xs.map((x) => x.add(1));
    ys[5].data.data[0] = -1;
    expect(ys.map((y) => y.item()).filter((v, i) => v !== i + 1)).toEqual([-1]);
  });

  it('gives every .grad its own storage, also when one gradient reaches several leaves', () => {
    const a = variable(2);
    const b = variable(3);
    const c = variable(5);
    const y = add(add(a, b), c); // the upstream gradient passes through Add unchanged
    y.backward();
    expect([a.grad?.item(), b.grad?.item(), c.grad?.item()]).toEqual([1, 1, 1]);
    (a.grad as Variable).data.data[0] = 42;
    expect([b.grad?.item(), c.grad?.item(), y.grad?.item()]).toEqual([1, 1, 1]);
  });
});

describe('0-d results without a buffer of their own', () => {
  it('read, copy, convert and print like any tensor, and take writes once read', () => {
    const y = variable(1.25).mul(2); // a 0-d op result
    expect(y.item()).toBe(2.5);
    expect(y.toArray()).toBe(2.5);
    expect(y.data.clone().item()).toBe(2.5);
    expect(y.data.astype('float32').dtype).toBe('float32');
    expect(y.data.astype('float32').data).toBeInstanceOf(Float32Array);
    expect(String(y)).toContain('2.5');
    const data = y.data.data;
    expect(data).toBeInstanceOf(Float64Array);
    expect(Array.from(data)).toEqual([2.5]);
    expect(y.data.data).toBe(data); // one buffer, once made
    data[0] = 7; // an optimizer updating in place
    expect(y.item()).toBe(7);
    expect(y.add(1).item()).toBe(8);
    expect(y.data.reshapeView([1]).toArray()).toEqual([7]);
  });

  it('rounds float32 values when made, as a Float32Array would', () => {
    const y = variable(0.1, { dtype: 'float32' }).add(variable(1e-9, { dtype: 'float32' }));
    expect(y.item()).toBe(Math.fround(Math.fround(0.1) + Math.fround(1e-9)));
    expect(y.data.data[0]).toBe(y.item());
  });

  it('keeps retained and output gradients, and survives a backward that throws', () => {
    const a = variable(3);
    const h = a.mul(a).retainGrad();
    const y = h.mul(2);
    y.backward();
    expect(h.grad?.item()).toBe(2);
    expect(a.grad?.item()).toBe(12);
    expect(y.grad?.item()).toBe(1);
    const bad = variable(2);
    const z = bad.mul(bad).add(1);
    expect(() => z.backward({ seed: variable([1, 2]).data })).toThrow(ShapeError);
    a.clearGrad();
    a.mul(a).mul(a).backward();
    expect(a.grad?.item()).toBe(27);
    z.backward();
    expect(bad.grad?.item()).toBe(4);
  });

  it('starts clean after a backward that threw midway', () => {
    let fail = true;
    const flaky = defineOp({
      name: 'Flaky',
      forward: ([x]) => x,
      backward: ([gy]) => {
        if (fail) throw new Error('boom');
        return gy;
      },
    });
    const x = variable(1.5);
    const h = x.mul(x);
    const y = flaky(h).mul(h).add(h);
    expect(() => y.backward()).toThrow('boom');
    expect(x.grad).toBeNull();
    fail = false;
    y.backward();
    expect(x.grad?.item()).toBeCloseTo(4 * 1.5 ** 3 + 2 * 1.5, 12);
  });
});

describe('the backward engine on scalar graphs', () => {
  /** micrograd's neuron: relu(b + Σ wᵢxᵢ), gradients by hand. */
  it('matches hand-derived gradients of a small neuron with fan-out', () => {
    const w = [variable(0.5), variable(-1.25), variable(2)];
    const x = [variable(1.5), variable(0.75), variable(-0.5)];
    const b = variable(0.25);
    let acc = b;
    for (let i = 0; i < 3; i++) acc = acc.add(w[i].mul(x[i]));
    const y = acc.relu().mul(acc); // acc used twice: relu(acc)·acc
    y.backward();
    const a = 0.25 + 0.5 * 1.5 - 1.25 * 0.75 - 2 * 0.5;
    const dyda = a > 0 ? 2 * a : 0;
    expect(y.item()).toBeCloseTo(Math.max(a, 0) * a, 14);
    for (let i = 0; i < 3; i++) {
      expect(w[i].grad?.item()).toBeCloseTo(dyda * x[i].item(), 14);
      expect(x[i].grad?.item()).toBeCloseTo(dyda * w[i].item(), 14);
    }
    expect(b.grad?.item()).toBeCloseTo(dyda, 14);
  });

  it('runs every node after all of its consumers, whatever order the graph was built in', () => {
    // `late` is made last but consumed by nothing made after it; `early` feeds nodes made on
    // both sides of it. A node run too early would miss a gradient.
    const x = variable(1.5);
    const early = x.mul(x); // x²
    const mid = early.add(x); // x² + x
    const late = x.mul(3); // 3x
    const y = mid.mul(early).add(late).add(early); // (x²+x)x² + 3x + x²
    y.backward();
    const v = 1.5;
    expect(x.grad?.item()).toBeCloseTo(4 * v ** 3 + 3 * v ** 2 + 3 + 2 * v, 12);
  });

  it('handles a chain of 100,000 scalar ops without recursion', () => {
    const x = variable(1);
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.mul(1).add(0);
    y.backward();
    expect(x.grad?.item()).toBe(1);
  });

  it('gives second derivatives through nested passes', () => {
    const f = (v: Variable) => v.mul(v).mul(v).add(v.tanh());
    const t = Math.tanh(0.7);
    const d1 = 3 * 0.49 + 1 - t * t;
    const d2 = 6 * 0.7 - 2 * t * (1 - t * t);
    // grad of grad: the inner pass runs inside the outer one.
    const [g2] = grad((v: Variable) => grad(f)(v)[0])(variable(0.7));
    expect(g2.item()).toBeCloseTo(d2, 12);
    // createGraph, then a second backward from the gradient.
    const x = variable(0.7);
    f(x).backward({ createGraph: true });
    const g1 = x.grad as Variable;
    expect(g1.item()).toBeCloseTo(d1, 12);
    x.clearGrad();
    g1.backward();
    expect(x.grad?.item()).toBeCloseTo(d2, 12);
  });

  it('still checks and fixes what a backward returns when inputs and output share a shape', () => {
    const wrongShape = defineOp({
      name: 'WrongShape',
      forward: ([x]) => x,
      backward: () => fromArray([1, 2]),
    });
    expect(() => wrongShape(variable(2)).backward()).toThrow(/WrongShape.*shape \(2,?\).*input 0 of shape \(\)/);
    const wrongDType = defineOp({
      name: 'WrongDType',
      forward: ([x]) => x,
      backward: ([gy]) => gy.data.astype('float32'),
    });
    const x = variable(1 / 3);
    wrongDType(x).mul(3).backward();
    expect(x.grad?.dtype).toBe('float64');
    expect(x.grad?.item()).toBe(Math.fround(3));
  });

  it('queues a multi-output node once, whichever outputs receive gradients', () => {
    const TwoDef = {
      name: 'Two',
      forward: ([x]: Tensor[]) => [x, x.clone()],
      backward: ([g0, g1]: Variable[]) => add(g0, mul(g1, 10)),
    };
    const x = variable(2);
    const [p, q] = applyOp(TwoDef, [x.mul(1)], undefined) as Variable[];
    p.mul(3).add(q.mul(5)).backward();
    expect(x.grad?.item()).toBe(3 + 50);
    const x2 = variable(2);
    const [p2] = applyOp(TwoDef, [x2.mul(1)], undefined) as Variable[];
    p2.mul(3).backward(); // the unused output's gradient is zeros
    expect(x2.grad?.item()).toBe(3);
  });

  it('keeps requiresGrad, retainsGrad and isParameter independent', () => {
    const v = variable(1);
    expect([v.requiresGrad, v.retainsGrad, v.isParameter]).toEqual([true, false, false]);
    v.isParameter = true;
    v.retainGrad();
    v.requiresGrad = false;
    expect([v.requiresGrad, v.retainsGrad, v.isParameter]).toEqual([false, true, true]);
    v.requiresGrad = true;
    v.isParameter = false;
    expect([v.requiresGrad, v.retainsGrad, v.isParameter]).toEqual([true, true, false]);
    expect(variable(1, { requiresGrad: false }).requiresGrad).toBe(false);
  });

  it('records plain nodes: a variable and an op node hold only their own fields', () => {
    // No engine scratch on user variables, no packed flags: what a reader sees in the classes.
    const x = variable(2);
    const y = x.mul(3);
    const node = y.creator as OpNode;
    expect(y).toBeInstanceOf(Variable);
    expect(Object.keys(y).sort()).toEqual(Object.keys(new Variable(y.data)).sort());
    expect(Object.keys(y).sort()).toEqual(
      ['creator', 'data', 'generation', 'grad', 'isParameter', 'name', 'requiresGrad', 'retainsGrad', 'scope'].sort(),
    );
    expect(Object.keys(node).sort()).toEqual(
      ['attrs', 'def', 'generation', 'id', 'inputs', 'outputs', 'saved', 'version', 'writesSeen'].sort(),
    );
    expect([y.requiresGrad, y.retainsGrad, y.isParameter, y.name, y.grad]).toEqual([true, false, false, null, null]);
    expect([node.generation, y.generation, y.mul(2).generation]).toEqual([0, 1, 2]);
    expect(node.needsGrad).toEqual([true, false]);
    expect(node.attrs).toBeUndefined();
    expect(node.saved).toEqual([]);
  });

  it('lists a single output as a one-element array on its node', () => {
    const x = variable(2);
    const y = x.mul(3);
    expect(y.creator?.outputs).toEqual([y]);
    expect(y.creator?.inputs[0]).toBe(x);
  });

  it('gives a float32 scalar graph the same gradients as its float64 twin, to float32 precision', () => {
    const build = (dtype: DType) => {
      const w = variable(0.3, { dtype });
      const v = variable(-1.7, { dtype });
      const y = w.mul(v).add(w).tanh().mul(v).sub(w.mul(w));
      y.backward();
      return [w.grad?.item() ?? Number.NaN, v.grad?.item() ?? Number.NaN];
    };
    const g32 = build('float32');
    const g64 = build('float64');
    g32.forEach((g, i) => expect(g).toBeCloseTo(g64[i], 5));
  });
});

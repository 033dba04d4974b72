// Hostile inputs that once crashed, did nothing, or answered wrongly (issue 11): each test
// failed before its fix.
import {
  add,
  backward,
  broadcastTo,
  currentScope,
  defineOp,
  detectAnomaly,
  enableGrad,
  fromArray,
  full,
  GraphError,
  isAnomalyEnabled,
  isGradEnabled,
  matmul,
  mul,
  noGrad,
  ones,
  releaseGraph,
  ShapeError,
  scope,
  transpose,
  ValueError,
  variable,
  zeros,
} from '@zerograd/core';
import { gatherMap, gemm, kernels } from '@zerograd/core/internals';
import { describe, expect, it } from 'vitest';

describe('backward() of an output that has no graph (#4)', () => {
  it('throws a GraphError instead of leaving every gradient null without a word', () => {
    const x = variable([1, 2]);
    const y = noGrad(() => x.mul(2).sum());
    expect(() => y.backward()).toThrow(GraphError);
    expect(() => backward(y)).toThrow(/made without a graph/);
    expect(x.grad).toBeNull();
    // From constants only: nothing requires a gradient either.
    const c = mul(variable([1], { requiresGrad: false }), 3);
    expect(() => c.backward()).toThrow(GraphError);
  });

  it('inside a custom op’s backward too', () => {
    const x = variable([1, 2]);
    const bad = defineOp({
      name: 'Bad',
      forward: ([t]) => t,
      backward: ([gy]) => {
        noGrad(() => gy.mul(2)).backward();
        return gy;
      },
    });
    expect(() => bad(x).sum().backward()).toThrow(/^backward: the output \(2,\) was made without a graph/);
  });

  it('a leaf that requires a gradient still backpropagates to itself', () => {
    const x = variable(3);
    x.backward();
    expect(x.grad?.item()).toBe(1);
  });
});

describe('indexing past 2^31 elements (#3)', () => {
  it('gather offsets do not wrap (they were Int32: the last element of 2^31+16 read NaN)', () => {
    const n = 2 ** 31 + 16;
    expect(gatherMap([n], [-1]).map[0]).toBe(n - 1);
    expect(gatherMap([3, 2 ** 31], [2, 7]).map[0]).toBe(2 * 2 ** 31 + 7);
    expect(
      Array.from(
        gatherMap(
          [2, 2 ** 31],
          [
            [1, 0],
            [2 ** 31 - 1, 3],
          ],
        ).map,
      ),
    ).toEqual([2 ** 32 - 1, 3]);
  });
});

describe('raw errors become library errors (#11, #12)', () => {
  const x = variable([
    [1, 2],
    [3, 4],
  ]);

  it('transpose with axes that are not an array of integers', () => {
    expect(() => transpose(x, 5 as never)).toThrow(ShapeError);
    expect(() => transpose(x, 5 as never)).toThrow(/^Transpose: axes must be an array of 2 integers/);
    expect(() => transpose(x, 'ab' as never)).toThrow(/got "ab"/);
    expect(() => transpose(x, ['a', 'b'] as never)).toThrow(ShapeError);
  });

  it('fromArray of a 20,000-deep nesting or an array that contains itself', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(() => fromArray(deep as never)).toThrow(ValueError);
    expect(() => fromArray(deep as never)).toThrow(/deeper than 64 levels/);
    const selfish: unknown[] = [];
    selfish.push(selfish);
    expect(() => fromArray(selfish as never)).toThrow(ValueError);
    const mixed: unknown[] = [1];
    mixed.push(mixed);
    expect(() => fromArray(mixed as never)).toThrow(ValueError);
  });

  it('releaseGraph of something that is not a Variable', () => {
    expect(() => releaseGraph(3 as never)).toThrow(GraphError);
    expect(() => releaseGraph(x, null as never)).toThrow(/argument 1 is null, not a Variable/);
  });

  it('full with a fill value that is not a number', () => {
    expect(() => full([2], 'x' as never)).toThrow(ValueError);
    expect(() => full([2], null as never)).toThrow(/fill value must be a number, got null/);
    expect(full([2], Number.NaN).toArray()).toEqual([Number.NaN, Number.NaN]);
  });

  it('kernels of an unknown kind', () => {
    expect(() => kernels.binary('nope' as never, ones([2]), ones([2]))).toThrow(/unknown kind "nope"/);
    expect(() => kernels.unary('nope' as never, ones([2]))).toThrow(ValueError);
    expect(() => kernels.reduceTensor('nope' as never, ones([2]))).toThrow(/unknown kind "nope"/);
  });

  it('gemm with buffers too short or sizes that are not whole numbers', () => {
    const a = new Float64Array(2);
    const c = new Float64Array(4);
    expect(() => gemm(2, 2, 2, a, 0, false, a, 0, false, c, 0)).toThrow(/a holds 2 elements, 0 \+ 4 are needed/);
    expect(() => gemm(2, 2, 1.5, a, 0, false, a, 0, false, c, 0)).toThrow(/k must be a whole number/);
    const b = new Float64Array([1, 2, 3, 4]);
    gemm(2, 2, 2, b, 0, false, b, 0, false, c, 0);
    expect(Array.from(c)).toEqual([7, 10, 15, 22]);
  });

  it('running out of memory names the op and its input shapes, not allocate', () => {
    expect(() => add(ones([1]), zeros([2 ** 31, 4], { dtype: 'float32' }).reshapeView([2 ** 33]))).toThrow();
    expect(() => broadcastTo(ones([1]), [2 ** 31, 4])).toThrow(/^BroadcastTo: out of memory on input shapes \(1,\)/);
  });

  it('a batched matmul error names both full shapes', () => {
    expect(() => matmul(ones([2, 3, 4]), ones([5, 4, 6]))).toThrow(/\(2, 3, 4\).*\(5, 4, 6\)/);
  });
});

describe('releaseGraph and detach() (#14)', () => {
  it('a detached value survives releaseGraph, as the README promises', () => {
    const leaf = variable(Array.from({ length: 4096 }, (_, i) => i));
    const y = leaf.mul(2);
    const kept = y.detach();
    const z = y.add(1).sum();
    z.backward();
    releaseGraph(z);
    expect(kept.data.data[5]).toBe(10);
    expect(() => y.add(1).data.data).not.toThrow();
  });
});

describe('modes and async callbacks (#15)', () => {
  it('noGrad, enableGrad, detectAnomaly and scope refuse an async callback, and restore their mode', async () => {
    const wait = () => new Promise((r) => setTimeout(r, 0));
    const cases: [string, () => unknown][] = [
      ['noGrad', () => noGrad(async () => wait())],
      ['enableGrad', () => enableGrad(async () => wait())],
      ['detectAnomaly', () => detectAnomaly(async () => wait())],
      ['scope', () => scope('s', async () => wait())],
    ];
    for (const [name, run] of cases) {
      expect(run, name).toThrow(GraphError);
      expect(run, name).toThrow(new RegExp(`^${name}: the callback returned a Promise`));
    }
    expect([isGradEnabled(), isAnomalyEnabled(), currentScope()]).toEqual([true, false, []]);
    // Synchronous callbacks work as ever.
    expect(noGrad(() => variable([1]).mul(2).creator)).toBeNull();
  });
});

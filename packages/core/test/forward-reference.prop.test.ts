// Forward results against straightforward numpy-semantics references (support/reference.ts),
// dtype promotion, and the library's error classes.
import {
  add,
  broadcastTo,
  DTypeError,
  div,
  fromArray,
  getItem,
  gradcheck,
  type IndexSpec,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mul,
  ones,
  pow,
  reshape,
  ShapeError,
  slice,
  sub,
  sum,
  sumTo,
  type Tensor,
  tensor,
  transpose,
  ValueError,
  type Variable,
  variable,
  ZerogradError,
  zeros,
} from '@zerograd/core';
import { normalizeAxes } from '@zerograd/core/internals';
import {
  broadcastTensorsArb,
  checkProperty,
  matmulShapesArb,
  opEntries,
  shapeArb,
  tensorArb,
} from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisArb, indexArb, permutationArb } from './support/index-arbs.js';
import { type Ref, refBinary, refGetItem, refMatmul, refReduce, refTranspose } from './support/reference.js';

const ref = (t: Tensor): Ref => ({ shape: t.shape.slice(), data: Array.from(t.data) });
const expectMatches = (v: Variable, r: Ref, tol = 0) => {
  expect(v.shape).toEqual(r.shape);
  const got = Array.from(v.data.data);
  if (tol === 0) expect(got).toEqual(r.data);
  else got.forEach((g, i) => expect(Math.abs(g - r.data[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(r.data[i]))));
};

describe('broadcasting binary ops vs the reference', () => {
  // Every broadcasting binary row of the op table, with its plain-number reference.
  const ops = opEntries()
    .filter(([, e]) => e.kind === 'binary' && e.reference !== undefined)
    .map(([name, e]) => [name, e.fn, e.reference as (x: number, y: number) => number] as const);
  it('pairs and triples, rank differences and size-1 axes, empty axes', () => {
    checkProperty(
      'forward: broadcasting',
      fc.property(
        broadcastTensorsArb(2, {}, { maxRank: 4, minSize: 0, maxSize: 3 }),
        fc.constantFrom(...ops),
        ([a, b], [, op, f]) => expectMatches(op(a, b), refBinary(ref(a), ref(b), f)),
      ),
      { numRuns: 60 },
    );
    checkProperty(
      'forward: broadcasting',
      fc.property(broadcastTensorsArb(3, {}, { maxRank: 4 }), ([a, b, c]) => {
        const r = refBinary(
          refBinary(ref(a), ref(b), (x, y) => x * y),
          ref(c),
          (x, y) => x + y,
        );
        expectMatches(add(mul(a, b), c), r);
      }),
      { numRuns: 30 },
    );
  });
});

describe('reductions vs the reference', () => {
  it('sum, mean, max, min over any axes with keepdims', () => {
    checkProperty(
      'forward: reductions',
      fc.property(
        shapeArb({ maxRank: 4, minSize: 1 }).chain((s) => fc.tuple(tensorArb(s), axisArb(s.length), fc.boolean())),
        ([x, axis, keepdims]) => {
          const axes = normalizeAxes('test', axis, x.ndim);
          const count = axes.reduce((p, a) => p * x.shape[a], 1);
          const m = refReduce(ref(x), axes, keepdims, 0, (p, v) => p + v);
          expectMatches(mean(x, axis, keepdims), { shape: m.shape, data: m.data.map((v) => v / count) }, 1e-12);
          // The table's folds (sum, max, min), each from its starting value.
          for (const [name, e] of opEntries().filter(([, e]) => e.kind === 'reduction' && e.reference)) {
            const fold = e.reference as (acc: number, v: number) => number;
            const want = refReduce(ref(x), axes, keepdims, e.foldFrom ?? 0, fold);
            expectMatches(e.fn(x, axis, keepdims), want, name === 'sum' ? 1e-12 : 0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sum over empty axes is 0, max over one is an error', () => {
    expect(sum(zeros([2, 0]), 1).toArray()).toEqual([0, 0]);
    expect(() => max(zeros([2, 0]), 1)).toThrow(ShapeError);
    expect(max(tensor([1, Number.NaN, 3])).item()).toBeNaN();
  });
});

describe('shape ops vs the reference', () => {
  it('transpose by any permutation', () => {
    checkProperty(
      'forward: transpose',
      fc.property(
        shapeArb({ maxRank: 5, maxElements: 120 }).chain((s) => fc.tuple(tensorArb(s), permutationArb(s.length))),
        ([x, axes]) => {
          const perm = (axes ?? x.shape.map((_, i) => x.ndim - 1 - i)).map((a) => (a < 0 ? a + x.ndim : a));
          expectMatches(transpose(x, axes), refTranspose(ref(x), perm));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('broadcastTo and sumTo', () => {
    checkProperty(
      'forward: broadcastTo/sumTo',
      fc.property(broadcastTensorsArb(2, {}, { maxRank: 4 }), ([a, b]) => {
        const shape = refBinary(ref(a), ref(b), () => 0).shape;
        expectMatches(
          broadcastTo(a, shape),
          refBinary(ref(a), ref(zeros(shape)), (x) => x),
        );
        const big = refBinary(ref(a), ref(b), (x, y) => x * y);
        const t = fromArray(Float64Array.from(big.data), { shape });
        // sumTo(t, a.shape) = sum over the axes a was broadcast along
        const lead = shape.length - a.ndim;
        const axes = shape.map((_, i) => i).filter((i) => i < lead || (a.shape[i - lead] === 1 && shape[i] !== 1));
        const r = refReduce(ref(t), axes, true, 0, (p, v) => p + v);
        expectMatches(sumTo(t, a.shape), { shape: a.shape.slice(), data: r.data }, 1e-12);
      }),
      { numRuns: 40 },
    );
  });
});

describe('getItem vs a numpy-semantics reference', () => {
  it('integers, slices (negative steps, out-of-range bounds), null and integer arrays', () => {
    checkProperty(
      'forward: getItem',
      fc.property(
        shapeArb({ maxRank: 4, minSize: 1, maxSize: 4, maxElements: 64 }).chain((s) =>
          fc.tuple(tensorArb(s), indexArb(s)),
        ),
        ([x, index]) => expectMatches(getItem(x, ...index), refGetItem(ref(x), index)),
      ),
      { numRuns: 200 },
    );
  });

  it('known numpy results', () => {
    const x = fromArray(
      Float64Array.from({ length: 24 }, (_, i) => i),
      { shape: [2, 3, 4] },
    );
    const at = (...i: IndexSpec[]) => getItem(x, ...i);
    expect(at(1, -1).toArray()).toEqual([20, 21, 22, 23]);
    expect(at(null, slice(null, null, -1), 0).toArray()).toEqual([
      [8, 4, 0],
      [20, 16, 12],
    ]);
    expect(at(0, slice(5, -5, -2)).shape).toEqual([2, 4]); // rows 2 and 0
    // Separated advanced indices move to the front: x[[0, 1], :, [1, 3]] has shape (2, 3).
    expect(at([0, 1], null, [1, 3]).toArray()).toEqual([
      [1, 5, 9],
      [15, 19, 23],
    ]);
    // Adjacent ones stay in place: x[:, [0, 2], [1, 1]] has shape (2, 2).
    expect(at(null, [0, 2], [1, 1]).toArray()).toEqual([
      [1, 9],
      [13, 21],
    ]);
  });

  it('repeated indices scatter-add in the backward', () => {
    const x = variable([10, 20, 30]);
    sum(mul(getItem(x, [0, 0, 2, 0]), tensor([1, 2, 3, 4]))).backward();
    expect(x.grad?.toArray()).toEqual([7, 0, 3]);
  });
});

describe('matmul vs the reference', () => {
  it('2-D, batched with broadcast batch axes, and the 1-D rules', () => {
    checkProperty(
      'forward: matmul',
      fc.property(
        matmulShapesArb({ maxSize: 5 }).chain(([a, b]) => fc.tuple(tensorArb(a), tensorArb(b))),
        ([a, b]) => expectMatches(matmul(a, b), refMatmul(ref(a), ref(b)), 1e-12),
      ),
      { numRuns: 60 },
    );
  });

  it('the 1-D shapes numpy gives', () => {
    expect(matmul(ones([3]), ones([3])).shape).toEqual([]);
    expect(matmul(ones([3]), ones([3, 2])).shape).toEqual([2]);
    expect(matmul(ones([2, 3]), ones([3])).shape).toEqual([2]);
    expect(matmul(ones([4, 1, 2, 3]), ones([3])).shape).toEqual([4, 1, 2]);
    expect(matmul(ones([3]), ones([5, 3, 2])).shape).toEqual([5, 2]);
    expect(matmul(ones([3]), ones([3])).item()).toBe(3);
  });
});

describe('dtype promotion', () => {
  it('float32 with float64 gives float64; numbers and nested arrays are weak', () => {
    const f32 = variable([1, 2], { dtype: 'float32' });
    const f64 = variable([1, 2]);
    for (const op of [add, sub, mul, div, maximum, minimum, pow]) {
      expect(op(f32, f64).dtype).toBe('float64');
      expect(op(f64, f32).dtype).toBe('float64');
      expect(op(f32, f32).dtype).toBe('float32');
      expect(op(f32, 2).dtype).toBe('float32');
      expect(op(f32, [2, 3]).dtype).toBe('float32');
      expect(op(f32, tensor([2, 3])).dtype).toBe('float64');
      expect(op(f64, 2).dtype).toBe('float64');
    }
    expect(matmul(variable([[1]], { dtype: 'float32' }), variable([[2]])).dtype).toBe('float64');
    expect(sum(f32).dtype).toBe('float32');
    expect(getItem(f32, 0).dtype).toBe('float32');
  });

  it('gradients have their input’s dtype and shape', () => {
    const a = variable([[1, 2]], { dtype: 'float32' });
    const b = variable([[1], [2], [3]]);
    const y = sum(mul(a, b));
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(a.grad?.dtype).toBe('float32');
    expect(a.grad?.shape).toEqual([1, 2]);
    expect(b.grad?.dtype).toBe('float64');
    expect(b.grad?.shape).toEqual([3, 1]);
  });
});

describe('error classes name the op, the shapes and what was expected', () => {
  const cases: [string, () => unknown, new (...a: never[]) => ZerogradError, RegExp][] = [
    ['add', () => add(ones([2]), ones([3])), ShapeError, /^Add: shapes \(2,\) and \(3,\) cannot be broadcast/],
    ['matmul', () => matmul(ones([2, 3]), ones([2, 3])), ShapeError, /^MatMul: .*\(2, 3\).*\(2, 3\).*3 and 2/],
    ['matmul scalar', () => matmul(ones([]), ones([2])), ShapeError, /^MatMul: .*rank ≥ 1.*\(\)/],
    ['reshape', () => reshape(ones([2, 3]), [4, 2]), ShapeError, /^Reshape: cannot reshape \(2, 3\) .*\(4, 2\)/],
    ['sum axis', () => sum(ones([2, 3]), 2), ShapeError, /^Sum: axis 2 is out of range for a tensor of rank 2/],
    ['sum repeated', () => sum(ones([2, 3]), [1, -1]), ValueError, /^Sum: axis -1 is repeated/],
    ['max empty', () => max(zeros([0])), ShapeError, /^Max: .*size 0.*\(0,\)/],
    ['transpose', () => transpose(ones([2, 3]), [0, 0]), ShapeError, /^Transpose: .*not a permutation/],
    ['broadcastTo', () => broadcastTo(ones([3]), [2, 4]), ShapeError, /cannot broadcast \(3,\) to \(2, 4\)/],
    ['sumTo', () => sumTo(ones([2, 3]), [4]), ShapeError, /cannot sum \(2, 3\) down to \(4,\)/],
    ['getItem bounds', () => getItem(ones([2, 3]), 0, 3), ShapeError, /^GetItem: index 3 is out of bounds for axis 1/],
    ['getItem step', () => getItem(ones([2]), slice(0, 2, 0)), ValueError, /^GetItem: slice step must be a non-zero/],
    ['getItem too many', () => getItem(ones([2]), 0, 0), ShapeError, /^GetItem: too many indices.*\(2,\)/],
    ['dtype', () => variable([1], { dtype: 'int64' as never }), DTypeError, /unsupported dtype "int64"/],
    ['ragged', () => tensor([[1, 2], [3]]), ValueError, /ragged nested array: x\[1\] has 1 elements, expected 2/],
    ['operand', () => add(ones([1]), 'x' as never), DTypeError, /^Add: cannot use string/],
    // Regressions found by the fuzz test:
    ['ragged leaf first', () => tensor([1, [2]] as never), ValueError, /ragged nested array: x\[1\] is an array/],
    ['junk axis', () => sum(ones([2]), {} as never), ValueError, /^Sum: axis must be an integer or an array/],
    ['huge shape', () => zeros([2 ** 31, 2 ** 31]), ValueError, /cannot allocate/],
    ['gradcheck f', () => gradcheck(null as never, []), ValueError, /^gradcheck: f must be a function/],
  ];
  for (const [name, f, cls, msg] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(ZerogradError);
      expect((err as Error).message).toMatch(msg);
      expect((err as ZerogradError).op.length).toBeGreaterThan(0);
    });
  }
});

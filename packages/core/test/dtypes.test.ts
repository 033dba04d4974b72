// int32 and bool tensors (issue 17): labels, indices, argmax results and masks. Math computes in
// floating point; no gradient flows into them; a boolean mask selects, as numpy's x[mask].
import {
  argmax,
  cast,
  DTypeError,
  fromArray,
  getItem,
  greater,
  less,
  mul,
  newAxis,
  ones,
  randn,
  ShapeError,
  sum,
  ValueError,
  variable,
  where,
  zeros,
} from '@zerograd/core';
import { gradientProperty, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('making int32 and bool tensors', () => {
  it('from Int32Array, from nested booleans, and with dtype', () => {
    expect(fromArray(new Int32Array([1, 2, 3])).dtype).toBe('int32');
    const m = fromArray([
      [true, false],
      [false, true],
    ]);
    expect([m.dtype, m.shape, m.toArray()]).toEqual([
      'bool',
      [2, 2],
      [
        [1, 0],
        [0, 1],
      ],
    ]);
    expect(fromArray([1.9, -1.9, 3], { dtype: 'int32' }).toArray()).toEqual([1, -1, 3]); // truncation, like numpy
    expect(fromArray([0, 0.5, Number.NaN], { dtype: 'bool' }).toArray()).toEqual([0, 1, 1]);
    expect(zeros([2], { dtype: 'int32' }).data).toBeInstanceOf(Int32Array);
    expect(() => fromArray([Number.NaN], { dtype: 'int32' })).toThrow(/no int32 value/);
    expect(() => fromArray([2 ** 31], { dtype: 'int32' })).toThrow(ValueError);
    expect(() => randn([2], { dtype: 'int32' })).toThrow(DTypeError);
    expect(fromArray(new Uint8Array([1, 0]), { dtype: 'bool' }).dtype).toBe('bool');
    expect(() => fromArray(new Uint8Array([1, 0]) as never)).toThrow(ValueError);
  });

  it('astype converts both ways, and prints', () => {
    const x = fromArray([2.7, -0.5, 0]);
    expect(x.astype('int32').toArray()).toEqual([2, 0, 0]);
    expect(x.astype('bool').toArray()).toEqual([1, 1, 0]);
    expect(x.astype('int32').astype('float32').toArray()).toEqual([2, 0, 0]);
    expect(String(fromArray([true, false]))).toBe('Tensor([1, 0], shape=(2,), dtype=bool)');
  });
});

describe('promotion and gradients', () => {
  it('math computes in floating point: int and bool operands become float64, or the float operand’s type', () => {
    const i = fromArray(new Int32Array([1, 2, 3]));
    expect(variable(i).add(1).dtype).toBe('float64');
    expect(mul(i, fromArray([0.5, 0.5, 0.5], { dtype: 'float32' })).dtype).toBe('float32');
    expect(mul(i, i).toArray()).toEqual([1, 4, 9]);
    expect(variable(i).div(2).toArray()).toEqual([0.5, 1, 1.5]); // no integer division
    expect(sum(greater(fromArray([1, -2, 3]), 0)).item()).toBe(2); // counting a mask
  });

  it('int32 and bool variables never require a gradient; asking for one is an error', () => {
    expect(variable(new Int32Array([1])).requiresGrad).toBe(false);
    expect(variable([true]).requiresGrad).toBe(false);
    expect(() => variable(new Int32Array([1]), { requiresGrad: true })).toThrow(DTypeError);
    expect(() => variable([1], { dtype: 'int32', requiresGrad: true })).toThrow(/cannot require a gradient/);
  });

  it('comparisons give bool constants; casting to int32 records no node', () => {
    const x = variable([1, 2, 3]);
    const m = less(x, 2.5);
    expect([m.dtype, m.requiresGrad, m.creator]).toEqual(['bool', false, null]);
    const c = cast(x, 'int32');
    expect([c.dtype, c.requiresGrad, c.creator]).toEqual(['int32', false, null]);
    const y = where(m, x, mul(x, 10)).sum();
    y.backward();
    expect(x.grad?.toArray()).toEqual([1, 1, 10]);
  });

  it('argmax gives int32 indices', () => {
    const a = argmax(
      fromArray([
        [1, 5, 2],
        [7, 0, 7],
      ]),
    );
    expect([a.dtype, a.toArray()]).toEqual(['int32', [1, 0]]);
  });
});

describe('boolean masks select (they used to gather as indices 0 and 1)', () => {
  it('the issue’s reproduction: [10, 20, 30][v > 3]', () => {
    const v = variable([10, 20, 30]);
    expect(getItem(v, greater(v, 15)).toArray()).toEqual([20, 30]);
    expect(v.getItem(greater(v, 3)).toArray()).toEqual([10, 20, 30]);
    expect(getItem(v, [true, false, true]).toArray()).toEqual([10, 30]);
    expect(getItem(v, greater(v, 100)).shape).toEqual([0]);
  });

  it('a 2-D mask over a 2-D tensor gives the selected elements in row-major order', () => {
    const x = fromArray([
      [1, -2, 3, -4],
      [-5, 6, -7, 8],
      [9, -10, 11, -12],
    ]);
    const picked = getItem(x, greater(x, 0));
    expect([picked.shape, picked.toArray()]).toEqual([[6], [1, 3, 6, 8, 9, 11]]);
    // A mask over the first axis keeps whole rows, like numpy's x[rowmask].
    expect(getItem(x, [true, false, true]).shape).toEqual([2, 4]);
    expect(() => getItem(x, [true, false])).toThrow(ShapeError);
    expect(() => getItem(x, true as never)).toThrow(ValueError);
  });

  it('integer index tensors still gather (int32 and float64)', () => {
    const x = variable([10, 20, 30]);
    expect(getItem(x, fromArray(new Int32Array([2, 0, 2]))).toArray()).toEqual([30, 10, 30]);
    expect(getItem(x, fromArray([1, 1])).toArray()).toEqual([20, 20]);
  });

  it('the gradient of a masked selection is scattered back to the true positions', () => {
    gradientProperty(
      ({ mask }: { mask: boolean[] }) =>
        (x) =>
          getItem(x, mask).mul(getItem(x, mask)).sum(),
      fc.integer({ min: 1, max: 6 }).chain((n) =>
        fc.record({
          inputs: fc.tuple(tensorArb([n, 2])),
          params: fc.record({ mask: fc.array(fc.boolean(), { minLength: n, maxLength: n }) }),
        }),
      ),
      { label: 'getItem(mask)', secondOrder: true },
    );
    const x = variable(ones([2, 2]));
    getItem(
      x,
      fromArray([
        [true, false],
        [false, true],
      ]),
    )
      .sum()
      .backward();
    expect(x.grad?.toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

describe('newAxis in getItem (numpy’s None)', () => {
  it('inserts a size-1 axis where it stands, after the axes the entries before it keep', () => {
    const x = variable([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(getItem(x, newAxis).shape).toEqual([1, 2, 3]);
    expect(getItem(x, null, newAxis).shape).toEqual([2, 1, 3]);
    expect(getItem(x, 1, newAxis).toArray()).toEqual([[4, 5, 6]]);
    expect(getItem(x, null, null, newAxis).shape).toEqual([2, 3, 1]);
    const y = getItem(x, null, newAxis);
    y.sum().backward();
    expect(x.grad?.toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(() => getItem(x, newAxis, [0, 1])).toThrow(ValueError);
  });
});

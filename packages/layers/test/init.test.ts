// Initialisers: the right scale, seeded, and the book's names.
import { Random, ValueError } from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import { Affine, fans, heInit, resolveInit, stdInit, xavierInit, zerosInit } from '../src/index.js';

const std = (d: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < d.length; i++) m += d[i];
  m /= d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i] - m) ** 2;
  return Math.sqrt(v / d.length);
};

describe('initialisers', () => {
  const ctx = () => ({ random: new Random(0), dtype: 'float64' as const });

  it('draw with the book’s standard deviations', () => {
    expect(std(stdInit()([400, 100], ctx()).data)).toBeCloseTo(0.01, 3);
    expect(std(heInit()([400, 100], ctx()).data)).toBeCloseTo(Math.sqrt(2 / 400), 3);
    expect(std(xavierInit()([400, 100], ctx()).data)).toBeCloseTo(Math.sqrt(1 / 400), 3);
    expect(std(xavierInit('average')([400, 100], ctx()).data)).toBeCloseTo(Math.sqrt(2 / 500), 3);
    expect(Array.from(zerosInit()([3], ctx()).data)).toEqual([0, 0, 0]);
    expect(fans([3, 4, 5, 5])).toEqual({ fanIn: 75, fanOut: 100 });
  });

  it('are seeded: the same seed gives the same weights', () => {
    expect(new Affine(5, 3, { seed: 4, init: 'he' }).W.data).toEqual(new Affine(5, 3, { seed: 4, init: 'he' }).W.data);
    expect(new Affine(5, 3, { seed: 4 }).W.data).not.toEqual(new Affine(5, 3, { seed: 5 }).W.data);
    const a = new Affine(5, 3, { random: new Random(1), dtype: 'float32' });
    expect(a.W.dtype).toBe('float32');
    expect(Array.from(a.b?.data.data ?? [])).toEqual([0, 0, 0]);
  });

  it('accept the book’s names and reject unknown ones', () => {
    const r = ctx();
    expect(resolveInit('relu')([2, 2], r).shape).toEqual([2, 2]);
    expect(resolveInit('sigmoid')([2, 2], r).shape).toEqual([2, 2]);
    expect(() => resolveInit('lecun' as 'he')).toThrow(ValueError);
    expect(() => stdInit(-1)).toThrow(ValueError);
    expect(() => new Affine(0, 2)).toThrow(ValueError);
  });
});

// Gradients of matmul over numpy's shape rules: 2-D, batched with broadcast batch axes, and
// 1-D operands on either side — first and second order.
import { matmul, tanh } from '@zerograd/core';
import { gradientProperty, matmulShapesArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, it } from 'vitest';

const operands = (constraints: Parameters<typeof matmulShapesArb>[0]) =>
  matmulShapesArb(constraints).chain(([a, b]) => fc.tuple(tensorArb(a), tensorArb(b)));

describe('MatMul gradients', () => {
  it('2-D', () => {
    gradientProperty((a, b) => matmul(a, b), operands({ maxBatchRank: 0, vectors: false }), {
      label: 'MatMul',
      secondOrder: true,
    });
  });
  it('batched, with broadcast batch axes of different ranks', () => {
    gradientProperty((a, b) => matmul(a, b), operands({ maxBatchRank: 2, vectors: false }), {
      label: 'MatMul',
      secondOrder: true,
    });
  });
  it('1-D operands (vector·matrix, matrix·vector, dot, vector·batch)', () => {
    gradientProperty((a, b) => matmul(a, b), operands({ maxBatchRank: 2, vectors: true }), {
      label: 'MatMul',
      secondOrder: true,
    });
  });
  it('composed: tanh(A·B)·C', () => {
    gradientProperty(
      (a, b, c) => matmul(tanh(matmul(a, b)), c),
      fc
        .record({
          m: fc.integer({ min: 1, max: 3 }),
          k: fc.integer({ min: 1, max: 3 }),
          n: fc.integer({ min: 1, max: 3 }),
        })
        .chain(({ m, k, n }) => fc.tuple(tensorArb([m, k]), tensorArb([k, n]), tensorArb([n, 2]))),
      { label: 'MatMul (composed)', secondOrder: true },
    );
  });
});

// Properties of whole graphs: shared subexpressions (fan-out) accumulate correctly, and the
// backward pass is linear and adjoint to the forward shape ops.
import {
  add,
  broadcastShapes,
  broadcastTo,
  exp,
  grad,
  matmul,
  mul,
  reshape,
  sin,
  sum,
  sumTo,
  Tensor,
  tanh,
  transpose,
  type Variable,
  variable,
} from '@zerograd/core';
import { computeGrads } from '@zerograd/core/internals';
import {
  broadcastShapesArb,
  broadcastTensorsArb,
  checkProperty,
  gradientProperty,
  shapeArb,
  tensorArb,
} from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const anyShape = shapeArb({ maxRank: 3, maxElements: 24 });
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-10) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])));
};

describe('shared subexpressions', () => {
  it('x·x, a+a and reused intermediates pass gradcheck to second order', () => {
    gradientProperty((x) => mul(x, x), [tensorArb(anyShape)], { label: 'Shared: x*x', secondOrder: true });
    gradientProperty((a) => add(a, a), [tensorArb(anyShape)], { label: 'Shared: a+a', secondOrder: true });
    gradientProperty(
      (x) => {
        const h = tanh(x); // used three times
        return add(mul(h, h), mul(sin(h), h));
      },
      [tensorArb(anyShape)],
      { label: 'Shared: reused intermediate', secondOrder: true },
    );
    gradientProperty(
      (a, b) => {
        const e = exp(mul(a, b)); // a diamond through a broadcast
        return mul(add(e, a), sub1(e));
      },
      broadcastTensorsArb(2, { min: -1.5, max: 1.5 }),
      { label: 'Shared: diamond', secondOrder: true },
    );
  });

  it('x·x has the exact gradient 2x and a+a exactly 2', () => {
    checkProperty(
      'Shared: exact',
      fc.property(tensorArb(anyShape), (t) => {
        const [g] = grad((x) => mul(x, x))(t);
        expect(Array.from(g.data.data)).toEqual(Array.from(t.data, (v) => 2 * v));
        const [h] = grad((x) => add(x, x))(t);
        expect(Array.from(h.data.data)).toEqual(Array.from(t.data, () => 2));
      }),
      { numRuns: 20 },
    );
  });
});

function sub1(v: Variable): Variable {
  return add(v, -1);
}

describe('algebraic properties', () => {
  it('sumTo ∘ broadcastTo multiplies by the broadcast factor', () => {
    checkProperty(
      'sumTo∘broadcastTo',
      fc.property(
        broadcastShapesArb(2).chain(([s, t]) => fc.tuple(tensorArb(s), fc.constant(broadcastShapes('test', s, t)))),
        ([x, target]) => {
          const factor = target.reduce((p, q) => p * q, 1) / Math.max(1, x.size);
          const y = sumTo(broadcastTo(x, target), x.shape);
          expect(y.shape).toEqual(x.shape);
          close(
            y.data.data,
            Array.from(x.data, (v) => v * factor),
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it('broadcastTo and sumTo are adjoint: ⟨broadcastTo(x), y⟩ = ⟨x, sumTo(y)⟩', () => {
    checkProperty(
      'broadcastTo/sumTo adjoint',
      fc.property(
        broadcastShapesArb(2).chain(([s, t]) => {
          const target = broadcastShapes('test', s, t);
          return fc.tuple(tensorArb(s), tensorArb(target));
        }),
        ([x, y]) => {
          const lhs = sum(mul(broadcastTo(x, y.shape), y)).item();
          const rhs = sum(mul(x, sumTo(y, x.shape))).item();
          expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(lhs)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('backward is linear in the upstream gradient: g(αu + βv) = α·g(u) + β·g(v)', () => {
    const f = (a: Variable, b: Variable) => tanh(add(mul(a, b), matmul(a, transpose(b))));
    checkProperty(
      'backward linearity',
      fc.property(
        fc
          .integer({ min: 1, max: 3 })
          .chain((n) =>
            fc.tuple(
              tensorArb([n, n]),
              tensorArb([n, n]),
              tensorArb([n, n]),
              tensorArb([n, n]),
              fc.double({ min: -2, max: 2, noNaN: true }),
              fc.double({ min: -2, max: 2, noNaN: true }),
            ),
          ),
        ([ta, tb, u, v, alpha, beta]) => {
          const a = variable(ta);
          const b = variable(tb);
          const y = f(a, b);
          const gradsFor = (seed: Tensor) => {
            const g = computeGrads([y], [seed]);
            return [g.get(a)?.data.data ?? [], g.get(b)?.data.data ?? []];
          };
          const combo = new Tensor(
            Float64Array.from(u.data, (x, i) => alpha * x + beta * v.data[i]),
            u.shape,
          );
          const [ga, gb] = gradsFor(combo);
          const [ua, ub] = gradsFor(u);
          const [va, vb] = gradsFor(v);
          close(
            ga,
            Array.from(ua, (x, i) => alpha * x + beta * va[i]),
            1e-9,
          );
          close(
            gb,
            Array.from(ub, (x, i) => alpha * x + beta * vb[i]),
            1e-9,
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reshape and transpose round trips are the identity, forward and backward', () => {
    checkProperty(
      'reshape/transpose round trip',
      fc.property(tensorArb(shapeArb({ minRank: 1, maxRank: 4, maxElements: 36 })), (t) => {
        const x = variable(t);
        const r = reshape(reshape(x, [-1]), t.shape);
        expect(r.toArray()).toEqual(t.toArray());
        const tt = transpose(transpose(x));
        expect(tt.toArray()).toEqual(t.toArray());
        sum(mul(tt, r)).backward();
        close(
          (x.grad as Variable).data.data,
          Array.from(t.data, (v) => 2 * v),
        );
      }),
      { numRuns: 25 },
    );
  });
});

// Fuzz: random shapes (empty axes included), dtypes, NaN/Infinity, ragged and junk inputs
// thrown at every public function. Each call must either return a result of the shape numpy's
// rules give, or throw a ZerogradError subclass — never a TypeError/RangeError from inside,
// never a silently wrong shape. Valid inputs must not be refused.
import * as core from '@zerograd/core';
import { type IndexSpec, Tensor, Variable, ZerogradError } from '@zerograd/core';
import { gatherMap, gemm, kernels } from '@zerograd/core/internals';
import { checkProperty, opEntries, shapeArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisArb, indexArb } from './support/index-arbs.js';
import { refBroadcastShape, refGetItem } from './support/reference.js';

/** A generated operand and, when it is a valid one, the shape it stands for. */
interface Operand {
  value: unknown;
  shape: number[] | null;
  label: string;
}

const special = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e308, -1e-320);
const element = fc.oneof({ arbitrary: fc.double({ min: -5, max: 5, noNaN: true }), weight: 4 }, special);

const tensorOperand: fc.Arbitrary<Operand> = fc
  .record({
    shape: shapeArb({ maxRank: 4, minSize: 0, maxSize: 4, maxElements: 32 }),
    dtype: fc.constantFrom<core.DType>('float32', 'float64'),
    as: fc.constantFrom('tensor', 'variable', 'constant', 'nested'),
    seed: fc.nat(),
  })
  .chain(({ shape, dtype, as }) => {
    const n = shape.reduce((p, q) => p * q, 1);
    return fc.array(element, { minLength: n, maxLength: n }).map((vals) => {
      const t = core.fromArray(vals.length ? Float64Array.from(vals) : new Float64Array(0), { shape, dtype });
      const value =
        as === 'tensor'
          ? t
          : as === 'variable'
            ? core.variable(t)
            : as === 'constant'
              ? core.variable(t, { requiresGrad: false })
              : t.toArray();
      // An empty nested array ([], [[]]) cannot tell its full shape: [[], []] is (2, 0).
      const nestedShape = as === 'nested' && n === 0 ? inferNested(value) : shape;
      return { value, shape: nestedShape, label: `${as} ${dtype} (${shape})` };
    });
  });

function inferNested(v: unknown): number[] {
  const s: number[] = [];
  let cur = v;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0];
  }
  return s;
}

const numberOperand: fc.Arbitrary<Operand> = element.map((v) => ({ value: v, shape: [], label: `number ${v}` }));

const junkOperand: fc.Arbitrary<Operand> = fc
  .constantFrom<unknown>(
    null,
    undefined,
    'abc',
    {},
    { shape: [2] },
    [[1, 2], [3]],
    [1, [2]],
    [[1], 2],
    [[[]], []],
    [1, 'a'],
    [null],
    new Uint8Array(3),
    () => 1,
  )
  .map((value) => ({
    value,
    shape: null,
    label: `junk ${Array.isArray(value) ? JSON.stringify(value) : String(value)}`,
  }));

const operand = fc.oneof(
  { arbitrary: tensorOperand, weight: 6 },
  { arbitrary: numberOperand, weight: 2 },
  { arbitrary: junkOperand, weight: 1 },
);

/** Calls f; returns its result, or null if it threw a library error. Anything else fails. */
function call(name: string, f: () => unknown): { ok: true; value: unknown } | { ok: false; error: ZerogradError } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof ZerogradError) return { ok: false, error: e };
    throw new Error(
      `${name} threw ${(e as Error)?.name ?? typeof e} instead of a ZerogradError: ${(e as Error)?.message ?? e}`,
    );
  }
}

/**
 * Checks one call against an oracle: `expected` is the result shape numpy's rules give, or
 * null when the input is invalid (the call must throw a library error).
 */
function expectShape(name: string, f: () => unknown, expected: number[] | null, detail: string): void {
  const r = call(name, f);
  if (expected === null) {
    if (r.ok) throw new Error(`${name} accepted invalid input (${detail})`);
    return;
  }
  if (!r.ok) throw new Error(`${name} refused valid input (${detail}): ${r.error.message}`);
  const v = r.value;
  const shape = v instanceof Variable || v instanceof Tensor ? v.shape : null;
  expect(shape, `${name} (${detail})`).toEqual(expected);
}

const isAxisValid = (axis: unknown, rank: number): number[] | null => {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : Array.isArray(axis) ? axis : null;
  if (!list) return null;
  const seen = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) return null;
    const n = a < 0 ? a + rank : a;
    if (seen.has(n)) return null;
    seen.add(n);
  }
  return [...seen];
};

const reduceShape = (shape: number[], axes: number[], keepdims: boolean) =>
  keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));

// From the op table: every elementwise unary op with a reference (clip takes bounds: below),
// identity, and every two-input elementwise op (arithmetic and comparisons).
const unary = [
  ...opEntries()
    .filter(([, e]) => e.kind === 'unary' && e.reference !== undefined)
    .map(([name]) => name),
  'identity',
];
const binary = opEntries()
  .filter(([, e]) => e.kind === 'binary' || (e.kind === 'selection' && e.arity === 2))
  .map(([name]) => name);
const fns = core as unknown as Record<string, (...a: unknown[]) => unknown>;

describe('fuzz: ops on random operands', () => {
  it('unary and binary elementwise ops, where and clip', () => {
    checkProperty(
      'fuzz: elementwise',
      fc.property(fc.constantFrom(...unary), fc.constantFrom(...binary), operand, operand, operand, (u, b, x, y, z) => {
        expectShape(u, () => fns[u](x.value), x.shape, x.label);
        // pow refuses a NaN number exponent by design (it would be an attribute, not data).
        const nanExponent = b === 'pow' && Number.isNaN(y.value);
        const bs = x.shape && y.shape && !nanExponent ? refBroadcastShape(x.shape, y.shape) : null;
        expectShape(b, () => fns[b](x.value, y.value), bs, `${x.label}, ${y.label}`);
        const ws = x.shape && y.shape && z.shape ? refBroadcastShape(x.shape, y.shape, z.shape) : null;
        expectShape('where', () => core.where(x.value as never, y.value as never, z.value as never), ws, 'where');
        // clip's bounds are numbers; a non-number bound is invalid.
        const lo = typeof y.value === 'number' ? y.value : null;
        const hi = typeof z.value === 'number' ? z.value : null;
        const cs = x.shape && lo !== null && hi !== null ? x.shape : null;
        if (lo !== null && hi !== null) expectShape('clip', () => core.clip(x.value as never, lo, hi), cs, 'clip');
      }),
      { numRuns: 150 },
    );
  });

  it('matmul and dot follow numpy’s shape rules', () => {
    const matShape = (a: number[], b: number[]): number[] | null => {
      if (a.length === 0 || b.length === 0) return null;
      const A = a.length === 1 ? [1, a[0]] : a;
      const B = b.length === 1 ? [b[0], 1] : b;
      if (A[A.length - 1] !== B[B.length - 2]) return null;
      const batch = refBroadcastShape(A.slice(0, -2), B.slice(0, -2));
      if (!batch) return null;
      const out = [...batch, A[A.length - 2], B[B.length - 1]];
      if (b.length === 1) out.splice(out.length - 1, 1);
      if (a.length === 1) out.splice(out.length - (b.length === 1 ? 1 : 2), 1);
      return out;
    };
    // Half the time, draw operands that fit.
    const fitting = fc
      .record({ m: fc.nat(3), k: fc.nat(3), n: fc.nat(3), ra: fc.nat(3), rb: fc.nat(3) })
      .map(({ m, k, n, ra, rb }) => {
        const a = ra === 0 ? [k] : [...Array(ra - 1).fill(2), m, k];
        const b = rb === 0 ? [k] : [...Array(rb - 1).fill(1), k, n];
        return [
          { value: core.ones(a), shape: a, label: `(${a})` },
          { value: core.variable(core.ones(b)), shape: b, label: `(${b})` },
        ];
      });
    checkProperty(
      'fuzz: matmul',
      fc.property(fc.oneof(fitting, fc.tuple(operand, operand)), ([x, y]) => {
        const s = x.shape && y.shape ? matShape(x.shape, y.shape) : null;
        expectShape('matmul', () => core.matmul(x.value as never, y.value as never), s, `${x.label} @ ${y.label}`);
        expectShape('dot', () => core.dot(x.value as never, y.value as never), s, `${x.label} · ${y.label}`);
      }),
      { numRuns: 150 },
    );
  });

  const junkAxis = fc.constantFrom<unknown>(1.5, Number.NaN, 'a', [0, 'a'], [0.5], {}, 99, -99);
  it('reductions with any axis argument', () => {
    checkProperty(
      'fuzz: reductions',
      fc.property(
        tensorOperand.chain((x) =>
          fc.tuple(
            fc.constant(x),
            fc.oneof(axisArb((x.shape as number[]).length), junkAxis),
            fc.boolean(),
            fc.constantFrom('sum', 'mean', 'max', 'min'),
          ),
        ),
        ([x, axis, keepdims, op]) => {
          const shape = x.shape as number[];
          const axes = isAxisValid(axis, shape.length);
          const emptyExtremum = (op === 'max' || op === 'min') && axes?.some((a) => shape[a] === 0);
          const expected = axes && !emptyExtremum ? reduceShape(shape, axes, keepdims) : null;
          expectShape(op, () => fns[op](x.value, axis, keepdims), expected, `${x.label} axis ${String(axis)}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reshape, flatten, transpose, mT, broadcastTo, sumTo, cast', () => {
    const shapeArg = fc.oneof(
      { arbitrary: fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 }), weight: 4 },
      fc.constantFrom<unknown>([1.5], [Number.NaN], 'abc', null, 3, [2 ** 53], [-1, -1]),
    );
    checkProperty(
      'fuzz: shape ops',
      fc.property(
        operand,
        shapeArg,
        fc.oneof(fc.constant(undefined), fc.array(fc.integer({ min: -4, max: 4 }), { maxLength: 4 })),
        fc.constantFrom<unknown>('float32', 'float64', 'int8', undefined, 3),
        (x, target, perm, dtype) => {
          const s = x.shape;
          const size = s ? s.reduce((p, q) => p * q, 1) : 0;
          // reshape: one -1 at most, other sizes non-negative integers, same element count.
          let rs: number[] | null = null;
          if (s && Array.isArray(target) && target.every((d) => Number.isSafeInteger(d) && d >= -1)) {
            const known = target.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
            const minus = target.filter((d) => d === -1).length;
            if (minus === 0 && known === size) rs = target.slice();
            if (minus === 1 && known > 0 && size % known === 0) rs = target.map((d) => (d === -1 ? size / known : d));
          }
          expectShape(
            'reshape',
            () => core.reshape(x.value as never, target as never),
            rs,
            `${x.label} → ${String(target)}`,
          );
          const fs = s && s.length > 0 ? [s[0], s.slice(1).reduce((p, q) => p * q, 1)] : null;
          expectShape('flatten', () => core.flatten(x.value as never), fs, x.label);
          let ts: number[] | null = null;
          if (s) {
            const r = s.length;
            const p = perm ?? Array.from({ length: r }, (_, i) => r - 1 - i);
            const norm = p.map((a) => (a < 0 ? a + r : a));
            if (p.length === r && p.every((a) => a >= -r && a < r) && new Set(norm).size === r)
              ts = norm.map((a) => s[a]);
          }
          expectShape('transpose', () => core.transpose(x.value as never, perm), ts, `${x.label} by ${String(perm)}`);
          const ms = s && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : null;
          expectShape('mT', () => core.mT(x.value as never), ms, x.label);
          const validTarget =
            Array.isArray(target) && target.every((d) => Number.isSafeInteger(d) && d >= 0)
              ? (target as number[])
              : null;
          const canB = (from: number[], to: number[]) =>
            from.length <= to.length && from.every((d, i) => d === 1 || d === to[to.length - from.length + i]);
          const bs = s && validTarget && canB(s, validTarget) ? validTarget : null;
          expectShape(
            'broadcastTo',
            () => core.broadcastTo(x.value as never, target as never),
            bs,
            `${x.label} → ${String(target)}`,
          );
          const ss = s && validTarget && canB(validTarget, s) ? validTarget : null;
          expectShape(
            'sumTo',
            () => core.sumTo(x.value as never, target as never),
            ss,
            `${x.label} → ${String(target)}`,
          );
          const cs = s && (dtype === 'float32' || dtype === 'float64') ? s : null;
          expectShape('cast', () => core.cast(x.value as never, dtype as never), cs, `${x.label} as ${String(dtype)}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('getItem with valid numpy indices and with junk', () => {
    const junkIndex = fc.constantFrom<unknown[]>(
      ['a'],
      [1.5],
      [Number.NaN],
      [{ start: 'a' }],
      [{ step: 0 }],
      [[0.5]],
      [[[0, 1], [2]]],
      [99],
      [0, 0, 0, 0, 0, 0],
      [Number.POSITIVE_INFINITY],
      [true],
    );
    checkProperty(
      'fuzz: getItem',
      fc.property(
        tensorOperand.chain((x) => {
          const s = x.shape as number[];
          return fc.tuple(
            fc.constant(x),
            fc.oneof(
              indexArb(s).map((i) => ({ index: i as unknown[], valid: true })),
              junkIndex.map((i) => ({ index: i, valid: false })),
            ),
          );
        }),
        ([x, { index, valid }]) => {
          const s = x.shape as number[];
          const f = () => core.getItem(x.value as never, ...(index as IndexSpec[]));
          if (valid) {
            const expected = refGetItem(
              { shape: s, data: new Array(s.reduce((p, q) => p * q, 1)).fill(0) },
              index as IndexSpec[],
            ).shape;
            expectShape('getItem', f, expected, `${x.label} [${JSON.stringify(index)}]`);
          } else {
            const r = call('getItem', f);
            if (r.ok) {
              // Junk that happens to be valid for this shape (e.g. 99 on a large axis) is fine.
              expect((r.value as Variable).ndim).toBeLessThanOrEqual(s.length);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('fuzz: creation, randomness and graph functions', () => {
  const shapeArg = fc.oneof(
    { arbitrary: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 }), weight: 4 },
    fc.constantFrom<unknown>([1.5], [Number.NaN], 'abc', null, 3, undefined, [2 ** 31, 2 ** 31], [2 ** 53]),
  );
  const validShape = (s: unknown): number[] | null =>
    Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0) ? s : null;
  const tooBig = (s: number[]) => s.reduce((p, q) => p * q, 1) > 2 ** 24;
  const dtypeArg = fc.constantFrom<unknown>('float32', 'float64', undefined, 'int64', 5);

  it('zeros, ones, full, rand, randn, randint, eye, arange, linspace, tensor, variable', () => {
    checkProperty(
      'fuzz: creation',
      fc.property(
        shapeArg,
        dtypeArg,
        element,
        element,
        fc.oneof(element, fc.integer({ min: -3, max: 50 })),
        fc.oneof(
          operand.map((o) => o.value),
          junkOperand.map((o) => o.value),
        ),
        (shape, dtype, a, b, n, value) => {
          const vs = validShape(shape);
          const dt = dtype === undefined || dtype === 'float32' || dtype === 'float64';
          const ok = vs && dt ? vs : null;
          for (const name of ['zeros', 'ones', 'rand', 'randn']) {
            if (vs && tooBig(vs) && dt) {
              // Too large to allocate: a library error, not a RangeError.
              const r = call(name, () => fns[name](shape, { dtype }));
              expect(r.ok).toBe(false);
            } else expectShape(name, () => fns[name](shape, { dtype }), ok, `${String(shape)} ${String(dtype)}`);
          }
          if (!(vs && tooBig(vs)))
            expectShape('full', () => core.full(shape as never, a, { dtype: dtype as never }), ok, String(shape));
          const randintOk = ok && Number.isSafeInteger(a) && Number.isSafeInteger(b) && b > a ? ok : null;
          if (!(vs && tooBig(vs)) && (randintOk || (ok && ok.reduce((p, q) => p * q, 1) > 0) || !ok))
            expectShape(
              'randint',
              () => core.randint(a, b, shape as never, { dtype: dtype as never }),
              randintOk,
              `${a}, ${b}`,
            );
          const eyeOk = Number.isSafeInteger(n) && n >= 0 && n < 200 ? [n, n] : null;
          if (Number.isSafeInteger(n) || !Number.isFinite(n)) expectShape('eye', () => core.eye(n), eyeOk, `eye(${n})`);
          const count = Math.ceil((b - a) / (n === 0 ? 1 : n));
          const arOk = Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(n) && n !== 0 && count < 2 ** 24;
          if (arOk || !Number.isFinite(a) || !Number.isFinite(b) || n === 0)
            expectShape(
              'arange',
              () => core.arange(a, b, n),
              arOk ? [Math.max(0, count)] : null,
              `arange(${a}, ${b}, ${n})`,
            );
          const lsOk = Number.isSafeInteger(n) && n >= 0 ? [n] : null;
          if (Number.isSafeInteger(n) || !Number.isFinite(n))
            expectShape('linspace', () => core.linspace(a, b, n), lsOk, `linspace n=${n}`);
          // tensor/variable from anything: a result has the nested shape, or a library error.
          for (const name of ['tensor', 'variable']) {
            const r = call(name, () => fns[name](value));
            if (r.ok) {
              const t = r.value as Tensor | Variable;
              if (value instanceof Tensor || value instanceof Variable) expect(t.shape).toEqual(value.shape);
              else if (typeof value === 'number') expect(t.shape).toEqual([]);
              else if (Array.isArray(value)) expect(t.shape).toEqual(inferNested(value));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('permutation, choice, seed and Random with bad arguments', () => {
    checkProperty(
      'fuzz: random',
      fc.property(
        fc.oneof(fc.integer({ min: -3, max: 20 }), special, fc.constantFrom<unknown>('a', null, 2.5, 2 ** 40)),
        fc.oneof(fc.integer({ min: -3, max: 20 }), special),
        fc.boolean(),
        (n, size, replace) => {
          const p = call('permutation', () => core.permutation(n as number));
          if (p.ok) expect((p.value as number[]).length === n).toBe(true);
          const c = call('choice', () => core.choice(n as number, size as number, { replace }));
          if (c.ok) {
            expect((c.value as number[]).length === size).toBe(true);
            for (const i of c.value as number[]) expect(i >= 0 && i < (n as number)).toBe(true);
          }
          call('seed', () => core.seed(n as number));
          call('Random', () => new core.Random(n as number));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('backward, grad, traceGraph, backwardSteps, gradcheck and numerical checks with junk', () => {
    checkProperty(
      'fuzz: graph functions',
      fc.property(operand, operand, (x, y) => {
        const v = x.value instanceof Variable ? x.value : null;
        const r = call('add', () => core.add(x.value as never, y.value as never));
        const out = r.ok ? (r.value as Variable) : null;
        call('backward', () => core.backward(x.value as never, { seed: y.value as never }));
        if (out) {
          call('backward(out)', () => out.backward());
          expectShape('traceGraph', () => core.variable(0), [], 'trace');
          const snap = call('traceGraph', () => core.traceGraph(out));
          expect(snap.ok).toBe(true);
          call('backwardSteps', () => core.backwardSteps(out));
        }
        call('traceGraph(junk)', () => core.traceGraph(x.value as never));
        const g = call('grad', () => core.grad((a, b) => core.sum(core.mul(a, b)))(x.value as never, y.value as never));
        if (g.ok && x.shape && y.shape) {
          const [ga, gb] = g.value as Variable[];
          expect(ga.shape).toEqual(x.shape);
          expect(gb.shape).toEqual(y.shape);
        }
        call('gradcheck', () => core.gradcheck((a) => core.tanh(a), [x.value as never]));
        call('gradcheck', () => core.gradcheck(x.value as never, [y.value as never]));
        if (x.value instanceof Tensor) {
          call('numericalGradient', () => core.numericalGradient((t) => core.sum(t), x.value as Tensor));
          call('numericalDiff', () => core.numericalDiff((t: Tensor) => core.exp(t).data, x.value as Tensor));
        }
        call('numericalGradient(junk)', () => core.numericalGradient(() => 1, y.value as never));
        if (v) call('detach', () => v.detach().toString());
      }),
      { numRuns: 150 },
    );
  });
});

// What issue 11's attack run found, as properties: each would have failed (or crashed the
// process) before its fix. #1 (accuracy of NaN rows) lives in @zerograd/layers: its property is
// in packages/layers/test/reliability.test.ts.
describe('fuzz: the classes of issue 11', () => {
  const fmt = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

  it('#5 printing any shape — empty ones of huge extent included — never materialises it', () => {
    const hugeDim = fc.constantFrom(1e6, 2 ** 31, 2 ** 40, 9e15);
    const emptyHuge = fc
      .tuple(fc.array(fc.oneof(hugeDim, fc.nat(5)), { minLength: 0, maxLength: 3 }), fc.nat(3))
      .map(([dims, at]) => {
        const s = [...dims];
        s.splice(at % (s.length + 1), 0, 0); // one zero somewhere: no elements at all
        return s;
      });
    const smallOrLarge = shapeArb({ maxRank: 4, minSize: 0, maxSize: 40, maxElements: 3000 });
    checkProperty(
      'fuzz: printing',
      fc.property(
        fc.oneof(emptyHuge, smallOrLarge),
        fc.constantFrom<core.DType>('float32', 'float64'),
        fc.array(element, { minLength: 1, maxLength: 8 }),
        (shape, dtype, pool) => {
          const size = shape.reduce((p, q) => p * q, 1);
          const t =
            size === 0
              ? core.zeros(shape, { dtype })
              : core.fromArray(
                  Float64Array.from({ length: size }, (_, i) => pool[i % pool.length]),
                  { shape, dtype },
                );
          const text = call('String(tensor)', () => String(t));
          expect(text.ok).toBe(true);
          const s = text.ok ? (text.value as string) : '';
          expect(s.endsWith(`shape=${fmt(shape)}, dtype=${dtype})`)).toBe(true);
          // Summarised past the threshold (numpy's rule: only axes longer than 2·edgeItems get
          // a ...), complete below it, and never long.
          const { threshold, edgeItems } = core.printOptions;
          expect(s.includes('...')).toBe(size > threshold && shape.some((d) => d > 2 * edgeItems));
          // Length: at most ~40 characters per number shown (all of them, or 2·edgeItems per axis).
          const shown = s.includes('...') ? shape.reduce((p, d) => p * Math.min(d, 2 * edgeItems), 1) : size;
          expect(s.length).toBeLessThan(200 + 40 * shown);
          const v = call('String(variable)', () => String(core.variable(t)));
          expect(v.ok && (v.value as string).startsWith('Variable(')).toBe(true);
          // toArray of a huge empty shape is refused with a library error, not a dead heap.
          const arr = call('toArray', () => t.toArray());
          if (!arr.ok) expect(arr.error).toBeInstanceOf(core.ValueError);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('#3 gather offsets of shapes past 2^31 elements are exact (they wrapped in an Int32Array)', () => {
    const dim = fc.oneof(fc.integer({ min: 1, max: 7 }), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 31 + 16, 2 ** 33));
    checkProperty(
      'fuzz: gather offsets',
      fc.property(
        fc
          .array(dim, { minLength: 1, maxLength: 3 })
          .filter((s) => s.reduce((p, q) => p * q, 1) <= 2 ** 52)
          .chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              fc.tuple(...shape.map((n) => fc.integer({ min: -n, max: n - 1 }))),
              fc.boolean(),
            ),
          ),
        ([shape, idx, advanced]) => {
          // The reference in BigInt: no rounding, no wrapping.
          let expected = 0n;
          let stride = 1n;
          for (let a = shape.length - 1; a >= 0; a--) {
            const i = idx[a] < 0 ? idx[a] + shape[a] : idx[a];
            expected += BigInt(i) * stride;
            stride *= BigInt(shape[a]);
          }
          const index = advanced ? idx.map((i) => [i]) : idx;
          const { map } = gatherMap(shape, index as IndexSpec[]);
          expect(map.length).toBe(1);
          expect(BigInt(map[0])).toBe(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  const junk = fc.constantFrom<unknown>(
    5,
    'ab',
    '',
    null,
    undefined,
    {},
    [[]],
    [0.5],
    [Number.NaN],
    true,
    () => 0,
    Symbol('s'),
  );

  it('#11 junk arguments to transpose, fromArray and releaseGraph give library errors', () => {
    const x = core.variable(core.ones([2, 3]));
    checkProperty(
      'fuzz: junk arguments',
      fc.property(
        junk,
        fc.integer({ min: 1, max: 20_000 }),
        fc.option(fc.nat(200), { nil: null }),
        (j, depth, selfAt) => {
          const t = call('transpose', () => core.transpose(x, j as never));
          if (t.ok) expect(j === undefined || j === null).toBe(true); // only "no axes" is valid here
          // Deep or self-containing nesting: a library error, never a RangeError from the stack.
          let nested: unknown = 1;
          for (let d = 0; d < depth; d++) nested = [nested];
          const root = nested as unknown[];
          if (selfAt !== null) {
            let node = root;
            for (let d = 0; d < selfAt % depth; d++) node = node[0] as unknown[];
            node[0] = root; // the array now contains itself
          }
          const f = call('fromArray', () => core.fromArray(root as never));
          if (f.ok) {
            expect(selfAt === null && depth <= 64).toBe(true);
            expect((f.value as Tensor).shape).toEqual(new Array(depth).fill(1));
          }
          expect(call('releaseGraph', () => core.releaseGraph(j as never)).ok).toBe(false);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('#12 full, kernels and gemm refuse what they cannot compute instead of answering wrong', () => {
    const binaryKinds = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'ge', 'gt', 'eq', 'maskPositive'];
    const kind = fc.oneof(fc.constantFrom(...binaryKinds, 'sum', 'max', 'min', 'exp'), fc.string({ maxLength: 6 }));
    checkProperty(
      'fuzz: full, kernels, gemm',
      fc.property(
        fc.oneof(element, junk),
        kind,
        fc.record({
          m: fc.integer({ min: 0, max: 3 }),
          n: fc.integer({ min: 0, max: 3 }),
          k: fc.integer({ min: 0, max: 3 }),
        }),
        fc.record({ a: fc.nat(12), b: fc.nat(12), c: fc.nat(12) }),
        fc.constantFrom(0, 0.5, -1),
        (fill, k, { m, n, k: kk }, lengths, offSize) => {
          // full: a number fills (NaN included); anything else is a ValueError, not NaN or 0.
          const r = call('full', () => core.full([2], fill as never));
          if (typeof fill === 'number')
            expect(Array.from((r.ok ? (r.value as Tensor) : core.ones([2])).data)).toEqual([fill, fill]);
          else expect(r.ok ? null : r.error).toBeInstanceOf(core.ValueError);
          // Kernels of an unknown kind throw; they returned zeros (binary) or 1 (reduce).
          const a = core.fromArray([1, 2]);
          const bin = call('kernels.binary', () => kernels.binary(k as never, a, a));
          expect(bin.ok).toBe(binaryKinds.includes(k));
          const red = call('kernels.reduceTensor', () => kernels.reduceTensor(k as never, a));
          expect(red.ok).toBe(['sum', 'max', 'min'].includes(k));
          // gemm: buffers too short or sizes not whole are refused; otherwise the product is exact.
          const A = Float64Array.from({ length: lengths.a }, (_, i) => i + 1);
          const B = Float64Array.from({ length: lengths.b }, (_, i) => 2 - i);
          const C = new Float64Array(lengths.c);
          const mm = m + offSize; // sometimes not a whole number, sometimes negative
          const g = call('gemm', () => gemm(mm, n, kk, A, 0, false, B, 0, false, C, 0));
          const whole = Number.isInteger(mm) && mm >= 0;
          const fits = whole && lengths.a >= mm * kk && lengths.b >= kk * n && lengths.c >= mm * n;
          expect(g.ok).toBe(fits);
          if (fits) {
            for (let i = 0; i < mm; i++)
              for (let j = 0; j < n; j++) {
                let s = 0;
                for (let p = 0; p < kk; p++) s += A[i * kk + p] * B[p * n + j];
                expect(C[i * n + j]).toBe(s);
              }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('#12 a batched matmul error names both full shapes; running out of memory names the op', () => {
    checkProperty(
      'fuzz: error messages',
      fc.property(
        fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 2 }),
        fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 2 }),
        fc.constantFrom(2 ** 31, 2 ** 33),
        (ba, bb, huge) => {
          const sa = [...ba, 2, 3];
          const sb = [...bb.map((d) => d + 3), 3, 2]; // batch dims differ and are not 1: no broadcast
          const r = call('matmul', () => core.matmul(core.ones(sa), core.ones(sb)));
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error.message).toContain(`${fmt(sa)}`) && expect(r.error.message).toContain(fmt(sb));
          const o = call('broadcastTo', () => core.broadcastTo(core.ones([1]), [huge, 4]));
          expect(o.ok ? '' : o.error.message).toMatch(/^BroadcastTo: /);
        },
      ),
      { numRuns: 30 },
    );
  });
});

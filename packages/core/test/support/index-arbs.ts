// Arbitraries for op parameters that depend on a shape: axes, reshape targets, permutations
// and numpy indices. Shared by the gradient properties and the forward reference tests.
import { type IndexSpec, type Slice, slice } from '@zerograd/core';
import * as fc from 'fast-check';

/** An `axis` argument for a tensor of rank `r`: all (undefined), one (maybe negative), or a subset. */
export function axisArb(r: number): fc.Arbitrary<number | number[] | undefined> {
  const axes = Array.from({ length: r }, (_, i) => i);
  const neg = (a: number, flip: boolean) => (flip ? a - r : a);
  const options: fc.Arbitrary<number | number[] | undefined>[] = [fc.constant(undefined)];
  if (r > 0) {
    options.push(fc.tuple(fc.nat(r - 1), fc.boolean()).map(([a, f]) => neg(a, f)));
    options.push(
      fc
        .tuple(fc.shuffledSubarray(axes), fc.array(fc.boolean(), { minLength: r, maxLength: r }))
        .map(([sub, flips]) => sub.map((a, i) => neg(a, flips[i]))),
    );
  } else options.push(fc.constant([]));
  return fc.oneof(...options);
}

/** A reshape target for `shape`: reversed, flattened, merged axes, extra 1s, maybe one -1. */
export function reshapeTargetArb(shape: readonly number[]): fc.Arbitrary<number[]> {
  const size = shape.reduce((p, q) => p * q, 1);
  return fc
    .record({
      kind: fc.constantFrom('reverse', 'flat', 'merge', 'ones'),
      at: fc.nat(8),
      minusOne: fc.option(fc.nat(8), { nil: undefined }),
    })
    .map(({ kind, at, minusOne }) => {
      let t: number[];
      if (kind === 'reverse') t = shape.slice().reverse();
      else if (kind === 'flat') t = [size];
      else if (kind === 'merge' && shape.length >= 2) {
        const i = at % (shape.length - 1);
        t = [...shape.slice(0, i), shape[i] * shape[i + 1], ...shape.slice(i + 2)];
      } else {
        const i = at % (shape.length + 1);
        t = [...shape.slice(0, i), 1, ...shape.slice(i)];
      }
      if (minusOne !== undefined && t.length > 0 && size > 0) t[minusOne % t.length] = -1;
      return t;
    });
}

/** A permutation of `r` axes, sometimes written with negative axes, sometimes omitted. */
export function permutationArb(r: number): fc.Arbitrary<number[] | undefined> {
  const axes = Array.from({ length: r }, (_, i) => i);
  return fc.oneof(
    fc.constant(undefined),
    fc
      .tuple(
        fc.shuffledSubarray(axes, { minLength: r, maxLength: r }),
        fc.array(fc.boolean(), { minLength: r, maxLength: r }),
      )
      .map(([p, flips]) => p.map((a, i) => (flips[i] ? a - r : a))),
  );
}

function sliceArb(n: number): fc.Arbitrary<Slice> {
  const bound = fc.option(fc.integer({ min: -n - 2, max: n + 2 }), { nil: null });
  const step = fc.option(
    fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0),
    { nil: null },
  );
  return fc.tuple(bound, bound, step).map(([a, b, c]) => slice(a, b, c));
}

/**
 * A numpy index for `shape`: per leading axis an integer (maybe negative), a slice (negative
 * steps and out-of-range bounds included), `null` (`:`), or an integer array. All arrays share
 * one length (or have length 1, which broadcasts) and may repeat indices — the case whose
 * backward must scatter-add.
 */
export function indexArb(shape: readonly number[], options: { advanced?: boolean } = {}): fc.Arbitrary<IndexSpec[]> {
  const r = shape.length;
  if (r === 0) return fc.constant([]);
  const advanced = options.advanced ?? true;
  return fc
    .record({ count: fc.integer({ min: 0, max: r }), len: fc.integer({ min: 1, max: 4 }) })
    .chain(({ count, len }) =>
      fc.tuple(
        ...shape.slice(0, count).map((n) => {
          const kinds: fc.WeightedArbitrary<IndexSpec>[] = [
            { arbitrary: fc.constant(null), weight: 1 },
            { arbitrary: sliceArb(n), weight: 2 },
          ];
          if (n > 0) {
            kinds.push({ arbitrary: fc.integer({ min: -n, max: n - 1 }), weight: 1 });
            if (advanced) {
              const idx = fc.integer({ min: -n, max: n - 1 });
              kinds.push({
                arbitrary: fc.oneof(
                  fc.array(idx, { minLength: len, maxLength: len }),
                  fc.array(idx, { minLength: 1, maxLength: 1 }),
                ),
                weight: 2,
              });
            }
          }
          return fc.oneof(...kinds);
        }),
      ),
    );
}

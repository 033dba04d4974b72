// The ops of issue 17's first bullet, forward: concat, stack, split, chunk, squeeze, unsqueeze,
// flip, pad, gather, scatterAdd, cumsum against numpy's results (printed by numpy 1.x, pasted
// here) and against plain loops written in this file; their dtype rules, their errors, and
// gradients worked out by hand (the property tests check them against central differences).
import {
  arange,
  chunk,
  concat,
  cumsum,
  DTypeError,
  flip,
  gather,
  grad,
  pad,
  ShapeError,
  scatterAdd,
  split,
  squeeze,
  stack,
  sum,
  Tensor,
  traceGraph,
  unsqueeze,
  ValueError,
  type Variable,
  variable,
} from '@zerograd/core';
import { checkProperty, shapeArb, tensorArb } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** 0, 1, 2, … in `shape` (numpy's `arange(n).reshape(shape)`), as a float64 leaf. */
const seq = (...shape: number[]) => variable(arange(shape.reduce((p, q) => p * q, 1))).reshape(shape);
/** Throws `Err` whose message has every one of `parts`. */
function throwsWith(f: () => unknown, Err: new (...a: never[]) => Error, ...parts: string[]) {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Err);
  for (const p of parts) expect((caught as Error).message).toContain(p);
}
/** The gradient of ⟨w, f(x)⟩ with respect to x, with a weight that is not all ones. */
const gradOf = (f: (x: Variable) => Variable, x: Variable, w: Variable | number[] | number[][]) =>
  grad((a) => sum(f(a).mul(w as never)))(x)[0].toArray();

describe('concat and stack', () => {
  it('join along any axis (numpy results)', () => {
    const x = seq(2, 3, 4);
    // np.concatenate([x[:, :1], x], axis=1).sum(axis=(0, 2))
    const first = x.getItem(null, [0]);
    expect(concat([first, x], 1).sum([0, 2]).toArray()).toEqual([60, 60, 92, 124]);
    expect(concat([x, x, x], -1).shape).toEqual([2, 3, 12]);
    expect(concat([[1, 2], [3]]).toArray()).toEqual([1, 2, 3]);
    // np.stack([x[0], x[1]], axis=-1)[1]
    expect(
      stack([x.getItem(0), x.getItem(1)], -1)
        .getItem(1)
        .toArray(),
    ).toEqual([
      [4, 16],
      [5, 17],
      [6, 18],
      [7, 19],
    ]);
    expect(stack([x, x], 0).shape).toEqual([2, 2, 3, 4]);
    expect(stack([x, x], 3).shape).toEqual([2, 3, 4, 2]);
    expect(stack([1, 2, 3]).toArray()).toEqual([1, 2, 3]); // 0-d inputs stack into a vector
  });

  it('keep int32 and bool, promote mixed dtypes as numpy does', () => {
    const i = variable([1, 2], { dtype: 'int32' });
    const b = variable([true, false]);
    const f32 = variable([0.5], { dtype: 'float32' });
    expect(concat([i, i]).dtype).toBe('int32');
    expect(concat([b, b]).dtype).toBe('bool');
    expect(stack([b, b]).dtype).toBe('bool');
    expect(concat([i, b]).toArray()).toEqual([1, 2, 1, 0]);
    expect(concat([i, b]).dtype).toBe('int32');
    expect(concat([f32, i]).dtype).toBe('float32');
    expect(concat([f32, variable([1.5])]).dtype).toBe('float64');
  });

  it('send each input its own part of the gradient', () => {
    const a = variable([
      [1, 2],
      [3, 4],
    ]);
    const b = variable([[5], [6]]);
    const [ga, gb] = grad((p, q) =>
      sum(
        concat([p, q], 1).mul([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    )(a, b);
    expect(ga.toArray()).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(gb.toArray()).toEqual([[3], [6]]);
  });

  it('refuse what does not fit, naming the op and the shapes', () => {
    throwsWith(() => concat([seq(2, 3), seq(3, 3)], 1), ShapeError, 'Concat', '(2, 3), (3, 3)', 'axis 1');
    throwsWith(() => concat([seq(2, 3), seq(6)]), ShapeError, 'Concat', '(2, 3), (6,)');
    throwsWith(() => concat([]), ValueError, 'Concat', 'non-empty');
    throwsWith(() => concat([variable(1), variable(2)]), ShapeError, 'Concat', '0-d');
    throwsWith(() => concat([seq(2), seq(2)], 1), ShapeError, 'Concat', 'axis 1 is out of range');
    throwsWith(() => stack([seq(2, 3), seq(3, 2)]), ShapeError, 'Stack', '(2, 3), (3, 2)');
    throwsWith(() => stack([seq(2), seq(2)], 2), ShapeError, 'Stack', 'axis 2');
  });
});

describe('split and chunk', () => {
  it('cut into equal parts or given sizes, as one Split node', () => {
    const x = seq(2, 3, 4);
    expect(split(x, 2, -1).map((p) => p.shape)).toEqual([
      [2, 3, 2],
      [2, 3, 2],
    ]);
    const parts = split(x, [1, 0, 2], 1);
    expect(parts.map((p) => p.shape)).toEqual([
      [2, 1, 4],
      [2, 0, 4],
      [2, 2, 4],
    ]);
    expect(parts[2].getItem(1, 0).toArray()).toEqual([16, 17, 18, 19]);
    expect(concat(parts, 1).toArray()).toEqual(x.toArray());
    // One node with three outputs (not three slices): the graph shows one Split.
    expect(new Set(parts.map((p) => p.creator)).size).toBe(1);
    expect(parts[0].creator?.outputs.length).toBe(3);
    const ops = traceGraph(...parts).nodes.flatMap((n) => (n.kind === 'op' ? [n.op] : []));
    expect(ops.filter((op) => op === 'Split')).toEqual(['Split']);
  });

  it('chunk follows PyTorch: ⌈n / chunks⌉ each, possibly fewer chunks', () => {
    const lengths = (n: number, c: number) => chunk(arange(n), c).map((p) => p.shape[0]);
    expect(lengths(5, 3)).toEqual([2, 2, 1]);
    expect(lengths(4, 3)).toEqual([2, 2]);
    expect(lengths(6, 3)).toEqual([2, 2, 2]);
    expect(lengths(2, 5)).toEqual([1, 1]);
    expect(lengths(0, 2)).toEqual([0]);
    expect(chunk(seq(2, 5), 2, 1)[1].toArray()).toEqual([
      [3, 4],
      [8, 9],
    ]);
  });

  it('give unused parts a zero gradient and used ones theirs', () => {
    const x = seq(6);
    const g = grad((a) => sum(split(a, [2, 3, 1])[1].mul([1, 2, 3])))(x)[0];
    expect(g.toArray()).toEqual([0, 0, 1, 2, 3, 0]);
    const h = grad((a) => {
      const [p, q] = chunk(a, 2);
      return sum(p.mul(q));
    })(x)[0];
    expect(h.toArray()).toEqual([3, 4, 5, 0, 1, 2]);
  });

  it('refuse bad counts and sizes', () => {
    throwsWith(() => split(seq(5), 2), ShapeError, 'Split', 'length 5', '2 equal parts', 'chunk');
    throwsWith(() => split(seq(2, 5), [2, 2], 1), ShapeError, 'Split', 'add up to 4', '(2, 5)', 'length 5');
    throwsWith(() => split(seq(4), 0), ValueError, 'Split', 'positive integer');
    throwsWith(() => split(seq(4), [2, -1, 3]), ValueError, 'Split', 'non-negative');
    throwsWith(() => split(variable(3), 1), ShapeError, 'Split', '0-d');
    throwsWith(() => chunk(seq(4), 1.5), ValueError, 'Chunk', 'positive integer');
  });
});

describe('squeeze, unsqueeze, flip, pad', () => {
  it('squeeze drops axes of size 1, all or the named ones; unsqueeze adds them', () => {
    const x = seq(1, 3, 1, 2);
    expect(squeeze(x).shape).toEqual([3, 2]);
    expect(squeeze(x, 2).shape).toEqual([1, 3, 2]);
    expect(squeeze(x, [0, -2]).shape).toEqual([3, 2]);
    expect(squeeze(x).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(unsqueeze(seq(3, 2), 0).shape).toEqual([1, 3, 2]);
    expect(unsqueeze(seq(3, 2), -1).shape).toEqual([3, 2, 1]);
    expect(unsqueeze(seq(3, 2), [0, 3]).shape).toEqual([1, 3, 2, 1]);
    expect(unsqueeze(variable([1, 2], { dtype: 'int32' }), 1).dtype).toBe('int32');
    throwsWith(() => squeeze(x, 1), ShapeError, 'Squeeze', 'axis 1 of size 3', '(1, 3, 1, 2)');
    throwsWith(() => unsqueeze(seq(3, 2), 3), ShapeError, 'Unsqueeze', 'axis 3');
  });

  it('flip reverses along axes (numpy results), and its gradient is flipped back', () => {
    const x = seq(2, 3, 4);
    // np.flip(x, (0, 2))[0]
    expect(flip(x, [0, 2]).getItem(0).toArray()).toEqual([
      [15, 14, 13, 12],
      [19, 18, 17, 16],
      [23, 22, 21, 20],
    ]);
    expect(flip(seq(2, 2)).toArray()).toEqual([
      [3, 2],
      [1, 0],
    ]);
    const mask = flip(variable([true, false, false]), 0);
    expect([mask.dtype, ...mask.toArray()]).toEqual(['bool', 0, 0, 1]);
    expect(gradOf((a) => flip(a, 0), seq(3), [1, 2, 3])).toEqual([3, 2, 1]);
    throwsWith(() => flip(seq(2, 2), [0, 0]), ValueError, 'Flip', 'repeated');
  });

  it('pad takes numpy’s pad_width forms and a constant (numpy results)', () => {
    // np.pad(np.arange(6.).reshape(2, 3), ((1, 0), (0, 2)), constant_values=-1)
    expect(
      pad(
        seq(2, 3),
        [
          [1, 0],
          [0, 2],
        ],
        { value: -1 },
      ).toArray(),
    ).toEqual([
      [-1, -1, -1, -1, -1],
      [0, 1, 2, -1, -1],
      [3, 4, 5, -1, -1],
    ]);
    expect(pad(seq(3), 2).toArray()).toEqual([0, 0, 0, 1, 2, 0, 0]); // np.pad(np.arange(3.), 2)
    expect(pad(seq(1, 1), [1, 2]).shape).toEqual([4, 4]);
    expect(pad(seq(1, 1), [[0, 1]]).shape).toEqual([2, 2]);
    expect(pad(seq(2), [1]).toArray()).toEqual([0, 0, 1, 0]);
    const ints = pad(variable([7], { dtype: 'int32' }), 1, { value: -3 });
    expect([ints.dtype, ...ints.toArray()]).toEqual(['int32', -3, 7, -3]);
    // The gradient is the interior of the upstream gradient.
    expect(gradOf((a) => pad(a, [1, 2]), seq(2), [10, 20, 30, 40, 50])).toEqual([20, 30]);
  });

  it('pad refuses widths and values that do not fit', () => {
    throwsWith(
      () =>
        pad(seq(2, 2), [
          [1, 1],
          [1, 1],
          [1, 1],
        ]),
      ValueError,
      'Pad',
      '(2, 2)',
    );
    throwsWith(() => pad(seq(2, 2), [1, -1]), ValueError, 'Pad', 'non-negative');
    throwsWith(() => pad(seq(2, 2), [1, 2, 3]), ValueError, 'Pad', 'widths');
    throwsWith(() => pad(variable([1], { dtype: 'int32' }), 1, { value: 0.5 }), ValueError, 'Pad', 'int32');
    throwsWith(() => pad(variable([true]), 1, { value: 2 }), ValueError, 'Pad', 'bool');
  });
});

describe('gather, scatterAdd, cumsum', () => {
  const a = variable([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it('gather picks along an axis (numpy take_along_axis results), int32 or whole-float index', () => {
    const want = [
      [1, 1],
      [5, 4],
    ];
    expect(
      gather(a, 1, [
        [0, 0],
        [1, 0],
      ]).toArray(),
    ).toEqual(want);
    expect(
      gather(
        a,
        1,
        variable(
          [
            [0, 0],
            [1, 0],
          ],
          { dtype: 'int32' },
        ),
      ).toArray(),
    ).toEqual(want);
    expect(gather(a, 0, [[1, 0, 1]]).toArray()).toEqual([[4, 2, 6]]);
    expect(gather(variable([[3, 4]], { dtype: 'int32' }), 1, [[1, 1, 0]]).dtype).toBe('int32');
  });

  it('gather’s gradient scatters back, adding where an index repeats', () => {
    // out = [[a00, a00, a01], [a12, a10, a12]]: a00 and a12 are picked twice.
    const g = gradOf(
      (x) =>
        gather(x, 1, [
          [0, 0, 1],
          [2, 0, 2],
        ]),
      a,
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    );
    expect(g).toEqual([
      [3, 3, 0],
      [5, 0, 10],
    ]);
  });

  it('scatterAdd adds at the named places (numpy add.at results), src larger than the index', () => {
    // out = zeros((3, 2)); np.add.at(out, (idx, cols), src) with idx [[0, 2], [0, 1]] along axis 0
    const out = scatterAdd(
      new Tensor(new Float64Array(6), [3, 2]),
      0,
      [
        [0, 2],
        [0, 1],
      ],
      [
        [1, 2],
        [3, 4],
      ],
    );
    expect(out.toArray()).toEqual([
      [4, 0],
      [0, 4],
      [0, 2],
    ]);
    // Only src's first column is used: its second column gets a zero gradient.
    const [gx, gs] = grad((x, s) =>
      sum(
        scatterAdd(x, 1, [[2], [0]], s).mul([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    )(
      a,
      variable([
        [10, 20],
        [30, 40],
      ]),
    );
    expect(gx.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(gs.toArray()).toEqual([
      [3, 0],
      [4, 0],
    ]);
  });

  it('gather and scatterAdd refuse bad indices with library errors', () => {
    throwsWith(() => gather(a, 1, [[3]]), ShapeError, 'Gather', 'index 3', 'axis 1 with size 3');
    throwsWith(() => gather(a, 1, [[-1]]), ShapeError, 'Gather', 'index -1', 'out of bounds');
    throwsWith(() => gather(a, 1, [[0.5]]), ValueError, 'Gather', '0.5', 'not an integer');
    throwsWith(() => gather(a, 1, [[true]]), DTypeError, 'Gather', 'bool');
    throwsWith(() => gather(a, 1, [0, 1]), ShapeError, 'Gather', 'same rank', 'x (2, 3), index (2,)');
    throwsWith(() => gather(a, 1, [[0], [0], [0]]), ShapeError, 'Gather', 'x (2, 3), index (3, 1)');
    throwsWith(() => gather(a, 2, [[0]]), ShapeError, 'Gather', 'axis 2');
    throwsWith(() => scatterAdd(a, 0, [[0, 1]], [[1]]), ShapeError, 'ScatterAdd', 'src (1, 1)', 'larger than src');
  });

  it('cumsum is the running sum (numpy results); its gradient is the running sum from the end', () => {
    const x = seq(2, 3, 4);
    expect(cumsum(x, 1).getItem(1).toArray()).toEqual([
      [12, 13, 14, 15],
      [28, 30, 32, 34],
      [48, 51, 54, 57],
    ]);
    expect(cumsum(x, -1).getItem(0).toArray()).toEqual([
      [0, 1, 3, 6],
      [4, 9, 15, 22],
      [8, 17, 27, 38],
    ]);
    expect(cumsum(seq(2, 2)).toArray()).toEqual([0, 1, 3, 6]); // flattened, numpy's default
    const counted = cumsum(variable([true, false, true]), 0);
    expect([counted.dtype, ...counted.toArray()]).toEqual(['float64', 1, 1, 2]);
    // y = (x0, x0+x1, x0+x1+x2), w = (1, 2, 3): ∂⟨w, y⟩/∂x = (6, 5, 3).
    expect(gradOf((v) => cumsum(v, 0), seq(3), [1, 2, 3])).toEqual([6, 5, 3]);
    throwsWith(() => cumsum(seq(2), 1), ShapeError, 'Cumsum', 'axis 1');
  });
});

describe('as Variable methods', () => {
  it('do what the functions do', () => {
    const x = seq(1, 2, 3);
    expect(x.squeeze().toArray()).toEqual(squeeze(x).toArray());
    expect(x.unsqueeze(0).shape).toEqual([1, 1, 2, 3]);
    expect(x.flip(2).toArray()).toEqual(flip(x, 2).toArray());
    expect(x.pad(1).shape).toEqual([3, 4, 5]);
    expect(x.split(3, 2).map((p) => p.shape)).toEqual(split(x, 3, 2).map((p) => p.shape));
    expect(x.chunk(2, 2).map((p) => p.toArray())).toEqual(chunk(x, 2, 2).map((p) => p.toArray()));
    expect(x.gather(2, [[[2, 1]]]).toArray()).toEqual([[[2, 1]]]);
    expect(
      x
        .scatterAdd(1, [[[1]]], [[[10]]])
        .getItem(0, 1, 0)
        .item(),
    ).toBe(13);
    expect(x.cumsum(2).toArray()).toEqual(cumsum(x, 2).toArray());
  });
});

// Plain loops over coordinates, written here without the library's kernels.
const coords = (shape: readonly number[]) => {
  const out: number[][] = [[]];
  for (const n of shape) {
    const next: number[][] = [];
    for (const c of out) for (let i = 0; i < n; i++) next.push([...c, i]);
    out.splice(0, out.length, ...next);
  }
  return out;
};
const at = (t: Tensor, c: readonly number[]) => t.data[c.reduce((o, ci, d) => o * t.shape[d] + ci, 0)];

describe('against plain loops, over generated shapes', () => {
  const caseArb = shapeArb({ minRank: 1, maxRank: 4, maxElements: 48 }).chain((s) =>
    fc.record({ x: tensorArb(s), axis: fc.nat(s.length - 1), k: fc.nat(3) }),
  );
  it('flip, pad, cumsum, concat of a split, gather of a permutation', () => {
    checkProperty(
      'forward: join ops vs loops',
      fc.property(caseArb, ({ x, axis, k }) => {
        const n = x.shape[axis];
        const cs = coords(x.shape);
        const flipped = flip(x, axis).data.data;
        const cum = cumsum(x, axis).data.data;
        const padded = pad(
          x,
          x.shape.map((_, d) => (d === axis ? [k, 1] : [0, 0])),
          { value: 7 },
        ).data.data;
        const wide = x.shape.map((m, d) => (d === axis ? m + k + 1 : m));
        const rev = new Float64Array(cs.length);
        cs.forEach((c, i) => {
          const mirror = c.slice();
          mirror[axis] = n - 1 - c[axis];
          expect(flipped.at(i)).toBe(at(x, mirror));
          let s = 0;
          for (let j = 0; j <= c[axis]; j++)
            s += at(
              x,
              c.map((v, d) => (d === axis ? j : v)),
            );
          expect(cum.at(i)).toBeCloseTo(s, 12);
          rev[i] = n - 1 - c[axis];
        });
        coords(wide).forEach((c, i) => {
          const inside = c[axis] >= k && c[axis] < k + n;
          expect(padded.at(i)).toBe(
            inside
              ? at(
                  x,
                  c.map((v, d) => (d === axis ? v - k : v)),
                )
              : 7,
          );
        });
        // gather with the reversed positions is a flip; a split then concat gives x back.
        expect(Array.from(gather(x, axis, new Tensor(rev, x.shape)).data.data)).toEqual(Array.from(flipped));
        const parts = chunk(x, k + 1, axis);
        expect(Array.from(concat(parts, axis).data.data)).toEqual(Array.from(x.data));
      }),
      { numRuns: 60 },
    );
  });
});

// Convolution, pooling, im2col and col2im against naive loops written here, one output
// element at a time straight from the definitions (no im2col, no matrix product); the errors
// they raise; and how they look in a graph.
import {
  avgPool2d,
  col2im,
  conv2d,
  im2col,
  maxPool2d,
  Random,
  ShapeError,
  type Tensor,
  traceGraph,
  ValueError,
  type Variable,
  variable,
  zeros,
} from '@zerograd/core';
import { describe, expect, it } from 'vitest';

type Four = [number, number, number, number];
const at = (t: Tensor, s: readonly number[], i: Four) => t.data[((i[0] * s[1] + i[1]) * s[2] + i[2]) * s[3] + i[3]];
/** x[n, c, r, col], or 0 outside the image (padding). */
const pixel = (x: Tensor, n: number, c: number, r: number, col: number) =>
  r < 0 || col < 0 || r >= x.shape[2] || col >= x.shape[3] ? 0 : at(x, x.shape, [n, c, r, col]);

function refConv(x: Tensor, W: Tensor, b: Tensor | null, [sh, sw]: number[], [ph, pw]: number[]): number[] {
  const [N, C, H, Wd] = x.shape;
  const [F, , KH, KW] = W.shape;
  const OH = (H + 2 * ph - KH) / sh + 1;
  const OW = (Wd + 2 * pw - KW) / sw + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let f = 0; f < F; f++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let s = b ? b.data[f] : 0;
          for (let c = 0; c < C; c++)
            for (let u = 0; u < KH; u++)
              for (let v = 0; v < KW; v++)
                s += pixel(x, n, c, i * sh - ph + u, j * sw - pw + v) * at(W, W.shape, [f, c, u, v]);
          out.push(s);
        }
  return out;
}

function refPool(x: Tensor, kind: 'max' | 'avg', [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[]) {
  const [N, C, H, Wd] = x.shape;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < (H + 2 * ph - kh) / sh + 1; i++)
        for (let j = 0; j < (Wd + 2 * pw - kw) / sw + 1; j++) {
          const window: number[] = [];
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const r = i * sh - ph + u;
              const col = j * sw - pw + v;
              const inside = r >= 0 && col >= 0 && r < H && col < Wd;
              if (inside || kind === 'avg') window.push(pixel(x, n, c, r, col));
            }
          out.push(kind === 'max' ? Math.max(...window) : window.reduce((p, q) => p + q, 0) / (kh * kw));
        }
  return out;
}

/** The book's im2col, row (n, i, j), column (c, u, v). */
function refIm2col(x: Tensor, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[]): number[][] {
  const [N, C, H, Wd] = x.shape;
  const rows: number[][] = [];
  for (let n = 0; n < N; n++)
    for (let i = 0; i < (H + 2 * ph - kh) / sh + 1; i++)
      for (let j = 0; j < (Wd + 2 * pw - kw) / sw + 1; j++) {
        const row: number[] = [];
        for (let c = 0; c < C; c++)
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) row.push(pixel(x, n, c, i * sh - ph + u, j * sw - pw + v));
        rows.push(row);
      }
  return rows;
}

const close = (got: ArrayLike<number>, want: readonly number[], digits = 12) => {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) expect(got[k], `element ${k}`).toBeCloseTo(want[k], digits);
};

const r = new Random(7);
const CASES = [
  { x: [2, 3, 7, 6], w: [4, 3, 3, 2], stride: [1, 2], pad: [1, 0] },
  { x: [1, 1, 28, 28], w: [30, 1, 5, 5], stride: [1, 1], pad: [0, 0] }, // SimpleConvNet's first layer
  { x: [3, 2, 5, 5], w: [2, 2, 3, 3], stride: [2, 2], pad: [1, 1] },
  { x: [1, 2, 4, 4], w: [1, 2, 4, 4], stride: [1, 1], pad: [2, 2] }, // windows mostly padding
  { x: [2, 1, 3, 9], w: [3, 1, 1, 3], stride: [1, 3], pad: [0, 0] },
];

describe('conv2d forward', () => {
  for (const c of CASES) {
    it(`x ${c.x}, W ${c.w}, stride ${c.stride}, pad ${c.pad}`, () => {
      const x = r.randn(c.x);
      const W = r.randn(c.w);
      const b = r.randn([c.w[0]]);
      const y = conv2d(x, W, b, { stride: c.stride as [number, number], pad: c.pad as [number, number] });
      const [, , H, Wd] = c.x;
      expect(y.shape).toEqual([
        c.x[0],
        c.w[0],
        (H + 2 * c.pad[0] - c.w[2]) / c.stride[0] + 1,
        (Wd + 2 * c.pad[1] - c.w[3]) / c.stride[1] + 1,
      ]);
      close(y.data.data, refConv(x, W, b, c.stride, c.pad));
      close(
        conv2d(x, W, null, { stride: c.stride as [number, number], pad: c.pad as [number, number] }).data.data,
        refConv(x, W, null, c.stride, c.pad),
      );
    });
  }

  it('float32 in, float32 out, within float32 rounding of the float64 result', () => {
    const x = r.randn([2, 3, 6, 6]);
    const W = r.randn([5, 3, 3, 3]);
    const y = conv2d(x.astype('float32'), W.astype('float32'), null, { pad: 1 });
    expect(y.dtype).toBe('float32');
    close(
      y.data.data,
      refConv(x.astype('float32').astype('float64'), W.astype('float32').astype('float64'), null, [1, 1], [1, 1]),
      4,
    );
  });

  it('is the book’s im2col · Wᵀ', () => {
    const x = r.randn([2, 3, 5, 5]);
    const W = r.randn([4, 3, 3, 3]);
    const col = im2col(x, { kernel: 3, pad: 1 });
    const viaBook = col
      .matmul(variable(W).reshape([4, -1]).T)
      .reshape([2, 5, 5, 4])
      .transpose([0, 3, 1, 2]);
    close(conv2d(x, W, null, { pad: 1 }).data.data, Array.from(viaBook.data.data));
  });
});

describe('im2col and col2im', () => {
  for (const c of CASES) {
    const kernel = [c.w[2], c.w[3]];
    it(`im2col of ${c.x}, window ${kernel}, stride ${c.stride}, pad ${c.pad}`, () => {
      const x = r.randn(c.x);
      const opts = {
        kernel: kernel as [number, number],
        stride: c.stride as [number, number],
        pad: c.pad as [number, number],
      };
      const want = refIm2col(x, kernel, c.stride, c.pad);
      const col = im2col(x, opts);
      expect(col.shape).toEqual([want.length, want[0].length]);
      close(col.data.data, want.flat(), 15);
    });
    it(`col2im of ${c.x} sums every window back into its pixels (im2col's adjoint)`, () => {
      const x = r.randn(c.x);
      const opts = {
        kernel: kernel as [number, number],
        stride: c.stride as [number, number],
        pad: c.pad as [number, number],
      };
      const rows = refIm2col(x, kernel, c.stride, c.pad);
      const colValues = r.randn([rows.length, rows[0].length]);
      const back = col2im(colValues, c.x, opts);
      expect(back.shape).toEqual(c.x);
      // ⟨im2col(x), col⟩ = ⟨x, col2im(col)⟩ for every x and col.
      const lhs = rows.flat().reduce((s, v, k) => s + v * colValues.data[k], 0);
      const rhs = Array.from(x.data).reduce((s, v, k) => s + v * back.data.data[k], 0);
      expect(rhs).toBeCloseTo(lhs, 10);
    });
  }

  it('col2im of ones counts how many windows cover each pixel', () => {
    const counts = col2im(
      Array.from({ length: 4 }, () => Array(9).fill(1)),
      [1, 1, 4, 4],
      { kernel: 3 },
    );
    expect(counts.toArray()).toEqual([
      [
        [
          [1, 2, 2, 1],
          [2, 4, 4, 2],
          [2, 4, 4, 2],
          [1, 2, 2, 1],
        ],
      ],
    ]);
  });
});

describe('pooling forward', () => {
  const POOLS = [
    { x: [2, 3, 6, 6], kernel: [2, 2], stride: [2, 2], pad: [0, 0] },
    { x: [1, 2, 5, 7], kernel: [3, 3], stride: [1, 2], pad: [1, 1] },
    { x: [2, 1, 4, 4], kernel: [2, 3], stride: [2, 1], pad: [0, 1] },
    { x: [1, 30, 24, 24], kernel: [2, 2], stride: [2, 2], pad: [0, 0] }, // SimpleConvNet's pooling
  ];
  for (const p of POOLS) {
    for (const kind of ['max', 'avg'] as const) {
      it(`${kind} of ${p.x}, window ${p.kernel}, stride ${p.stride}, pad ${p.pad}`, () => {
        const x = r.randn(p.x);
        const opts = {
          kernel: p.kernel as [number, number],
          stride: p.stride as [number, number],
          pad: p.pad as [number, number],
        };
        const y = kind === 'max' ? maxPool2d(x, opts) : avgPool2d(x, opts);
        close(y.data.data, refPool(x, kind, p.kernel, p.stride, p.pad), 14);
      });
    }
  }

  it('max pooling defaults its stride to the window and sends the gradient to each winner only', () => {
    const x = variable([
      [
        [
          [1, 5, 2, 0],
          [3, 4, 8, 1],
          [0, 2, 1, 1],
          [7, 6, 3, 9],
        ],
      ],
    ]);
    const y = maxPool2d(x, { kernel: 2 });
    expect(y.toArray()).toEqual([
      [
        [
          [5, 8],
          [7, 9],
        ],
      ],
    ]);
    y.backward({
      seed: variable([
        [
          [
            [10, 20],
            [30, 40],
          ],
        ],
      ]),
    });
    expect(x.grad?.toArray()).toEqual([
      [
        [
          [0, 10, 0, 0],
          [0, 0, 20, 0],
          [0, 0, 0, 0],
          [30, 0, 0, 40],
        ],
      ],
    ]);
  });

  it('ties go to the first pixel in row-major order, and NaN propagates (the 2×2 fast path and the general loop agree)', () => {
    for (const stride of [2, 1]) {
      // stride 1 takes the general loop; stride 2 the unrolled 2×2 one.
      const x = variable([
        [
          [
            [3, 3, 1, 1],
            [3, 3, 1, 1],
            [0, 5, 5, Number.NaN],
            [0, 5, 5, 2],
          ],
        ],
      ]);
      const y = maxPool2d(x, { kernel: 2, stride });
      y.sum().backward();
      const got = (y.toArray() as number[][][][])[0][0];
      expect(got[0][0]).toBe(3);
      expect(Number.isNaN(got.at(-1)?.at(-1) ?? 0)).toBe(true);
      const gx = ((x.grad as Variable).toArray() as number[][][][])[0][0];
      expect(gx[0][0]).toBeGreaterThan(0); // the first 3 won its window
      expect([gx[1][0], gx[1][1]]).toEqual([0, 0]); // the tied 3s below it never win
    }
  });

  it('padding never wins a max, even when every pixel is negative', () => {
    const y = maxPool2d(
      [
        [
          [
            [-1, -2],
            [-3, -4],
          ],
        ],
      ],
      { kernel: 2, stride: 1, pad: 1 },
    );
    expect(y.toArray()).toEqual([
      [
        [
          [-1, -1, -2],
          [-1, -1, -2],
          [-3, -3, -4],
        ],
      ],
    ]);
  });
});

describe('edge cases', () => {
  it('an empty batch gives empty outputs and zero gradients for the filters and bias', () => {
    const W = variable(r.randn([3, 2, 3, 3]));
    const b = variable(r.randn([3]));
    const y = conv2d(zeros([0, 2, 5, 5]), W, b);
    expect(y.shape).toEqual([0, 3, 3, 3]);
    y.sum().backward();
    expect(W.grad?.toArray()).toEqual(zeros([3, 2, 3, 3]).toArray());
    expect(b.grad?.toArray()).toEqual([0, 0, 0]);
  });
});

describe('errors name the op and the shapes', () => {
  const x = r.randn([2, 3, 8, 8]);
  it('conv2d', () => {
    expect(() => conv2d(x, r.randn([4, 2, 3, 3]))).toThrow(ShapeError);
    expect(() => conv2d(x, r.randn([4, 2, 3, 3]))).toThrow(
      /Conv2d: x has 3 channels but the filters expect 2.*\(2, 3, 8, 8\).*\(4, 2, 3, 3\)/,
    );
    expect(() => conv2d(r.randn([3, 8, 8]), r.randn([4, 3, 3, 3]))).toThrow(
      /Conv2d: expects x \[N, C, H, W\].*\(3, 8, 8\)/,
    );
    expect(() => conv2d(x, r.randn([4, 3, 3, 3]), r.randn([3]))).toThrow(/Conv2d: b must be \[F\] = \(4,\)/);
    expect(() => conv2d(x, r.randn([4, 3, 3, 3]), null, { stride: 2 })).toThrow(
      /Conv2d: output size is not a whole number: input \(2, 3, 8, 8\), 3×3 window, stride \(2, 2\)/,
    );
    expect(() => conv2d(x, r.randn([4, 3, 9, 9]))).toThrow(
      /Conv2d: a 9×9 window does not fit the input \(2, 3, 8, 8\)/,
    );
    expect(() => conv2d(x, r.randn([4, 3, 3, 3]), null, { stride: 0 })).toThrow(ValueError);
    expect(() => conv2d(x, r.randn([4, 3, 3, 3]), null, { pad: -1 })).toThrow(/Conv2d: pad must be a whole number ≥ 0/);
  });
  it('pooling, im2col and col2im', () => {
    expect(() => maxPool2d(x, { kernel: 3 })).toThrow(
      /MaxPool: output size is not a whole number: input \(2, 3, 8, 8\), 3×3 window/,
    );
    expect(() => avgPool2d(r.randn([8, 8]), { kernel: 2 })).toThrow(
      /AvgPool: expects an input of shape \[N, C, H, W\], got \(8, 8\)/,
    );
    expect(() => maxPool2d(x, { kernel: 2, pad: 2 })).toThrow(
      /MaxPool: pad \(2, 2\) must be smaller than the 2×2 window/,
    );
    expect(() => maxPool2d(x, {} as never)).toThrow(/MaxPool: kernel must be a whole number ≥ 1/);
    expect(() => im2col(x, { kernel: [3, 3], stride: 2 })).toThrow(/Im2col: output size is not a whole number/);
    expect(() => col2im(r.randn([5, 9]), [1, 1, 4, 4], { kernel: 3 })).toThrow(
      /Col2im: images \(1, 1, 4, 4\) with a 3×3 window need col \(4, 9\), got \(5, 9\)/,
    );
  });
});

describe('in a graph', () => {
  it('conv2d, max pooling and average pooling are one node each, with their shapes and options', () => {
    const x = variable(r.randn([2, 1, 6, 6]), { name: 'x' });
    const W = variable(r.randn([3, 1, 3, 3]), { name: 'W' });
    const b = variable(r.randn([3]), { name: 'b' });
    const y = avgPool2d(maxPool2d(conv2d(x, W, b, { pad: 1 }), { kernel: 2 }), { kernel: 3 });
    const ops = traceGraph(y).nodes.filter((n) => n.kind === 'op');
    expect(ops.map((n) => (n.kind === 'op' ? [n.op, n.attrs] : null))).toEqual([
      ['Conv2d', { stride: [1, 1], pad: [1, 1] }],
      ['MaxPool', { kernel: [2, 2], stride: [2, 2], pad: [0, 0] }],
      ['AvgPool', { kernel: [3, 3], stride: [3, 3], pad: [0, 0] }],
    ]);
    const shapes = traceGraph(y).nodes.flatMap((n) => (n.kind === 'variable' ? [n.shape] : []));
    expect(shapes).toEqual(
      expect.arrayContaining([[2, 1, 6, 6], [3, 1, 3, 3], [3], [2, 3, 6, 6], [2, 3, 3, 3], [2, 3, 1, 1]]),
    );
  });
});

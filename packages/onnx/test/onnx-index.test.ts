// Indexing, cutting and joining in ONNX: getItem → Slice/Squeeze/Unsqueeze/Gather, split →
// Split, concat → Concat, flip, pad, cumsum — judged by ONNX Runtime on a batch other than the
// example's, read back by importOnnx with the same numbers and gradients, and refused clearly
// where a faithful export is impossible.
import {
  arange,
  concat,
  cumsum,
  flip,
  GraphError,
  greater,
  newAxis,
  pad,
  parameter,
  Random,
  slice,
  split,
  stack,
  sum,
  tensor,
  type Variable,
  variable,
} from '@zerograd/core';
import { Embedding } from '@zerograd/layers';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, exportOnnx, importOnnx, type OnnxModel, toOnnxModel } from '../src/index.js';
import { maxDisagreement, runOrt } from './support/onnx-runtime.js';

const TOL = { float64: 1e-12, float32: 1e-6 } as const;
type Fn = (x: Variable) => Variable | Variable[];

/** Exported with a batch of 3, run in ONNX Runtime with a batch of 5: every output agrees. */
async function agreesOnAnotherBatch(f: Fn, dtype: 'float32' | 'float64', features = 6) {
  const bytes = exportOnnx(f, new Random(1).randn([3, features], { dtype }));
  const x = new Random(2).randn([5, features], { dtype });
  const ort = await runOrt(bytes, { input: x });
  const ours = [f(variable(x))].flat();
  const names = ours.length === 1 ? ['output'] : ours.map((_, i) => `output${i}`);
  return {
    ops: decodeModel(bytes).graph.nodes.map((n) => n.opType),
    worst: Math.max(
      ...ours.map((y, i) => {
        expect(ort[names[i]].dims, names[i]).toEqual(y.shape);
        return maxDisagreement(ort[names[i]].data, y.data.data as ArrayLike<number>);
      }),
    ),
  };
}

const CASES: [string, Fn, string[]][] = [
  ['x[:, 1:-1:2]', (x) => x.getItem(null, slice(1, -1, 2)), ['Slice']],
  ['x[:, 0]', (x) => x.getItem(null, 0), ['Slice', 'Squeeze']],
  ['x[:, -1, None]', (x) => x.getItem(null, -1, newAxis), ['Slice', 'Squeeze', 'Unsqueeze']],
  ['x[:, -2]', (x) => x.getItem(null, -2), ['Slice', 'Squeeze']],
  ['x[:, ::-1]', (x) => x.getItem(null, slice(null, null, -1)), ['Slice']],
  ['x[::-1, -2::-2] (the batch reversed)', (x) => x.getItem(slice(null, null, -1), slice(-2, null, -2)), ['Slice']],
  ['x[:, 4:0:-3]', (x) => x.getItem(null, slice(4, 0, -3)), ['Slice']],
  ['x[1:-1] (rows cut off the batch)', (x) => x.getItem(slice(1, -1)), ['Slice']],
  ['x[:, None, 2:]', (x) => x.getItem(null, newAxis, slice(2)), ['Slice', 'Unsqueeze']],
  ['x[:] (nothing to do)', (x) => x.getItem(null), ['Identity']],
  ['x[:, [3, 0, -1, 3]]', (x) => x.getItem(null, [3, 0, -1, 3]), ['Gather']],
  ['x[:, [[1], [2]]]', (x) => x.getItem(null, tensor([[1], [2]])), ['Gather']],
  ['split(x, [1, 2, 3], 1)', (x) => split(x, [1, 2, 3], 1), ['Split']],
  ['chunk of 3', (x) => x.chunk(3, 1), ['Split']],
  ['concat([x, x[:, :2]], 1)', (x) => concat([x, x.getItem(null, slice(0, 2))], 1), ['Slice', 'Concat']],
  ['stack([x, −x], 1)', (x) => stack([x, x.neg()], 1), ['Reshape', 'Neg', 'Reshape', 'Concat']],
  ['flip(x, 1)', (x) => flip(x, 1), ['Slice']],
  ['flip(x) (both axes)', (x) => flip(x), ['Slice']],
  [
    'pad(x, [[0, 0], [1, 2]], 0.5)',
    (x) =>
      pad(
        x,
        [
          [0, 0],
          [1, 2],
        ],
        { value: 0.5 },
      ),
    ['Pad'],
  ],
  ['cumsum(x, 1)', (x) => cumsum(x, 1), ['CumSum']],
];

describe('indexing and joining ops run in ONNX Runtime with a dynamic batch', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [name, f, ops] of CASES) {
      it(`${name} (${dtype})`, async () => {
        const { ops: written, worst } = await agreesOnAnotherBatch(f, dtype);
        expect(written).toEqual(ops);
        expect(worst).toBeLessThanOrEqual(TOL[dtype]);
      });
    }
  }

  it('declares the batch symbolic, and keeps it through whole-axis indexing, splits and joins', () => {
    const f = (x: Variable) => {
      const [a, b] = split(x.getItem(slice(null, null, -1), slice(1, null)), [2, 3], 1);
      return concat([b, flip(a, 1)], 1)
        .getItem(null, newAxis)
        .reshape([x.shape[0], 5]);
    };
    const model = toOnnxModel(f, new Random(0).randn([3, 6]));
    expect(model.graph.inputs[0].shape).toEqual(['N', 6]);
    expect(model.graph.outputs[0].shape).toEqual(['N', 5]);
    // The Reshape copies the batch (0) rather than writing the example's 3.
    const reshape = model.graph.nodes.find((n) => n.opType === 'Reshape');
    const target = model.graph.initializers.find((t) => t.name === reshape?.inputs[1]);
    expect(Array.from(target?.data as BigInt64Array, Number)).toEqual([0, 5]);
  });

  it('writes omitted bounds as the int64 extremes, so a slice fits any length', () => {
    const model = toOnnxModel((x) => x.getItem(slice(null, null, -1), slice(2)), new Random(0).randn([3, 6]));
    const [node] = model.graph.nodes;
    const int64 = (k: number) =>
      Array.from(model.graph.initializers.find((t) => t.name === node.inputs[k])?.data as BigInt64Array);
    expect(int64(1)).toEqual([2n ** 63n - 1n, 2n]); // starts: from the end (backwards), 2
    expect(int64(2)).toEqual([-(2n ** 63n), 2n ** 63n - 1n]); // ends: past the start, to the end
    expect(int64(3)).toEqual([0n, 1n]);
    expect(int64(4)).toEqual([-1n, 1n]);
  });
});

describe('advanced indices over the batch: exported when they can be, refused clearly when not', () => {
  const rows = 4;
  const labels = tensor([2, 0, 3, 1]);
  const pick = (p: Variable) => p.getItem(arange(rows), labels); // the book's p[arange(n), t]

  it("the book's p[arange(n), labels] and masks need dynamicBatch: false", async () => {
    const x = new Random(3).randn([rows, 5]);
    for (const f of [pick, (p: Variable) => p.getItem(greater(x, 0))]) {
      expect(() => exportOnnx(f, x)).toThrow(GraphError);
      expect(() => exportOnnx(f, x)).toThrow(/op 'GetItem' indexes \(4, 5\) with .*export with dynamicBatch: false/);
      const bytes = exportOnnx(f, x, { dynamicBatch: false });
      expect(decodeModel(bytes).graph.nodes.map((n) => n.opType)).toEqual(['Reshape', 'Gather']);
      const ort = await runOrt(bytes, { input: x });
      expect(Array.from(ort.output.data)).toEqual(Array.from(f(variable(x)).data.data));
    }
  });

  it('a mask or several arrays on a value without a batch axis export under a dynamic batch', async () => {
    const W = new Random(4).randn([2, 4]);
    const mask = tensor([
      [1, 0, 1, 0],
      [0, 1, 0, 1],
    ]).astype('bool');
    const f = (x: Variable) =>
      x.mul(variable(W).getItem(mask)).add(
        variable(W)
          .getItem([1, 0], tensor([[3], [2]]))
          .sum(),
      );
    const { ops, worst } = await agreesOnAnotherBatch(f, 'float64', 4);
    expect(ops.filter((o) => o === 'Gather')).toHaveLength(2);
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('refuses an index array computed from the data (an Embedding’s token ids), and a Split of the batch', () => {
    const emb = new Embedding(10, 3, { seed: 0 });
    const ids = tensor([1, 4, 7], { dtype: 'int32' });
    expect(() => exportOnnx((x: Variable) => x.add(emb.forward(ids)), new Random(0).randn([3, 3]))).toThrow(
      /op 'GetItem' \(in Embedding\) indexes \(10, 3\) with \[array\(3,\)\], whose first axis follows the batch/,
    );
    expect(() => exportOnnx((x: Variable) => split(x, [1, 2]), new Random(0).randn([3, 3]))).toThrow(
      /op 'Split' cuts the batch axis of \(3, 3\) into parts of the example's sizes \[1, 2\]: export with dynamicBatch: false/,
    );
    const fixed = exportOnnx((x: Variable) => split(x, [1, 2]), new Random(0).randn([3, 3]), { dynamicBatch: false });
    expect(decodeModel(fixed).graph.outputs.map((o) => o.shape)).toEqual([
      [1, 3],
      [2, 3],
    ]);
  });
});

describe('export → import round trip of indexing and joining', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`gives the same outputs and gradients (${dtype})`, () => {
      const random = new Random(6);
      const W = parameter(random.randn([4, 6], { dtype }), 'W');
      const f = (x: Variable) => {
        const h = x.matmul(W); // (N, 6)
        const [a, b] = split(h, [2, 4], 1);
        const c = concat([flip(b, 1).getItem(null, slice(-1, 0, -2)), a.tanh()], 1); // (N, 4)
        const d = pad(
          cumsum(c, 1),
          [
            [0, 0],
            [1, 0],
          ],
          { value: 0.25 },
        ).getItem(null, [4, 0, 2]); // (N, 3)
        return [d.getItem(null, -1, newAxis).mul(d), c.getItem(slice(null, null, -1), 1)];
      };
      const bytes = exportOnnx(f, random.randn([3, 4], { dtype }));
      const back = importOnnx(bytes);
      expect(back.parameters().map((p) => back.onnxName(p))).toEqual(['W']); // Pad's value stays fixed
      const x = random.randn([5, 4], { dtype });
      const [xa, xb] = [variable(x, { requiresGrad: true }), variable(x, { requiresGrad: true })];
      const ours = f(xa);
      const theirs = back.run({ input: xb });
      const outs = [theirs.output0, theirs.output1];
      outs.forEach((y, i) => {
        expect(y.shape).toEqual(ours[i].shape);
        expect(Array.from(y.data.data)).toEqual(Array.from(ours[i].data.data));
      });
      const g = [random.randn(ours[0].shape, { dtype }), random.randn(ours[1].shape, { dtype })];
      sum(ours[0].mul(g[0]))
        .add(sum(ours[1].mul(g[1])))
        .backward();
      sum(outs[0].mul(g[0]))
        .add(sum(outs[1].mul(g[1])))
        .backward();
      expect(Array.from(xb.grad?.data.data ?? [])).toEqual(Array.from(xa.grad?.data.data ?? []));
      expect(Array.from(back.parameters()[0].grad?.data.data ?? [])).toEqual(Array.from(W.grad?.data.data ?? []));
    });
  }
});

// ---- import of models written by hand, as other tools write them ------------------------

const i64 = (name: string, values: readonly number[], dims = [values.length]) => ({
  name,
  dtype: 'int64' as const,
  dims,
  data: BigInt64Array.from(values, (v) => BigInt(v)),
});
const I64_MIN = -(2 ** 63);

function handModel(
  nodes: OnnxModel['graph']['nodes'],
  initializers: OnnxModel['graph']['initializers'],
  outs: Record<string, number[]>,
) {
  const model: OnnxModel = {
    irVersion: 8,
    opset: 17,
    producerName: 'hand',
    producerVersion: '1',
    graph: {
      name: 'hand',
      nodes,
      initializers,
      inputs: [{ name: 'x', dtype: 'float64', shape: [4, 5] }],
      outputs: Object.entries(outs).map(([name, shape]) => ({ name, dtype: 'float64', shape })),
    },
  };
  return encodeModel(model);
}
const node = (
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: OnnxModel['graph']['nodes'][0]['attributes'] = {},
) => ({
  opType,
  inputs,
  outputs,
  name: `${opType}_${outputs[0]}`,
  attributes,
});

describe('importOnnx reads Slice, Squeeze, Unsqueeze, Gather, Split, Concat, Pad and CumSum as ONNX Runtime runs them', () => {
  it('follows ONNX’s clamping, scalar Gather indices, equal Splits, reverse CumSum', async () => {
    const bytes = handModel(
      [
        // A backward slice starting before the axis: ONNX clamps the start to 0 (Python would give nothing).
        node('Slice', ['x', 's_starts', 's_ends', 's_axes', 's_steps'], ['a']),
        node('Gather', ['x', 'g_scalar'], ['b'], { axis: { type: 'int', value: 1 } }),
        node('Unsqueeze', ['b', 'u_axes'], ['b1']),
        node('Split', ['x'], ['p', 'q'], { axis: { type: 'int', value: 0 } }),
        node('Concat', ['q', 'p'], ['c'], { axis: { type: 'int', value: 1 } }),
        node('Squeeze', ['a', 'sq_axes'], ['a1']),
        node('Pad', ['c', 'pads', 'pad_value'], ['d']),
        node('CumSum', ['d', 'cs_axis'], ['e'], { reverse: { type: 'int', value: 1 } }),
        node('Gather', ['e', 'g_matrix'], ['f'], { axis: { type: 'int', value: -1 } }),
      ],
      [
        i64('s_starts', [-9, 4]),
        i64('s_ends', [I64_MIN, 2]),
        i64('s_axes', [0, -1]),
        i64('s_steps', [-1, -1]),
        i64('g_scalar', [-2], []),
        i64('u_axes', [1]),
        i64('sq_axes', [0]),
        i64('pads', [1, 0, 0, 2]),
        { name: 'pad_value', dtype: 'float64', dims: [], data: Float64Array.of(-1.5) },
        i64('cs_axis', [1], []),
        i64('g_matrix', [0, -1, 3, 3], [2, 2]),
      ],
      { a1: [2], b1: [4, 1], f: [3, 2, 2] },
    );
    const x = new Random(7).randn([4, 5]);
    const ort = await runOrt(bytes, { x });
    const ours = importOnnx(bytes).run({ x });
    expect(ort.a1.dims).toEqual([2]); // element 0 only on axis 0, then squeezed
    for (const name of ['a1', 'b1', 'f']) {
      expect(ours[name].shape, name).toEqual(ort[name].dims);
      expect(maxDisagreement(ort[name].data, ours[name].data.data as ArrayLike<number>), name).toBeLessThanOrEqual(
        1e-12,
      );
    }
  });

  it('refuses what zerograd cannot do, naming the node', () => {
    const reflect = handModel(
      [node('Pad', ['x', 'pads'], ['y'], { mode: { type: 'string', value: 'reflect' } })],
      [i64('pads', [0, 1, 0, 1])],
      { y: [4, 5] },
    );
    expect(() => importOnnx(reflect).run({ x: new Random(0).randn([4, 5]) })).toThrow(
      /Pad node 'Pad_y': mode reflect is not supported/,
    );
    const exclusive = handModel(
      [node('CumSum', ['x', 'axis'], ['y'], { exclusive: { type: 'int', value: 1 } })],
      [i64('axis', [0], [])],
      { y: [4, 5] },
    );
    expect(() => importOnnx(exclusive).run({ x: new Random(0).randn([4, 5]) })).toThrow(/exclusive sums/);
  });
});

// A traced GetItem shows its index as the user wrote it (plain JSON), which is what a drawing
// prints and what @zerograd/onnx maps to Slice/Squeeze/Unsqueeze/Gather.
import {
  arange,
  getItem,
  greater,
  newAxis,
  parseSnapshot,
  type SnapshotOpNode,
  serializeSnapshot,
  slice,
  tensor,
  traceGraph,
  variable,
} from '@zerograd/core';
import { describe, expect, it } from 'vitest';

const opNodes = (y: Parameters<typeof traceGraph>[0]) =>
  traceGraph(y).nodes.filter((n): n is SnapshotOpNode => n.kind === 'op');

describe("GetItem's traced attributes", () => {
  it('describe a basic index: integers, raw slice bounds (negatives, nulls), whole axes, newAxis', () => {
    const x = variable(arange(60).reshapeView([3, 4, 5]));
    const y = x.getItem(null, slice(1, -1, 2), -2, newAxis);
    expect(y.shape).toEqual([3, 1, 1]);
    const [op] = opNodes(y);
    expect(op.op).toBe('GetItem');
    expect(op.attrs).toEqual({
      index: [null, { start: 1, stop: -1, step: 2 }, -2, 'newAxis'],
      outShape: [3, 1, 1],
    });
    const reversed = opNodes(x.getItem(slice(null, null, -1)))[0];
    expect(reversed.attrs.index).toEqual([{ start: null, stop: null, step: -1 }]);
  });

  it('describe advanced parts with their values and shapes: integer arrays and masks', () => {
    const p = variable(arange(12).reshapeView([3, 4]));
    const picked = opNodes(p.getItem(arange(3), tensor([1, 0, 3])))[0];
    expect(picked.attrs.index).toEqual([
      { array: [0, 1, 2], shape: [3] },
      { array: [1, 0, 3], shape: [3] },
    ]);
    const nested = opNodes(p.getItem(null, tensor([[0], [2]])))[0];
    expect(nested.attrs.index).toEqual([null, { array: [0, 2], shape: [2, 1] }]);
    const mask = greater(p.data, 6).data;
    const masked = opNodes(getItem(p, mask))[0];
    expect(masked.attrs).toEqual({
      index: [{ mask: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1], shape: [3, 4] }],
      outShape: [5],
    });
    const boolList = opNodes(p.getItem([true, false, true]))[0];
    expect(boolList.attrs.index).toEqual([{ mask: [1, 0, 1], shape: [3] }]);
  });

  it('survive serializeSnapshot/parseSnapshot, and the backward (ScatterAdd → GetItem) keeps them', () => {
    const x = variable(arange(6).reshapeView([2, 3]), { requiresGrad: true });
    const y = x
      .getItem(null, slice(null, null, -2))
      .pow(2)
      .sum();
    y.backward({ createGraph: true });
    const snap = traceGraph(y);
    const back = parseSnapshot(serializeSnapshot(snap));
    expect(back).toEqual(snap);
    const gx = x.grad as NonNullable<typeof x.grad>;
    const second = opNodes(gx.getItem(1)).map((n) => [n.op, n.attrs.index]);
    expect(second.at(-1)).toEqual(['GetItem', [1]]);
    const scatter = traceGraph(gx).nodes.find((n) => n.kind === 'op' && n.op === 'ScatterAdd') as SnapshotOpNode;
    expect(scatter.attrs).toEqual({ shape: [2, 3] });
  });
});

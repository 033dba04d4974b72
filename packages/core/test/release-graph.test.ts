import { afterEach, describe, expect, it } from 'vitest';
import {
  add,
  bufferPoolStats,
  clearBufferPool,
  GraphError,
  matmul,
  mul,
  parameter,
  Random,
  releaseGraph,
  relu,
  reshape,
  sum,
  variable,
  zeros,
} from '../src/index.js';

afterEach(() => clearBufferPool());

/** A small net whose forward values are large enough to pool (≥ 1024 elements). */
function step(r: Random, W: ReturnType<typeof parameter>, b: ReturnType<typeof parameter>) {
  const x = variable(r.randn([64, 32]));
  const h = relu(add(matmul(x, W), b)); // values [64, 48]
  const loss = sum(mul(h, h));
  loss.backward();
  return { x, h, loss };
}

describe('releaseGraph', () => {
  it('recycles the forward values, marks them released, and leaves leaves and gradients alone', () => {
    const r = new Random(1);
    const W = parameter(r.randn([32, 48]));
    const b = parameter(zeros([48]));
    const wBefore = W.data.data.slice();
    const { x, h, loss } = step(r, W, b);
    const gW = W.grad?.data.data.slice();
    const xData = x.data.data.slice();
    const value = loss.item();
    const report = releaseGraph(loss);
    // matmul, add, relu and mul outputs: four [64, 48] buffers of 8 bytes × 3072.
    expect(report).toEqual({ buffers: 4, bytes: 4 * 64 * 48 * 8 });
    expect(bufferPoolStats()).toMatchObject({ buffers: 4, bytes: 4 * 64 * 48 * 8 });
    expect(() => h.data.data).toThrow(GraphError);
    expect(() => h.data.data).toThrow(/recycled by releaseGraph.*clone/);
    expect(h.data.size).toBe(64 * 48);
    // Leaves, parameters and their gradients are untouched; the scalar loss keeps its value.
    expect(W.data.data).toEqual(wBefore);
    expect(W.grad?.data.data).toEqual(gW);
    expect(x.data.data).toEqual(xData);
    expect(loss.item()).toBe(value);
    // Releasing again finds nothing more.
    expect(releaseGraph(loss)).toEqual({ buffers: 0, bytes: 0 });
  });

  it('hands the buffers out again, zeroed, and a training loop computes the same numbers with them', () => {
    const run = (recycle: boolean) => {
      clearBufferPool();
      const r = new Random(7);
      const W = parameter(r.randn([32, 48]));
      const b = parameter(zeros([48]));
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) {
        W.grad = null;
        b.grad = null;
        const { loss } = step(r, W, b);
        losses.push(loss.item());
        const w = W.data.data;
        const g = W.grad?.data.data as Float64Array;
        for (let j = 0; j < w.length; j++) w[j] -= 1e-4 * g[j];
        if (recycle) releaseGraph(loss);
      }
      return { losses, stats: bufferPoolStats() };
    };
    const plain = run(false);
    const recycled = run(true);
    expect(recycled.losses).toEqual(plain.losses);
    expect(recycled.stats.taken).toBeGreaterThanOrEqual(3 * 4); // steps 2–4 reused the values
    // A pooled buffer comes back zero-filled.
    const t = zeros([64, 48]);
    expect(t.data.every((v) => v === 0)).toBe(true);
  });

  it('keeps values that share a leaf buffer, releases views together, and spares retained values', () => {
    const r = new Random(3);
    const W = parameter(r.randn([48, 64]));
    const view = reshape(W, [64, 48]); // shares W's buffer
    const a = add(view, 1); // its own buffer
    const v2 = reshape(a, [48, 64]); // a view of a
    const kept = mul(v2, 2);
    kept.retainGrad();
    const loss = sum(mul(kept, kept));
    loss.backward();
    const wBefore = W.data.data.slice();
    releaseGraph(loss);
    expect(W.data.data).toEqual(wBefore);
    expect(view.data.data).toBe(W.data.data);
    expect(() => a.data.data).toThrow(GraphError);
    expect(() => v2.data.data).toThrow(GraphError);
    expect(kept.data.data.length).toBe(48 * 64);
    expect(kept.grad?.data.data.length).toBe(48 * 64);
  });
});

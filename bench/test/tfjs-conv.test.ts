import { conv2d, Random, type Tensor, transpose, variable } from '@zerograd/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvCase, ConvResults } from '../src/peers/index.js';
import { loadTf } from '../src/peers/tfjs.js';
import { permute4, tfjsCpuConvPeer, tfjsWasmConvPeer } from '../src/peers/tfjs-conv.js';

// The conv suite's tfjs columns must compute what zerograd computes — the same y, dx, dW and db
// element by element, only stored NHWC/HWIO — or their figures mean nothing. Nothing is timed.

describe('permute4', () => {
  it('moves element [a,b,c,d] to its place under the permutation, like numpy transpose', () => {
    const shape = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const perm = [0, 2, 3, 1];
    const out = permute4(data, shape, perm);
    const outShape = perm.map((p) => shape[p]);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 3; b++)
        for (let c = 0; c < 4; c++)
          for (let d = 0; d < 5; d++) {
            const idx = [a, b, c, d];
            const o = perm.map((p) => idx[p]);
            const flat = ((o[0] * outShape[1] + o[1]) * outShape[2] + o[2]) * outShape[3] + o[3];
            expect(out[flat]).toBe(data[((a * 3 + b) * 4 + c) * 5 + d]);
          }
  });
});

/** A small case with several input channels (so NCHW and NHWC differ) and zerograd's float64 results, in tfjs's layout. */
function smallCase(): { c: ConvCase; want: Record<keyof ConvResults, Float64Array> } {
  const r = new Random(3);
  const [n, ch, h, w, f, k] = [2, 3, 7, 6, 4, 3];
  // Operands rounded to float32 first, so the float64 reference sees exactly what tfjs sees.
  const x32 = r.randn([n, ch, h, w]).astype('float32');
  const w32 = r.randn([f, ch, k, k]).astype('float32');
  const b32 = r.randn([f]).astype('float32');
  const gy32 = r.randn([n, f, h - k + 1, w - k + 1]).astype('float32');
  const x = variable(x32.astype('float64'));
  const wt = variable(w32.astype('float64'));
  const b = variable(b32.astype('float64'));
  const y = conv2d(x, wt, b);
  y.backward({ seed: gy32.astype('float64') });
  const nhwc = (t: Tensor) => transpose(variable(t), [0, 2, 3, 1]).data.data as Float64Array;
  const hwio = (t: Tensor) => transpose(variable(t), [2, 3, 1, 0]).data.data as Float64Array;
  const grad = (v: typeof x) => {
    if (!v.grad) throw new Error('no gradient');
    return v.grad.data;
  };
  return {
    c: {
      n,
      c: ch,
      h,
      w,
      f,
      k,
      x: x32.data as Float32Array,
      weight: w32.data as Float32Array,
      bias: b32.data as Float32Array,
      gy: gy32.data as Float32Array,
    },
    want: { y: nhwc(y.data), dx: nhwc(grad(x)), dW: hwio(grad(wt)), db: grad(b).data as Float64Array },
  };
}

/** `got` holds exactly the results named in `keys`, each equal to zerograd's element by element. */
function expectSame(
  got: ConvResults,
  want: Record<keyof ConvResults, Float64Array>,
  keys: readonly (keyof ConvResults)[] = ['y', 'dx', 'dW', 'db'],
): void {
  expect(Object.keys(got).sort()).toEqual([...keys].sort());
  for (const key of keys) {
    const g = got[key] ?? new Float32Array(0);
    expect(g.length, key).toBe(want[key].length);
    for (let i = 0; i < want[key].length; i++)
      // float32 sums of at most a few dozen products: well inside 1e-5 relative
      expect(Math.abs(g[i] - want[key][i]), `${key}[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[key][i])));
  }
}

describe('tfjs conv peers', () => {
  afterAll(() => {
    tfjsCpuConvPeer.release();
    tfjsWasmConvPeer.release();
  });

  // tfjs-cpu is no column of the suite (too slow), but it has all four kernels, so it is what
  // checks the forward+backward code path the WASM peer would take with a newer tfjs.
  it('tfjs-cpu computes zerograd’s y, dx, dW and db, in NHWC/HWIO, call after call', async () => {
    expect(await tfjsCpuConvPeer.setup()).toBe(true);
    expect(await tfjsCpuConvPeer.describe()).toMatch(/NHWC/);
    expect(await tfjsCpuConvPeer.cannot('forward+backward')).toBeNull();
    const { c, want } = smallCase();
    const step = tfjsCpuConvPeer.prepare(c, 'forward+backward');
    expectSame(step(), want);
    expectSame(step(), want); // the operands survive a call; results are fresh each time
    tfjsCpuConvPeer.release();
  });

  it('tfjs-wasm computes zerograd’s y on the forward row, call after call', async () => {
    expect(await tfjsWasmConvPeer.setup()).toBe(true);
    expect(await tfjsWasmConvPeer.cannot('forward')).toBeNull();
    const { c, want } = smallCase();
    const step = tfjsWasmConvPeer.prepare(c, 'forward');
    expectSame(step(), want, ['y']);
    expectSame(step(), want, ['y']);
    tfjsWasmConvPeer.release();
  });

  it('tfjs-wasm runs the forward+backward only with all four kernels of its own, else says which it lacks', async () => {
    const tf = await loadTf();
    expect(await tfjsWasmConvPeer.setup()).toBe(true);
    const lacksFilterGrad = !tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const cannot = await tfjsWasmConvPeer.cannot('forward+backward');
    if (lacksFilterGrad) {
      // tfjs 4.22: no filter gradient in WASM; the cell is skipped, not filled from tfjs-cpu
      expect(cannot).toMatch(/registers no Conv2DBackpropFilter kernel/);
      expect(cannot).toMatch(/thread/);
      expect(() => tfjsWasmConvPeer.prepare(smallCase().c, 'forward+backward')).toThrow(
        /needs .* Conv2DBackpropFilter/,
      );
    } else {
      expect(cannot).toBeNull();
      const { c, want } = smallCase();
      expectSame(tfjsWasmConvPeer.prepare(c, 'forward+backward')(), want);
    }
  });
});

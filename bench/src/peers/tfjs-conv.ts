import type { ConvCase, ConvPeer, ConvResults, ConvWork } from './index.js';
import { type Backend, type Kernel, startBackend, type TensorInfo, type Tf, wasmBackendInfo } from './tfjs.js';

/**
 * TensorFlow.js (`@tensorflow/tfjs-core` 4.22) as peers on the conv suite's conv2d rows, on
 * its WASM backend (XNNPACK) and its CPU backend (plain JS; not a column of the suite, see
 * `tfjsCpuConvPeer`).
 *
 * A forward+backward call runs the kernels tfjs's own gradient of
 * `tf.fused.conv2d({ x, filter, bias })` runs: `FusedConv2D` (forward with the bias added),
 * `Conv2DBackpropInput` (dx), `Conv2DBackpropFilter` (dW) and `Sum` over batch and space (db),
 * then reads the four results back (`readSync`), as zerograd's results are arrays in JS too. A
 * forward call runs `FusedConv2D` alone and reads y back. The kernels are called
 * directly, as the matmul peers do, for two reasons: the peers then do not depend on tfjs's one
 * global "active backend", and `tf.grad` cannot run here at all — tfjs-core's npm package
 * registers its gradient functions only from `dist/register_all_gradients.js`, an ES module
 * with extension-less imports that Node cannot load (the `@tensorflow/tfjs` bundle does it
 * for its users). The engine's bookkeeping that `tf.grad` would add is left out, in tfjs's
 * favour.
 *
 * Layout: NHWC input and HWIO filters, tfjs's default and the only layout its WASM conv
 * kernels accept. The operands are rearranged from zerograd's NCHW/OIHW once, in `prepare`,
 * outside the timed call (a layout is how the data is stored, not work done per step); the
 * arithmetic is the same. A backend without one of the kernels a row needs does not run on that
 * row: its cell stays empty, with the missing kernel named, instead of borrowing another
 * backend's.
 */

/** The kernels each kind of call runs. */
const KERNELS = {
  forward: ['FusedConv2D'],
  'forward+backward': ['FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Sum'],
} as const satisfies Record<ConvWork, readonly string[]>;
type KernelName = (typeof KERNELS)['forward+backward'][number];

/**
 * `data` (a 4-d array of `shape`, row-major) with its axes reordered: output axis i is input
 * axis `perm[i]`, as numpy's `transpose(perm)`.
 */
export function permute4(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const inStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const [s0, s1, s2, s3] = perm.map((p) => inStrides[p]);
  const [d0, d1, d2, d3] = perm.map((p) => shape[p]);
  const out = new Float32Array(data.length);
  let o = 0;
  for (let i0 = 0; i0 < d0; i0++)
    for (let i1 = 0; i1 < d1; i1++)
      for (let i2 = 0; i2 < d2; i2++) {
        const base = i0 * s0 + i1 * s1 + i2 * s2;
        for (let i3 = 0; i3 < d3; i3++) out[o++] = data[base + i3 * s3];
      }
  return out;
}

function tfjsConvPeer(name: string, backendName: 'cpu' | 'wasm'): ConvPeer {
  let tf: Tf | null = null;
  let backend: Backend | null = null;
  let live: TensorInfo[] = [];
  const kernel = (k: KernelName): Kernel | undefined => tf?.getKernel(k, backendName);
  return {
    name,
    async setup() {
      const got = await startBackend(backendName);
      if (typeof got === 'string') return got;
      ({ tf, backend } = got);
      return true;
    },
    async describe() {
      const runs = backendName === 'wasm' && tf ? `, ${await wasmBackendInfo(tf)}` : ', plain JS, 1 thread';
      return `tfjs-core 4.22 '${backendName}' backend${runs}; kernels called directly (forward: ${KERNELS.forward.join(' + ')}; forward+backward: ${KERNELS['forward+backward'].join(' + ')}); NHWC input, HWIO filters (rearranged once, outside the timed call)`;
    },
    async cannot(work: ConvWork) {
      if (!backend) return `${name}: setup did not succeed`;
      const missing = KERNELS[work].filter((k) => !kernel(k));
      if (missing.length === 0) return null;
      const has = KERNELS[work].filter((k) => !missing.includes(k));
      const runs = backendName === 'wasm' && tf ? `; it would have run the ${await wasmBackendInfo(tf)}` : '';
      return `skipped: tfjs-core 4.22's '${backendName}' backend registers no ${missing.join(', ')} kernel (it has ${has.join(', ')}), so it cannot compute the ${work} itself${runs}`;
    },
    prepare(c: ConvCase, work: ConvWork) {
      const be = backend;
      const k = Object.fromEntries(KERNELS[work].map((n) => [n, kernel(n)]));
      if (!be || KERNELS[work].some((n) => !k[n]))
        throw new Error(
          `${name}: prepare(${work}) needs a successful setup and the kernels ${KERNELS[work].join(', ')}`,
        );
      const run = (n: KernelName, inputs: Record<string, TensorInfo>, attrs: object) =>
        (k[n] as Kernel).kernelFunc({ inputs, backend: be, attrs });
      const [oh, ow] = [c.h - c.k + 1, c.w - c.k + 1];
      const put = (values: Float32Array, shape: number[]): TensorInfo => {
        const t: TensorInfo = { dataId: be.write(values, shape, 'float32'), shape, dtype: 'float32' };
        live.push(t);
        return t;
      };
      const x = put(permute4(c.x, [c.n, c.c, c.h, c.w], [0, 2, 3, 1]), [c.n, c.h, c.w, c.c]);
      const filter = put(permute4(c.weight, [c.f, c.c, c.k, c.k], [2, 3, 1, 0]), [c.k, c.k, c.c, c.f]);
      const bias = put(c.bias.slice(), [c.f]);
      const conv = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] } as const;
      const read = (t: TensorInfo) => {
        const values = be.readSync(t.dataId) as Float32Array;
        be.disposeData(t.dataId);
        return values;
      };
      const forward = () => run('FusedConv2D', { x, filter, bias }, { ...conv, activation: 'linear' });
      if (work === 'forward') return (): ConvResults => ({ y: read(forward()) });
      const dy = put(permute4(c.gy, [c.n, c.f, oh, ow], [0, 2, 3, 1]), [c.n, oh, ow, c.f]);
      return (): ConvResults => {
        const y = forward();
        const dx = run('Conv2DBackpropInput', { dy, filter }, { ...conv, inputShape: x.shape });
        const dW = run('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: filter.shape });
        const db = run('Sum', { x: dy }, { axis: [0, 1, 2], keepDims: false });
        return { y: read(y), dx: read(dx), dW: read(dW), db: read(db) };
      };
    },
    release() {
      for (const t of live) backend?.disposeData(t.dataId);
      live = [];
    },
  };
}

/**
 * tfjs's CPU backend (plain JS). Not a column of the conv suite: its filter gradient alone
 * takes seconds per call (bench/README.md has the figures). bench/test/tfjs-conv.test.ts uses
 * it to check the forward+backward code path element by element, which the WASM backend,
 * lacking `Conv2DBackpropFilter`, cannot.
 */
export const tfjsCpuConvPeer = tfjsConvPeer('tfjs-cpu', 'cpu');
/** tfjs's WASM backend: the conv suite's tfjs column (a row whose kernels it lacks gets an empty cell and a note). */
export const tfjsWasmConvPeer = tfjsConvPeer('tfjs-wasm', 'wasm');

// ONNX Runtime (onnxruntime-web's WebAssembly build, a dev dependency) as the referee of the
// ONNX tests: it runs an exported model from its bytes, one thread, so runs are repeatable.
import type { Tensor } from '@zerograd/core';
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;

/** Runs `bytes` in ONNX Runtime on named zerograd tensors; returns each output's data and dims. */
export async function runOrt(
  bytes: Uint8Array,
  inputs: Record<string, Tensor>,
  options: ort.InferenceSession.SessionOptions = {},
): Promise<Record<string, { data: Float32Array | Float64Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, options);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor(t.dtype as 'float32' | 'float64', t.data as Float32Array | Float64Array, [
        ...t.shape,
      ]);
    }
    const out = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array | Float64Array, dims: v.dims }]),
    );
  } finally {
    await session.release();
  }
}

/**
 * How far apart two outputs are, relative to the output's scale: max |a − b| / max(1, max |b|)
 * (the ∞-norm error, absolute below 1). Two correct float programs that sum in different orders
 * differ by a few units in the last place *of the largest partial sums*, so an element near zero
 * may carry an absolute error set by its neighbours' size; this is the error measure for that.
 */
export function maxDisagreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    if (Math.abs(b[i]) > scale) scale = Math.abs(b[i]);
  }
  return worst / scale;
}

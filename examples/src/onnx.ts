/**
 * Taking the chapter-5 net elsewhere: it is exported to `chapter5.onnx`, and ONNX Runtime (the
 * WebAssembly build, as a browser or a server would run it) scores the same 2,000 test digits.
 */
import { Tensor } from '@zerograd/core';
import type { MnistData, Sequential } from '@zerograd/layers';
import { saveOnnx } from '@zerograd/onnx';
import * as ort from 'onnxruntime-web';

/** Writes `outDir/chapter5.onnx` and returns ONNX Runtime's test accuracy and its file size. */
export async function exportChapter5(net: Sequential, data: MnistData, outDir: string) {
  const path = `${outDir}/chapter5.onnx`;
  const x = data.test.x.reshapeView([data.test.x.shape[0], 784]);
  const example = new Tensor((x.data as Float32Array).subarray(0, 2 * 784), [2, 784]); // any batch size works
  const bytes = await saveOnnx(path, net, example, { docString: 'the book’s TwoLayerNet, trained by zerograd' });
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes);
  const n = x.shape[0];
  const { output } = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [n, 784]) });
  await session.release();
  const scores = output.data as Float32Array;
  const labels = data.test.t.data;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (scores[i * 10 + k] > scores[i * 10 + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return { path, bytes: bytes.length, accuracy: correct / n };
}

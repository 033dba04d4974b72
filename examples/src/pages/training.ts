/**
 * Page 3 — the chapter-5 two-layer net: its graph with layer boxes and shapes, the backprop
 * stepper on a real batch of digits, and the training dashboard with test digits and the
 * network's predictions (wrong ones marked).
 */
import { backwardSteps, variable } from '@zerograd/core';
import { type MnistData, SoftmaxWithLoss } from '@zerograd/layers';
import type { PageSpec } from '@zerograd/viz';
import { graphSection, heading, imageGrid, paragraph, trainingDashboard } from '@zerograd/viz';
import { type MnistRun, predict } from '../mnist.js';

/** Rows `[0, n)` of a dataset as a new batch. */
function batch(data: MnistData['test'], n: number) {
  const x = new Float32Array(data.x.data.subarray(0, n * 784));
  const t = Array.from(data.t.data.subarray(0, n));
  return { x, t };
}

export function trainingPage(data: MnistData, run: MnistRun, stronger?: MnistRun): PageSpec {
  const { net, result } = run;
  net.train();
  const b = batch(data.train, 100);
  const x = variable(b.x, { name: 'x', requiresGrad: false }).reshape([100, 784]);
  x.name = 'x';
  const scores = net.forward(x);
  const loss = new SoftmaxWithLoss().forward(scores, b.t);
  loss.name = 'loss';
  const steps = backwardSteps(loss);
  const shown = 40;
  const test = batch(data.test, shown);
  const predictions = predict(net, data.test.x, shown);
  const wrong = predictions.filter((p, i) => p !== test.t[i]).length;
  const f = result.final;
  const images = Array.from({ length: shown }, (_, i) => test.x.subarray(i * 784, (i + 1) * 784));
  return {
    title: 'The chapter-5 two-layer net',
    description: 'its graph with layer boxes, backprop on a real batch, training curves and predictions',
    sections: [
      heading('The graph of one training step', 2),
      paragraph(
        'Affine(784→50) · ReLU · Affine(50→10) · SoftmaxWithLoss on a batch of 100 real digits. Each layer is a box; step through backprop to see the gradient reach every parameter.',
      ),
      graphSection(steps, {
        caption: 'two-layer net on a batch of 100 digits (large tensors are summarised; hover a node for its numbers)',
      }),
      heading('Training', 2),
      paragraph(
        `SGD lr 0.1, batch 100, ${result.iterations} iterations on 8,000 training digits: test accuracy ${f?.testAccuracy?.toFixed(4)} on 2,000 held-out digits, ${result.msPerIteration.toFixed(2)} ms per iteration in this run.` +
          (stronger
            ? ` The stronger network (He init, 2×400 hidden, Dropout 0.3, Adam) reached ${stronger.result.final?.testAccuracy?.toFixed(4)}.`
            : ''),
      ),
      trainingDashboard({
        title: 'chapter-5 net: loss per iteration, accuracy per epoch',
        loss: result.history.loss,
        trainAccuracy: result.history.trainAccuracy,
        testAccuracy: result.history.testAccuracy,
      }),
      heading('Test digits and predictions', 2),
      paragraph(
        `The first ${shown} held-out digits with the trained network's predictions; ${wrong} wrong, marked in red.`,
      ),
      imageGrid({ images, width: 28, height: 28, labels: test.t, predictions, columns: 10, scale: 2 }),
    ],
  };
}

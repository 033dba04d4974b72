/**
 * Page — chapter 7's SimpleConvNet: its graph with layer boxes (one Conv2d and one MaxPool
 * node), the first layer's 30 filters before and after training as image grids (the book's
 * figure 7-24), and the 30 feature maps those filters make of one test digit.
 */
import { backwardSteps, sub, type Tensor, variable } from '@zerograd/core';
import { SoftmaxWithLoss } from '@zerograd/layers';
import type { PageSpec } from '@zerograd/viz';
import { graphSection, heading, imageGrid, paragraph, trainingDashboard } from '@zerograd/viz';
import { type CnnRun, featureMaps, firstFilters } from '../cnn.js';

/** The graph of one training step of `net` on five training digits, as snapshots for the stepper. */
function stepGraph(run: CnnRun) {
  const { net, data } = run;
  net.train();
  const x = variable(data.train.x.data.subarray(0, 5 * 784) as Float32Array, {
    name: 'x',
    requiresGrad: false,
  }).reshape([5, 1, 28, 28]);
  x.name = 'x';
  const loss = new SoftmaxWithLoss().forward(net.forward(x), Array.from(data.train.t.data.subarray(0, 5)));
  loss.name = 'loss';
  return backwardSteps(loss);
}

/**
 * Each `size`-pixel image of `t` scaled to [0, 1] by its own minimum and maximum, as the book
 * draws filters: the pattern matters, not the scale.
 */
export function normaliseEach(t: Tensor, size: number): Float64Array {
  const out = new Float64Array(t.size);
  for (let start = 0; start < t.size; start += size) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < start + size; i++) {
      lo = Math.min(lo, t.data[i]);
      hi = Math.max(hi, t.data[i]);
    }
    const span = hi - lo || 1;
    for (let i = start; i < start + size; i++) out[i] = (t.data[i] - lo) / span;
  }
  return out;
}

/** The chapter-7 page from a SimpleConvNet run, with DeepConvNet's graph and figure when `run.deep` is given. */
export function cnnPage(run: CnnRun & { deep?: CnnRun | null }): PageSpec {
  const { net, data, result } = run;
  const f = result.final;
  const one = data.test.x.data.subarray(0, 784) as Float32Array; // loadMnist's float32 pixels
  const maps = featureMaps(net, one);
  const after = firstFilters(net);
  const changed = sub(after, run.filtersBefore).data;
  const filterGrid = (t: Tensor, title: string) =>
    imageGrid({ images: normaliseEach(t, 25), width: 5, height: 5, columns: 10, scale: 8, title, range: [0, 1] });
  return {
    title: 'Chapter 7: SimpleConvNet',
    description: 'a convolutional net on real digits: its graph, its filters before and after training, feature maps',
    sections: [
      heading('The graph of one training step', 2),
      paragraph(
        'Conv 30@5×5 → ReLU → MaxPool 2×2 → Affine 100 → ReLU → Affine 10 → SoftmaxWithLoss, on five real digits. The convolution is one Conv2d node (im2col and a matrix product per image inside) and the pooling one MaxPool node, each in its layer’s box; step backprop to see the gradient reach the filters.',
      ),
      graphSection(stepGraph(run), {
        caption: 'SimpleConvNet on a batch of 5 digits (hover a node for its numbers)',
      }),
      heading('Training', 2),
      paragraph(
        `Adam lr ${run.settings.lr}${run.settings.schedule === 'cosine' ? ' annealed to 0 along a cosine' : ''}, batch 100, ${result.history.epochs.length} epochs on ${data.train.x.shape[0]} training digits${run.settings.maxShift > 0 ? ` (shifted anew each epoch by up to ${run.settings.maxShift} px)` : ''}: test accuracy ${f?.testAccuracy?.toFixed(4)} on ${data.test.x.shape[0]} held-out digits; ${result.msPerIteration.toFixed(1)} ms per iteration, ${run.secondsPerEpoch.toFixed(2)} s per epoch in this run.`,
      ),
      trainingDashboard({
        title: 'SimpleConvNet: loss per iteration, test accuracy per epoch',
        loss: result.history.loss,
        testAccuracy: result.history.testAccuracy,
      }),
      heading('The first layer’s filters, before and after training', 2),
      paragraph(
        'The 30 filters of 5×5, each scaled to its own range (white = largest weight) — the book’s figure 7-24. He initialisation starts them with a standard deviation of √(2/25) ≈ 0.28, and Adam moves a weight by about 0.001 per step, so after training they still look much like their start (the book initialised with 0.01, so training wrote its whole pattern). The third grid is what training changed, after − before: there the learned edge and stroke detectors show.',
      ),
      filterGrid(run.filtersBefore, 'before training'),
      filterGrid(after, 'after training'),
      filterGrid(changed, 'what training changed (after − before)'),
      heading('What the filters see in one digit', 2),
      paragraph(
        `The first test digit (a ${data.test.t.data[0]}), then the 30 feature maps (24×24) the trained filters make of it after ReLU, each scaled to its own range: where each filter responds.`,
      ),
      imageGrid({ images: one, width: 28, height: 28, columns: 1, scale: 4, title: 'the digit' }),
      imageGrid({
        images: normaliseEach(maps, 576),
        width: 24,
        height: 24,
        columns: 10,
        scale: 2,
        title: '30 feature maps',
      }),
      ...(run.deep
        ? [
            heading('Chapter 8: DeepConvNet', 2),
            paragraph(
              `Six 3×3 convolutions (16, 16, 32, 32, 64, 64 filters) with ReLU and 2×2 max pooling after every second, Affine 50, Dropout 0.5, Affine 10, Dropout 0.5; He initialisation, Adam lr ${run.deep.settings.lr}${run.deep.settings.schedule === 'cosine' ? ' annealed to 0 along a cosine' : ''}, batch 100. ${run.deep.result.history.epochs.length} epochs on the same ${run.deep.data.train.x.shape[0]} digits${run.deep.settings.maxShift > 0 ? ` (shifted anew each epoch by up to ${run.deep.settings.maxShift} px)` : ''}: test accuracy ${run.deep.result.final?.testAccuracy?.toFixed(4)} on ${run.deep.data.test.x.shape[0]} held-out digits, ${run.deep.secondsPerEpoch.toFixed(1)} s per epoch in this run.`,
            ),
            graphSection(stepGraph(run.deep), { caption: 'DeepConvNet on a batch of 5 digits' }),
            trainingDashboard({
              title: 'DeepConvNet: loss per iteration, test accuracy per epoch',
              loss: run.deep.result.history.loss,
              testAccuracy: run.deep.result.history.testAccuracy,
            }),
          ]
        : []),
    ],
  };
}

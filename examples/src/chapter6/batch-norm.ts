/**
 * 6.4 — batch normalization: the book's grid of small plots. For each initial weight scale,
 * the 6-layer ReLU net is trained twice on 1,000 digits, with and without BatchNorm between each
 * hidden Affine and its ReLU, and its training accuracy is drawn epoch by epoch. Without
 * BatchNorm most scales do not learn at all (too small: the signal dies; too large: it explodes);
 * with it, training starts fast at almost every scale.
 */
import { AnomalyError } from '@zerograd/core';
import { type MnistData, SGD, SoftmaxWithLoss, train } from '@zerograd/layers';
import { heading, linePlot, type PageSpec, paragraph, row } from '@zerograd/viz';
import { multiLayerNet, range, takeRows } from './nets.js';

/** Sizes of this section's run. */
export interface BatchNormSizes {
  /** Training digits (the book takes the first 1,000). */
  digits: number;
  epochs: number;
  /** Standard deviations of the initial weights. */
  scales: readonly number[];
}
/** numpy's `logspace(start, stop, n)`: n numbers from 10^start to 10^stop, evenly on a log scale. */
export function logspace(start: number, stop: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => 10 ** (n === 1 ? start : start + ((stop - start) * i) / (n - 1)));
}

/** The book's: 1,000 digits, 20 epochs, 16 scales `logspace(0, −4, 16)`. */
export const BATCH_NORM_BOOK: BatchNormSizes = { digits: 1000, epochs: 20, scales: logspace(0, -4, 16) };
/** Four scales (1, 0.1, 0.01, 0.001), 8 epochs. */
export const BATCH_NORM_QUICK: BatchNormSizes = { digits: 1000, epochs: 8, scales: logspace(0, -3, 4) };

/** One weight scale: training accuracy per epoch, with and without BatchNorm. */
export interface BatchNormRun {
  scale: number;
  withBatchNorm: number[];
  without: number[];
  /** The iteration at which the loss stopped being finite, or null. */
  diverged: { withBatchNorm: number | null; without: number | null };
}

/** Trains both nets for every scale (same seed, same batches); accuracy on the training digits. */
export function batchNormGrid(data: MnistData, sizes = BATCH_NORM_QUICK): BatchNormRun[] {
  const subset = { train: takeRows(data.train, range(sizes.digits)) };
  const iterationsPerEpoch = Math.ceil(sizes.digits / 100);
  const accuracy = (scale: number, batchNorm: boolean) => {
    const net = multiLayerNet({ hidden: [100, 100, 100, 100, 100], init: scale, batchNorm, seed: 1 });
    const accuracies: number[] = [];
    let diverged: number | null = null;
    try {
      train({
        model: net,
        loss: new SoftmaxWithLoss(),
        optimizer: new SGD(net, { lr: 0.01 }),
        data: subset,
        epochs: sizes.epochs,
        batchSize: 100,
        seed: 0,
        progress: false,
        onEvaluate: (r) => {
          accuracies.push(r.trainAccuracy ?? Number.NaN);
        },
        // A too-large scale makes the plain net's loss overflow: stop there, as the book's
        // numpy run turns to NaN; the plot shows the epochs before it.
        onIteration: (e) => {
          if (Number.isFinite(e.loss)) return true;
          diverged = e.iteration;
          return false;
        },
      });
    } catch (err) {
      // zerograd's train may refuse a non-finite loss itself, before the step (AnomalyError).
      if (!(err instanceof AnomalyError)) throw err;
      diverged = accuracies.length * iterationsPerEpoch + 1;
    }
    return { accuracies, diverged };
  };
  return sizes.scales.map((scale) => {
    const bn = accuracy(scale, true);
    const plain = accuracy(scale, false);
    return {
      scale,
      withBatchNorm: bn.accuracies,
      without: plain.accuracies,
      diverged: { withBatchNorm: bn.diverged, without: plain.diverged },
    };
  });
}

/** The page: one small plot per scale, BatchNorm solid, without dashed. */
export function batchNormPage(runs: BatchNormRun[], sizes: BatchNormSizes): PageSpec {
  const diverged = runs.flatMap((r) =>
    r.diverged.without === null ? [] : [`scale ${r.scale.toPrecision(2)}, iteration ${r.diverged.without}`],
  );
  return {
    title: 'Chapter 6.4 — batch normalization',
    file: 'chapter6-batch-norm.html',
    description: 'training accuracy with and without BatchNorm, one small plot per initial weight scale',
    sections: [
      heading('With and without BatchNorm, by initial weight scale', 2),
      paragraph(
        `Affine · [BatchNorm] · ReLU five times, then Affine; weights N(0, scale²); SGD lr 0.01, batches of 100 from the first ${sizes.digits} training digits, ${sizes.epochs} epochs. Each plot is one scale: training accuracy after each epoch with BatchNorm (solid) and without (dashed).`,
      ),
      row(
        ...runs.map((r, i) =>
          linePlot({
            title: `W ~ N(0, ${r.scale.toPrecision(2)}²)`,
            width: 260,
            height: 190,
            ylim: [0, 1],
            legend: 'top-left',
            // One legend, on the first plot: in the small ones it would hide the curves.
            series: [
              {
                x: r.withBatchNorm.map((_, e) => e + 1),
                y: r.withBatchNorm,
                label: i === 0 ? 'BatchNorm' : undefined,
                colour: '#1f77b4',
              },
              {
                x: r.without.map((_, e) => e + 1),
                y: r.without,
                label: i === 0 ? 'without' : undefined,
                colour: '#555',
                dashed: true,
              },
            ],
          }),
        ),
      ),
      ...(diverged.length
        ? [paragraph(`Without BatchNorm the loss overflowed (the run stops there) at: ${diverged.join('; ')}.`)]
        : []),
    ],
  };
}

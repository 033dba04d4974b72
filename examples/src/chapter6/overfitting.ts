/**
 * 6.5 — overfitting and two cures. The book's 7-layer net (six hidden layers of 100 ReLU units)
 * trained on only 300 digits learns them all but generalises far worse: a gap opens between
 * training and test accuracy. Weight decay (λ = 0.1) and Dropout each narrow it.
 */
import { type MnistData, SGD, SoftmaxWithLoss, train } from '@zerograd/layers';
import { heading, linePlot, type PageSpec, paragraph, row } from '@zerograd/viz';
import { multiLayerNet, range, takeRows } from './nets.js';

/** Sizes of this section's run. */
export interface OverfittingSizes {
  /** Training digits (the book's 300). */
  digits: number;
  /** Epochs of the plain and weight-decay runs (the book's 200) and of the Dropout run (301). */
  epochs: number;
  dropoutEpochs: number;
  /** Evaluate every this many epochs (the book: every one). */
  evalEveryEpochs: number;
  /** Test digits evaluated (of the 2,000 held out). */
  testDigits: number;
}

/** The book's sizes; evaluation on all 2,000 test digits after every epoch. */
export const OVERFITTING_BOOK: OverfittingSizes = {
  digits: 300,
  epochs: 200,
  dropoutEpochs: 301,
  evalEveryEpochs: 1,
  testDigits: 2000,
};
/** The same 300 digits for 60 epochs, evaluated every 10 epochs on 1,000 test digits. */
export const OVERFITTING_QUICK: OverfittingSizes = {
  digits: 300,
  epochs: 60,
  dropoutEpochs: 60,
  evalEveryEpochs: 10,
  testDigits: 1000,
};

/** One run: accuracies at each evaluation, and the gap where it ended. */
export interface OverfittingRun {
  name: string;
  epochs: number[];
  trainAccuracy: number[];
  testAccuracy: number[];
  /** Final training accuracy minus final test accuracy. */
  gap: number;
}

/** Training minus test accuracy at the last evaluation at or before `epoch`. */
export function gapAt(run: OverfittingRun, epoch: number): number {
  let k = -1;
  run.epochs.forEach((e, i) => {
    if (e <= epoch) k = i;
  });
  return k < 0 ? Number.NaN : (run.trainAccuracy[k] ?? 0) - (run.testAccuracy[k] ?? 0);
}

/** The three runs: plain, weight decay λ = 0.1, Dropout 0.2 (all SGD lr 0.01, batches of 100). */
export function overfittingRuns(data: MnistData, sizes = OVERFITTING_QUICK): OverfittingRun[] {
  const subset = {
    train: takeRows(data.train, range(sizes.digits)),
    test: takeRows(data.test, range(sizes.testDigits)),
  };
  const perEpoch = Math.ceil(sizes.digits / 100);
  const settings = [
    { name: 'no regularisation', weightDecay: 0, dropout: 0, epochs: sizes.epochs },
    { name: 'weight decay λ = 0.1', weightDecay: 0.1, dropout: 0, epochs: sizes.epochs },
    { name: 'Dropout 0.2', weightDecay: 0, dropout: 0.2, epochs: sizes.dropoutEpochs },
  ];
  return settings.map(({ name, weightDecay, dropout, epochs }) => {
    const net = multiLayerNet({ hidden: [100, 100, 100, 100, 100, 100], init: 'he', dropout, seed: 1 });
    const result = train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: new SGD(net, { lr: 0.01, weightDecay }),
      data: subset,
      epochs,
      batchSize: 100,
      seed: 0,
      evalEvery: perEpoch * sizes.evalEveryEpochs,
      progress: false,
    });
    const { trainAccuracy, testAccuracy, evaluations } = result.history;
    return {
      name,
      epochs: evaluations.map((e) => Math.round(e.epoch)),
      trainAccuracy,
      testAccuracy,
      gap: (trainAccuracy.at(-1) ?? 0) - (testAccuracy.at(-1) ?? 0),
    };
  });
}

/** The page: the book's three figures, train solid and test dashed. */
export function overfittingPage(runs: OverfittingRun[], sizes: OverfittingSizes): PageSpec {
  return {
    title: 'Chapter 6.5 — overfitting',
    file: 'chapter6-overfitting.html',
    description: '300 digits, a 7-layer net: the train–test gap, then weight decay and Dropout',
    sections: [
      heading('Too little data for too big a net', 2),
      paragraph(
        `Six hidden layers of 100 ReLU units (He init) on the first ${sizes.digits} training digits, SGD lr 0.01, batches of 100; accuracy on those digits (train, solid) and on ${sizes.testDigits} held-out digits (test, dashed) every ${sizes.evalEveryEpochs === 1 ? 'epoch' : `${sizes.evalEveryEpochs} epochs`}. Weight decay adds λ·w to every parameter's gradient (the book's ½λ‖W‖² in the loss; zerograd decays the biases too, as PyTorch's weight_decay does). Dropout drops 20 % of every hidden layer's outputs while training.`,
      ),
      paragraph(
        runs
          .map(
            (r) =>
              `${r.name}: train ${(r.trainAccuracy.at(-1) ?? 0).toFixed(3)}, test ${(r.testAccuracy.at(-1) ?? 0).toFixed(3)}, gap ${r.gap.toFixed(3)} after ${r.epochs.at(-1)} epochs` +
              // The book runs Dropout longer (it learns slower); compare the gaps at equal epochs too.
              ((r.epochs.at(-1) ?? 0) > sizes.epochs
                ? ` (gap ${gapAt(r, sizes.epochs).toFixed(3)} after ${sizes.epochs})`
                : ''),
          )
          .join('\n\n'),
      ),
      row(
        ...runs.map((r) =>
          linePlot({
            title: `${r.name} (gap ${r.gap.toFixed(2)})`,
            xlabel: 'epochs',
            ylabel: 'accuracy',
            width: 380,
            height: 280,
            ylim: [0, 1],
            legend: 'bottom-right',
            series: [
              { x: r.epochs, y: r.trainAccuracy, label: 'train', colour: '#1f77b4' },
              { x: r.epochs, y: r.testAccuracy, label: 'test', colour: '#ff7f0e', dashed: true },
            ],
          }),
        ),
      ),
    ],
  };
}

/**
 * 6.6 — hyper-parameter search. Learning rate and weight decay are drawn at random on log
 * scales (10^U(−6, −2) and 10^U(−8, −4), the book's ranges); each setting trains the 7-layer net
 * and is judged on a validation split carved out of the training digits. The test digits are
 * never looked at while choosing: judging by them would tune the net to the test set, and the
 * test accuracy would no longer say how it does on digits it has not seen.
 */
import { Random } from '@zerograd/core';
import { type Dataset, evaluate, type MnistData, SGD, SoftmaxWithLoss, train } from '@zerograd/layers';
import { heading, linePlot, type PageSpec, paragraph, row } from '@zerograd/viz';
import { multiLayerNet, range, takeRows } from './nets.js';

/** Sizes of this section's run. */
export interface SearchSizes {
  /** Training digits used (the book's first 500), of which `validationRate` become validation. */
  digits: number;
  validationRate: number;
  epochs: number;
  trials: number;
}

/** The book's: 500 digits (20 % for validation), 50 epochs, 100 trials. */
export const SEARCH_BOOK: SearchSizes = { digits: 500, validationRate: 0.2, epochs: 50, trials: 100 };
/** Six trials of 25 epochs. */
export const SEARCH_QUICK: SearchSizes = { digits: 500, validationRate: 0.2, epochs: 25, trials: 6 };

/** The split: rows of `data.train` for training and for validation (disjoint), and the test set. */
export interface ValidationSplit {
  trainRows: number[];
  validationRows: number[];
  train: Dataset;
  validation: Dataset;
}

/**
 * Shuffles the first `digits` training rows (seeded) and keeps `validationRate` of them apart
 * for validation — the book's `shuffle_dataset` then `x_train[:validation_num]`.
 */
export function validationSplit(data: MnistData, sizes: SearchSizes, seed = 0): ValidationSplit {
  const order = new Random(seed).permutation(sizes.digits);
  const n = Math.round(sizes.digits * sizes.validationRate);
  const validationRows = order.slice(0, n);
  const trainRows = order.slice(n);
  return {
    trainRows,
    validationRows,
    train: takeRows(data.train, trainRows),
    validation: takeRows(data.train, validationRows),
  };
}

/** One trial: its hyper-parameters and accuracies per epoch. */
export interface Trial {
  lr: number;
  weightDecay: number;
  trainAccuracy: number[];
  validationAccuracy: number[];
  /** Final validation accuracy. */
  score: number;
}

/** What the search found: every trial (best first), and the best setting's test accuracy. */
export interface SearchResult {
  split: ValidationSplit;
  trials: Trial[];
  /** The best trial's net, evaluated once on the test digits after the search. */
  bestTestAccuracy: number;
}

/** Runs `trials` random settings; validation decides, the test set is touched once at the end. */
export function hyperparameterSearch(data: MnistData, sizes = SEARCH_QUICK, seed = 0): SearchResult {
  const split = validationSplit(data, sizes, seed);
  const random = new Random(seed + 1);
  let best: { score: number; net: ReturnType<typeof multiLayerNet> } | null = null;
  const trials: Trial[] = [];
  for (let i = 0; i < sizes.trials; i++) {
    const weightDecay = 10 ** (random.next() * 4 - 8);
    const lr = 10 ** (random.next() * 4 - 6);
    const net = multiLayerNet({ hidden: [100, 100, 100, 100, 100, 100], init: 'he', seed: 1 });
    const result = train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: new SGD(net, { lr, weightDecay }),
      // The validation split stands where a test set would: train() never sees data.test here.
      data: { train: split.train, test: split.validation },
      epochs: sizes.epochs,
      batchSize: 100,
      seed: 0,
      progress: false,
    });
    const { trainAccuracy, testAccuracy: validationAccuracy } = result.history;
    const score = validationAccuracy.at(-1) ?? 0;
    trials.push({ lr, weightDecay, trainAccuracy, validationAccuracy, score });
    if (!best || score > best.score) best = { score, net };
  }
  trials.sort((a, b) => b.score - a.score);
  const bestTestAccuracy = best ? (evaluate(best.net, data.test).accuracy ?? Number.NaN) : Number.NaN;
  return { split, trials, bestTestAccuracy };
}

/** The page: the best trials listed, validation accuracy against the learning rate, the best curves. */
export function hyperparameterPage(search: SearchResult, sizes: SearchSizes): PageSpec {
  const { trials, split } = search;
  const shown = trials.slice(0, Math.min(6, trials.length));
  const log = (v: number) => Math.log10(v);
  return {
    title: 'Chapter 6.6 — hyper-parameter search',
    file: 'chapter6-hyperparameters.html',
    description: 'random search of learning rate and weight decay, judged on a validation split',
    sections: [
      heading('Random search, judged on validation digits', 2),
      paragraph(
        `${trials.length} trials; learning rate 10^U(−6, −2), weight decay 10^U(−8, −4); the 7-layer ReLU net, SGD, ${sizes.epochs} epochs on ${split.trainRows.length} training digits, judged on ${split.validationRows.length} validation digits taken from the training set. The held-out test digits were used once, after the search: the best setting's net scores ${search.bestTestAccuracy.toFixed(3)} on them.`,
      ),
      paragraph(
        shown
          .map(
            (t, i) =>
              `Best-${i + 1} (validation accuracy ${t.score.toFixed(3)}) — lr ${t.lr.toExponential(2)}, weight decay ${t.weightDecay.toExponential(2)}`,
          )
          .join('\n\n'),
      ),
      row(
        linePlot({
          title: 'validation accuracy by learning rate',
          xlabel: 'log10(learning rate)',
          xlim: [-6, -2],
          ylabel: 'validation accuracy',
          width: 420,
          height: 300,
          ylim: [0, 1],
          series: [{ x: trials.map((t) => log(t.lr)), y: trials.map((t) => t.score), line: false, markers: true }],
        }),
        linePlot({
          title: 'validation accuracy by weight decay',
          xlabel: 'log10(weight decay)',
          xlim: [-8, -4],
          ylabel: 'validation accuracy',
          width: 420,
          height: 300,
          ylim: [0, 1],
          series: [
            {
              x: trials.map((t) => log(t.weightDecay)),
              y: trials.map((t) => t.score),
              line: false,
              markers: true,
              colour: '#ff7f0e',
            },
          ],
        }),
      ),
      heading('The best trials, epoch by epoch: validation accuracy solid, training accuracy dashed', 3),
      row(
        ...shown.map((t, i) =>
          linePlot({
            title: `Best-${i + 1}: lr ${t.lr.toExponential(1)}`,
            width: 280,
            height: 200,
            ylim: [0, 1],
            series: [
              { x: range(t.validationAccuracy.length).map((e) => e + 1), y: t.validationAccuracy },
              { x: range(t.trainAccuracy.length).map((e) => e + 1), y: t.trainAccuracy, dashed: true },
            ],
          }),
        ),
      ),
    ],
  };
}

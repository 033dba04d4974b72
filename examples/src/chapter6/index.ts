/**
 * Chapter 6 of the book — "learning techniques" — as runs and pages: optimizer paths over
 * contour lines, optimizers on MNIST, initial weights, batch normalization, overfitting and its
 * cures, and hyper-parameter search. `runChapter6('quick')` (the demo's default) uses sizes that
 * take seconds; `runChapter6('book')` (`pnpm demo --book`) the book's, which take minutes.
 *
 * Run it alone: `node --conditions=source --import tsx src/chapter6/index.ts [--book]` writes
 * the six pages and an index into `out/chapter6/` (or `$ZEROGRAD_OUT`).
 */
import { resolve } from 'node:path';
import { loadMnist, type MnistData } from '@zerograd/layers';
import { type PageSpec, writeSite } from '@zerograd/viz';
import { BATCH_NORM_BOOK, BATCH_NORM_QUICK, type BatchNormSizes, batchNormGrid, batchNormPage } from './batch-norm.js';
import {
  hyperparameterPage,
  hyperparameterSearch,
  SEARCH_BOOK,
  SEARCH_QUICK,
  type SearchSizes,
} from './hyperparameters.js';
import { secondsSince, tailMean } from './nets.js';
import { optimizerPaths, optimizerPathsPage, signChanges } from './optimizer-paths.js';
import {
  OPTIMIZERS_MNIST_BOOK,
  OPTIMIZERS_MNIST_QUICK,
  type OptimizersMnistSizes,
  optimizersMnistPage,
  optimizersOnMnist,
} from './optimizers-mnist.js';
import {
  OVERFITTING_BOOK,
  OVERFITTING_QUICK,
  type OverfittingSizes,
  overfittingPage,
  overfittingRuns,
} from './overfitting.js';
import {
  activationsBySetting,
  initsOnMnist,
  WEIGHT_INIT_BOOK,
  WEIGHT_INIT_QUICK,
  type WeightInitSizes,
  weightInitPage,
} from './weight-init.js';

/** The sizes of every section's run. */
export interface Chapter6Sizes {
  optimizers: OptimizersMnistSizes;
  weightInit: WeightInitSizes;
  batchNorm: BatchNormSizes;
  overfitting: OverfittingSizes;
  search: SearchSizes;
}

/** Seconds to minutes on two cores: enough to see every effect. */
export const CHAPTER6_QUICK: Chapter6Sizes = {
  optimizers: OPTIMIZERS_MNIST_QUICK,
  weightInit: WEIGHT_INIT_QUICK,
  batchNorm: BATCH_NORM_QUICK,
  overfitting: OVERFITTING_QUICK,
  search: SEARCH_QUICK,
};

/** The book's sizes. */
export const CHAPTER6_BOOK: Chapter6Sizes = {
  optimizers: OPTIMIZERS_MNIST_BOOK,
  weightInit: WEIGHT_INIT_BOOK,
  batchNorm: BATCH_NORM_BOOK,
  overfitting: OVERFITTING_BOOK,
  search: SEARCH_BOOK,
};

/** What a run of the chapter gives: its pages and how long each section took. */
export interface Chapter6Run {
  pages: PageSpec[];
  seconds: Record<string, number>;
}

/**
 * Runs every section with `sizes` ('quick', 'book' or your own) on `data` (default: the seeded
 * 8,000/2,000 MNIST split), printing one summary per section, and returns the pages.
 */
export function runChapter6(
  sizes: 'quick' | 'book' | Chapter6Sizes = 'quick',
  options: { data?: MnistData; log?: (line: string) => void } = {},
): Chapter6Run {
  const s = sizes === 'quick' ? CHAPTER6_QUICK : sizes === 'book' ? CHAPTER6_BOOK : sizes;
  const log = options.log ?? console.log;
  const data = options.data ?? loadMnist({ seed: 0 });
  const seconds: Record<string, number> = {};
  const pages: PageSpec[] = [];
  const timed = <T>(name: string, run: () => T): T => {
    const start = performance.now();
    const out = run();
    seconds[name] = secondsSince(start);
    return out;
  };

  const paths = timed('optimizer paths', () => optimizerPaths());
  pages.push(optimizerPathsPage(paths));
  log(
    `6.1 optimizer paths: ${paths.map((p) => `${p.name} ends ${Math.hypot(p.x.at(-1) ?? 0, p.y.at(-1) ?? 0).toFixed(3)} from the minimum (${signChanges(p.y)} sign changes of y)`).join('; ')}`,
  );

  const curves = timed('optimizers on MNIST', () => optimizersOnMnist(data, s.optimizers));
  pages.push(optimizersMnistPage(curves, s.optimizers));
  log(
    `6.2 optimizers on MNIST, ${s.optimizers.iterations} iterations: ${curves.map((c) => `${c.name} loss ${tailMean(c.loss).toFixed(3)}, test ${c.testAccuracy.toFixed(3)}`).join('; ')}`,
  );

  const acts = timed('initial weights', () => activationsBySetting(s.weightInit));
  const initCurves = timed('initial weights on MNIST', () => initsOnMnist(data, s.weightInit));
  pages.push(weightInitPage(acts, initCurves, s.weightInit));
  log(
    `6.3 initial weights on MNIST, ${s.weightInit.iterations} iterations: ${initCurves.map((c) => `${c.name} loss ${tailMean(c.loss).toFixed(3)}`).join('; ')}`,
  );

  const bn = timed('batch normalization', () => batchNormGrid(data, s.batchNorm));
  pages.push(batchNormPage(bn, s.batchNorm));
  log(
    `6.4 batch norm, ${s.batchNorm.epochs} epochs: ${bn.map((r) => `scale ${r.scale.toPrecision(2)} ${(r.withBatchNorm.at(-1) ?? 0).toFixed(2)} with vs ${r.diverged.without === null ? (r.without.at(-1) ?? Number.NaN).toFixed(2) : 'diverged'} without`).join('; ')}`,
  );

  const over = timed('overfitting', () => overfittingRuns(data, s.overfitting));
  pages.push(overfittingPage(over, s.overfitting));
  log(
    `6.5 overfitting, ${s.overfitting.digits} digits: ${over.map((r) => `${r.name} gap ${r.gap.toFixed(3)}`).join('; ')}`,
  );

  const search = timed('hyper-parameter search', () => hyperparameterSearch(data, s.search));
  pages.push(hyperparameterPage(search, s.search));
  const best = search.trials[0];
  log(
    `6.6 search, ${s.search.trials} trials: best validation ${best?.score.toFixed(3)} at lr ${best?.lr.toExponential(2)}, weight decay ${best?.weightDecay.toExponential(2)}; its test accuracy ${search.bestTestAccuracy.toFixed(3)}`,
  );

  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  log(
    `chapter 6 (${sizes === 'book' ? 'the book’s sizes' : sizes === 'quick' ? 'quick version; --book for the book’s sizes' : 'custom sizes'}) ran in ${total.toFixed(1)} s: ${Object.entries(
      seconds,
    )
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}`,
  );
  return { pages, seconds };
}

// Run alone: write the chapter's pages with their own index.
if (import.meta.url === `file://${process.argv[1]}`) {
  const book = process.argv.includes('--book');
  const dir = resolve(process.env.ZEROGRAD_OUT ?? new URL('../../../out/chapter6', import.meta.url).pathname);
  const { pages } = runChapter6(book ? 'book' : 'quick');
  const index = await writeSite(dir, pages, { title: 'zerograd — chapter 6, drawn' });
  console.log(`open ${index}`);
}

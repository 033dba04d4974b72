/**
 * 6.2 — the four optimizers on MNIST: the book's 5-layer net (four hidden layers of 100 ReLU
 * units, He init), the same initial weights and the same batches for each, only the update rule
 * differs (the book's figure 6-9). The book's learning rates are each optimizer's default.
 */
import { AdaGrad, Adam, type MnistData, Momentum, type Optimizer, type Sequential, SGD } from '@zerograd/layers';
import { heading, linePlot, type PageSpec, paragraph } from '@zerograd/viz';
import { type Curve, multiLayerNet, smooth, tailMean, trainCurve } from './nets.js';

/** Sizes of this section's run. */
export interface OptimizersMnistSizes {
  iterations: number;
  batchSize: number;
}

/** The book's: 2,000 iterations of 128 digits. */
export const OPTIMIZERS_MNIST_BOOK: OptimizersMnistSizes = { iterations: 2000, batchSize: 128 };
/** Enough to see the order of the four curves. */
export const OPTIMIZERS_MNIST_QUICK: OptimizersMnistSizes = { iterations: 150, batchSize: 128 };

const OPTIMIZERS: readonly { name: string; make: (net: Sequential) => Optimizer }[] = [
  { name: 'SGD', make: (net) => new SGD(net, { lr: 0.01 }) },
  { name: 'Momentum', make: (net) => new Momentum(net, { lr: 0.01 }) },
  { name: 'AdaGrad', make: (net) => new AdaGrad(net, { lr: 0.01 }) },
  { name: 'Adam', make: (net) => new Adam(net, { lr: 0.001 }) },
];

/** Trains the 5-layer net once per optimizer, from the same seed. */
export function optimizersOnMnist(data: MnistData, sizes = OPTIMIZERS_MNIST_QUICK): Curve[] {
  return OPTIMIZERS.map(({ name, make }) => {
    const net = multiLayerNet({ hidden: [100, 100, 100, 100], init: 'he', seed: 1 });
    return trainCurve(name, net, make(net), data, sizes.iterations, sizes.batchSize);
  });
}

/** The page: the four smoothed loss curves in one plot, and where each ended. */
export function optimizersMnistPage(curves: Curve[], sizes: OptimizersMnistSizes): PageSpec {
  return {
    title: 'Chapter 6.2 — optimizers on MNIST',
    file: 'chapter6-optimizers-mnist.html',
    description: 'loss curves of SGD, Momentum, AdaGrad and Adam on the 5-layer ReLU net',
    sections: [
      heading('The same net, four update rules', 2),
      paragraph(
        `Affine(784→100) · ReLU · 3 × (Affine(100→100) · ReLU) · Affine(100→10), He init, the same seed for every run; ${sizes.iterations} iterations of ${sizes.batchSize} digits. Learning rates: SGD 0.01, Momentum 0.01, AdaGrad 0.01, Adam 0.001. Curves are smoothed over 11 iterations, as the book does.`,
      ),
      linePlot({
        title: 'training loss',
        xlabel: 'iterations',
        ylabel: 'loss',
        width: 720,
        height: 400,
        series: curves.map((c) => ({ x: c.loss.map((_, i) => i), y: smooth(c.loss), label: c.name })),
      }),
      paragraph(
        curves
          .map(
            (c) =>
              `${c.name}: loss ${tailMean(c.loss).toFixed(3)} over the last 20 iterations, test accuracy ${c.testAccuracy.toFixed(4)}, ${c.msPerIteration.toFixed(2)} ms per iteration`,
          )
          .join('\n\n'),
      ),
    ],
  };
}

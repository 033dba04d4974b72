/**
 * 6.3 — initial weights. First the book's experiment without data: 1,000 random inputs through
 * five layers of 100 units, and a histogram of each layer's activations. With std 1 the sigmoid
 * saturates (activations pile up at 0 and 1, where its gradient vanishes); with std 0.01 every
 * unit says about 0.5 (the layers cannot tell their units apart); Xavier keeps sigmoid and tanh
 * spread out, He does the same for ReLU. Then the book's MNIST run: std 0.01 barely learns,
 * Xavier and He do.
 */
import { noGrad, Random, relu, sigmoid, type TypedArray, tanh, type Variable, variable } from '@zerograd/core';
import { Affine, type InitSpec, type MnistData, SGD } from '@zerograd/layers';
import { heading, histogramPlot, linePlot, type PageSpec, paragraph, row, type Section } from '@zerograd/viz';
import { type Activation, type Curve, multiLayerNet, smooth, tailMean, trainCurve } from './nets.js';

/** One histogram experiment: an init and an activation. */
export interface InitSetting {
  name: string;
  init: InitSpec;
  activation: Activation;
}

/** The five settings of the issue (the book's figures 6-10, 6-11, 6-13, 6-14 and 6-15). */
export const INIT_SETTINGS: readonly InitSetting[] = [
  { name: 'std 1, sigmoid', init: 1, activation: 'sigmoid' },
  { name: 'std 0.01, sigmoid', init: 0.01, activation: 'sigmoid' },
  { name: 'Xavier, sigmoid', init: 'xavier', activation: 'sigmoid' },
  { name: 'Xavier, tanh', init: 'xavier', activation: 'tanh' },
  { name: 'He, ReLU', init: 'he', activation: 'relu' },
];

/** A setting's activations, layer by layer (each `inputs × units` values). */
export interface LayerActivations {
  setting: InitSetting;
  layers: TypedArray[];
}

/** Sizes of this section's runs. */
export interface WeightInitSizes {
  inputs: number;
  units: number;
  layers: number;
  iterations: number;
  batchSize: number;
}

/** The book's: 1,000 inputs, 5 × 100 units; 2,000 MNIST iterations of 128. */
export const WEIGHT_INIT_BOOK: WeightInitSizes = {
  inputs: 1000,
  units: 100,
  layers: 5,
  iterations: 2000,
  batchSize: 128,
};
/** The same histograms (they are cheap); a shorter MNIST run. */
export const WEIGHT_INIT_QUICK: WeightInitSizes = { ...WEIGHT_INIT_BOOK, iterations: 150 };

const ACTIVATE: Record<Activation, (v: Variable) => Variable> = { sigmoid, tanh, relu };

/** Passes `inputs` standard-normal rows through `layers` layers of `units` for every setting. */
export function activationsBySetting(sizes = WEIGHT_INIT_QUICK, seed = 0): LayerActivations[] {
  const x0 = new Random(seed).randn([sizes.inputs, sizes.units]);
  return INIT_SETTINGS.map((setting) => {
    const random = new Random(seed + 1); // the same weights' draws for every setting, scaled
    const act = ACTIVATE[setting.activation];
    return noGrad(() => {
      let a = variable(x0);
      const layers: TypedArray[] = [];
      for (let i = 0; i < sizes.layers; i++) {
        const affine = new Affine(sizes.units, sizes.units, { init: setting.init, random });
        a = act(affine.forward(a));
        layers.push(a.data.data);
      }
      return { setting, layers };
    });
  });
}

/** Fraction of `values` inside `[lo, hi]`. */
export function fractionBetween(values: ArrayLike<number>, lo: number, hi: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if ((values[i] as number) >= lo && (values[i] as number) <= hi) n++;
  return n / values.length;
}

/** The book's MNIST comparison: the 5-layer ReLU net with std 0.01, Xavier and He, SGD lr 0.01. */
export function initsOnMnist(data: MnistData, sizes = WEIGHT_INIT_QUICK): Curve[] {
  const inits: [string, InitSpec][] = [
    ['std 0.01', 0.01],
    ['Xavier', 'xavier'],
    ['He', 'he'],
  ];
  return inits.map(([name, init]) => {
    const net = multiLayerNet({ hidden: [100, 100, 100, 100], init, seed: 1 });
    return trainCurve(name, net, new SGD(net, { lr: 0.01 }), data, sizes.iterations, sizes.batchSize);
  });
}

function histogramRow(a: LayerActivations): Section {
  // ReLU's exact zeros (about half) would dwarf every other bar: they are counted in the note
  // above the row and left out here; its positive values spread wider than 1.
  const relu = a.setting.activation === 'relu';
  const range: [number, number] = a.setting.activation === 'tanh' ? [-1, 1] : relu ? [0, 4] : [0, 1];
  return row(
    ...a.layers.map((values, i) =>
      histogramPlot({
        values: relu ? values.filter((v) => v > 0) : values,
        bins: 30,
        range,
        title: `layer ${i + 1}`,
        width: 208,
        height: 170,
        colour: ['#4e79a7', '#e15759', '#59a14f', '#f28e2b', '#b07aa1'][INIT_SETTINGS.indexOf(a.setting)],
      }),
    ),
  );
}

/** The page: a row of five histograms per setting, then the MNIST curves. */
export function weightInitPage(acts: LayerActivations[], curves: Curve[], sizes: WeightInitSizes): PageSpec {
  const sections: Section[] = [
    heading('Activations of a 5-layer net on random inputs', 2),
    paragraph(
      `${sizes.inputs} inputs drawn from N(0, 1), ${sizes.layers} layers of ${sizes.units} units, no training: each row is one initialisation, each histogram one layer's ${sizes.inputs * sizes.units} activations (30 bins).`,
    ),
  ];
  for (const a of acts) {
    const last = a.layers.at(-1) ?? new Float64Array(0);
    const note =
      a.setting.activation === 'sigmoid'
        ? `in layer ${a.layers.length}, ${(100 * (fractionBetween(last, 0, 0.1) + fractionBetween(last, 0.9, 1))).toFixed(1)} % of the activations are within 0.1 of 0 or 1, ${(100 * fractionBetween(last, 0.45, 0.55)).toFixed(1)} % within 0.05 of 0.5`
        : a.setting.activation === 'tanh'
          ? `in layer ${a.layers.length}, ${(100 * fractionBetween(last, -0.1, 0.1)).toFixed(1)} % within 0.1 of 0`
          : `in layer ${a.layers.length}, ${(100 * fractionBetween(last, 0, 0)).toFixed(1)} % exactly 0 (not drawn: the histograms show the positive activations)`;
    sections.push(heading(a.setting.name, 3), paragraph(note), histogramRow(a));
  }
  sections.push(
    heading('The same choice on MNIST', 2),
    paragraph(
      `The 5-layer ReLU net of 6.2 trained by SGD (lr 0.01), ${sizes.iterations} iterations of ${sizes.batchSize} digits, from three initialisations. ${curves.map((c) => `${c.name}: loss ${tailMean(c.loss).toFixed(3)} at the end, test accuracy ${c.testAccuracy.toFixed(4)}`).join('; ')}.`,
    ),
    linePlot({
      title: 'training loss by initial weights',
      xlabel: 'iterations',
      ylabel: 'loss',
      width: 720,
      height: 380,
      series: curves.map((c) => ({ x: c.loss.map((_, i) => i), y: smooth(c.loss), label: c.name })),
    }),
  );
  return {
    title: 'Chapter 6.3 — initial weights',
    file: 'chapter6-initial-weights.html',
    description: 'activation histograms for std 1, std 0.01, Xavier and He, and MNIST curves',
    sections,
  };
}

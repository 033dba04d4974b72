/**
 * Page 1 — the notes, section by section: every plot the notes draw with matplotlib, drawn
 * from the numbers the library computes in this run.
 */

import { Random } from '@zerograd/core';
import type { PageSpec } from '@zerograd/viz';
import { heading, linePlot, paragraph, pathPlot, quiverPlot, row } from '@zerograd/viz';
import { curveAndDerivative, gradientDescent, gradientField, tangent } from '../notes/differentiation.js';
import {
  AND,
  activationCurves,
  lossComparison,
  multiLayerForward,
  NAND,
  OR,
  sinCos,
  softmaxForward,
  truthTable,
  XOR,
} from '../notes/neuralnet.js';
import { initNetwork, trainNumerically } from '../notes/numerical-training.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function notesPage(): PageSpec {
  const sc = sinCos();
  const act = activationCurves();
  const ml = multiLayerForward();
  const sm = softmaxForward();
  const losses = lossComparison();
  const curve = curveAndDerivative();
  const field = gradientField();
  const descent = gradientDescent([-3, 4], 0.1, 100);
  const x = new Random(1).rand([4]);
  const history = trainNumerically(x, initNetwork([4, 2, 3, 5], 2), [0, 0, 0, 1, 0], 500, 0.01);
  const tangentLine = (x0: number) => {
    const { slope, intercept } = tangent(x0);
    return {
      x: [-50, 49],
      y: [-50 * slope + intercept, 49 * slope + intercept],
      label: `tangent at x = ${x0}`,
      dashed: true,
    };
  };
  return {
    title: 'The notes, section by section',
    description:
      'sin & cos, the perceptron, activations, forward passes, softmax, losses, differentiation, gradients, descent, training',
    sections: [
      heading('Warm-up', 2),
      linePlot({
        title: 'sin & cos',
        xlabel: 'x',
        ylabel: 'y',
        series: [
          { x: sc.x, y: sc.sin, label: 'sin' },
          { x: sc.x, y: sc.cos, label: 'cos', dashed: true },
        ],
      }),
      heading('The perceptron', 2),
      paragraph(
        `Hand-set weights make logic gates: AND ${truthTable(AND).join('')}, NAND ${truthTable(NAND).join('')}, OR ${truthTable(OR).join('')}; two layers make XOR ${truthTable(XOR).join('')} (outputs for inputs 00, 10, 01, 11).`,
      ),
      row(
        linePlot({
          title: "The perceptron's output",
          xlabel: 'input row',
          ylabel: 'y',
          ylim: [-0.2, 1.2],
          series: [{ x: range(200), y: act.step, label: 'perceptron' }],
        }),
        linePlot({
          title: 'step vs sigmoid vs ReLU',
          xlabel: 'input row',
          ylabel: 'h(w·x + b)',
          ylim: [-0.2, 1.2],
          series: [
            { x: range(200), y: act.sigmoid, label: 'sigmoid' },
            { x: range(200), y: act.relu, label: 'ReLU' },
            { x: range(200), y: act.step, label: 'step (perceptron)', dashed: true },
          ],
        }),
      ),
      heading('The multi-layer forward pass', 2),
      row(
        linePlot({
          title: '4-layer sigmoid network',
          xlabel: 'input',
          ylabel: 'output',
          series: [{ x: range(200), y: ml, label: 'y' }],
        }),
        linePlot({
          title: 'Softmax',
          xlabel: 'input',
          ylabel: 'probability',
          series: range(5).map((k) => ({ x: range(200), y: sm.map((r) => r[k]), label: `class ${k}` })),
        }),
      ),
      heading('Loss functions: MSE vs cross-entropy', 2),
      paragraph('The prediction for the right class slides from 0 to 1 while a wrong class slides from 1 to 0.'),
      row(
        linePlot({
          title: 'mean squared error',
          xlabel: 'p(right class)',
          ylabel: 'loss',
          series: [{ x: losses.p, y: losses.mse, label: 'mean squared' }],
        }),
        linePlot({
          title: 'cross-entropy error',
          xlabel: 'p(right class)',
          ylabel: 'loss',
          series: [{ x: losses.p, y: losses.crossEntropy, label: 'cross entropy' }],
        }),
      ),
      heading('Numerical differentiation', 2),
      linePlot({
        title: 'y = 0.01x² + 0.1x, its numerical derivative and tangents',
        xlabel: 'x',
        ylabel: 'y',
        series: [
          { x: curve.x, y: curve.y, label: 'y = 0.01x² + 0.1x' },
          { x: curve.x, y: curve.dy, label: 'numerical diff', dashed: true },
          tangentLine(5),
          tangentLine(10),
        ],
      }),
      heading('The gradient of x0² + x1²', 2),
      row(
        quiverPlot({ title: 'gradient', xlabel: 'x0', ylabel: 'x1', ...field, equalAspect: true }),
        pathPlot({
          title: 'gradient descent from (−3, 4), lr 0.1',
          xlabel: 'x0',
          ylabel: 'x1',
          xlim: [-5, 5],
          ylim: [-5, 5],
          equalAspect: true,
          series: [
            {
              x: descent.path.map((p) => p[0]),
              y: descent.path.map((p) => p[1]),
              label: 'x',
              markers: true,
              line: false,
            },
          ],
        }),
      ),
      heading('Training by numerical gradients', 2),
      linePlot({
        title: 'loss of the (4, 2, 3, 5) network, 500 numerical-gradient steps',
        xlabel: 'step',
        ylabel: 'cross entropy error',
        series: [{ x: range(history.length), y: history, label: 'cross entropy error' }],
      }),
    ],
  };
}

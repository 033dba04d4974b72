/**
 * Page 2 — backprop as the book draws it: computational graphs with forward values above the
 * edges and gradients below, generated from real graphs; page 4 — the graph `createGraph`
 * builds for the derivative of tanh.
 */
import { backwardSteps, parameter, relu, scope, sigmoid, traceGraph, variable } from '@zerograd/core';
import type { PageSpec } from '@zerograd/viz';
import { graphSection, heading, paragraph, row } from '@zerograd/viz';
import { affine, apple, applesAndOranges, sigmoidDecomposed, sigmoidFused } from '../notes/backprop.js';

export function backpropPage(): PageSpec {
  const a = apple();
  const o = applesAndOranges();
  const d = sigmoidDecomposed(0.5);
  const f = sigmoidFused(0.5);
  const af = affine();
  const x = variable([-1.5, -0.2, 0.4, 2], { name: 'x' });
  const r = scope('ReLU', () => relu(x));
  r.name = 'out';
  const xs = variable([-1.5, -0.2, 0.4, 2], { name: 'x' });
  const s = scope('Sigmoid', () => sigmoid(xs));
  s.name = 'out';
  return {
    title: 'Backpropagation, as the book draws it',
    description: 'the apple example, apples and oranges, the sigmoid node by node, Affine, ReLU and Sigmoid layers',
    sections: [
      heading('Multiplication and addition: the apple example', 2),
      paragraph(
        '100 yen × 2 apples × tax 1.1. Step through backprop: each step lights the node whose gradient was just computed.',
      ),
      graphSection(backwardSteps(a.price), { caption: 'apple: forward values above each edge, gradients below' }),
      graphSection(backwardSteps(o.price), { caption: 'apples and oranges' }),
      heading('The sigmoid, node by node', 2),
      row(
        graphSection(backwardSteps(d.y), { caption: 'decomposed: ×−1, exp, +1, 1/x' }),
        graphSection(backwardSteps(f.y), { caption: 'fused: one Sigmoid node, dy/dx = y(1 − y)' }),
      ),
      heading('Affine — Y = X·W + B with shapes', 2),
      graphSection(backwardSteps(af.y), { caption: 'Affine: dX = dY·Wᵀ, dW = Xᵀ·dY, dB = Σ dY' }),
      heading('ReLU and Sigmoid layers', 2),
      row(
        graphSection(backwardSteps(r), { caption: 'ReLU: the gradient passes where x > 0' }),
        graphSection(backwardSteps(s), { caption: 'Sigmoid: dout · y(1 − y)' }),
      ),
    ],
  };
}

export function secondOrderPage(): PageSpec {
  const x = variable(0.5, { name: 'x' });
  const y = x.tanh();
  y.name = 'y';
  y.backward({ createGraph: true });
  const gx = x.grad!;
  gx.name = 'dy/dx';
  const p = parameter(1, 'unused');
  void p;
  return {
    title: 'A second-order graph',
    description: 'the graph createGraph builds for the derivative of tanh',
    sections: [
      heading('The derivative of tanh, as a graph', 2),
      paragraph(
        'With createGraph, backward records its own ops: dy/dx = gy · (1 − y²) is itself a graph over x, which can be differentiated again.',
      ),
      graphSection(traceGraph(gx), { caption: "dy/dx of y = tanh(x) at x = 0.5 — the backward pass's own nodes" }),
      graphSection(backwardSteps(gx), { caption: 'and its backprop: d²y/dx²' }),
    ],
  };
}

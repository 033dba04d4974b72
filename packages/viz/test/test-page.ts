import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphSnapshot } from '@zerograd/core';
import {
  graphSection,
  heading,
  imageGrid,
  linePlot,
  type PageSpec,
  paragraph,
  pathPlot,
  quiverPlot,
  row,
  trainingDashboard,
  writeSite,
} from '../src/index.js';
import { fixture, xssSnapshot } from './fixtures.js';

/** Synthetic 28×28 "digits": a bright ring of varying radius, so the grid has something to show. */
export function fakeDigits(count: number): Float32Array {
  const out = new Float32Array(count * 784);
  for (let k = 0; k < count; k++) {
    const r = 5 + (k % 7);
    for (let i = 0; i < 28; i++) {
      for (let j = 0; j < 28; j++) {
        const d = Math.hypot(i - 14, j - 14);
        out[k * 784 + i * 28 + j] = Math.max(0, 1 - Math.abs(d - r) / 2);
      }
    }
  }
  return out;
}

/** The pages the browser tests (and the screenshots in docs/) use. */
export function testPages(): PageSpec[] {
  const xs = Array.from({ length: 121 }, (_, i) => -6 + i * 0.1);
  const grid: { x: number[]; y: number[]; u: number[]; v: number[] } = { x: [], y: [], u: [], v: [] };
  for (let a = -2; a <= 2.001; a += 0.25) {
    for (let b = -2; b <= 2.001; b += 0.25) {
      grid.x.push(a);
      grid.y.push(b);
      grid.u.push(-2 * a);
      grid.v.push(-2 * b);
    }
  }
  const path = { x: [-3] as number[], y: [4] as number[] };
  for (let i = 0; i < 20; i++) {
    path.x.push((path.x[i] as number) * 0.8);
    path.y.push((path.y[i] as number) * 0.8);
  }
  const loss = Array.from({ length: 600 }, (_, i) => 2.3 * Math.exp(-i / 120) + 0.1 + 0.05 * Math.sin(i * 1.7));
  const labels = Array.from({ length: 20 }, (_, i) => i % 10);
  const predictions = labels.map((l, i) => (i === 3 || i === 11 ? (l + 1) % 10 : l));
  return [
    {
      title: 'Backprop: the apple example',
      description: '100 yen × 2 apples × tax 1.1, forward values above each edge and gradients below.',
      sections: [
        heading('Step by step'),
        paragraph('Press forward (→) to run backward one node at a time.'),
        graphSection(fixture<GraphSnapshot[]>('apple-steps')),
        heading('The sigmoid, decomposed and fused'),
        row(graphSection(fixture<GraphSnapshot[]>('sigmoid-steps')), graphSection(fixture('sigmoid-fused'))),
        heading('An Affine layer'),
        graphSection(fixture<GraphSnapshot[]>('affine-steps'), { caption: 'Sequential → Affine → ReLU → Sum' }),
      ],
    },
    {
      title: 'Plots',
      sections: [
        row(
          linePlot({
            title: 'sin & cos',
            xlabel: 'x',
            ylabel: 'y',
            series: [
              { x: xs, y: xs.map(Math.sin), label: 'sin' },
              { x: xs, y: xs.map(Math.cos), label: 'cos', dashed: true },
            ],
          }),
          quiverPlot({ ...grid, title: '−∇(x0² + x1²)', xlabel: 'x0', ylabel: 'x1' }),
        ),
        row(
          pathPlot({
            series: [{ ...path, label: 'gradient descent' }],
            xlim: [-4, 4],
            ylim: [-5, 5],
            xlabel: 'x0',
            ylabel: 'x1',
            title: 'from (−3, 4)',
          }),
          imageGrid({ images: fakeDigits(20), width: 28, height: 28, labels, predictions, title: 'test digits' }),
        ),
        trainingDashboard({
          loss,
          trainAccuracy: [0.2, 0.7, 0.85, 0.9, 0.92],
          testAccuracy: [0.21, 0.69, 0.84, 0.88, 0.9],
          title: 'training',
        }),
      ],
    },
    {
      title: 'XSS <img src=x onerror=alert(1)>',
      sections: [heading('<script>alert(2)</script>'), graphSection(xssSnapshot())],
    },
  ];
}

/** Writes the test site to a fresh temporary folder; returns the folder. */
export async function writeTestSite(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'zg-viz-'));
  await writeSite(dir, testPages());
  return dir;
}

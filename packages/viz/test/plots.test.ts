import { inflateSync } from 'node:zlib';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { imageGrid, linePlot, pathPlot, quiverPlot, renderSvg, trainingDashboard } from '../src/index.js';
import { encodeGrayPng } from '../src/plot/png.js';
import { fakeDigits } from './test-page.js';

function parse(markup: string) {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${markup}</body></html>`);
  const all = (sel: string) => Array.from(document.querySelectorAll(sel)) as Element[];
  return { document, all, texts: (sel: string) => all(sel).map((e) => e.textContent ?? '') };
}

describe('linePlot', () => {
  const xs = Array.from({ length: 50 }, (_, i) => i / 5);
  const svg = renderSvg(
    linePlot({
      title: 'sin & cos',
      xlabel: 'x',
      ylabel: 'y',
      series: [
        { x: xs, y: xs.map(Math.sin), label: 'sin' },
        { x: Float64Array.from(xs), y: Float64Array.from(xs, Math.cos), label: 'cos', dashed: true },
      ],
    }),
  );
  const { all, texts } = parse(svg);

  it('draws one path per series, a legend, axis labels and a title', () => {
    expect(all('svg.zg-line-plot')).toHaveLength(1);
    expect(all('.zg-series path')).toHaveLength(2);
    expect(all('.zg-series path')[1]?.getAttribute('stroke-dasharray')).toBeTruthy();
    expect(all('.zg-series path')[0]?.getAttribute('stroke-dasharray')).toBeNull();
    expect(texts('.zg-legend-entry text')).toEqual(['sin', 'cos']);
    expect(texts('.zg-title')).toEqual(['sin & cos']);
    expect(texts('.zg-axis-label')).toEqual(['x', 'y']);
    expect(all('.zg-x-axis .tick').length).toBeGreaterThan(3);
  });

  it('breaks lines at non-finite values and rejects ragged series', () => {
    const gap = parse(renderSvg(linePlot({ series: [{ x: [0, 1, 2, 3], y: [0, 1, Number.NaN, 3] }] })));
    expect(gap.all('.zg-series path')[0]?.getAttribute('d')?.match(/M/g)).toHaveLength(2);
    expect(() => renderSvg(linePlot({ series: [{ x: [0, 1], y: [0] }] }))).toThrow(/2 x values but 1 y/);
  });
});

describe('pathPlot and quiverPlot', () => {
  it('marks every point of a path', () => {
    const { all } = parse(
      renderSvg(
        pathPlot({
          series: [{ x: [-3, -2.4, -1.9], y: [4, 3.2, 2.5], label: 'descent' }],
          xlim: [-4, 4],
          ylim: [-5, 5],
        }),
      ),
    );
    expect(all('.zg-series circle')).toHaveLength(3);
    expect(all('.zg-zero').length).toBeGreaterThan(0);
  });

  it('draws one arrow per point, the longest about one cell long', () => {
    const x: number[] = [];
    const y: number[] = [];
    for (let a = -2; a <= 2; a++) {
      for (let b = -2; b <= 2; b++) {
        x.push(a);
        y.push(b);
      }
    }
    const { all } = parse(renderSvg(quiverPlot({ x, y, u: x.map((v) => -2 * v), v: y.map((v) => -2 * v) })));
    expect(all('.zg-arrow')).toHaveLength(25);
    // The centre has a zero gradient: a line of length 0 and no head.
    expect(all('.zg-arrow path')).toHaveLength(24);
    expect(() => renderSvg(quiverPlot({ x: [0], y: [0, 1], u: [0], v: [0] }))).toThrow(/same length/);
  });
});

describe('imageGrid', () => {
  it('shows every image with its label and marks wrong predictions', () => {
    const labels = [0, 1, 2, 3, 4, 5];
    const predictions = [0, 1, 7, 3, 4, 9];
    const { all, texts } = parse(
      renderSvg(imageGrid({ images: fakeDigits(6), width: 28, height: 28, labels, predictions, columns: 3 })),
    );
    expect(all('.zg-image image')).toHaveLength(6);
    expect(all('.zg-wrong')).toHaveLength(2);
    expect(all('.zg-wrong-mark')).toHaveLength(2);
    expect(texts('.zg-caption')).toEqual(['0 ✓', '1 ✓', '2 → 7 ✗', '3 ✓', '4 ✓', '5 → 9 ✗']);
    expect(all('.zg-image image')[0]?.getAttribute('href')).toMatch(/^data:image\/png;base64,/);
  });

  it('accepts one array per image and checks the sizes', () => {
    const images = [new Array(4).fill(0), new Array(4).fill(255)];
    expect(parse(renderSvg(imageGrid({ images, width: 2, height: 2 }))).all('.zg-image')).toHaveLength(2);
    expect(() => imageGrid({ images: new Float32Array(5), width: 2, height: 2 })).toThrow(/whole number/);
    expect(() => imageGrid({ images: new Float32Array(8), width: 2, height: 2, labels: [1] })).toThrow(
      /2 images but 1 labels/,
    );
  });

  it('encodes valid PNGs', () => {
    const pixels = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    const png = encodeGrayPng(pixels, 4, 3);
    expect(Array.from(png.subarray(1, 4), (c) => String.fromCharCode(c)).join('')).toBe('PNG');
    // IDAT starts after the signature (8) and IHDR (25 bytes).
    const idatLength = new DataView(png.buffer).getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(Array.from(raw)).toEqual([0, 0, 20, 40, 60, 0, 80, 100, 120, 140, 0, 160, 180, 200, 220]);
  });
});

describe('trainingDashboard', () => {
  it('draws the loss per iteration and accuracies per epoch', () => {
    const { all, texts } = parse(
      renderSvg(
        trainingDashboard({ loss: [2.3, 1.2, 0.8, 0.5], trainAccuracy: [0.5, 0.8], testAccuracy: [0.45, 0.78] }),
      ),
    );
    expect(all('svg.zg-plot')).toHaveLength(2);
    expect(texts('.zg-title')).toEqual(['loss (last 0.5000)', 'accuracy (test 78.00 %)']);
    expect(texts('.zg-legend-entry text')).toEqual(['loss', 'train', 'test']);
  });

  it('averages very long loss histories', () => {
    const loss = Array.from({ length: 6000 }, (_, i) => 1 / (i + 1));
    const { texts } = parse(renderSvg(trainingDashboard({ loss })));
    expect(texts('.zg-legend-entry text')).toEqual(['loss (mean of 4)']);
  });
});

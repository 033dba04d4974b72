import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { histogramPlot, renderSvg } from '../src/index.js';

function bars(markup: string) {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${markup}</body></html>`);
  return Array.from(document.querySelectorAll('.zg-bar')) as Element[];
}

describe('histogramPlot', () => {
  it('counts as numpy does: equal bins, the last closed, values outside the range left out', () => {
    const section = histogramPlot({ values: [0, 0.1, 0.5, 0.99, 1, 1.5, -0.1, Number.NaN], bins: 2, range: [0, 1] });
    if (section.kind !== 'histogram') throw new Error('expected a histogram section');
    expect(section.spec.edges).toEqual([0, 0.5, 1]);
    expect(section.spec.counts).toEqual([2, 3]);
    expect(section.spec.outside).toBe(3);
  });

  it('draws one bar per bin, heights proportional to the counts', () => {
    const values = [...new Array(10).fill(0.1), ...new Array(30).fill(0.5), ...new Array(20).fill(0.9)];
    const drawn = bars(renderSvg(histogramPlot({ values, bins: 3, range: [0, 1], title: 'a' })));
    expect(drawn.map((b) => b.getAttribute('data-count'))).toEqual(['10', '30', '20']);
    const h = drawn.map((b) => Number(b.getAttribute('height')));
    expect((h[1] ?? 0) / (h[0] ?? 1)).toBeCloseTo(3, 5);
    expect((h[2] ?? 0) / (h[0] ?? 1)).toBeCloseTo(2, 5);
    // Bars sit side by side, left to right.
    const x = drawn.map((b) => Number(b.getAttribute('x')));
    expect(x[0]).toBeLessThan(x[1] ?? 0);
    expect(x[1]).toBeLessThan(x[2] ?? 0);
  });

  it('bins over the values’ extent by default and rejects bad bins and ranges', () => {
    const section = histogramPlot({ values: Float32Array.from([2, 4, 6, 8]), bins: 4 });
    if (section.kind !== 'histogram') throw new Error('expected a histogram section');
    expect(section.spec.edges).toEqual([2, 3.5, 5, 6.5, 8]);
    expect(section.spec.counts).toEqual([1, 1, 1, 1]);
    expect(() => histogramPlot({ values: [1], bins: 0 })).toThrow(/bins must be a positive integer, got 0/);
    expect(() => histogramPlot({ values: [1], range: [1, 0] })).toThrow(/range must be \[low, high\]/);
  });
});

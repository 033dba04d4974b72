import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { contourLevels, contourPlot, renderSvg } from '../src/index.js';

function parse(markup: string) {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${markup}</body></html>`);
  return (sel: string) => Array.from(document.querySelectorAll(sel)) as Element[];
}

/** The vertices of an SVG path's `d` (M/L commands with absolute coordinates, as d3 writes them). */
function vertices(d: string): [number, number][] {
  return Array.from(d.matchAll(/[ML]\s*(-?[\d.e+-]+)[ ,](-?[\d.e+-]+)/g), (m) => [Number(m[1]), Number(m[2])]);
}

describe('contourPlot', () => {
  // f = x² + y²: the level-c line is the circle of radius √c around the origin.
  const svg = renderSvg(
    contourPlot({
      f: (x, y) => x * x + y * y,
      xlim: [-2, 2],
      ylim: [-2, 2],
      resolution: 121,
      levels: [1, 2],
      equalAspect: true,
      marks: [{ x: 0, y: 0, label: 'minimum' }],
      paths: [{ x: [-1.5, -0.5, 0], y: [1.5, 0.5, 0], label: 'path' }],
    }),
  );
  const all = parse(svg);

  it('draws one line set per level, each a circle of radius √level around the mark', () => {
    const lines = all('.zg-contour');
    expect(lines.map((l) => l.getAttribute('data-level'))).toEqual(['1', '2']);
    const mark = vertices(all('.zg-mark')[0]?.getAttribute('d') ?? '');
    // The cross is drawn as M(cx−6, cy) … and M(cx, cy−6) …: its centre is the origin's pixel.
    const centre = [(mark[0]?.[0] ?? 0) + 6, mark[0]?.[1] ?? 0];
    // d3-contour closes the region above a level along the grid's border, half a cell outside
    // the plot area, where the clip hides it: only vertices inside the area are drawn lines.
    const area = all('svg.zg-data')[0];
    const [w, h] = [Number(area?.getAttribute('width')), Number(area?.getAttribute('height'))];
    const inside = ([x, y]: [number, number]) => x >= 0 && x <= w && y >= 0 && y <= h;
    const radii = lines.map((l) => {
      const points = vertices(l.getAttribute('d') ?? '').filter(inside);
      // Centred on the origin's pixel (a grid misplaced by half a cell would be 2 px off).
      const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
      const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
      expect(Math.hypot(cx - (centre[0] ?? 0), cy - (centre[1] ?? 0))).toBeLessThan(0.5);
      const r = points.map(([x, y]) => Math.hypot(x - centre[0], y - centre[1]));
      expect(r.length).toBeGreaterThan(40);
      const mean = r.reduce((s, v) => s + v, 0) / r.length;
      // Every vertex on the circle, within a fraction of a grid cell (4 / 120 of the axis).
      for (const v of r) expect(Math.abs(v - mean) / mean).toBeLessThan(0.03);
      return mean;
    });
    // In pixels: the axis spans 4 units over w pixels, so radius 1 is w/4 and radius √2 is √2·w/4.
    expect((radii[0] ?? 0) / (w / 4)).toBeCloseTo(1, 2);
    expect((radii[1] ?? 0) / (w / 4)).toBeCloseTo(Math.SQRT2, 2);
  });

  it('draws the paths over the lines with a marker per point and a legend', () => {
    expect(all('.zg-series circle')).toHaveLength(3);
    expect(all('.zg-legend-entry text').map((t) => t.textContent)).toEqual(['path']);
    expect(all('.zg-mark title').map((t) => t.textContent)).toEqual(['minimum']);
  });

  it('takes a grid as data and picks nice levels inside its range', () => {
    const values = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const one = parse(renderSvg(contourPlot({ values, nx: 3, ny: 3, xRange: [0, 1], yRange: [0, 1], levels: 4 })));
    const levels = one('.zg-contour').map((l) => Number(l.getAttribute('data-level')));
    expect(levels).toEqual(contourLevels({ values, levels: 4 }));
    expect(levels.length).toBeGreaterThanOrEqual(3);
    for (const l of levels) expect(l > 0 && l < 8).toBe(true);
  });

  it('rejects grids whose sizes do not match and ranges that are empty', () => {
    expect(() => contourPlot({ values: [1, 2, 3], nx: 2, ny: 2, xRange: [0, 1], yRange: [0, 1] })).toThrow(
      /3 values do not fill an 2 × 2 grid \(4 expected\)/,
    );
    expect(() => contourPlot({ f: (x) => x, xlim: [1, 1], ylim: [0, 1] })).toThrow(/xlim must be \[low, high\]/);
    expect(() => contourPlot({ f: (x) => x, xlim: [0, 1], ylim: [0, 1], resolution: 1 })).toThrow(/resolution/);
  });
});

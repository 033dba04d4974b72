import { select } from 'd3-selection';
import { FONT_SANS } from '../text.js';
import { encodeGrayPng, fromBase64, toBase64 } from './png.js';

/** Images for {@link imageGrid}: flat (N·height·width values), or one array per image. */
export interface ImageGridInput {
  images: ArrayLike<number> | readonly ArrayLike<number>[];
  /** Size of one image in pixels (28 × 28 for MNIST). */
  width: number;
  height: number;
  /** True labels, one per image. */
  labels?: readonly number[];
  /** Predicted labels; where they differ from `labels` the image is marked wrong. */
  predictions?: readonly number[];
  /** Images per row; default 10. */
  columns?: number;
  /** Screen pixels per image pixel; default 2. */
  scale?: number;
  title?: string;
  /** Value range of the input mapped to black … white; default [0, 1] or [0, 255] when any value exceeds 1. */
  range?: [number, number];
}

/** The JSON form of an image grid: pixels packed to bytes in base64. */
export interface ImageGridData {
  width: number;
  height: number;
  count: number;
  /** base64 of count × height × width bytes, 0 = black, 255 = white. */
  pixels: string;
  labels: number[] | null;
  predictions: number[] | null;
  columns: number;
  scale: number;
  title: string | null;
}

/** Packs images into the compact JSON form (values scaled to bytes). */
export function packImages(input: ImageGridInput): ImageGridData {
  const { width, height } = input;
  const per = width * height;
  const list: ArrayLike<number>[] = isNested(input.images) ? [...input.images] : [];
  let flat: ArrayLike<number> = input.images as ArrayLike<number>;
  if (list.length > 0) {
    const joined = new Float64Array(list.length * per);
    list.forEach((img, i) => {
      if (img.length !== per)
        throw new Error(`imageGrid: image ${i} has ${img.length} values, expected ${width}×${height}`);
      joined.set(Array.from(img), i * per);
    });
    flat = joined;
  }
  if (per <= 0 || flat.length % per !== 0) {
    throw new Error(`imageGrid: ${flat.length} values is not a whole number of ${width}×${height} images`);
  }
  let [lo, hi] = input.range ?? [0, 1];
  if (!input.range) for (let i = 0; i < flat.length; i++) if ((flat[i] as number) > 1) hi = 255;
  const bytes = new Uint8Array(flat.length);
  const span = hi - lo || 1;
  for (let i = 0; i < flat.length; i++) {
    const v = ((flat[i] as number) - lo) / span;
    bytes[i] = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 255) : 0;
  }
  const count = flat.length / per;
  for (const [name, arr] of [
    ['labels', input.labels],
    ['predictions', input.predictions],
  ] as const) {
    if (arr && arr.length !== count) throw new Error(`imageGrid: ${count} images but ${arr.length} ${name}`);
  }
  return {
    width,
    height,
    count,
    pixels: toBase64(bytes),
    labels: input.labels ? [...input.labels] : null,
    predictions: input.predictions ? [...input.predictions] : null,
    columns: input.columns ?? 10,
    scale: input.scale ?? 2,
    title: input.title ?? null,
  };
}

function isNested(images: ImageGridInput['images']): images is readonly ArrayLike<number>[] {
  return Array.isArray(images) && images.length > 0 && typeof images[0] !== 'number';
}

/** Draws a grid of grayscale images with their labels and predictions; wrong predictions in red. */
export function drawImageGrid(container: Element, data: ImageGridData): SVGSVGElement {
  const bytes = fromBase64(data.pixels);
  const per = data.width * data.height;
  const w = data.width * data.scale;
  const h = data.height * data.scale;
  const captioned = data.labels !== null || data.predictions !== null;
  const cellW = Math.max(w, 40) + 10;
  const cellH = h + (captioned ? 20 : 0) + 10;
  const columns = Math.max(1, Math.min(data.columns, data.count));
  const rows = Math.ceil(data.count / columns);
  const top = data.title ? 30 : 6;
  const width = columns * cellW + 10;
  const height = top + rows * cellH + 4;
  const svg = select(container)
    .append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('class', 'zg-plot zg-image-grid')
    .attr('width', width)
    .attr('height', height)
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('font-family', FONT_SANS);
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#fff');
  if (data.title) {
    svg
      .append('text')
      .attr('x', width / 2)
      .attr('y', 20)
      .attr('text-anchor', 'middle')
      .attr('font-size', 15)
      .attr('font-weight', 'bold')
      .text(data.title);
  }
  const items = Array.from({ length: data.count }, (_, i) => {
    const label = data.labels?.[i] ?? null;
    const prediction = data.predictions?.[i] ?? null;
    const wrong = label !== null && prediction !== null && label !== prediction;
    const png = encodeGrayPng(bytes.subarray(i * per, i * per + per), data.width, data.height);
    return { i, label, prediction, wrong, href: `data:image/png;base64,${toBase64(png)}` };
  });
  const cell = svg
    .selectAll('g.zg-image')
    .data(items)
    .join('g')
    .attr('class', (d) => `zg-image${d.wrong ? ' zg-wrong' : ''}`)
    .attr(
      'transform',
      (d) =>
        `translate(${10 + (d.i % columns) * cellW + (cellW - 10 - w) / 2},${top + Math.floor(d.i / columns) * cellH})`,
    );
  cell
    .append('image')
    .attr('href', (d) => d.href)
    .attr('width', w)
    .attr('height', h)
    .attr('preserveAspectRatio', 'none')
    // An attribute, not .style(): Node's DOM (domino) drops CSS values its validator predates.
    .attr('style', 'image-rendering:pixelated');
  cell
    .filter((d) => d.wrong)
    .append('rect')
    .attr('class', 'zg-wrong-mark')
    .attr('x', -2)
    .attr('y', -2)
    .attr('width', w + 4)
    .attr('height', h + 4)
    .attr('fill', 'none')
    .attr('stroke', '#d62728')
    .attr('stroke-width', 2.5);
  if (captioned) {
    cell
      .append('text')
      .attr('class', 'zg-caption')
      .attr('x', w / 2)
      .attr('y', h + 15)
      .attr('text-anchor', 'middle')
      .attr('font-size', 12)
      .attr('fill', (d) => (d.wrong ? '#d62728' : d.prediction !== null && d.label !== null ? '#2e7d32' : '#222'))
      .attr('font-weight', (d) => (d.wrong ? 'bold' : null))
      .text((d) => caption(d.label, d.prediction));
  }
  return svg.node() as SVGSVGElement;
}

function caption(label: number | null, prediction: number | null): string {
  if (label !== null && prediction !== null) return label === prediction ? `${label} ✓` : `${label} → ${prediction} ✗`;
  if (prediction !== null) return `pred ${prediction}`;
  return label !== null ? String(label) : '';
}

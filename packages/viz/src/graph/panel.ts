import { scaleDiverging } from 'd3-scale';
import { interpolateRdBu } from 'd3-scale-chromatic';
import { type Selection, select } from 'd3-selection';
import { formatNumber, formatShape, formatSummary, shapeSize } from '../format.js';
import type { GraphSnapshot, SnapshotNode, TensorValue } from '../types.js';

type Div = Selection<HTMLDivElement, unknown, null, undefined>;

/** Tensors with at most this many entries are shown as a table of numbers, larger ones as a heatmap. */
export const TABLE_LIMIT = 64;
/** Heatmaps show at most this many cells per side (larger tensors are subsampled). */
const HEATMAP_SIDE = 80;

/**
 * Fills `panel` with everything known about node `id` in `snap`: kind, shape, scope, and the full
 * numbers of its value and gradient (a table when small, a heatmap when large).
 */
export function showNodeDetails(panel: HTMLDivElement, snap: GraphSnapshot, id: string): void {
  const node = snap.nodes.find((n) => n.id === id);
  const root = select(panel);
  root.selectAll('*').remove();
  if (!node) return;
  root.append('div').attr('class', 'zg-panel-title').text(nodeTitle(node));
  const facts: [string, string][] = [['id', node.id]];
  if (node.kind === 'variable') {
    facts.push(['role', node.role], ['shape', formatShape(node.shape)], ['dtype', node.dtype]);
  } else {
    facts.push(['op', node.op], ['generation', String(node.generation)]);
    const attrs = Object.entries(node.attrs);
    if (attrs.length > 0) facts.push(['attrs', attrs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')]);
    const inputs = snap.edges.filter((e) => e.to === id).map((e) => e.from);
    const outputs = snap.edges.filter((e) => e.from === id).map((e) => e.to);
    facts.push(['inputs', inputs.join(', ') || '—'], ['outputs', outputs.join(', ') || '—']);
  }
  if (node.scope.length > 0) facts.push(['scope', node.scope.join(' / ')]);
  root
    .append('dl')
    .attr('class', 'zg-facts')
    .selectAll('div')
    .data(facts)
    .join('div')
    .call((row) => {
      row.append('dt').text((d) => d[0]);
      row.append('dd').text((d) => d[1]);
    });
  if (node.kind === 'variable') {
    tensorBlock(root, 'value', node.value, node.shape);
    tensorBlock(root, 'gradient', node.grad, node.shape);
  }
}

/** The heading of a node's panel: name or op, then id. */
export function nodeTitle(node: SnapshotNode): string {
  if (node.kind === 'op') return `${node.op} (${node.id})`;
  return node.name ? `${node.name} (${node.id})` : `${node.role} ${node.id}`;
}

function tensorBlock(root: Div, title: string, value: TensorValue | null, shape: readonly number[]): void {
  const block = root.append('div').attr('class', `zg-tensor zg-tensor-${title === 'value' ? 'value' : 'grad'}`);
  block.append('div').attr('class', 'zg-tensor-title').text(title);
  if (!value) {
    block.append('div').attr('class', 'zg-muted').text('not known yet');
    return;
  }
  block.append('div').attr('class', 'zg-summary').text(formatSummary(value));
  if (value.kind === 'summary') {
    block
      .append('div')
      .attr('class', 'zg-head')
      .text(
        `first values: ${value.head.map((v) => formatNumber(v)).join(', ')}${value.head.length < shapeSize(shape) ? ', …' : ''}`,
      );
    return;
  }
  const [rows, cols] = matrixShape(shape, value.data.length);
  if (value.data.length <= TABLE_LIMIT) numberTable(block, value.data, rows, cols);
  else heatmap(block, value.data, rows, cols);
}

/** Views any tensor as rows × cols: the last axis is the columns, the rest are folded into rows. */
export function matrixShape(shape: readonly number[], size: number): [number, number] {
  if (shape.length === 0) return [1, 1];
  const cols = shape[shape.length - 1] || 1;
  return [Math.max(1, Math.round(size / cols)), cols];
}

function numberTable(block: Div, data: readonly number[], rows: number, cols: number): void {
  const table = block.append('table').attr('class', 'zg-tensor-table');
  const rowData = Array.from({ length: rows }, (_, r) => data.slice(r * cols, r * cols + cols));
  table
    .selectAll('tr')
    .data(rowData)
    .join('tr')
    .selectAll('td')
    .data((row) => row)
    .join('td')
    .text((v) => formatNumber(v, 6));
}

function heatmap(block: Div, data: readonly number[], rows: number, cols: number): void {
  const stepR = Math.max(1, Math.ceil(rows / HEATMAP_SIDE));
  const stepC = Math.max(1, Math.ceil(cols / HEATMAP_SIDE));
  let maxAbs = 0;
  for (const v of data) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const colour = scaleDiverging(interpolateRdBu).domain([maxAbs || 1, 0, -(maxAbs || 1)]);
  const cells: { r: number; c: number; v: number }[] = [];
  for (let r = 0; r < rows; r += stepR) {
    for (let c = 0; c < cols; c += stepC)
      cells.push({ r: r / stepR, c: c / stepC, v: data[r * cols + c] ?? Number.NaN });
  }
  const shownR = Math.ceil(rows / stepR);
  const shownC = Math.ceil(cols / stepC);
  const cell = Math.max(2, Math.min(14, Math.floor(260 / Math.max(shownR, shownC))));
  const svg = block
    .append('svg')
    .attr('class', 'zg-heatmap')
    .attr('width', shownC * cell)
    .attr('height', shownR * cell);
  svg
    .selectAll('rect')
    .data(cells)
    .join('rect')
    .attr('x', (d) => d.c * cell)
    .attr('y', (d) => d.r * cell)
    .attr('width', cell)
    .attr('height', cell)
    .attr('fill', (d) => (Number.isFinite(d.v) ? colour(d.v) : '#000'))
    .append('title')
    .text((d) => `[${d.r * stepR}, ${d.c * stepC}] = ${formatNumber(d.v, 6)}`);
  const note = stepR > 1 || stepC > 1 ? ` (every ${stepR}th row, ${stepC}th column)` : '';
  block
    .append('div')
    .attr('class', 'zg-muted')
    .text(`${rows} × ${cols} heatmap, blue < 0 < red, |max| ${formatNumber(maxAbs)}${note}`);
}

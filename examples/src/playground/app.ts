/**
 * The playground page's script (bundled by `build.ts` into `playground.html`). It reads the
 * editor, debounced, runs `analyseProgram`, and redraws the graph (viz's `mountGraph`, with its
 * backprop stepper), the leaf table and the output line. The program lives in the URL hash —
 * as text that is parsed, never run as code — so a link restores it.
 */
import { type GraphSnapshot, parseSnapshot, serializeSnapshot } from '@zerograd/core';
import { formatNumber, type GraphView, mountGraph } from '@zerograd/viz';
import { type Analysis, analyseProgram, type LeafReport } from './analyse.js';
import { ProgramError } from './ast.js';

/** The program shown when the URL carries none. */
export const DEFAULT_PROGRAM = `# Edit me: leaves are assignments of numbers, arrays or randn(...);
# the last assignment is the output.
x = [[0.5, -1.2, 0.3]]
W = randn(3, 2, seed=1)
b = [0.1, -0.2]
h = tanh(x @ W + b)
y = sum(h ** 2) / 2`;

const HASH_KEY = 'program=';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const editor = $<HTMLTextAreaElement>('pg-source');
const alertBox = $<HTMLDivElement>('pg-error');
const outputLine = $<HTMLParagraphElement>('pg-output');
const second = $<HTMLInputElement>('pg-second');
const tableBody = $<HTMLTableSectionElement>('pg-leaves');
const secondHeader = $<HTMLTableCellElement>('pg-second-header');
const graphBox = $<HTMLDivElement>('pg-graph');
const graphNote = $<HTMLParagraphElement>('pg-graph-note');

let view: GraphView | null = null;
let last: Analysis | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function programFromHash(): string | null {
  const hash = location.hash.slice(1);
  if (!hash.startsWith(HASH_KEY)) return null;
  try {
    return decodeURIComponent(hash.slice(HASH_KEY.length));
  } catch {
    return null; // a malformed link falls back to the default program
  }
}

function saveToHash(source: string): void {
  const hash = `#${HASH_KEY}${encodeURIComponent(source)}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function drawGraph(steps: GraphSnapshot | readonly GraphSnapshot[], note: string): void {
  view?.destroy();
  graphBox.replaceChildren();
  // Open at the last step, every gradient known; the stepper replays backprop from the seed.
  view = mountGraph(graphBox, steps, { startAtSeed: false });
  graphNote.textContent = note;
}

/** A cell showing a short number (or tensor), with every digit in `data-value` and `title`. */
function numberCell(row: HTMLTableRowElement, values: readonly number[], shape: readonly number[], cls = ''): void {
  const td = row.insertCell();
  const full = values.length === 1 && shape.length === 0 ? String(values[0]) : JSON.stringify(values);
  td.dataset.value = full;
  td.title = full;
  td.className = `pg-num ${cls}`;
  const shown = values.slice(0, 6).map((v) => formatNumber(v, 4));
  td.textContent =
    values.length === 1 ? (shown[0] as string) : `[${shown.join(', ')}${values.length > 6 ? ', …' : ''}]`;
}

function drawTable(leaves: readonly LeafReport[], withSecond: boolean): void {
  secondHeader.hidden = !withSecond;
  tableBody.replaceChildren();
  for (const leaf of leaves) {
    const row = tableBody.insertRow();
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = leaf.name;
    row.appendChild(name);
    row.insertCell().textContent = leaf.shape.length ? leaf.shape.join('×') : 'scalar';
    numberCell(row, leaf.value, leaf.shape);
    numberCell(row, leaf.gradient, leaf.shape, 'pg-gradient');
    numberCell(row, leaf.numerical, leaf.shape);
    const verdict = row.insertCell();
    verdict.textContent = leaf.gradcheck.ok ? '✓ passes' : '✗ fails';
    verdict.title = leaf.gradcheck.message;
    verdict.className = leaf.gradcheck.ok ? 'pg-ok' : 'pg-bad';
    if (withSecond && leaf.second) numberCell(row, leaf.second, leaf.shape);
  }
}

function showError(err: unknown): void {
  if (err instanceof ProgramError) {
    alertBox.textContent = `line ${err.line}, column ${err.column}: ${err.reason}`;
    alertBox.dataset.line = String(err.line);
    alertBox.dataset.column = String(err.column);
  } else {
    alertBox.textContent = err instanceof Error ? err.message : String(err);
  }
  editor.setAttribute('aria-invalid', 'true');
}

let updates = 0;

function update(): void {
  // Counts redraws, so a test (or a person in devtools) can wait for the one after an edit.
  document.documentElement.dataset.pgUpdates = String(++updates);
  const source = editor.value;
  saveToHash(source);
  let analysis: Analysis;
  try {
    analysis = analyseProgram(source, { secondOrder: second.checked });
  } catch (err) {
    showError(err);
    return; // the last good graph and table stay, under the error
  }
  last = analysis;
  alertBox.textContent = '';
  editor.removeAttribute('aria-invalid');
  const { output } = analysis;
  outputLine.textContent = output.summed
    ? `output: ${output.name} has shape ${output.shape.join('×')}, so it is summed to a scalar: sum(${output.name}) = ${formatNumber(output.value, 6)}`
    : `output: ${output.name} = ${formatNumber(output.value, 6)}`;
  drawTable(analysis.leaves, second.checked);
  if (second.checked && analysis.secondOrder) {
    drawGraph(
      analysis.secondOrder.steps,
      analysis.secondOrder.constant
        ? 'The gradient does not depend on the leaves (the output is linear in them): every second derivative is 0.'
        : 'The graph createGraph recorded for the gradient; stepping backprop through it gives the second derivatives in the table.',
    );
  } else {
    drawGraph(analysis.steps, 'Values above the edges, gradients below; step backprop with the buttons or ← →.');
  }
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(update, 250);
}

function exportSnapshot(): void {
  if (!last) return;
  const steps = second.checked && last.secondOrder ? last.secondOrder.steps : last.steps;
  const blob = new Blob([serializeSnapshot(steps[steps.length - 1] as GraphSnapshot, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${last.output.name}-graph.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function importSnapshot(file: File): Promise<void> {
  try {
    const snapshot = parseSnapshot(await file.text()); // validated whole: a bad file draws nothing
    alertBox.textContent = '';
    drawGraph(snapshot, `Imported ${file.name}: ${snapshot.nodes.length} nodes. Edit the program to go back to it.`);
  } catch (err) {
    showError(err);
  }
}

editor.value = programFromHash() ?? DEFAULT_PROGRAM;
editor.addEventListener('input', schedule);
second.addEventListener('change', update);
$<HTMLButtonElement>('pg-export').addEventListener('click', exportSnapshot);
$<HTMLInputElement>('pg-import').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void importSnapshot(file);
});
window.addEventListener('hashchange', () => {
  const program = programFromHash();
  if (program !== null && program !== editor.value) {
    editor.value = program;
    update();
  }
});
update();
document.documentElement.dataset.pgReady = 'true';

/**
 * The training page's own script (bundled into the page after viz's runtime): it builds the
 * controls, unpacks the shipped digits, starts the training worker from a blob URL, and draws
 * what the worker reports — the loss and accuracy curves (viz's live dashboard), the test digits
 * with the net's predictions, and the class probabilities of a digit the person draws.
 */
import type { FromPage, FromWorker, TrainConfig } from './protocol.js';

/** The worker's bundled source, put here at build time (see training-live.ts). */
declare const __WORKER_SOURCE__: string;

interface Dashboard {
  push(update: { loss?: number | readonly number[]; testAccuracy?: number }): void;
}
interface VizApi {
  mountTrainingDashboard(element: Element, initial?: { title?: string }): Dashboard;
}
interface Shipped {
  trainCount: number;
  testCount: number;
  gridSize: number;
  epochs: number;
}

const DEFAULT_LR: Record<TrainConfig['optimizer'], number> = { sgd: 0.1, momentum: 0.05, adam: 0.001 };

/** A new element with text (always set as text, never as HTML) and attributes. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text = '',
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function select(label: string, options: [string, string][]): HTMLSelectElement {
  const s = el('select', { 'aria-label': label });
  for (const [value, text] of options) s.appendChild(el('option', { value }, text));
  return s;
}

/** Base64 → gzip → the packed digits (1 label byte + 784 pixel bytes each). */
async function unpackDigits(base64: string): Promise<ArrayBuffer> {
  const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).arrayBuffer();
}

/** Draws a 28×28 digit (bytes 0…255, white ink on black) into a canvas scaled `scale` times. */
function digitCanvas(pixels: Uint8Array, scale: number): HTMLCanvasElement {
  const canvas = el('canvas', { width: '28', height: '28' });
  canvas.style.width = canvas.style.height = `${28 * scale}px`;
  canvas.style.imageRendering = 'pixelated';
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const image = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = 255 - (pixels[i] ?? 0); // dark ink on white, as the book's figures
    image.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/**
 * A drawing as MNIST would have it: the ink's bounding box scaled to fit 20×20, then shifted so
 * its centre of mass sits at the centre of the 28×28 field (how the MNIST digits were made).
 */
function toMnist(source: HTMLCanvasElement): Float32Array | null {
  const { width, height } = source;
  const data = (source.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, width, height).data;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((data[(y * width + x) * 4 + 3] ?? 0) > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const k = 20 / Math.max(w, h);
  const small = el('canvas', { width: '28', height: '28' });
  const ctx = small.getContext('2d') as CanvasRenderingContext2D;
  ctx.drawImage(source, x0, y0, w, h, 14 - (w * k) / 2, 14 - (h * k) / 2, w * k, h * k);
  const alpha = ctx.getImageData(0, 0, 28, 28).data;
  const ink = new Float32Array(784);
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < 784; i++) {
    const v = (alpha[i * 4 + 3] ?? 0) / 255;
    ink[i] = v;
    mass += v;
    mx += v * (i % 28);
    my += v * Math.floor(i / 28);
  }
  const dx = Math.round(13.5 - mx / mass);
  const dy = Math.round(13.5 - my / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = ink[sy * 28 + sx] ?? 0;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const shipped = JSON.parse(document.getElementById('zg-digits-info')?.textContent ?? '{}') as Shipped;
  const base64 = document.getElementById('zg-digits')?.textContent?.trim() ?? '';
  const api = (window as unknown as { zerogradViz: VizApi }).zerogradViz;
  const root = el('section', { class: 'zg-live' });
  (document.querySelector('main') ?? document.body).appendChild(root);

  // Controls
  const net = select('Network', [
    ['chapter5', 'chapter-5 net: Affine 784→50 · ReLU · Affine 50→10'],
    ['stronger', 'stronger: He init, 2×200 hidden, Dropout 0.2'],
  ]);
  const optimizer = select('Optimizer', [
    ['sgd', 'SGD'],
    ['momentum', 'Momentum'],
    ['adam', 'Adam'],
  ]);
  const lr = el('input', { type: 'number', step: 'any', min: '0', value: '0.1', 'aria-label': 'Learning rate' });
  const epochs = el('input', { type: 'number', min: '1', max: '200', value: String(shipped.epochs) });
  epochs.setAttribute('aria-label', 'Epochs');
  optimizer.addEventListener('change', () => {
    lr.value = String(DEFAULT_LR[optimizer.value as TrainConfig['optimizer']]);
  });
  const trainButton = el('button', { type: 'button' }, 'Train');
  const pauseButton = el('button', { type: 'button', disabled: '' }, 'Pause');
  const resetButton = el('button', { type: 'button', disabled: '' }, 'Reset');
  const controls = el('div', { class: 'zg-live-controls' });
  for (const [text, input] of [
    ['network', net],
    ['optimizer', optimizer],
    ['learning rate', lr],
    ['epochs', epochs],
  ] as const) {
    const label = el('label', {}, `${text} `);
    label.appendChild(input);
    controls.appendChild(label);
  }
  controls.append(trainButton, pauseButton, resetButton);
  const status = el('div', { role: 'status', 'aria-live': 'polite', class: 'zg-live-status' }, 'unpacking the digits…');
  root.append(controls, status);

  // Curves, test digits, drawing
  const dashboardSlot = el('div');
  root.appendChild(dashboardSlot);
  let dashboard = api.mountTrainingDashboard(dashboardSlot, { title: 'loss per step, test accuracy per epoch' });
  root.appendChild(el('h2', {}, 'Test digits and the current predictions'));
  const grid = el('div', { class: 'zg-live-grid', 'aria-label': 'Test digits' });
  root.appendChild(grid);
  root.appendChild(el('h2', {}, 'Draw a digit'));
  const drawRow = el('div', { class: 'zg-live-draw' });
  const pad = el('canvas', { width: '196', height: '196', 'aria-label': 'Drawing pad' });
  const clear = el('button', { type: 'button' }, 'Clear');
  const bars = el('div', { class: 'zg-live-bars', 'aria-label': 'Class probabilities' });
  const padColumn = el('div');
  padColumn.append(pad, el('br'), clear);
  drawRow.append(padColumn, bars);
  root.appendChild(drawRow);
  const style = el('style');
  style.textContent = `.zg-live-controls{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:center;margin:1em 0}
.zg-live-status{font-family:ui-monospace,monospace;margin:.5em 0 1em;min-height:1.4em}
.zg-live-grid{display:grid;grid-template-columns:repeat(10,auto);gap:6px;justify-content:start}
.zg-live-grid figure{margin:0;text-align:center;font:12px ui-monospace,monospace}
.zg-live-grid .wrong{color:#c0392b;font-weight:bold}
.zg-live-draw{display:flex;gap:2em;align-items:flex-start}
.zg-live-draw canvas{border:1px solid #888;background:#fff;touch-action:none;cursor:crosshair}
.zg-live-bars div{display:flex;align-items:center;gap:.5em;font:13px ui-monospace,monospace;height:19px}
.zg-live-bars span.bar{display:inline-block;height:13px;background:#3b6ea5}`;
  document.head.appendChild(style);

  const bytes = new Uint8Array(await unpackDigits(base64));
  const testDigit = (i: number) =>
    bytes.subarray((shipped.trainCount + i) * 785 + 1, (shipped.trainCount + i + 1) * 785);
  const testLabel = (i: number) => bytes[(shipped.trainCount + i) * 785] ?? 0;
  const captions: HTMLElement[] = [];
  for (let i = 0; i < shipped.gridSize; i++) {
    const figure = el('figure');
    const caption = el('figcaption', {}, `${testLabel(i)}`);
    figure.append(digitCanvas(testDigit(i), 2), caption);
    captions.push(caption);
    grid.appendChild(figure);
  }

  const worker = new Worker(URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' })));
  const send = (message: FromPage, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
  let state: 'loading' | 'idle' | 'training' | 'paused' = 'loading';
  let totalEpochs = 0;
  // Which Train press the page shows. Reset moves it on, so messages the worker sent before it
  // saw the reset (an epoch ending just then) are dropped instead of overwriting the page.
  let run = 0;
  const setState = (next: typeof state) => {
    state = next;
    trainButton.disabled = state === 'loading' || state === 'training';
    trainButton.textContent = 'Train';
    pauseButton.disabled = state !== 'training';
    resetButton.disabled = state === 'loading' || state === 'idle';
    for (const input of [net, optimizer, lr, epochs]) input.disabled = state !== 'idle';
  };
  setState('loading');

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === 'ready') {
      setState('idle');
      status.textContent = `${shipped.trainCount} training and ${shipped.testCount} test digits loaded; press Train`;
    } else if ((m.type === 'loss' || m.type === 'epoch' || m.type === 'done') && m.run !== run) {
      return; // from a run that was reset
    } else if (m.type === 'loss') {
      dashboard.push({ loss: m.losses });
    } else if (m.type === 'epoch') {
      dashboard.push({ testAccuracy: m.testAccuracy });
      status.textContent =
        `epoch ${m.epoch}/${totalEpochs} · test accuracy ${(m.testAccuracy ?? 0).toFixed(4)} · ` +
        `mean loss ${m.loss.toFixed(4)} · ${(m.ms / 1000).toFixed(2)} s of training this epoch`;
      m.predictions.forEach((p, i) => {
        const caption = captions[i] as HTMLElement;
        const truth = testLabel(i);
        caption.textContent = p === truth ? `${truth}` : `${truth}→${p}`;
        caption.className = p === truth ? '' : 'wrong';
      });
      requestPrediction();
    } else if (m.type === 'prediction') {
      showProbabilities(m.probs);
    } else if (m.type === 'done') {
      setState('idle');
      status.textContent += ' · done';
    } else if (m.type === 'error') {
      setState('idle');
      status.textContent = `error: ${m.message}`;
      console.error(`training worker: ${m.message}`);
    }
  };
  send({
    type: 'data',
    bytes: bytes.slice().buffer,
    trainCount: shipped.trainCount,
    testCount: shipped.testCount,
    gridSize: shipped.gridSize,
  });

  trainButton.addEventListener('click', () => {
    if (state === 'paused') {
      send({ type: 'resume' });
      setState('training');
      return;
    }
    totalEpochs = Math.max(1, Math.round(Number(epochs.value) || shipped.epochs));
    const config: TrainConfig = {
      net: net.value as TrainConfig['net'],
      optimizer: optimizer.value as TrainConfig['optimizer'],
      lr: Number(lr.value) || DEFAULT_LR[optimizer.value as TrainConfig['optimizer']],
      epochs: totalEpochs,
      batchSize: 100,
      seed: 1,
    };
    dashboardSlot.replaceChildren();
    dashboard = api.mountTrainingDashboard(dashboardSlot, { title: 'loss per step, test accuracy per epoch' });
    run += 1;
    send({ type: 'train', config, run });
    setState('training');
    status.textContent = 'training…';
  });
  pauseButton.addEventListener('click', () => {
    send({ type: 'pause' });
    setState('paused');
    trainButton.textContent = 'Train (resume)';
    trainButton.setAttribute('aria-label', 'Train');
  });
  resetButton.addEventListener('click', () => {
    send({ type: 'reset' });
    run += 1;
    setState('idle');
    dashboardSlot.replaceChildren();
    dashboard = api.mountTrainingDashboard(dashboardSlot, { title: 'loss per step, test accuracy per epoch' });
    status.textContent = 'reset: press Train to start again';
    for (const [i, c] of captions.entries()) {
      c.textContent = `${testLabel(i)}`;
      c.className = '';
    }
    showProbabilities(null);
  });

  // The drawing pad
  const ctx = pad.getContext('2d') as CanvasRenderingContext2D;
  ctx.lineWidth = 14;
  ctx.lineCap = ctx.lineJoin = 'round';
  let drawing = false;
  const at = (e: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height] as const;
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(e));
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    requestPrediction();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  clear.addEventListener('click', () => {
    ctx.clearRect(0, 0, pad.width, pad.height);
    showProbabilities(null);
  });
  function requestPrediction(): void {
    const pixels = toMnist(pad);
    if (pixels) send({ type: 'predict', pixels: pixels.buffer as ArrayBuffer }, [pixels.buffer as ArrayBuffer]);
  }
  function showProbabilities(probs: number[] | null): void {
    bars.replaceChildren();
    if (!probs) {
      bars.textContent = 'Draw a digit in the box (with a trained or training net) to see its class probabilities.';
      return;
    }
    const best = probs.indexOf(Math.max(...probs));
    probs.forEach((p, digit) => {
      const row = el('div', { 'data-digit': String(digit), 'data-value': String(p) });
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${Math.round(p * 200)}px`;
      row.append(el('b', {}, String(digit)), bar, el('span', {}, p.toFixed(3)));
      if (digit === best) row.style.fontWeight = 'bold';
      bars.appendChild(row);
    });
  }
  showProbabilities(null);
}

main().catch((err: unknown) => {
  console.error(err);
  const status = document.querySelector('[role="status"]');
  if (status) status.textContent = `error: ${err instanceof Error ? err.message : String(err)}`;
});

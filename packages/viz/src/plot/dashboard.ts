import { select } from 'd3-selection';
import { ensurePageStyles } from '../page-style.js';
import { drawLinePlot, type Series } from './line.js';

/** What a training run records, as the book's lists: loss per iteration, accuracies per epoch. */
export interface TrainingHistory {
  /** Loss after every iteration (`train_loss_list`). */
  loss: number[];
  /** Training-set accuracy after every epoch, 0 … 1 (`train_acc_list`). */
  trainAccuracy?: number[];
  /** Test-set accuracy after every epoch, 0 … 1 (`test_acc_list`). */
  testAccuracy?: number[];
  title?: string;
}

/** New numbers for a live dashboard: any of the lists' next values. */
export interface TrainingUpdate {
  loss?: number | readonly number[];
  trainAccuracy?: number;
  testAccuracy?: number;
}

/** A live training dashboard (browser): push numbers as they come, the curves redraw. */
export interface TrainingDashboard {
  element: HTMLDivElement;
  /** Everything pushed so far (and the initial history). */
  readonly history: TrainingHistory;
  /** Appends new loss values and/or an epoch's accuracies, then redraws (once per animation frame). */
  push(update: TrainingUpdate): void;
  /** Redraws now. */
  redraw(): void;
}

/** Most points drawn per loss curve; longer histories are averaged in buckets. */
const MAX_POINTS = 1500;

function lossSeries(loss: readonly number[]): Series {
  if (loss.length <= MAX_POINTS) return { x: loss.map((_, i) => i), y: loss, label: 'loss' };
  const bucket = Math.ceil(loss.length / MAX_POINTS);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < loss.length; i += bucket) {
    const part = loss.slice(i, i + bucket);
    x.push(i + (part.length - 1) / 2);
    y.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  return { x, y, label: `loss (mean of ${bucket})` };
}

/** Draws the loss curve and the accuracy curves side by side into a new `<div>` in `container`. */
export function drawTrainingDashboard(container: Element, history: TrainingHistory): HTMLDivElement {
  const root = select(container).append('div').attr('class', 'zg-dashboard');
  fillDashboard(root.node() as HTMLDivElement, history);
  return root.node() as HTMLDivElement;
}

function fillDashboard(div: HTMLDivElement, history: TrainingHistory): void {
  const root = select(div);
  root.selectAll('*').remove();
  if (history.title) root.append('div').attr('class', 'zg-dashboard-title').text(history.title);
  const lossDiv = root.append('div').attr('class', 'zg-dashboard-loss').node() as HTMLDivElement;
  const last = history.loss[history.loss.length - 1];
  drawLinePlot(lossDiv, {
    title: last === undefined ? 'loss' : `loss (last ${last.toPrecision(4)})`,
    xlabel: 'iteration',
    ylabel: 'loss',
    width: 460,
    height: 300,
    series: [lossSeries(history.loss)],
  });
  const acc: Series[] = [];
  const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  if (history.trainAccuracy)
    acc.push({ x: epochs(history.trainAccuracy.length), y: history.trainAccuracy, label: 'train', markers: true });
  if (history.testAccuracy) {
    acc.push({
      x: epochs(history.testAccuracy.length),
      y: history.testAccuracy,
      label: 'test',
      dashed: true,
      markers: true,
    });
  }
  if (acc.length > 0) {
    const lastTest = history.testAccuracy?.[history.testAccuracy.length - 1];
    const accDiv = root.append('div').attr('class', 'zg-dashboard-accuracy').node() as HTMLDivElement;
    drawLinePlot(accDiv, {
      title: lastTest === undefined ? 'accuracy' : `accuracy (test ${(lastTest * 100).toFixed(2)} %)`,
      xlabel: 'epoch',
      ylabel: 'accuracy',
      ylim: [0, 1],
      legend: 'bottom-right',
      width: 460,
      height: 300,
      series: acc,
    });
  }
}

/** Mounts a live dashboard into `element`; `push()` new numbers as training runs. */
export function mountTrainingDashboard(element: Element, initial: Partial<TrainingHistory> = {}): TrainingDashboard {
  const history: TrainingHistory = {
    loss: [...(initial.loss ?? [])],
    trainAccuracy: [...(initial.trainAccuracy ?? [])],
    testAccuracy: [...(initial.testAccuracy ?? [])],
    title: initial.title,
  };
  if (element.ownerDocument) ensurePageStyles(element.ownerDocument);
  const div = drawTrainingDashboard(element, history);
  let pending = false;
  const dashboard: TrainingDashboard = {
    element: div,
    history,
    push(update) {
      if (update.loss !== undefined) {
        if (typeof update.loss === 'number') history.loss.push(update.loss);
        else history.loss.push(...update.loss);
      }
      if (update.trainAccuracy !== undefined) history.trainAccuracy?.push(update.trainAccuracy);
      if (update.testAccuracy !== undefined) history.testAccuracy?.push(update.testAccuracy);
      if (pending) return;
      if (typeof requestAnimationFrame === 'function') {
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          dashboard.redraw();
        });
      } else dashboard.redraw();
    },
    redraw() {
      fillDashboard(div, history);
    },
  };
  return dashboard;
}

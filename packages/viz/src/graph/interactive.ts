import { select } from 'd3-selection';
import { zoom, zoomIdentity } from 'd3-zoom';
import { ensurePageStyles } from '../page-style.js';
import type { GraphSnapshot } from '../types.js';
import { asSteps, type DrawnGraph, drawGraph } from './draw.js';
import type { GraphOptions } from './layout.js';
import { nodeTitle, showNodeDetails } from './panel.js';

/** An interactive graph in the page: zoom and pan, hover or click for numbers, and a backprop stepper. */
export interface GraphView {
  /** The outer element holding toolbar, drawing and panel. */
  element: HTMLDivElement;
  drawn: DrawnGraph;
  /** Number of steps (1 for a single snapshot). */
  readonly length: number;
  /** Index of the step shown. */
  readonly step: number;
  /** Shows step `index` (clamped). */
  goTo(index: number): void;
  /** One step forward in the backward pass (later gradient), or back. */
  forward(): void;
  back(): void;
  /** Plays the steps one per `intervalMs` (default 900 ms) from the current one; stops at the end. */
  play(intervalMs?: number): void;
  pause(): void;
  /** Shows the details of node `id` in the panel and marks it selected (null clears). */
  select(id: string | null): void;
  /** Removes the view and its timers. */
  destroy(): void;
}

/** Options for {@link mountGraph}, on top of the drawing options. */
export interface MountGraphOptions extends GraphOptions {
  /** Start at step 0 (the seed) rather than the last step; default true when several steps are given. */
  startAtSeed?: boolean;
}

/**
 * Mounts an interactive graph into `element` (browser). Accepts a snapshot or a backward-step
 * sequence; with a sequence it adds back / forward / play buttons (keys: ← → space, Home, End).
 */
export function mountGraph(
  element: Element,
  input: GraphSnapshot | readonly GraphSnapshot[],
  opts: MountGraphOptions = {},
): GraphView {
  const steps = asSteps(input);
  if (element.ownerDocument) ensurePageStyles(element.ownerDocument);
  const root = select(element).append('div').attr('class', 'zg-graph-view').attr('tabindex', 0);
  const toolbar = root.append('div').attr('class', 'zg-toolbar');
  const body = root.append('div').attr('class', 'zg-graph-body');
  const canvas = body.append('div').attr('class', 'zg-graph-canvas');
  const panel = body.append('div').attr('class', 'zg-panel');
  const startAtSeed = opts.startAtSeed ?? steps.length > 1;
  const drawn = drawGraph(canvas.node() as HTMLDivElement, steps, { ...opts, step: startAtSeed ? 0 : undefined });

  // Zoom and pan move the drawing; the legend stays put.
  const svg = select(drawn.svg);
  const viewport = svg.select<SVGGElement>('.zg-viewport');
  const zoomer = zoom<SVGSVGElement, unknown>()
    .scaleExtent([0.2, 6])
    .on('zoom', (event) => viewport.attr('transform', event.transform.toString()));
  svg.call(zoomer).on('dblclick.zoom', null);
  svg.attr('width', null).style('max-width', '100%').style('height', 'auto');

  let selected: string | null = null;
  let hovered: string | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const hint = () => {
    panel.selectAll('*').remove();
    panel.append('div').attr('class', 'zg-muted').text('Hover or click a node to see its numbers.');
  };
  const refreshPanel = () => {
    const id = hovered ?? selected;
    if (id) showNodeDetails(panel.node() as HTMLDivElement, steps[drawn.step] as GraphSnapshot, id);
    else hint();
  };
  svg
    .selectAll<SVGGElement, { id: string }>('.zg-node')
    .on('mouseenter', (_e, d) => {
      hovered = d.id;
      refreshPanel();
    })
    .on('mouseleave', () => {
      hovered = null;
      refreshPanel();
    })
    .on('click', (_e, d) => view.select(selected === d.id ? null : d.id))
    .append('title')
    .text((d) => {
      const node = steps[0]?.nodes.find((n) => n.id === d.id);
      return node ? nodeTitle(node) : d.id;
    });

  const status = toolbar.append('span').attr('class', 'zg-step-status');
  const button = (cls: string, text: string, label: string, onClick: () => void) =>
    toolbar
      .append('button')
      .attr('type', 'button')
      .attr('class', cls)
      .attr('aria-label', label)
      .attr('title', label)
      .text(text)
      .on('click', onClick);
  if (steps.length > 1) {
    button('zg-back', '◀ back', 'previous step (←)', () => view.back());
    button('zg-play', '▶ play', 'play / pause (space)', () => (timer ? view.pause() : view.play()));
    button('zg-forward', 'forward ▶', 'next step (→)', () => view.forward());
    toolbar.append('span').attr('class', 'zg-step-text');
  }
  button('zg-reset', 'reset zoom', 'reset zoom', () => svg.call(zoomer.transform, zoomIdentity));

  const updateToolbar = () => {
    const snap = steps[drawn.step] as GraphSnapshot;
    status.text(steps.length > 1 ? `step ${drawn.step} / ${steps.length - 1}` : '');
    toolbar.select('.zg-step-text').text(describeStep(snap));
    toolbar.select('.zg-back').property('disabled', drawn.step === 0);
    toolbar.select('.zg-forward').property('disabled', drawn.step === steps.length - 1);
    toolbar.select('.zg-play').text(timer ? '❚❚ pause' : '▶ play');
  };

  const view: GraphView = {
    element: root.node() as HTMLDivElement,
    drawn,
    get length() {
      return steps.length;
    },
    get step() {
      return drawn.step;
    },
    goTo(index) {
      drawn.showStep(index);
      updateToolbar();
      refreshPanel();
    },
    forward() {
      view.goTo(drawn.step + 1);
    },
    back() {
      view.goTo(drawn.step - 1);
    },
    play(intervalMs = 900) {
      view.pause();
      if (drawn.step >= steps.length - 1) view.goTo(0);
      timer = setInterval(() => {
        if (drawn.step >= steps.length - 1) view.pause();
        else view.forward();
      }, intervalMs);
      updateToolbar();
    },
    pause() {
      if (timer) clearInterval(timer);
      timer = null;
      updateToolbar();
    },
    select(id) {
      selected = id;
      svg.selectAll<SVGGElement, { id: string }>('.zg-node').classed('zg-selected', (d) => d.id === id);
      refreshPanel();
    },
    destroy() {
      view.pause();
      root.remove();
    },
  };

  root.on('keydown', (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowRight: () => view.forward(),
      ArrowLeft: () => view.back(),
      Home: () => view.goTo(0),
      End: () => view.goTo(steps.length - 1),
      ' ': () => (timer ? view.pause() : view.play()),
    };
    const action = keys[event.key];
    if (action && steps.length > 1) {
      event.preventDefault();
      action();
    }
  });

  updateToolbar();
  refreshPanel();
  return view;
}

/** One line about what a backward step computed (`Mul f1 backward → apple_price, tax`). */
export function describeStep(snap: GraphSnapshot): string {
  const step = snap.step;
  if (!step) return '';
  const name = (id: string) => {
    const node = snap.nodes.find((n) => n.id === id);
    if (!node) return id;
    return node.kind === 'variable' ? (node.name ?? node.id) : `${node.op} ${node.id}`;
  };
  const targets = step.updated.map(name).join(', ');
  if (step.op === null) return `seed: d(output)/d(output) = 1 → ${targets}`;
  return `${name(step.op)} backward → ${targets}`;
}

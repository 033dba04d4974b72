/**
 * The browser runtime inlined into every page (bundled by esbuild with d3 and dagre). It draws
 * the page's sections from the JSON block and exposes the API as `window.zerogradViz`, so a page's
 * own script can, e.g., push numbers into a live dashboard.
 */
import { mountGraph } from '../graph/interactive.js';
import { mountTrainingDashboard } from '../plot/dashboard.js';
import { drawImageGrid } from '../plot/images.js';
import { drawLinePlot } from '../plot/line.js';
import { drawQuiverPlot } from '../plot/quiver.js';
import { type MountedSection, mountSection } from '../render.js';
import type { Section } from '../sections.js';

const api = {
  mountGraph,
  mountSection,
  mountTrainingDashboard,
  drawLinePlot,
  drawQuiverPlot,
  drawImageGrid,
  /** What each page section became, by index (graph views and dashboards can be scripted). */
  mounted: [] as (MountedSection | null)[],
};

(globalThis as unknown as { zerogradViz: typeof api }).zerogradViz = api;

function boot(): void {
  const data = document.getElementById('zg-page-data');
  if (!data) return;
  const page = JSON.parse(data.textContent ?? '{}') as { sections?: Section[] };
  const sections = page.sections ?? [];
  for (const slot of Array.from(document.querySelectorAll<HTMLElement>('[data-zg-section]'))) {
    const index = Number(slot.dataset.zgSection);
    const section = sections[index];
    if (!section) continue;
    try {
      api.mounted[index] = mountSection(slot, section, `zg${index}`);
    } catch (err) {
      api.mounted[index] = null;
      const p = document.createElement('p');
      p.className = 'zg-error';
      p.textContent = `Could not draw this section: ${err instanceof Error ? err.message : String(err)}`;
      slot.appendChild(p);
      console.error(err);
    }
  }
  document.documentElement.dataset.zgReady = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();

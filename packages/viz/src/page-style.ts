import { FONT_SANS } from './text.js';

/** CSS of pages and of mounted views (toolbar, panel, rows). Injected once per document. */
export const PAGE_CSS = `
.zg-page { font-family: ${FONT_SANS}; color: #222; max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; line-height: 1.45; }
.zg-page h1 { font-size: 26px; margin: 8px 0 4px; }
.zg-page h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 1px solid #e3e3e3; padding-bottom: 4px; }
.zg-page h3 { font-size: 16px; margin: 18px 0 6px; }
.zg-page p { margin: 6px 0 10px; max-width: 820px; white-space: pre-line; }
.zg-page nav { font-size: 13px; margin-bottom: 8px; }
.zg-page nav a { color: #2f6db5; }
.zg-section { margin: 10px 0 18px; }
.zg-row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.zg-caption { color: #555; font-size: 13px; }
.zg-error { color: #b00020; font-weight: bold; }
.zg-graph-view { outline: none; }
.zg-graph-view:focus-visible { outline: 2px solid #9db3cf; }
.zg-toolbar { display: flex; gap: 8px; align-items: center; margin: 4px 0 6px; font-size: 13px; flex-wrap: wrap; }
.zg-toolbar button { font: inherit; padding: 3px 10px; border: 1px solid #bbb; border-radius: 4px; background: #f7f7f7; cursor: pointer; }
.zg-toolbar button:disabled { opacity: 0.45; cursor: default; }
.zg-step-status { font-weight: bold; min-width: 6em; }
.zg-step-text { color: #d62728; }
.zg-graph-body { display: flex; gap: 12px; align-items: flex-start; flex-wrap: wrap; }
.zg-graph-canvas { flex: 1 1 480px; min-width: 0; border: 1px solid #e3e3e3; border-radius: 4px; overflow: hidden; }
.zg-graph-canvas svg { display: block; cursor: grab; }
.zg-panel { flex: 0 0 300px; font-size: 12px; border: 1px solid #e3e3e3; border-radius: 4px; padding: 8px 10px; max-height: 560px; overflow: auto; background: #fcfcfc; }
.zg-panel-title { font-weight: bold; font-size: 14px; margin-bottom: 4px; word-break: break-all; }
.zg-facts { margin: 0 0 6px; display: grid; grid-template-columns: auto 1fr; gap: 1px 8px; }
.zg-facts div { display: contents; }
.zg-facts dt { color: #666; }
.zg-facts dd { margin: 0; font-family: monospace; word-break: break-all; }
.zg-tensor { margin-top: 8px; }
.zg-tensor-title { font-weight: bold; }
.zg-tensor-grad .zg-tensor-title { color: #d62728; }
.zg-summary, .zg-head { font-family: monospace; color: #444; margin: 2px 0; }
.zg-tensor-table { border-collapse: collapse; font-family: monospace; margin-top: 3px; }
.zg-tensor-table td { border: 1px solid #e0e0e0; padding: 1px 5px; text-align: right; }
.zg-tensor-grad .zg-tensor-table td { color: #d62728; }
.zg-heatmap { display: block; margin-top: 4px; }
.zg-muted { color: #777; }
.zg-dashboard { display: flex; flex-wrap: wrap; gap: 12px; }
.zg-dashboard-title { flex-basis: 100%; font-weight: bold; }
`;

/** Adds {@link PAGE_CSS} to `doc` unless it is there already. */
export function ensurePageStyles(doc: Document): void {
  if (doc.getElementById('zg-page-style')) return;
  const style = doc.createElement('style');
  style.id = 'zg-page-style';
  style.textContent = PAGE_CSS;
  doc.head.appendChild(style);
}

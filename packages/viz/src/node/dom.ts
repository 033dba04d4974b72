import { createDocument as dominoDocument } from 'domino';

/**
 * A fresh DOM document for rendering in Node (domino: no layout engine, text is measured
 * approximately). Why domino and not linkedom: docs/decisions/0003-publishing.md.
 */
export function createDocument(): Document {
  return dominoDocument('<!DOCTYPE html><html><head></head><body></body></html>');
}

/** Renders with `draw` into a detached `<div>` and returns the div's inner markup. */
export function renderToString(draw: (container: HTMLElement) => void): string {
  const document = createDocument();
  const div = document.createElement('div');
  document.body.appendChild(div);
  draw(div);
  return div.innerHTML;
}

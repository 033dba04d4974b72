import { parseHTML } from 'linkedom';

/** A fresh DOM document for rendering in Node (linkedom: no layout engine, text is measured approximately). */
export function createDocument(): Document {
  const { document } = parseHTML('<!DOCTYPE html><html><head></head><body></body></html>');
  return document as unknown as Document;
}

/** Renders with `draw` into a detached `<div>` and returns the div's inner markup. */
export function renderToString(draw: (container: HTMLElement) => void): string {
  const document = createDocument();
  const div = document.createElement('div');
  document.body.appendChild(div);
  draw(div);
  return div.innerHTML;
}

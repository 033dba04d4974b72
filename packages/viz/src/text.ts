/**
 * Approximate text widths. Node has no layout engine, and the same layout must come out in Node
 * and in the browser, so every width is estimated from per-character advances of a typical
 * sans-serif (Helvetica/Arial metrics) or monospace (0.6 em) font.
 */

/** Font stacks used by every drawing; widths below are estimated for them. */
export const FONT_SANS = 'Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif';
export const FONT_MONO = 'Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

const NARROW = new Set("iljtfI!|.,:;'`()[]{} ");
const WIDE = new Set('mwMW@%');
const CAPITAL = /[A-Z]/;

/** Estimated advance width of `text` in pixels at `fontSize`. */
export function measureText(text: string, fontSize: number, font: 'sans' | 'mono' = 'sans'): number {
  // Wide CJK characters take a full em in either font; DejaVu Sans is wider than Arial, so estimates
  // err on the wide side.
  let em = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x1100 && (code <= 0x115f || (code >= 0x2e80 && code <= 0xffdc))) em += 1;
    else if (font === 'mono') em += 0.61;
    else if (NARROW.has(ch)) em += 0.3;
    else if (WIDE.has(ch)) em += 0.88;
    else if (CAPITAL.test(ch)) em += 0.7;
    else em += 0.58;
  }
  return Math.ceil(em * fontSize);
}

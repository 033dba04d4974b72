import type { TensorValue } from './types.js';

/**
 * Formats a number the way the book prints it: integers as integers, everything else with up to
 * `digits` significant digits and no trailing zeros (`110.00000000000001` → `110`, `2.2` → `2.2`).
 */
export function formatNumber(v: number, digits = 4): string {
  // JSON turns NaN and ±Infinity into null; a snapshot read back from disk may hold it.
  if (v === null || Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const rounded = Number(v.toPrecision(digits));
  const abs = Math.abs(rounded);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) {
    return rounded.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  }
  return String(rounded);
}

/** A shape as the book writes it: `(2, 3)`, `(3,)` for a vector and `()` for a scalar. */
export function formatShape(shape: readonly number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A tensor written on one line (`100`, `[1, 2]`, `[[1, 2], [3, 4]]`) when it has at most
 * `maxValues` entries and is fully known, else null.
 */
export function formatTensorInline(
  value: TensorValue | null,
  shape: readonly number[],
  maxValues = 4,
  digits = 4,
): string | null {
  if (value?.kind !== 'full' || value.data.length > maxValues) return null;
  const data = value.data;
  if (shape.length === 0 || data.length === 1) return formatNumber(data[0] ?? Number.NaN, digits);
  if (shape.length === 1) return `[${data.map((v) => formatNumber(v, digits)).join(', ')}]`;
  if (shape.length === 2) {
    const cols = shape[1] ?? 1;
    const rows: string[] = [];
    for (let r = 0; r < data.length / cols; r++) {
      rows.push(
        `[${data
          .slice(r * cols, r * cols + cols)
          .map((v) => formatNumber(v, digits))
          .join(', ')}]`,
      );
    }
    return `[${rows.join(', ')}]`;
  }
  return `[${data.map((v) => formatNumber(v, digits)).join(', ')}]`;
}

/** Summary statistics line for any tensor value (`min −1.2  max 3.4  mean 0.5`). */
export function formatSummary(value: TensorValue): string {
  if (value.kind === 'summary') {
    const parts = [
      `min ${formatNumber(value.min)}`,
      `max ${formatNumber(value.max)}`,
      `mean ${formatNumber(value.mean)}`,
    ];
    parts.push(`std ${formatNumber(value.std)}`);
    if (value.nonFinite > 0) parts.push(`non-finite ${value.nonFinite}`);
    return parts.join('  ');
  }
  const finite = value.data.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return value.data.length === 0 ? 'empty' : `non-finite ${value.data.length}`;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const parts = [`min ${formatNumber(min)}`, `max ${formatNumber(max)}`, `mean ${formatNumber(sum / finite.length)}`];
  if (finite.length < value.data.length) parts.push(`non-finite ${value.data.length - finite.length}`);
  return parts.join('  ');
}

/**
 * Text for an attribute value. Ids, roles and labels come from data that may be any JSON: `<` and
 * `>` are kept out of attributes, where a standalone SVG (XML) would not even parse them.
 */
export function attrSafe(text: string): string {
  return String(text).replace(/</g, '%3C').replace(/>/g, '%3E');
}

/**
 * What XML 1.0 and HTML cannot hold as text: C0 controls other than tab, newline and carriage
 * return, DEL and the C1 controls, lone surrogates (a UTF-16 half with no partner) and the
 * noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF …). One such character — a NUL in a variable's
 * name — made a whole standalone SVG unparseable.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const NOT_TEXT = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]|\p{Cs}|\p{Noncharacter_Code_Point}/gu;

/**
 * Markup or text made safe for XML and HTML: C0 controls become their visible Control Pictures
 * (NUL → ␀, backspace → ␈, DEL → ␡), so a learner still sees that a name held one; every other
 * character XML forbids becomes U+FFFD (�). Markup itself is untouched (it never uses them).
 */
export function xmlSafe(text: string): string {
  return String(text).replace(NOT_TEXT, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? '\u2421' : '\uFFFD';
  });
}

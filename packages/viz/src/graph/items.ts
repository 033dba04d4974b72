/**
 * What each thing in a drawing is, before it is placed: a variable (an ellipse with its name and
 * shape), an op (a circle with the book's symbol, or a box with its name), or a collapsed scope
 * (a box counting its nodes), each sized for its text.
 */
import { formatShape } from '../format.js';
import { measureText } from '../text.js';
import type { SnapshotNode, SnapshotVariableNode } from '../types.js';
import type { LaidOutNode } from './layout.js';

const NAME_FONT = 13;
const SUB_FONT = 11;
/** Height of one line of label text. */
export const LINE = 15;
const PAD = 10;

/** Book-style symbols for the ops the notes draw as circles. */
const OP_SYMBOLS: Record<string, string> = {
  Add: '+',
  Sub: '−',
  Mul: '×',
  Div: '÷',
  Neg: '−x',
  Exp: 'exp',
  Log: 'log',
  Reciprocal: '1/x',
  Inv: '1/x',
  Square: 'x²',
  Pow: 'xⁿ',
};

/** The label an op node shows (its symbol when the book has one). */
export function opLabel(op: string): string {
  // Own keys only: an op named "constructor" or "toString" is a name, not Object.prototype's.
  return Object.hasOwn(OP_SYMBOLS, op) ? OP_SYMBOLS[op] : op;
}

function variableLabel(node: SnapshotVariableNode): string {
  return node.name ?? '';
}

/** A variable or op node, sized for its label. */
export function nodeItem(node: SnapshotNode): LaidOutNode {
  if (node.kind === 'variable') {
    const label = variableLabel(node);
    const sublabel = formatShape(node.shape);
    const textW = Math.max(measureText(label, NAME_FONT), measureText(sublabel, SUB_FONT, 'mono'));
    const lines = (label ? 1 : 0) + 1;
    // An ellipse's inscribed box is 1/√2 of its bounding box.
    return {
      id: node.id,
      kind: 'variable',
      role: node.role,
      shape: 'ellipse',
      x: 0,
      y: 0,
      width: Math.max(48, Math.ceil(textW * 1.3 + PAD)),
      height: Math.max(32, Math.ceil(lines * LINE * 1.2 + 4)),
      label,
      sublabel,
    };
  }
  const label = opLabel(node.op);
  const textW = measureText(label, NAME_FONT);
  const circle = label.length <= 3;
  const size = Math.max(34, textW + 14);
  return {
    id: node.id,
    kind: 'op',
    role: 'op',
    shape: circle ? 'circle' : 'rect',
    x: 0,
    y: 0,
    width: circle ? size : textW + 2 * PAD,
    height: circle ? size : 30,
    label,
    sublabel: '',
  };
}

/** A collapsed scope, drawn as one box (its width is set once its node count is known). */
export function scopeItem(id: string, label: string): LaidOutNode {
  return { id, kind: 'op', role: 'scope', shape: 'rect', x: 0, y: 0, width: 0, height: 36, label, sublabel: '' };
}

/** Gives a collapsed scope its count of hidden nodes, and the width that text needs. */
export function countMembers(item: LaidOutNode, count: number): void {
  item.sublabel = `${count} nodes`;
  item.width = Math.ceil(Math.max(measureText(item.label, NAME_FONT), measureText(item.sublabel, SUB_FONT)) + 2 * PAD);
}

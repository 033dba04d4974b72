/**
 * Tree → text, with only the parentheses the precedence needs. `parseProgram(printProgram(p))`
 * gives `p` back (a property test holds it), which is what lets the page rewrite a program
 * canonically and what makes the parser's precedence table testable.
 */
import type { Expr, Program } from './ast.js';
import { PRECEDENCE, UNARY_PRECEDENCE } from './parser.js';

const ATOM = 100;

function precedenceOf(e: Expr): number {
  if (e.kind === 'binary') return PRECEDENCE[e.op];
  if (e.kind === 'neg') return UNARY_PRECEDENCE;
  return ATOM;
}

/** Prints an expression; it is wrapped in parentheses when it binds looser than `min`. */
export function printExpr(e: Expr, min = 0): string {
  const text = bare(e);
  return precedenceOf(e) < min ? `(${text})` : text;
}

function bare(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'name':
      return e.name;
    case 'array':
      return `[${e.items.map((x) => printExpr(x)).join(', ')}]`;
    case 'neg':
      return `-${printExpr(e.arg, UNARY_PRECEDENCE)}`;
    case 'binary': {
      const p = PRECEDENCE[e.op];
      // `**` is right-associative and its right side may be a unary minus; the others are left-associative.
      if (e.op === '**') return `${printExpr(e.left, p + 1)} ** ${printExpr(e.right, UNARY_PRECEDENCE)}`;
      return `${printExpr(e.left, p)} ${e.op} ${printExpr(e.right, p + 1)}`;
    }
    case 'call': {
      const args = [...e.args.map((a) => printExpr(a)), ...e.keywords.map((k) => `${k.name}=${printExpr(k.value)}`)];
      return `${e.callee}(${args.join(', ')})`;
    }
  }
}

/** Prints a program, one assignment per line. */
export function printProgram(p: Program): string {
  return p.statements.map((s) => `${s.name} = ${printExpr(s.value)}`).join('\n');
}

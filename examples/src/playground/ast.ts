/**
 * The playground's little language, as data. A program is a list of assignments; the parser
 * (`parser.ts`) makes these nodes from text and the printer (`print.ts`) makes text from them,
 * and the property test holds that printing then parsing gives back the same tree.
 */
import { ZerogradError } from '@zerograd/core';

/** The binary operators, loosest first: `+ -`, then `* / @`, then `**` (right-associative). */
export type BinaryOp = '+' | '-' | '*' | '/' | '@' | '**';

/** An expression: a number, a name, a nested array, `-x`, `a op b` or a call `f(x, axis=0)`. */
export type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'array'; readonly items: readonly Expr[] }
  | { readonly kind: 'neg'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | {
      readonly kind: 'call';
      readonly callee: string;
      readonly args: readonly Expr[];
      /** Keyword arguments in the order written: `seed=1`, `axis=0`. */
      readonly keywords: readonly { readonly name: string; readonly value: Expr }[];
    };

/** `name = value`, written on line `line` (1-based) of the program. */
export interface Assignment {
  readonly name: string;
  readonly value: Expr;
  readonly line: number;
}

/** A whole program: its assignments in order. The last one is the output. */
export interface Program {
  readonly statements: readonly Assignment[];
}

/**
 * Why a program was refused — by the parser (bad syntax) or by the evaluator (an unknown name, a
 * shape that does not fit) — and where: `line` and `column` are 1-based and point at the token
 * (or the statement) at fault, so the page can say "line 2, column 7".
 */
export class ProgramError extends ZerogradError {
  /** 1-based line of the fault. */
  readonly line: number;
  /** 1-based column of the fault. */
  readonly column: number;
  /** The message without the position prefix. */
  readonly reason: string;
  constructor(op: string, reason: string, line: number, column: number) {
    super(op, `line ${line}, column ${column}: ${reason}`);
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

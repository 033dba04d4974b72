/**
 * A Pratt parser for the playground's language (grammar in README.md). Each binary operator has
 * a binding power; `parseExpr(min)` reads a prefix (a number, a name, a call, `(…)`, `[…]` or
 * unary minus) and then keeps folding in operators that bind at least as tightly as `min`.
 * That one loop gives precedence and associativity — `**` is the only right-associative one, and
 * unary minus binds looser than `**`, as in Python and maths (`-x**2` is `-(x**2)`).
 *
 * Why hand-written and not a parser library: see docs/decisions/0012-playground.md.
 */
import { type Assignment, type BinaryOp, type Expr, type Program, ProgramError } from './ast.js';
import { type Token, tokenize } from './lexer.js';

/** Binding powers: a higher number binds tighter. */
export const PRECEDENCE: Readonly<Record<BinaryOp, number>> = { '+': 10, '-': 10, '*': 20, '/': 20, '@': 20, '**': 40 };
/** Unary minus sits between `* / @` and `**`. */
export const UNARY_PRECEDENCE = 30;
/** Deeper nesting is refused with a `ProgramError` rather than overflowing the JS stack. */
export const MAX_DEPTH = 200;

/** Parses a whole program; every failure is a `ProgramError` with the line and column at fault. */
export function parseProgram(source: string): Program {
  if (typeof source !== 'string') throw new ProgramError('parse', 'the program must be text', 1, 1);
  return new Parser(tokenize(source)).program();
}

/** Parses one expression (the whole text must be that expression). */
export function parseExpression(source: string): Expr {
  const parser = new Parser(tokenize(source));
  const expr = parser.expr(0);
  parser.expectEnd();
  return expr;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }
  private fail(t: Token, reason: string): never {
    throw new ProgramError('parse', reason, t.line, t.column);
  }
  private expectOp(text: string, what: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) this.fail(t, `expected "${text}" ${what}, found ${describe(t)}`);
  }

  program(): Program {
    const statements: Assignment[] = [];
    for (;;) {
      while (this.peek().kind === 'newline') this.next();
      if (this.peek().kind === 'end') break;
      statements.push(this.assignment());
      const t = this.peek();
      if (t.kind !== 'newline' && t.kind !== 'end') this.fail(t, `expected the end of the line, found ${describe(t)}`);
    }
    if (statements.length === 0)
      this.fail(this.peek(), 'the program is empty: write at least one assignment, e.g. "y = 2 * 3"');
    return { statements };
  }

  private assignment(): Assignment {
    const name = this.next();
    if (name.kind !== 'name') this.fail(name, `expected a name to assign to (as in "x = 1"), found ${describe(name)}`);
    this.expectOp('=', `after "${name.text}"`);
    return { name: name.text, value: this.expr(0), line: name.line };
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'end') this.fail(t, `expected the end of the input, found ${describe(t)}`);
  }

  expr(min: number): Expr {
    if (++this.depth > MAX_DEPTH) this.fail(this.peek(), `expression nested more than ${MAX_DEPTH} levels deep`);
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' && t.text in PRECEDENCE ? (t.text as BinaryOp) : null;
      if (op === null || PRECEDENCE[op] < min) break;
      this.next();
      // Left-associative operators parse their right side one power higher; `**` parses it at the
      // unary level, which both makes it right-associative and allows `2 ** -1`.
      const right = this.expr(op === '**' ? UNARY_PRECEDENCE : PRECEDENCE[op] + 1);
      left = { kind: 'binary', op, left, right };
    }
    this.depth--;
    return left;
  }

  private prefix(): Expr {
    const t = this.next();
    if (t.kind === 'number') {
      const value = Number(t.text);
      if (!Number.isFinite(value)) this.fail(t, `the number ${t.text} is too large`);
      return { kind: 'number', value };
    }
    if (t.kind === 'name') return this.peekIs('(') ? this.call(t) : { kind: 'name', name: t.text };
    if (t.kind === 'op' && t.text === '-') return { kind: 'neg', arg: this.expr(UNARY_PRECEDENCE) };
    if (t.kind === 'op' && t.text === '(') {
      const inner = this.expr(0);
      this.expectOp(')', `to close the "(" at line ${t.line}, column ${t.column}`);
      return inner;
    }
    if (t.kind === 'op' && t.text === '[') {
      const items = this.list(']', () => this.expr(0));
      return { kind: 'array', items };
    }
    return this.fail(t, `expected a number, a name, "(", "[" or "-", found ${describe(t)}`);
  }

  private peekIs(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  /** Items separated by commas up to `close` (a trailing comma is allowed). */
  private list<T>(close: string, item: () => T): T[] {
    const items: T[] = [];
    while (!this.peekIs(close)) {
      items.push(item());
      if (!this.peekIs(',')) break;
      this.next();
    }
    this.expectOp(close, 'to close the list');
    return items;
  }

  private call(callee: Token): Expr {
    this.next(); // "("
    const args: Expr[] = [];
    const keywords: { name: string; value: Expr }[] = [];
    this.list(')', () => {
      const t = this.peek();
      const after = this.tokens[this.pos + 1];
      if (t.kind === 'name' && after?.kind === 'op' && after.text === '=') {
        this.next();
        this.next();
        if (keywords.some((k) => k.name === t.text)) this.fail(t, `keyword "${t.text}" given twice`);
        keywords.push({ name: t.text, value: this.expr(0) });
      } else {
        if (keywords.length > 0) this.fail(t, 'a positional argument cannot follow a keyword argument');
        args.push(this.expr(0));
      }
    });
    return { kind: 'call', callee: callee.text, args, keywords };
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return 'the end of the program';
  if (t.kind === 'newline') return t.text === ';' ? '";"' : 'the end of the line';
  return `"${t.text}"`;
}

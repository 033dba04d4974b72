/**
 * Text → tokens, each with its line and column. Numbers are unsigned (`-2` is the unary minus
 * applied to `2`), names are letters, digits and `_`, `#` starts a comment to the end of the line,
 * and a newline or `;` ends a statement.
 */
import { ProgramError } from './ast.js';

/** What a token is. `end` is one past the last character; `newline` covers `\n` and `;`. */
export type TokenKind = 'number' | 'name' | 'op' | 'newline' | 'end';

/** One token: its kind, its text and where it starts (1-based line and column). */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** Longest first, so `**` is not read as two `*`. */
const OPERATORS = ['**', '+', '-', '*', '/', '@', '(', ')', '[', ']', ',', '='];

/** Splits `source` into tokens; throws a `ProgramError` at the first character it cannot read. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let column = 1;
  let i = 0;
  const push = (kind: TokenKind, text: string) => {
    tokens.push({ kind, text, line, column });
    i += text.length;
    column += text.length;
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\n') {
      push('newline', '\n');
      line++;
      column = 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      column++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') {
        i++;
        column++;
      }
      continue;
    }
    if (c === ';') {
      push('newline', ';');
      continue;
    }
    const rest = source.slice(i, i + 400);
    const number = NUMBER.exec(rest);
    if (number) {
      // `2x` or `1.5.2` would otherwise read as two tokens silently.
      const after = source[i + number[0].length];
      if (after !== undefined && /[A-Za-z0-9_.]/.test(after)) {
        throw new ProgramError('parse', `malformed number "${number[0]}${after}"`, line, column);
      }
      push('number', number[0]);
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      push('name', name[0]);
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      push('op', op);
      continue;
    }
    const shown = JSON.stringify(String.fromCodePoint(source.codePointAt(i) as number));
    throw new ProgramError('parse', `unexpected character ${shown}`, line, column);
  }
  tokens.push({ kind: 'end', text: '', line, column });
  return tokens;
}

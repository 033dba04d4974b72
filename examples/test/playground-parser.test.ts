import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Assignment, type BinaryOp, type Expr, type Program, ProgramError } from '../src/playground/ast.js';
import { tokenize } from '../src/playground/lexer.js';
import { MAX_DEPTH, parseExpression, parseProgram } from '../src/playground/parser.js';
import { printExpr, printProgram } from '../src/playground/print.js';

const nameArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
// Non-negative doubles (a literal has no sign: `-2` is unary minus of 2), -0 read as 0.
const numberArb = fc
  .oneof(fc.nat(1000), fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }))
  .map((v) => (Object.is(v, -0) ? 0 : v));
const opArb = fc.constantFrom<BinaryOp>('+', '-', '*', '/', '@', '**');

const { expr: exprArb } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberArb.map((value): Expr => ({ kind: 'number', value })),
    nameArb.map((name): Expr => ({ kind: 'name', name })),
    fc.array(tie('expr'), { maxLength: 3 }).map((items): Expr => ({ kind: 'array', items })),
    tie('expr').map((arg): Expr => ({ kind: 'neg', arg })),
    fc.record({ op: opArb, left: tie('expr'), right: tie('expr') }).map((b): Expr => ({ kind: 'binary', ...b })),
    fc
      .record({
        callee: nameArb,
        args: fc.array(tie('expr'), { maxLength: 3 }),
        keywords: fc.uniqueArray(fc.record({ name: nameArb, value: tie('expr') }), {
          maxLength: 2,
          selector: (k) => k.name,
        }),
      })
      .map((c): Expr => ({ kind: 'call', ...c })),
  ),
}));

const programArb = fc
  .array(fc.record({ name: nameArb, value: exprArb }), { minLength: 1, maxLength: 4 })
  .map((list): Program => ({ statements: list.map((s, i): Assignment => ({ ...s, line: i + 1 })) }));

describe('the playground parser', () => {
  it('printing a random program and parsing it back gives the same tree', () => {
    fc.assert(
      fc.property(programArb, (program) => {
        expect(parseProgram(printProgram(program))).toEqual(program);
      }),
      { numRuns: 400 },
    );
  });

  it('random text never throws anything but a ProgramError with a line and column inside the text', () => {
    const tokenish = fc.constantFrom(
      'x',
      'W',
      '=',
      '(',
      ')',
      '[',
      ']',
      '1',
      '2.5',
      '1e-3',
      '+',
      '-',
      '*',
      '**',
      '/',
      '@',
      ',',
      ' ',
      '\n',
      ';',
      'exp',
      'randn',
      'seed=',
      '#',
      '.',
      '=)',
      '__proto__',
      'é',
      '\u{1F600}',
      '\t',
    );
    const textArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.array(tokenish, { maxLength: 40 }).map((t) => t.join('')),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        try {
          parseProgram(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ProgramError);
          const e = err as ProgramError;
          const lines = text.split('\n');
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.line).toBeLessThanOrEqual(lines.length);
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeLessThanOrEqual((lines[e.line - 1] as string).length + 1);
          expect(e.message).toContain(`line ${e.line}, column ${e.column}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('binds as Python does: ** tightest and to the right, unary minus below it, then * / @, then + -', () => {
    const show = (s: string) => printExpr(parseExpression(s), 101); // fully bracketed below atoms
    expect(show('1 + 2 * 3')).toBe('(1 + 2 * 3)');
    expect(parseExpression('1 + 2 * 3')).toEqual({
      kind: 'binary',
      op: '+',
      left: { kind: 'number', value: 1 },
      right: { kind: 'binary', op: '*', left: { kind: 'number', value: 2 }, right: { kind: 'number', value: 3 } },
    });
    expect(parseExpression('-x ** 2')).toEqual({
      kind: 'neg',
      arg: { kind: 'binary', op: '**', left: { kind: 'name', name: 'x' }, right: { kind: 'number', value: 2 } },
    });
    const pow = parseExpression('a ** b ** c');
    expect(pow).toMatchObject({ op: '**', left: { name: 'a' }, right: { op: '**', left: { name: 'b' } } });
    const sub = parseExpression('a - b - c');
    expect(sub).toMatchObject({ op: '-', left: { op: '-', left: { name: 'a' } }, right: { name: 'c' } });
    expect(parseExpression('2 ** -x')).toMatchObject({ op: '**', right: { kind: 'neg' } });
    expect(parseExpression('x @ W + b')).toMatchObject({ op: '+', left: { op: '@' }, right: { name: 'b' } });
    expect(printExpr(parseExpression('(a + b) * (c - d)'))).toBe('(a + b) * (c - d)');
    expect(printExpr(parseExpression('(-x) ** 2'))).toBe('(-x) ** 2');
  });

  it('reads calls with positional and keyword arguments, nested arrays, comments and ;', () => {
    const p = parseProgram('# leaves\nW = randn(3, 4, seed=1)  # comment\nb = [[1, -2], [3, 4],]; y = sum(W, axis=0)');
    expect(p.statements.map((s) => [s.name, s.line])).toEqual([
      ['W', 2],
      ['b', 3],
      ['y', 3],
    ]);
    expect(p.statements[0]?.value).toEqual({
      kind: 'call',
      callee: 'randn',
      args: [
        { kind: 'number', value: 3 },
        { kind: 'number', value: 4 },
      ],
      keywords: [{ name: 'seed', value: { kind: 'number', value: 1 } }],
    });
    expect(p.statements[1]?.value).toMatchObject({ kind: 'array', items: [{ kind: 'array' }, { kind: 'array' }] });
  });

  it('reports the line and column of the fault', () => {
    const at = (src: string) => {
      try {
        parseProgram(src);
      } catch (err) {
        const e = err as ProgramError;
        return [e.line, e.column, e.reason];
      }
      throw new Error('expected a ProgramError');
    };
    expect(at('x = 1\ny = (2 +')).toEqual([
      2,
      9,
      'expected a number, a name, "(", "[" or "-", found the end of the program',
    ]);
    expect(at('x = 1\n  y = 2x')).toEqual([2, 7, 'malformed number "2x"']);
    expect(at('x = 1 $')).toEqual([1, 7, 'unexpected character "$"']);
    expect(at('x = (1\ny = 2')).toEqual([
      1,
      7,
      'expected ")" to close the "(" at line 1, column 5, found the end of the line',
    ]);
    expect(at('1 = x')[2]).toContain('expected a name to assign to');
    expect(at('x = f(a=1, 2)')[2]).toBe('a positional argument cannot follow a keyword argument');
    expect(at('x = f(a=1, a=2)')[2]).toBe('keyword "a" given twice');
    expect(at('\n\n')).toEqual([3, 1, expect.stringContaining('the program is empty')]);
  });

  it('refuses nesting deeper than MAX_DEPTH with its own error, not a stack overflow', () => {
    const deep = `x = ${'('.repeat(MAX_DEPTH + 5)}1${')'.repeat(MAX_DEPTH + 5)}`;
    expect(() => parseProgram(deep)).toThrow(ProgramError);
    expect(() => parseProgram(`x = ${'-'.repeat(100_000)}1`)).toThrow(/nested more than 200/);
    const ok = `x = ${'('.repeat(50)}1${')'.repeat(50)}`;
    expect(parseProgram(ok).statements[0]?.value).toEqual({ kind: 'number', value: 1 });
  });

  it('tokenizes numbers in every form the printer writes', () => {
    const texts = tokenize('0.5 .5 5. 1e21 1e+21 5e-324 1.7976931348623157e+308').map((t) => t.text);
    expect(texts).toEqual(['0.5', '.5', '5.', '1e21', '1e+21', '5e-324', '1.7976931348623157e+308', '']);
  });
});

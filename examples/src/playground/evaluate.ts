/**
 * Runs a parsed program with zerograd's ops. An assignment whose right side names no variable
 * (`x = 0.5`, `W = [[1, 2], [3, 4]]`, `b = randn(3, seed=1)`) makes a **leaf**: data that a
 * gradient flows back to. Every other assignment is computed from earlier names with ops, so it
 * becomes part of the graph. The last assignment is the output.
 *
 * A program is data, never code: names are looked up in the program's own assignments and in
 * `FUNCTIONS`, nothing else (no `eval`, no `Function`, no property of a JS object).
 */

import type * as core from '@zerograd/core';
import {
  add,
  div,
  fromArray,
  matmul,
  mul,
  neg,
  noGrad,
  type Operand,
  pow,
  sub,
  Tensor,
  Variable,
  ZerogradError,
} from '@zerograd/core';
import { type Expr, type Program, ProgramError } from './ast.js';
import { FUNCTIONS, type PlaygroundFunction } from './functions.js';

/** A leaf of the program: its name, its line and its starting value. */
export interface Leaf {
  readonly name: string;
  readonly line: number;
  readonly value: Tensor;
}

/** A program checked and ready to run as many times as needed (gradients, numerical gradients). */
export interface CompiledProgram {
  readonly program: Program;
  /** The leaves, in the order they are assigned. */
  readonly leaves: readonly Leaf[];
  /** The name of the last assignment, the output. */
  readonly outputName: string;
  /** Runs the program with one Variable (or Tensor) per leaf, in order, and returns the output. */
  run(leaves: readonly (Variable | Tensor)[]): Variable;
}

type Value = number | Tensor | Variable;
type Env = ReadonlyMap<string, Value>;

const BINARY = { '+': add, '-': sub, '*': mul, '/': div, '@': (a: Operand, b: Operand) => matmul(a, b), '**': pow };

/** Checks names and calls, computes the leaves, and returns the runnable program. */
export function compileProgram(program: Program): CompiledProgram {
  const defined = new Set<string>();
  const leaves: Leaf[] = [];
  const isLeaf: boolean[] = [];
  for (const s of program.statements) {
    const used = namesIn(s.value);
    const unknown = used.find((n) => !defined.has(n));
    if (unknown !== undefined) {
      throw new ProgramError('evaluate', `"${unknown}" is not defined before this line`, s.line, 1);
    }
    if (used.length === 0) {
      const value = atLine(s.line, () => noGrad(() => evaluate(s.value, new Map())));
      const tensor = value instanceof Variable ? value.data : value instanceof Tensor ? value : fromArray(value);
      leaves.push({ name: s.name, line: s.line, value: tensor.astype('float64') });
    }
    isLeaf.push(used.length === 0);
    defined.add(s.name);
  }
  const last = program.statements[program.statements.length - 1];
  if (!last) throw new ProgramError('evaluate', 'the program is empty', 1, 1);
  return {
    program,
    leaves,
    outputName: last.name,
    run(values) {
      if (values.length !== leaves.length) {
        throw new ProgramError('evaluate', `expected ${leaves.length} leaf values, got ${values.length}`, 1, 1);
      }
      const env = new Map<string, Value>();
      let k = 0;
      let output: Value = 0;
      for (const [i, s] of program.statements.entries()) {
        const value = isLeaf[i] ? (values[k++] as Value) : atLine(s.line, () => evaluate(s.value, env));
        // Names make the graph readable: the variable computed by `h = …` is drawn as h.
        if (value instanceof Variable && value.name === null) value.name = s.name;
        env.set(s.name, value);
        output = value;
      }
      return output instanceof Variable ? output : new Variable(output instanceof Tensor ? output : fromArray(output));
    },
  };
}

/** Runs `f`, turning zerograd's own errors (a shape that does not fit …) into a `ProgramError` at `line`. */
function atLine<T>(line: number, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ProgramError) throw new ProgramError(err.op, err.reason, line, err.column);
    if (err instanceof ZerogradError) throw new ProgramError('evaluate', err.message, line, 1);
    throw err;
  }
}

/** The variable names an expression reads (function names excluded). */
export function namesIn(e: Expr): string[] {
  switch (e.kind) {
    case 'number':
      return [];
    case 'name':
      return [e.name];
    case 'array':
      return e.items.flatMap(namesIn);
    case 'neg':
      return namesIn(e.arg);
    case 'binary':
      return [...namesIn(e.left), ...namesIn(e.right)];
    case 'call':
      return [...e.args.flatMap(namesIn), ...e.keywords.flatMap((k) => namesIn(k.value))];
  }
}

function fail(reason: string): never {
  throw new ProgramError('evaluate', reason, 1, 1);
}

function evaluate(e: Expr, env: Env): Value {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'name':
      return env.get(e.name) ?? fail(`"${e.name}" is not defined`);
    case 'array':
      return fromArray(nested(e) as core.NestedArray);
    case 'neg': {
      const x = evaluate(e.arg, env);
      return typeof x === 'number' ? -x : neg(x);
    }
    case 'binary':
      return BINARY[e.op](evaluate(e.left, env), evaluate(e.right, env));
    case 'call':
      return call(e, env);
  }
}

/** A nested array literal as plain numbers; its items must be numbers (or `-` numbers). */
function nested(e: Expr): number | unknown[] {
  if (e.kind === 'array') return e.items.map(nested);
  return plainNumber(e, 'an array item');
}

function plainNumber(e: Expr, what: string): number {
  if (e.kind === 'number') return e.value;
  if (e.kind === 'neg') return -plainNumber(e.arg, what);
  return fail(`${what} must be a plain number`);
}

function call(e: Extract<Expr, { kind: 'call' }>, env: Env): Value {
  // Own properties only: `constructor(x)` or `__proto__(x)` must not reach Object.prototype.
  const f: PlaygroundFunction | undefined = Object.hasOwn(FUNCTIONS, e.callee) ? FUNCTIONS[e.callee] : undefined;
  if (!f) fail(`unknown function "${e.callee}"; known: ${Object.keys(FUNCTIONS).join(', ')}`);
  if (e.args.length < f.tensors) {
    fail(`${e.callee} takes ${f.tensors} tensor argument${f.tensors === 1 ? '' : 's'}, got ${e.args.length}`);
  }
  if (e.args.length > f.tensors && !f.sizes) fail(`${e.callee} takes ${f.tensors} argument(s), got ${e.args.length}`);
  const tensors = e.args.slice(0, f.tensors).map((a) => evaluate(a, env) as Operand);
  // Sizes may be written out (`reshape(x, 2, 3)`) or as one list (`reshape(x, [2, 3])`).
  const sizes = e.args.slice(f.tensors).flatMap((a) => {
    const n = a.kind === 'array' ? nested(a) : plainNumber(a, `a size of ${e.callee}`);
    return Array.isArray(n) ? n.flat(Number.POSITIVE_INFINITY) : [n];
  }) as number[];
  const keywords: Record<string, number> = {};
  for (const k of e.keywords) {
    if (!f.keywords.includes(k.name)) {
      fail(`${e.callee} has no keyword "${k.name}"${f.keywords.length ? ` (it knows ${f.keywords.join(', ')})` : ''}`);
    }
    keywords[k.name] = plainNumber(k.value, `${k.name}=`);
  }
  return f.apply(tensors, sizes, keywords);
}

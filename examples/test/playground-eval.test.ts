import { Random } from '@zerograd/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseProgram } from '../src/playground/analyse.js';
import { ProgramError } from '../src/playground/ast.js';

const leaf = (source: string, name: string, secondOrder = false) => {
  const found = analyseProgram(source, { secondOrder }).leaves.find((l) => l.name === name);
  if (!found) throw new Error(`no leaf ${name}`);
  return found;
};
const errorOf = (source: string): ProgramError => {
  try {
    analyseProgram(source);
  } catch (err) {
    if (err instanceof ProgramError) return err;
    throw err;
  }
  throw new Error('expected a ProgramError');
};

describe('running a playground program', () => {
  it('gives the first and second derivative of x·tanh(x) that calculus gives', () => {
    const x = 2;
    const t = Math.tanh(x);
    const s2 = 1 - t * t; // sech²
    const l = leaf('x = 2\ny = x * tanh(x)', 'x', true);
    expect(l.gradient[0]).toBeCloseTo(t + x * s2, 12);
    expect(l.second?.[0]).toBeCloseTo(2 * s2 * (1 - x * t), 12);
    expect(l.numerical[0]).toBeCloseTo(t + x * s2, 7);
    expect(l.gradcheck.ok).toBe(true);
  });

  it('differentiates a small layer: the gradients are the hand-derived ones', () => {
    const src =
      'x = [[0.5, -1.2, 0.3]]\nW = randn(3, 2, seed=1)\nb = [0.1, -0.2]\nh = tanh(x @ W + b)\ny = sum(h ** 2) / 2';
    const a = analyseProgram(src);
    const W = Array.from(new Random(1).randn([3, 2]).data as Float64Array);
    const x = [0.5, -1.2, 0.3];
    const b = [0.1, -0.2];
    const h = [0, 1].map((j) => Math.tanh(x.reduce((s, xi, i) => s + xi * (W[i * 2 + j] as number), b[j] as number)));
    const dz = h.map((hj) => hj * (1 - hj * hj)); // d(½Σh²)/dz = h·(1 − h²)
    const byName = Object.fromEntries(a.leaves.map((l) => [l.name, l]));
    expect(a.leaves.map((l) => l.name)).toEqual(['x', 'W', 'b']);
    expect(byName.W?.value).toEqual(W);
    expect(a.output).toEqual({
      name: 'y',
      shape: [],
      summed: false,
      value: expect.closeTo((h[0] ** 2 + h[1] ** 2) / 2, 14),
    });
    byName.b?.gradient.forEach((g, j) => expect(g).toBeCloseTo(dz[j] as number, 14));
    byName.W?.gradient.forEach((g, k) =>
      expect(g).toBeCloseTo((x[Math.floor(k / 2)] as number) * (dz[k % 2] as number), 14),
    );
    byName.x?.gradient.forEach((g, i) =>
      expect(g).toBeCloseTo(
        (W[i * 2] as number) * (dz[0] as number) + (W[i * 2 + 1] as number) * (dz[1] as number),
        14,
      ),
    );
    for (const l of a.leaves) {
      expect(l.gradcheck.ok, l.name).toBe(true);
      l.numerical.forEach((n, k) => expect(n).toBeCloseTo(l.gradient[k] as number, 7));
    }
    // The replay: a seed step plus one step per op, the last with every gradient known.
    expect(a.steps.length).toBe(7);
    expect(a.steps[0]?.step?.op).toBeNull();
  });

  it('sums an output that is not a scalar, and says so', () => {
    const a = analyseProgram('x = [1, 2, 3]\ny = x * x');
    expect(a.output).toEqual({ name: 'y', shape: [3], summed: true, value: 14 });
    expect(a.leaves[0]?.gradient).toEqual([2, 4, 6]);
  });

  it('makes a leaf of every assignment that names no variable, and zeros for one that does not reach the output', () => {
    const a = analyseProgram('a = 2 * 3\nunused = -1.5\nb = a ** 2\nc = b / 4');
    expect(a.leaves.map((l) => [l.name, l.value])).toEqual([
      ['a', [6]],
      ['unused', [-1.5]],
    ]);
    expect(a.leaves[0]?.gradient).toEqual([3]); // d(a²/4)/da = a/2
    expect(a.leaves[1]?.gradient).toEqual([0]);
  });

  it('knows softmax, reshape, transpose, mean and keyword axes', () => {
    const l = leaf('x = [1, 2, 3]\np = softmax(x)\ny = sum(p * [1, 0, 0])', 'x');
    const e = [1, 2, 3].map(Math.exp);
    const p = e.map((v) => v / (e[0] + e[1] + e[2]));
    l.gradient.forEach((g, i) => expect(g).toBeCloseTo((p[0] as number) * ((i === 0 ? 1 : 0) - (p[i] as number)), 14));
    const m = analyseProgram('x = [[1, 2], [3, 4]]\ny = mean(transpose(reshape(x, 4, 1)) * 2, axis=1)');
    expect(m.output).toMatchObject({ shape: [1], summed: true, value: 5 });
    expect(m.leaves[0]?.gradient).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('says every second derivative is 0 when the output is linear in the leaves', () => {
    const a = analyseProgram('x = [1, 2]\ny = sum(3 * x)', { secondOrder: true });
    expect(a.secondOrder?.constant).toBe(true);
    expect(a.leaves[0]?.second).toEqual([0, 0]);
  });

  it('refuses unknown names and functions, prototype names included, with the line', () => {
    expect(errorOf('x = 1\ny = z + x')).toMatchObject({ line: 2, reason: '"z" is not defined before this line' });
    for (const name of ['constructor', '__proto__', 'toString', 'eval', 'Function']) {
      expect(errorOf(`x = 1\n\ny = ${name}(x)`)).toMatchObject({
        line: 3,
        reason: expect.stringContaining(`unknown function "${name}"`),
      });
    }
    expect(errorOf('x = [1, y]').reason).toContain('not defined');
    expect(errorOf('x = 1\ny = sum(x, axis=x)').reason).toBe('axis= must be a plain number');
    expect(errorOf('x = 1\ny = exp(x, seed=1)').reason).toContain('exp has no keyword "seed"');
  });

  it("turns zerograd's own errors (shapes that do not fit) into a ProgramError at the statement's line", () => {
    const e = errorOf('a = [1, 2]\nb = [[1], [2], [3]]\nc = a @ b');
    expect(e.line).toBe(3);
    expect(e.reason).toContain('MatMul');
    expect(errorOf('x = [[1, 2], [3]]').reason).toMatch(/ragged|shape/i);
  });

  it('random programs over the language alphabet throw nothing but ProgramError', () => {
    const piece = fc.constantFrom(
      'x = ',
      'y = ',
      '\n',
      'x',
      'y',
      '1',
      '0',
      '-',
      '+',
      '*',
      '/',
      '@',
      '**',
      '(',
      ')',
      '[',
      ']',
      ', ',
      'exp(',
      'log(',
      'sum(',
      'reshape(',
      'softmax(',
      'randn(',
      'transpose(',
      'axis=',
      'seed=',
      '2',
      '[1, 2]',
      '[[1, 2], [3, 4]]',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (parts) => {
        try {
          analyseProgram(parts.join(''));
        } catch (err) {
          expect(err).toBeInstanceOf(ProgramError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

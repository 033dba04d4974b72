// Random small graphs for the snapshot properties: leaves of one shape (inputs, parameters,
// constants), a chain of elementwise, broadcasting and reducing ops over any earlier variable,
// scopes, names made of any UTF-16 code units (controls, lone surrogates), values that go NaN or
// infinite (log and sqrt of negatives, exp of large numbers), backward run or not, and a full
// limit that sends some tensors to summaries. Shared by core's and viz's snapshot tests.
import {
  add,
  div,
  exp,
  fromArray,
  type GraphSnapshot,
  log,
  maximum,
  mul,
  neg,
  parameter,
  relu,
  scope,
  sigmoid,
  sqrt,
  sub,
  sum,
  tanh,
  type Variable,
  variable,
} from '@zerograd/core';
import * as fc from 'fast-check';

const UNARY = { exp, log, neg, relu, sigmoid, sqrt, tanh, sum: (x: Variable) => sum(x) };
const BINARY = { add, div, maximum, mul, sub };
type OpName = keyof typeof UNARY | keyof typeof BINARY;

/** Any string of UTF-16 code units: NUL, controls, U+FFFE, lone surrogates, markup. */
export const anyText = (maxLength = 6): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength }),
    fc.constantFrom('x', 'W', '<b>&amp;</b>', '\u0000', '\u0008', '\uFFFE', '\uD800', '\uDC00x', ']]>', '"\''),
  );

/** What to build; `build` turns it into variables. */
export interface GraphPlan {
  shape: number[];
  dtype: 'float32' | 'float64';
  leaves: { values: number[]; name: string | null; kind: 'input' | 'parameter' | 'constant' }[];
  steps: { op: OpName; a: number; b: number; scope: string | null; name: string | null }[];
  backward: boolean;
  fullLimit: number;
}

export const graphPlanArb: fc.Arbitrary<GraphPlan> = fc
  .record({
    shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
    dtype: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
    leafCount: fc.integer({ min: 1, max: 3 }),
    seedValues: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 30, maxLength: 30 }),
    names: fc.array(fc.option(anyText(), { nil: null }), { minLength: 3, maxLength: 3 }),
    kinds: fc.array(fc.constantFrom<'input' | 'parameter' | 'constant'>('input', 'parameter', 'constant'), {
      minLength: 3,
      maxLength: 3,
    }),
    steps: fc.array(
      fc.record({
        op: fc.constantFrom<OpName>(...(Object.keys(UNARY) as OpName[]), ...(Object.keys(BINARY) as OpName[])),
        a: fc.nat(20),
        b: fc.nat(20),
        scope: fc.option(anyText(4), { nil: null }),
        name: fc.option(anyText(), { nil: null }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    backward: fc.boolean(),
    fullLimit: fc.constantFrom(0, 1, 4, 64),
  })
  .map(({ shape, dtype, leafCount, seedValues, names, kinds, steps, backward, fullLimit }) => {
    const size = shape.reduce((p, q) => p * q, 1);
    const leaves = Array.from({ length: leafCount }, (_, i) => ({
      values: seedValues.slice(i * 9, i * 9 + size),
      name: names[i],
      kind: kinds[i],
    }));
    return { shape, dtype, leaves, steps, backward, fullLimit };
  });

/** The graph a plan describes; returns its output (summed to a scalar when backward runs). */
export function build(plan: GraphPlan): Variable {
  const vars: Variable[] = plan.leaves.map((l) => {
    const data = fromArray(Float64Array.from(l.values), { shape: plan.shape, dtype: plan.dtype });
    if (l.kind === 'parameter') return parameter(data, l.name ?? undefined);
    return variable(data, { name: l.name, requiresGrad: l.kind === 'input' });
  });
  for (const s of plan.steps) {
    const x = vars[s.a % vars.length];
    const y = vars[s.b % vars.length];
    const run = () =>
      s.op in UNARY ? UNARY[s.op as keyof typeof UNARY](x) : BINARY[s.op as keyof typeof BINARY](x, y);
    const out = s.scope === null ? run() : scope(s.scope, run);
    if (s.name !== null) out.name = s.name;
    vars.push(out);
  }
  const last = vars[vars.length - 1];
  if (!plan.backward) return last;
  const y = sum(last);
  if (y.requiresGrad) y.backward();
  return y;
}

/** The snapshot of a plan's graph (traceGraph with the plan's full limit). */
export function snapshotOf(plan: GraphPlan, trace: (y: Variable, o: { fullLimit: number }) => GraphSnapshot) {
  return trace(build(plan), { fullLimit: plan.fullLimit });
}

// The graph as data: traceGraph and backwardSteps produce plain, frozen, JSON-safe snapshots
// with stable ids, scopes and value summaries; backward steps share structure.
import {
  add,
  backwardSteps,
  type GraphSnapshot,
  matmul,
  mul,
  parameter,
  Random,
  type SnapshotVariableNode,
  scope,
  sigmoid,
  sum,
  tanh,
  traceGraph,
  type Variable,
  variable,
} from '@zerograd/core';
import { describe, expect, it } from 'vitest';

function deeplyFrozen(value: unknown, path = 'snapshot'): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (!Object.isFrozen(value)) return path;
  for (const [k, v] of Object.entries(value)) {
    const bad = deeplyFrozen(v, `${path}.${k}`);
    if (bad) return bad;
  }
  return null;
}

const variables = (s: GraphSnapshot) => s.nodes.filter((n): n is SnapshotVariableNode => n.kind === 'variable');
const byName = (s: GraphSnapshot, name: string) => variables(s).find((n) => n.name === name) as SnapshotVariableNode;

function affineNet() {
  const r = new Random(3);
  const x = variable(r.randn([2, 3]), { name: 'x' });
  const W = parameter(r.randn([3, 4]), 'W');
  const b = parameter(r.randn([4]), 'b');
  const h = scope('Affine', () => add(matmul(x, W), b));
  const y = sum(sigmoid(h));
  return { x, W, b, h, y };
}

describe('traceGraph', () => {
  it('numbers ids from the inputs, stably across traces', () => {
    const a = variable(2, { name: 'a' });
    const b = variable(3, { name: 'b' });
    const y = add(mul(a, b), a);
    const s = traceGraph(y);
    expect(variables(s).map((n) => n.id)).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(byName(s, 'a').id).toBe('v0');
    expect(byName(s, 'b').id).toBe('v1');
    expect(s.nodes.filter((n) => n.kind === 'op').map((n) => (n.kind === 'op' ? [n.id, n.op] : null))).toEqual([
      ['f0', 'Mul'],
      ['f1', 'Add'],
    ]);
    expect(s.outputs).toEqual(['v3']);
    // Ids do not depend on what was traced before (they are per trace, not global).
    traceGraph(mul(variable(1), variable(2)));
    expect(traceGraph(y)).toEqual(s);
    // Every edge connects existing nodes, variables to ops and ops to variables.
    const ids = new Set(s.nodes.map((n) => n.id));
    for (const e of s.edges) {
      expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
      expect(e.from[0] !== e.to[0]).toBe(true);
    }
  });

  it('is deeply frozen and survives a JSON round trip', () => {
    const { y } = affineNet();
    y.backward();
    const s = traceGraph(y);
    expect(deeplyFrozen(s)).toBeNull();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(() => {
      (s.nodes as unknown as unknown[]).push(1);
    }).toThrow(TypeError);
  });

  it('records the scope of ops and of variables made inside it, nested scopes as paths', () => {
    const { y } = affineNet();
    const s = traceGraph(y);
    const ops = s.nodes.filter((n) => n.kind === 'op');
    const scoped = Object.fromEntries(ops.map((n) => [n.kind === 'op' ? n.op : '', n.scope]));
    expect(scoped.MatMul).toEqual(['Affine']);
    expect(scoped.Add).toEqual(['Affine']);
    expect(scoped.Sigmoid).toEqual([]);
    const inner = scope('Net', () => scope('Affine', () => mul(variable(1, { name: 'w' }), 2)));
    const t = traceGraph(inner);
    expect(t.nodes.find((n) => n.kind === 'op')?.scope).toEqual(['Net', 'Affine']);
    expect(byName(t, 'w').scope).toEqual(['Net', 'Affine']);
  });

  it('stores small tensors in full and large ones as a summary', () => {
    const big = variable(new Random(0).randn([10, 10]), { name: 'big' });
    const y = tanh(big);
    const s = traceGraph(y);
    const v = byName(s, 'big').value;
    expect(v.kind).toBe('summary');
    if (v.kind === 'summary') {
      const data = Array.from(big.data.data);
      expect(v.min).toBe(Math.min(...data));
      expect(v.max).toBe(Math.max(...data));
      expect(v.mean).toBeCloseTo(data.reduce((p, q) => p + q, 0) / 100, 12);
      expect(v.head).toEqual(data.slice(0, 8));
      expect(v.nonFinite).toBe(0);
    }
    expect(byName(traceGraph(y, { fullLimit: 1000 }), 'big').value).toEqual({
      kind: 'full',
      data: Array.from(big.data.data),
    });
    const small = byName(traceGraph(mul(variable([1, 2], { name: 's' }), 2)), 's').value;
    expect(small).toEqual({ kind: 'full', data: [1, 2] });
    const nan = variable(new Float64Array(100).fill(Number.NaN), { name: 'nan' });
    const sn = byName(traceGraph(mul(nan, 1)), 'nan').value;
    expect(sn.kind === 'summary' && sn.nonFinite).toBe(100);
    expect(JSON.parse(JSON.stringify(sn))).toEqual(sn);
  });

  it('shows gradients after backward, and roles and dtypes', () => {
    const { x, y } = affineNet();
    expect(byName(traceGraph(y), 'W').grad).toBeNull();
    y.backward();
    const s = traceGraph(y);
    expect(byName(s, 'W').role).toBe('parameter');
    expect(byName(s, 'x').role).toBe('input');
    expect(byName(s, 'x').grad).toEqual({ kind: 'full', data: Array.from((x.grad as Variable).data.data) });
    expect(byName(s, 'x').dtype).toBe('float64');
  });
});

describe('backwardSteps', () => {
  it('starts from the seed and shares unchanged nodes between consecutive steps', () => {
    const { y } = affineNet();
    const steps = backwardSteps(y);
    expect(steps[0].step).toMatchObject({ index: 0, op: null, updated: [steps[0].outputs[0]] });
    expect(steps.length).toBe(1 + steps[0].nodes.filter((n) => n.kind === 'op').length);
    for (let k = 1; k < steps.length; k++) {
      const prev = steps[k - 1];
      const cur = steps[k];
      const updated = new Set(cur.step?.updated);
      expect(cur.step?.index).toBe(k);
      expect(updated.size).toBeGreaterThan(0);
      cur.nodes.forEach((n, i) => {
        if (updated.has(n.id)) expect(n).not.toBe(prev.nodes[i]);
        else expect(n).toBe(prev.nodes[i]); // structural sharing from immer
      });
      expect(cur.edges).toBe(prev.edges);
      expect(deeplyFrozen(cur)).toBeNull();
    }
    expect(JSON.parse(JSON.stringify(steps))).toEqual(steps);
  });

  it('ends with the gradients backward() computes, without touching live .grad', () => {
    const { x, W, b, y } = affineNet();
    const steps = backwardSteps(y);
    expect(x.grad).toBeNull();
    y.backward();
    const last = steps[steps.length - 1];
    for (const [name, v] of [
      ['x', x],
      ['W', W],
      ['b', b],
    ] as const) {
      const g = byName(last, name).grad;
      expect(g).toEqual({ kind: 'full', data: Array.from((v.grad as Variable).data.data) });
    }
  });

  it('records fan-out accumulation as a step that updates an existing gradient', () => {
    const a = variable(3, { name: 'a' });
    const y = add(mul(a, a), a); // dy/da = 2a + 1 = 7
    const steps = backwardSteps(y);
    const last = steps[steps.length - 1];
    expect(byName(last, 'a').grad).toEqual({ kind: 'full', data: [7] });
    const touched = steps.filter((s) => s.step?.updated.includes(byName(last, 'a').id)).length;
    expect(touched).toBe(2);
  });
});

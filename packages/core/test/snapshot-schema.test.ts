// parseSnapshot checks a whole snapshot against its schema (issue 11 #10): bad JSON, bad fields
// anywhere, dangling references and values that do not fit their shape are GraphErrors naming
// the path of the first bad field; every snapshot zerograd writes reads back exactly.
import {
  backwardSteps,
  defineOp,
  GraphError,
  type GraphSnapshot,
  parseSnapshot,
  serializeSnapshot,
  traceGraph,
  variable,
} from '@zerograd/core';
import { checkProperty } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build, graphPlanArb } from './support/random-graph.js';

/** Snapshot JSON, edited freely by the corruption cases. */
// biome-ignore lint/suspicious/noExplicitAny: the cases write any junk into any field
type Mutable = Record<string, any>;

/**
 * A valid snapshot as a mutable JSON object: sum(x·w) after backward. Nodes: v0 x, v1 w, v2 x·w,
 * v3 the sum, f0 Mul, f1 Sum; edges e0 v0→f0, e1 v1→f0, e2 f0→v2, e3 v2→f1, e4 f1→v3.
 */
function sample(): Mutable {
  const x = variable([1, 2], { name: 'x' });
  const w = variable([3, 4], { name: 'w' });
  const y = x.mul(w).sum();
  y.backward();
  return JSON.parse(serializeSnapshot(traceGraph(y)));
}

/** The GraphError parseSnapshot throws for `text`; fails the test on anything else. */
function refusal(text: string): GraphError {
  try {
    parseSnapshot(text);
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    return e as GraphError;
  }
  throw new Error(`parseSnapshot accepted ${text.slice(0, 200)}`);
}

const corrupt = (edit: (s: Mutable) => void) => {
  const s = sample();
  edit(s);
  return refusal(JSON.stringify(s)).message;
};

describe('parseSnapshot refuses what is not a snapshot, naming where', () => {
  it('bad JSON is a GraphError, not a SyntaxError', () => {
    expect(refusal('{').message).toMatch(/^parseSnapshot: not JSON: /);
    expect(refusal('').message).toMatch(/not JSON/);
    expect(refusal('[1,').message).toMatch(/not JSON/);
    expect(() => parseSnapshot(null as never)).toThrow(GraphError);
    expect(() => parseSnapshot({ version: 1 } as never)).toThrow(/expected JSON text/);
  });

  it('anything but a version 1 snapshot at the top', () => {
    expect(refusal('null').message).toMatch(/not a zerograd graph snapshot \(version 1\)/);
    expect(refusal('[]').message).toMatch(/not a zerograd graph snapshot/);
    expect(corrupt((s) => (s.version = 2))).toMatch(/not a zerograd graph snapshot \(version 1\): version: /);
    expect(corrupt((s) => delete s.edges)).toMatch(/^parseSnapshot: edges: /);
  });

  it('the cases issue 11 lists: nodes:[null], shape:"abc", name:{}, data:"abc"', () => {
    expect(corrupt((s) => (s.nodes = [null]))).toMatch(/^parseSnapshot: nodes\[0\]: .*Object.*null/);
    expect(corrupt((s) => (s.nodes[2].shape = 'abc'))).toMatch(/^parseSnapshot: nodes\[2\]\.shape: .*"abc"/);
    expect(corrupt((s) => (s.nodes[0].name = {}))).toMatch(/^parseSnapshot: nodes\[0\]\.name: .*string/);
    expect(corrupt((s) => (s.nodes[0].value.data = 'abc'))).toMatch(/^parseSnapshot: nodes\[0\]\.value\.data: /);
    expect(corrupt((s) => (s.nodes[0].grad.data = ['abc']))).toMatch(/nodes\[0\]\.grad\.data\[0\]: /);
  });

  it('names the path of the first bad field, however deep', () => {
    expect(corrupt((s) => (s.nodes[3].shape = [2, -1]))).toMatch(/^parseSnapshot: nodes\[3\]\.shape\[1\]: /);
    expect(corrupt((s) => (s.nodes[3].shape = [2, 1.5]))).toMatch(/nodes\[3\]\.shape\[1\]: .*integer/);
    expect(corrupt((s) => (s.nodes[0].scope = ['a', 7]))).toMatch(/nodes\[0\]\.scope\[1\]: /);
    expect(corrupt((s) => (s.nodes[1].kind = 'tensor'))).toMatch(/nodes\[1\]\.kind: .*"variable" \| "op"/);
    expect(corrupt((s) => (s.nodes[4].op = 3))).toMatch(/nodes\[4\]\.op: .*string/);
    expect(corrupt((s) => (s.nodes[4].attrs = []))).toMatch(/nodes\[4\]\.attrs: must be an object/);
    expect(corrupt((s) => (s.nodes[4].generation = -1))).toMatch(/nodes\[4\]\.generation: /);
    expect(corrupt((s) => (s.nodes[0].dtype = 'int8'))).toMatch(/nodes\[0\]\.dtype: /);
    expect(corrupt((s) => (s.nodes[0].role = 'weight'))).toMatch(/nodes\[0\]\.role: /);
    expect(corrupt((s) => (s.nodes[0].requiresGrad = 'yes'))).toMatch(/nodes\[0\]\.requiresGrad: /);
    expect(corrupt((s) => (s.nodes[0].value = { kind: 'sparse' }))).toMatch(/nodes\[0\]\.value\.kind: /);
    expect(corrupt((s) => (s.edges[2].index = 'first'))).toMatch(/edges\[2\]\.index: /);
    expect(corrupt((s) => (s.step = { index: 0 }))).toMatch(/^parseSnapshot: step\.op: /);
    // Two bad fields: the first in document order is named.
    expect(
      corrupt((s) => {
        s.nodes[2].shape = 'abc';
        s.nodes[0].name = 5;
      }),
    ).toMatch(/^parseSnapshot: nodes\[0\]\.name: /);
  });

  it('a field a snapshot does not have is refused (a typo is not silently ignored)', () => {
    expect(corrupt((s) => (s.nodes[0].nmae = 'x'))).toMatch(/nodes\[0\]\.nmae: is not a field of a version 1 snapshot/);
    expect(corrupt((s) => (s['bad key'] = 1))).toMatch(/^parseSnapshot: \["bad key"\]: is not a field/);
  });

  it('a full value must hold exactly as many numbers as its shape', () => {
    expect(corrupt((s) => (s.nodes[0].value.data = [1]))).toMatch(
      /nodes\[0\]\.value\.data: holds 1 numbers, but shape \[2\] has 2 elements/,
    );
    expect(corrupt((s) => (s.nodes[0].shape = [3]))).toMatch(/nodes\[0\]\.value\.data: .*shape \[3\]/);
    expect(corrupt((s) => s.nodes[0].grad.data.push(0))).toMatch(/nodes\[0\]\.grad\.data: holds 3 numbers/);
  });

  it('dangling and crossed references: edges, outputs and steps must name what exists', () => {
    expect(corrupt((s) => (s.edges[1].to = 'v99'))).toMatch(/^parseSnapshot: edges\[1\]\.to: no node has the id "v99"/);
    expect(corrupt((s) => (s.edges[0].from = 'nope'))).toMatch(/edges\[0\]\.from: no node has the id "nope"/);
    expect(corrupt((s) => (s.edges[0].to = s.edges[0].from))).toMatch(/edges\[0\]: joins two variable nodes/);
    expect(corrupt((s) => (s.nodes[1].id = s.nodes[0].id))).toMatch(/nodes\[1\]\.id: duplicate node id "v0"/);
    expect(corrupt((s) => (s.edges[1].id = s.edges[0].id))).toMatch(/edges\[1\]\.id: duplicate edge id/);
    const op = (s: Mutable) => s.nodes.find((n: { kind: string }) => n.kind === 'op').id;
    expect(corrupt((s) => (s.outputs = [op(s)]))).toMatch(/outputs\[0\]: "f0" is not the id of a variable node/);
    expect(corrupt((s) => (s.step = { index: 1, op: 'v0', updated: [], edges: [] }))).toMatch(
      /step\.op: "v0" is not the id of an op node/,
    );
    expect(corrupt((s) => (s.step = { index: 1, op: op(s), updated: ['v0', 'x'], edges: [] }))).toMatch(
      /step\.updated\[1\]: /,
    );
    expect(corrupt((s) => (s.step = { index: 1, op: null, updated: [], edges: ['e0', 'e99'] }))).toMatch(
      /step\.edges\[1\]: "e99" is not the id of an edge/,
    );
  });

  it('long received values are cut short in the message', () => {
    const message = corrupt((s) => (s.nodes[0].role = 'x'.repeat(10_000)));
    expect(message.length).toBeLessThan(300);
  });
});

describe('parseSnapshot reads back what zerograd writes', () => {
  it('NaN, ±Infinity and −0 exactly; plain JSON.stringify’s null as NaN', () => {
    const x = variable([0, 1, -1, -0], { name: 'x' });
    const y = x.log().mul(x);
    const snap = traceGraph(y);
    const back = parseSnapshot(serializeSnapshot(snap));
    expect(back).toEqual(snap);
    const data = (s: GraphSnapshot) => {
      const n = s.nodes.find((m) => m.kind === 'variable' && m.role === 'intermediate' && m.name === null);
      return n?.kind === 'variable' && n.value.kind === 'full' ? n.value.data : [];
    };
    expect(
      Object.is(
        back.nodes[0].kind === 'variable' && back.nodes[0].value.kind === 'full' && back.nodes[0].value.data[3],
        -0,
      ),
    ).toBe(true);
    expect(data(back)).toEqual(data(snap));
    // Plain JSON writes null for NaN and -Infinity: both come back as NaN, nothing is refused.
    const plain = parseSnapshot(JSON.stringify(snap));
    expect(data(plain).slice(0, 3)).toEqual([Number.NaN, 0, Number.NaN]);
  });

  it('a summary’s statistics survive too, even when they are not finite', () => {
    const big = variable(Float64Array.from({ length: 100 }, (_, i) => (i === 0 ? 1e308 : 1e308)));
    const snap = traceGraph(big.mul(10), { fullLimit: 4 }); // mean overflows to Infinity
    const back = parseSnapshot(serializeSnapshot(snap));
    expect(back).toEqual(snap);
    const out = back.nodes.find((n) => n.kind === 'variable' && n.role === 'intermediate');
    expect(out?.kind === 'variable' && out.value.kind === 'summary' && out.value.nonFinite).toBe(100);
  });

  it('attributes keep keys such as __proto__ and constructor as own keys, and may nest deeply', () => {
    const s = sample();
    s.nodes[4].attrs = JSON.parse('{"__proto__": {"a": 1}, "constructor": 2, "prototype": [3]}');
    const back = parseSnapshot(JSON.stringify(s));
    const attrs = back.nodes[4].kind === 'op' ? back.nodes[4].attrs : {};
    expect(Object.keys(attrs)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(attrs, '__proto__')?.value).toEqual({ a: 1 });
    // 20,000 levels of nesting: frozen without recursion, no RangeError.
    // (The text is written by hand: JSON.stringify itself recurses.)
    const nested = `{"deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const deep = parseSnapshot(JSON.stringify(sample()).replace('"attrs":{}', () => `"attrs":${nested}`));
    expect(Object.isFrozen(deep.nodes[4].kind === 'op' && deep.nodes[4].attrs.deep)).toBe(true);
  });

  it('the result is deeply frozen', () => {
    const back = parseSnapshot(JSON.stringify(sample()));
    const unfrozen: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (v === null || typeof v !== 'object') return;
      if (!Object.isFrozen(v)) unfrozen.push(path);
      for (const [k, c] of Object.entries(v)) walk(c, `${path}.${k}`);
    };
    walk(back, 'snapshot');
    expect(unfrozen).toEqual([]);
  });

  it('property: every snapshot of a random small graph, and every backward step, round-trips', () => {
    checkProperty(
      'snapshot round trip',
      fc.property(graphPlanArb, (plan) => {
        const y = build(plan);
        const snaps = [traceGraph(y, { fullLimit: plan.fullLimit })];
        if (y.requiresGrad) snaps.push(...backwardSteps(y, { fullLimit: plan.fullLimit }));
        for (const snap of snaps) {
          const text = serializeSnapshot(snap);
          const back = parseSnapshot(text);
          expect(back).toEqual(snap);
          expect(serializeSnapshot(back)).toBe(text);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('what traceGraph writes into attrs', () => {
  const opWith = (attrs: unknown) =>
    defineOp<unknown>({ name: 'Custom', forward: ([t]) => t, backward: ([gy]) => gy, describe: () => attrs as never });

  it('plain JSON, as JSON.stringify would make it, with __proto__ kept as an own key', () => {
    const attrs = JSON.parse('{"__proto__": 1}');
    Object.assign(attrs, {
      n: Number.NaN,
      f: () => 1,
      u: undefined,
      t: new Float32Array(2),
      a: [1, undefined, Number.POSITIVE_INFINITY],
      d: new Date(0),
      deep: { k: [true, 'x'] },
    });
    const snap = traceGraph(opWith(attrs)(variable([1, 2])));
    const op = snap.nodes.find((n) => n.kind === 'op');
    const got = op?.kind === 'op' ? op.attrs : {};
    expect(Object.keys(got)).toEqual(['__proto__', 'n', 'a', 'd', 'deep']);
    expect(got).toEqual(JSON.parse(JSON.stringify(attrs, (_k, v) => (ArrayBuffer.isView(v) ? undefined : v))));
    expect(Object.isFrozen((got as { deep: { k: unknown } }).deep.k)).toBe(true);
    expect(parseSnapshot(serializeSnapshot(snap))).toEqual(snap);
  });

  it('circular attributes are a GraphError naming the op, not a TypeError from JSON', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    const y = opWith(loop)(variable([1, 2]));
    expect(() => traceGraph(y)).toThrow(GraphError);
    expect(() => traceGraph(y)).toThrow(/attributes of op Custom are circular/);
  });
});

describe('ids', () => {
  it('an empty node or edge id is refused (the layout reads "" as no edge; the renderer crashed)', () => {
    const snap = JSON.parse(serializeSnapshot(traceGraph(variable([0], { dtype: 'float32' }).exp())));
    snap.edges[0].id = '';
    expect(() => parseSnapshot(JSON.stringify(snap))).toThrow(/edges\[0\]\.id/);
    const snap2 = JSON.parse(serializeSnapshot(traceGraph(variable([0]).exp())));
    snap2.nodes[0].id = '';
    expect(() => parseSnapshot(JSON.stringify(snap2))).toThrow(GraphError);
  });
});

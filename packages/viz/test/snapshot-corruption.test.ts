// What parseSnapshot lets through, the renderer can draw (issue 11 #10): a valid snapshot with one
// field corrupted — replaced by junk, deleted, or joined by a stray field — is either refused with
// a GraphError or drawn by renderGraphSvg without throwing.
import { GraphError, parseSnapshot, serializeSnapshot, traceGraph, variable } from '@zerograd/core';
import { checkProperty } from '@zerograd/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build, graphPlanArb } from '../../core/test/support/random-graph.js';
import { renderGraphSvg } from '../src/index.js';
import { fixture } from './fixtures.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every place in a JSON value: a path of keys and indices (the root is the empty path). */
function places(value: Json, path: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => places(v, [...path, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) places(v, [...path, k], out);
  return out;
}

const junk = fc.constantFrom<Json>(
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  2 ** 53,
  '',
  'abc',
  'v0',
  'f0',
  'e0',
  'NaN',
  '-0',
  '__proto__',
  'constructor',
  '<script>',
  [],
  [null],
  [-1],
  [1e9, 1e9],
  {},
  { kind: 'full', data: [] },
  { kind: 'summary' },
);

type Edit = { kind: 'replace'; value: Json } | { kind: 'delete' } | { kind: 'add'; key: string; value: Json };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { arbitrary: junk.map((value) => ({ kind: 'replace' as const, value })), weight: 6 },
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom('x', '__proto__', 'extra'), value: junk }),
);

function apply(root: Json, path: (string | number)[], edit: Edit): Json {
  if (path.length === 0) return edit.kind === 'replace' ? edit.value : root;
  let parent = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (edit.kind === 'replace') parent[last] = edit.value;
  else if (edit.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target))
      Object.defineProperty(target, edit.key, { value: edit.value, enumerable: true, writable: true });
  }
  return root;
}

/** Parses the corrupted text; a refusal must be a GraphError, an acceptance must draw. */
function parsesOrRefuses(text: string): 'refused' | 'drawn' {
  let parsed: ReturnType<typeof parseSnapshot>;
  try {
    parsed = parseSnapshot(text);
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    return 'refused';
  }
  expect(renderGraphSvg(parsed)).toMatch(/^<svg/);
  return 'drawn';
}

describe('corrupted snapshots: refused by parseSnapshot, or drawn', () => {
  it('property: one corrupted field of a random graph’s snapshot', () => {
    const seen = { refused: 0, drawn: 0 };
    checkProperty(
      'corrupt snapshot',
      fc.property(graphPlanArb, fc.nat(), editArb, (plan, at, edit) => {
        const snap = traceGraph(build(plan), { fullLimit: plan.fullLimit });
        const json = JSON.parse(serializeSnapshot(snap)) as Json;
        const all = places(json);
        const corrupted = apply(json, all[at % all.length], edit);
        seen[parsesOrRefuses(JSON.stringify(corrupted))]++;
      }),
      { numRuns: 150 },
    );
    // Both outcomes happen: the property is not vacuous either way.
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.drawn).toBeGreaterThan(0);
  });

  it('every place of a fixture, replaced by each junk value', () => {
    // Exhaustive over one small fixture: all places × a few junk values.
    const base = fixture<Json>('apple');
    const paths = places(base);
    let drawn = 0;
    for (const value of [null, 'abc', -1, {}, [], 'v0'] as Json[]) {
      for (const path of paths) {
        const copy = structuredClone(base);
        if (parsesOrRefuses(JSON.stringify(apply(copy, path, { kind: 'replace', value }))) === 'drawn') drawn++;
      }
    }
    expect(drawn).toBeGreaterThan(0); // names, scopes, attrs and ids still take junk of their type
  });
});

describe('op names that are Object.prototype keys', () => {
  it('an op named "constructor" or "toString" is drawn by its name (it crashed measureText)', () => {
    const snap = JSON.parse(serializeSnapshot(traceGraph(variable([0.5]).exp())));
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const op = snap.nodes.find((n: { kind: string }) => n.kind === 'op');
      op.op = name;
      expect(renderGraphSvg(parseSnapshot(JSON.stringify(snap)))).toContain(name === '__proto__' ? 'proto' : name);
    }
  });
});

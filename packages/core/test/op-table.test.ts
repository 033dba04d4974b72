// The op table (src/ops/table.ts) is the one list of ops: Variable's methods come from it and the
// property tests read it. These tests fail when an exported op has no row, when a row names
// something that is not exported, or when a method does not do what its function does.
import * as core from '@zerograd/core';
import { Variable, variable } from '@zerograd/core';
import { OPS, opEntries } from '@zerograd/core/testing';
import { describe, expect, it } from 'vitest';

/** Exported functions that are not ops: constructors of values, graph machinery, checks, backends. */
const NOT_OPS = new Set([
  // tensors and randomness
  'arange',
  'broadcastShapes',
  'choice',
  'eye',
  'fromArray',
  'full',
  'linspace',
  'ones',
  'onesLike',
  'permutation',
  'rand',
  'randint',
  'randn',
  'seed',
  'tensor',
  'zeros',
  'zerosLike',
  // the graph
  'applyOp',
  'asVariable',
  'backward',
  'backwardSteps',
  'currentScope',
  'customGrad',
  'defineOp',
  'detectAnomaly',
  'enableGrad',
  'grad',
  'isAnomalyEnabled',
  'isGradEnabled',
  'noGrad',
  'parameter',
  'parseSnapshot',
  'releaseGraph',
  'scope',
  'serializeSnapshot',
  'setGradEnabled',
  'slice',
  'tensorValue',
  'traceGraph',
  'valueAndGrad',
  'variable',
  // checks, errors, backends, memory
  'fmtShape',
  'gradcheck',
  'gradgradcheck',
  'numericalDiff',
  'numericalGradient',
  'availableBackends',
  'backendInfo',
  'backendReady',
  'getBackend',
  'setBackend',
  'bufferPoolStats',
  'clearBufferPool',
]);

describe('the op table', () => {
  it('has a row for every exported op', () => {
    const exported = Object.entries(core)
      .filter(([name, value]) => typeof value === 'function' && /^[a-z]/.test(name))
      .map(([name]) => name);
    const missing = exported.filter((name) => !(name in OPS) && !NOT_OPS.has(name));
    expect(missing, 'exported ops without a row in src/ops/table.ts').toEqual([]);
  });

  it('names only exported functions, each under its own name', () => {
    for (const [name, entry] of opEntries()) {
      expect((core as Record<string, unknown>)[name], name).toBe(entry.fn);
    }
  });

  it('installs a Variable method for every method row, doing what the function does', () => {
    const x = variable([
      [0.5, -1.25],
      [2, 0.75],
    ]);
    const other = variable([
      [1.5, 2],
      [0.5, 3],
    ]);
    for (const [name, entry] of opEntries()) {
      const own = Object.getOwnPropertyDescriptor(Variable.prototype, name);
      if (!entry.method) {
        // `x.mT` is a getter (like `x.T`); no other non-method row is on the prototype.
        expect(own?.value, `${name} is not a method`).toBeUndefined();
        continue;
      }
      const method = own?.value;
      expect(typeof method, name).toBe('function');
      if (entry.kind !== 'unary' && entry.kind !== 'binary' && entry.kind !== 'reduction') continue;
      const args = entry.kind === 'binary' ? [other] : entry.fn === core.clip ? [-1, 1] : [];
      const viaMethod = (method as (...a: unknown[]) => Variable).apply(x, args);
      expect(viaMethod.toArray(), name).toEqual(entry.fn(x, ...args).toArray());
    }
  });

  it('gives every elementwise row a reference that matches the op on plain numbers', () => {
    const values = [-1.5, -0.25, 0.4, 1.75];
    for (const [name, entry] of opEntries()) {
      if (!entry.reference || (entry.kind !== 'unary' && entry.kind !== 'binary')) continue;
      const inDomain = values.filter((v) => (entry.domain?.[0]?.min ?? -Infinity) <= v);
      for (const v of inDomain) {
        const w = 0.6;
        const got = entry.kind === 'unary' ? entry.fn(variable(v)).item() : entry.fn(variable(v), variable(w)).item();
        const want = entry.kind === 'unary' ? entry.reference(v) : entry.reference(v, w);
        expect(got, `${name}(${v})`).toBeCloseTo(want, 12);
      }
    }
  });
});

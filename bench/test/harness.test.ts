import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasNumpy, PYTHON, PythonServer, pythonEnv } from '../src/python.js';
import { fmt, markdownTables } from '../src/report.js';
import { median, quantile } from '../src/timing.js';
import { type Side, takeTurns } from '../src/turns.js';
import { makeRow } from '../src/types.js';

// The harness's plumbing, not its figures: speed is measured by `pnpm bench`, never in tests.

const SCRIPT = fileURLToPath(new URL('../numpy_matmul.py', import.meta.url));

describe('bench harness', () => {
  it('computes ratios as zerograd / reference, and none without a reference', () => {
    const base = { suite: 's', name: 'r', unit: 'GFLOP/s', better: 'higher' as const, referenceName: 'numpy' };
    expect(makeRow({ ...base, zerograd: 2, reference: 8 }).ratio).toBe(0.25);
    expect(makeRow({ ...base, zerograd: 2, reference: null }).ratio).toBeNull();
    expect(makeRow({ ...base, zerograd: 2, reference: 0 }).ratio).toBeNull();
  });

  it('takes medians and quartiles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
  });

  it('lets sides take turns, a slow side taking its own number of samples per turn', async () => {
    const order: string[] = [];
    const side = (name: string, samplesPerTurn?: number): Side => ({
      name,
      seconds: [],
      sample: async () => {
        order.push(name);
        return order.length;
      },
      ...(samplesPerTurn ? { samplesPerTurn } : {}),
    });
    const sides = [side('fast'), side('slow', 1)];
    await takeTurns(sides, { blocks: 2, samplesPerBlock: 3, settleMs: 0 });
    expect(order).toEqual(['fast', 'fast', 'fast', 'slow', 'fast', 'fast', 'fast', 'slow']);
    expect(sides[0].seconds).toEqual([1, 2, 3, 5, 6, 7]);
    expect(sides[1].seconds).toEqual([4, 8]);
  });

  it('prints one Markdown table per suite with a column per peer', () => {
    const rows = [
      makeRow({
        suite: 'matmul',
        name: 'a',
        unit: 'GFLOP/s',
        better: 'higher',
        zerograd: 4.2,
        reference: 42,
        referenceName: 'numpy',
        peers: { 'tfjs-cpu': 0.4 },
      }),
      makeRow({
        suite: 'train',
        name: 'b',
        unit: 'ms/iter',
        better: 'lower',
        zerograd: 3,
        reference: null,
        referenceName: 'numpy',
      }),
    ];
    const md = markdownTables(rows);
    expect(md).toContain('### matmul');
    expect(md).toContain('| benchmark | unit | zerograd | numpy | ratio | tfjs-cpu |');
    expect(md).toContain('| a | GFLOP/s (↑) | 4.20 | 42.0 | 0.100× | 0.400 |');
    expect(md).toContain('| b | ms/iter (↓) | 3.00 | n/a | n/a |');
    expect(fmt(Number.NaN)).toBe('n/a');
  });

  it('runs Python references without OpenBLAS core pins', () => {
    const saved = { c: process.env.OPENBLAS_CORETYPE, l: process.env.OPENBLAS_L2_SIZE };
    process.env.OPENBLAS_CORETYPE = 'Haswell';
    process.env.OPENBLAS_L2_SIZE = '1048576';
    try {
      const { env, removed } = pythonEnv();
      expect(env.OPENBLAS_CORETYPE).toBeUndefined();
      expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
      expect(removed).toEqual({ OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1048576' });
    } finally {
      for (const [key, value] of [
        ['OPENBLAS_CORETYPE', saved.c],
        ['OPENBLAS_L2_SIZE', saved.l],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it.skipIf(!hasNumpy())('numpy_matmul.py answers one-shot and served requests with JSON timings', async () => {
    const request = {
      repeats: 3,
      minSampleSeconds: 0.001,
      cases: [{ id: 'x', m: 5, n: 3, k: 4, transA: true, transB: true, dtype: 'float32' }],
    };
    const r = spawnSync(PYTHON, [SCRIPT, JSON.stringify(request)], { env: pythonEnv().env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.env.OPENBLAS_CORETYPE).toBeNull();
    expect(out.blas.name).toBeTruthy();
    expect(out.results[0].id).toBe('x');
    expect(out.results[0].seconds).toHaveLength(3);
    expect(out.results[0].gflops).toBeGreaterThan(0);

    const server = new PythonServer(SCRIPT, ['--serve']);
    try {
      const c = request.cases[0];
      await server.request({ op: 'prepare', case: c, warmup: 1, minSampleSeconds: 0.001 });
      const got = await server.request<{ seconds: number[] }>({ op: 'sample', id: 'x', count: 2 });
      expect(got.seconds).toHaveLength(2);
      await expect(server.request({ op: 'sample', id: 'missing' })).rejects.toThrow(/python/);
    } finally {
      server.close();
    }
  });
});

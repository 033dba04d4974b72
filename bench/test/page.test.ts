import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, openPage } from '@zerograd/viz/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advantage,
  benchPage,
  type LoadedReport,
  needsRelativeFigures,
  niceCeil,
  noteText,
  writeBenchPage,
} from '../src/page.js';
import type { Report } from '../src/report.js';
import { makeRow, type Row } from '../src/types.js';

// The page is drawn from synthetic results: no benchmark runs here.

const EVIL = '<img src=x onerror=alert(1)>';

function report(date: string, rows: Row[], notes: Report['notes'] = {}, errors: Report['errors'] = {}): Report {
  return {
    schema: 1,
    date,
    seconds: 12,
    args: ['--suite', 'x'],
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 8, platform: 'linux test', node: 'v20', v8: '11', git: 'abc123' },
    notes,
    errors,
    rows,
    contention: { wallSeconds: 12, busyCores: 1, ownCores: 0.8, otherCores: 0.2, loadAverageAtStart: [0.5, 0.4, 0.3] },
  } as Report;
}

const mm = (dtype: string, size: number, zg: number, np: number, peers?: Record<string, number | null>) =>
  makeRow({
    suite: 'matmul',
    name: `${dtype} square ${size}`,
    unit: 'GFLOP/s',
    better: 'higher',
    zerograd: zg,
    reference: np,
    referenceName: 'numpy',
    peers,
    params: { m: size, n: size, k: size, transA: false, transB: false, dtype },
  });

/** The conv suite's shape of rows: ms figures from ~2 to ~1,900, a peer with a figure on the first row only. */
const conv = (name: string, zg: number, np: number, torch: number, wasm: number | null) =>
  makeRow({
    suite: 'conv',
    name,
    unit: 'ms/iter',
    better: 'lower',
    zerograd: zg,
    reference: np,
    referenceName: 'numpy (book im2col)',
    peers: { PyTorch: torch, 'tfjs-wasm': wasm },
  });
const convRows = [
  conv('float32 conv2d forward (with bias)', 10, 30, 1.6, 12),
  conv('float32 conv2d forward+backward', 50, 75, 23, null),
  conv('float32 SimpleConvNet iteration', 95, 313, 119, null),
  conv('float32 DeepConvNet iteration', 550, 1900, 124, null),
];

const older: LoadedReport = {
  source: 'latest.json',
  report: report(
    '2026-01-01T00:00:00.000Z',
    [
      mm('float32', 128, 20, 60, { 'tfjs-wasm': 18 }),
      mm('float32', 256, 25, 80, { 'tfjs-wasm': null }),
      mm('float64', 128, 10, 30),
      mm('float64', 256, 12, 40),
      // Superseded by the newer report's training rows: must not be drawn.
      makeRow({
        suite: 'training',
        name: 'old row',
        unit: 'ms/iter',
        better: 'lower',
        zerograd: 9,
        reference: 1,
        referenceName: 'numpy',
      }),
    ],
    { matmul: { numpy: { numpy: '2.0', python: '3.11', blas: { name: 'openblas', version: '0.3', threads: 2 } } } },
    { scalar: 'Error: python missing\n    at somewhere' },
  ),
};
const newer: LoadedReport = {
  source: 'training/latest.json',
  report: report(
    '2026-02-01T00:00:00.000Z',
    [
      makeRow({
        suite: 'training',
        name: `float32 ${EVIL}`,
        unit: 'ms/iter',
        better: 'lower',
        zerograd: 1,
        reference: 0.5,
        referenceName: 'numpy',
      }),
      makeRow({
        suite: 'training',
        name: 'float64 net',
        unit: 'ms/iter',
        better: 'lower',
        zerograd: 1.5,
        reference: null,
        referenceName: 'numpy',
      }),
      makeRow({
        suite: 'memory',
        name: 'peak RSS',
        unit: 'MiB',
        better: 'lower',
        zerograd: 150,
        reference: 60,
        referenceName: 'numpy',
        params: { rssAfterEpochMiB: { zerograd: [140, 150, 150], numpy: [60, 60, 60] } },
      }),
      ...convRows,
    ],
    { training: { [EVIL]: EVIL, backend: { name: 'wasm-simd', threads: 2 } } },
  ),
};

describe('bench results page', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'zg-bench-page-'));
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has one section per suite, each suite from the newest report that has it, failures listed', () => {
    const page = benchPage([older, newer]);
    const headings = page.sections.filter((s) => s.kind === 'heading').map((s) => (s.kind === 'heading' ? s.text : ''));
    expect(headings).toEqual(['matmul', 'training', 'conv', 'memory', 'scalar']);
    const json = JSON.stringify(page.sections);
    expect(json).not.toContain('old row');
    expect(json).toContain('This suite failed in latest.json');
    expect(json).toContain('Test CPU, 2 cores');
    expect(json).toContain('Warning: other processes competed');
    expect(json).toContain('RSS after each epoch');
    expect(json).toContain('float32 square n×n');
    expect(json).toContain('DeepConvNet'); // the conv suite's description
    expect(json).toContain('conv: figures per row, relative to zerograd');
    expect(json).toContain('matmul: figures per row"'); // close figures: one absolute axis
  });

  it('draws figures relative to zerograd only when the rows span more than 20×', () => {
    expect(needsRelativeFigures(convRows)).toBe(true); // 12 ms to 1,900 ms
    expect(needsRelativeFigures(convRows.slice(1, 3))).toBe(false); // 75 and 313 ms
    expect(needsRelativeFigures(older.report.rows.filter((r) => r.suite === 'matmul'))).toBe(false);
  });

  it('orients ratios so that above 1 means zerograd is better, and formats notes', () => {
    const base = { suite: 's', name: 'r', referenceName: 'numpy', reference: 2 };
    expect(advantage(makeRow({ ...base, unit: 'GFLOP/s', better: 'higher', zerograd: 4 }))).toBe(2);
    expect(advantage(makeRow({ ...base, unit: 'ms', better: 'lower', zerograd: 4 }))).toBe(0.5);
    expect(advantage(makeRow({ ...base, unit: 'ms', better: 'lower', zerograd: 4, reference: null }))).toBeNull();
    expect(niceCeil(182)).toBe(200);
    expect(niceCeil(1075)).toBe(1200);
    expect(noteText({})).toBe('none (nothing was set)');
    expect(noteText({ threads: 2, name: 'x' })).toBe('threads: 2; name: x');
  });

  it('writes a page that opens in Chromium without errors and shows names as text', async () => {
    const path = join(dir, 'latest.html');
    await writeBenchPage(path, [older, newer]);
    const html = readFileSync(path, 'utf8');
    expect(html).not.toContain(EVIL);
    const opened = await openPage(browser, path);
    try {
      const { page } = opened;
      const h2 = await page.locator('h2').allTextContents();
      expect(h2).toEqual(['matmul', 'training', 'conv', 'memory', 'scalar']);
      // Every chart slot got drawn: 2 square-size charts + figures + ratio (matmul), figures + ratio
      // (training, conv), epochs + figures + ratio (memory).
      expect(await page.locator('svg.zg-plot').count()).toBe(11);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.getByText(`float32 ${EVIL}`, { exact: false }).count()).toBeGreaterThan(0);
      opened.assertClean();
    } finally {
      await opened.close();
    }
  });
});

/**
 * The traceGraph rows of the memory suite, in a Node process of their own (a 1,000,000-node graph
 * and its snapshots would otherwise sit in the harness's heap):
 *
 *   node --conditions=source --import tsx bench/src/trace-child.ts [--nodes 1000000] [--samples 3]
 *
 * Builds a micrograd-style graph of scalars — a chain `y = y·w + b`, two ops and two variables
 * per link, the shape a scalar MLP's graph has at this size — then times `traceGraph` on it
 * (each sample after a full collection, the previous snapshot dropped) and measures memory: the
 * RSS with the graph alone, the peak RSS while tracing (Linux: VmHWM, reset just before through
 * /proc/self/clear_refs; else the RSS right after), and the heap one snapshot keeps. Prints one
 * JSON line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type GraphSnapshot, traceGraph, type Variable, variable } from '@zerograd/core';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { nodes: { type: 'string', default: '1000000' }, samples: { type: 'string', default: '3' } },
});
const target = Number(values.nodes);
const samples = Number(values.samples);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const started = process.cpuUsage();
const t0 = performance.now();
const w = variable(1.0001, { name: 'w' });
const b = variable(0.5, { name: 'b' });
let y: Variable = variable(0.1, { name: 'x' });
// Each link adds Mul, its output, Add and its output: four nodes.
for (let i = 0; i < Math.round((target - 3) / 4); i++) y = y.mul(w).add(b);
const buildMs = performance.now() - t0;
gc();
const rssGraph = process.memoryUsage.rss();
const heapGraph = process.memoryUsage().heapUsed;

const resetPeak = (): boolean => {
  try {
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    return true;
  } catch {
    return false;
  }
};
const highWaterMark = (): number | null => {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
};

const traceMs: number[] = [];
const traceCpuMs: number[] = [];
let nodes = 0;
let peakRss = 0;
let snapshotHeap = 0;
let peakFrom = 'VmHWM';
for (let s = 0; s < samples; s++) {
  gc();
  const reset = s === 0 && resetPeak();
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  let snap: GraphSnapshot | null = traceGraph(y);
  traceMs.push(performance.now() - t);
  const cpu = process.cpuUsage(cpu0);
  traceCpuMs.push((cpu.user + cpu.system) / 1e3);
  nodes = snap.nodes.length;
  if (s === 0) {
    const hwm = reset ? highWaterMark() : null;
    if (hwm === null) peakFrom = 'RSS right after the trace (no VmHWM reset here)';
    peakRss = hwm ?? process.memoryUsage.rss();
    gc();
    snapshotHeap = process.memoryUsage().heapUsed - heapGraph;
  }
  snap = null;
}
const cpu = process.cpuUsage(started);
process.stdout.write(
  `${JSON.stringify({
    nodes,
    buildMs,
    traceMs,
    traceCpuMs,
    rssGraph,
    peakRss,
    peakFrom,
    snapshotHeap,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  })}\n`,
);

/**
 * The zerograd side of the memory suite, run in a Node process of its own so nothing else the
 * harness holds (other suites' buffers, the numpy server's pipes) is in its resident set:
 *
 *   node --conditions=source --import tsx bench/src/memory-child.ts [--epochs 10] [--dtype float32] [--seed 0]
 *
 * Trains the book's chapter-5 net on the 8,000 training digits as the training loop does
 * (DataLoader shuffling each epoch and copying out batches of 100; forward, loss, backward,
 * SGD step), samples `process.memoryUsage.rss()` after every iteration, and prints one JSON
 * line: the RSS after each epoch, the peak (the kernel's high-water mark where Linux gives it,
 * which also catches peaks between samples; else the largest sample), the V8 heap after each
 * epoch, mean loss per epoch and the CPU time used.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { DType } from '@zerograd/core';
import { DataLoader, loadMnist } from '@zerograd/layers';
import { BATCH_SIZE, buildNet, CHAPTER5, trainStep } from './nets.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    epochs: { type: 'string', default: '10' },
    dtype: { type: 'string', default: 'float32' },
    seed: { type: 'string', default: '0' },
    recycle: { type: 'boolean', default: false },
  },
});
const epochs = Number(values.epochs);
const dtype = values.dtype as DType;
const seed = Number(values.seed);

const started = process.cpuUsage();
const rssAtStart = process.memoryUsage.rss();
const data = loadMnist({ seed, dtype });
const built = buildNet(CHAPTER5, dtype);
const loader = new DataLoader(data.train, { batchSize: BATCH_SIZE, shuffle: true, seed });
const rssAfterEpoch: number[] = [];
const heapAfterEpoch: number[] = [];
const losses: number[] = [];
let peakRss = rssAtStart;
let iterations = 0;
const t0 = performance.now();
for (let epoch = 0; epoch < epochs; epoch++) {
  let sum = 0;
  let steps = 0;
  for (const { x, t } of loader) {
    sum += trainStep(built, x, t, values.recycle);
    steps++;
    iterations++;
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  }
  losses.push(sum / steps);
  rssAfterEpoch.push(process.memoryUsage.rss());
  heapAfterEpoch.push(process.memoryUsage().heapUsed);
}
const cpu = process.cpuUsage(started);
const sampledPeakRss = peakRss;
peakRss = Math.max(peakRss, highWaterMark() ?? 0);
process.stdout.write(
  `${JSON.stringify({
    epochs,
    dtype,
    iterations,
    msPerIteration: (performance.now() - t0) / iterations,
    rssAtStart,
    rssAfterEpoch,
    heapAfterEpoch,
    peakRss,
    sampledPeakRss,
    losses,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  })}\n`,
);

/** This process's peak RSS in bytes (Linux: VmHWM of /proc/self/status), or null elsewhere. */
function highWaterMark(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

import { fileURLToPath } from 'node:url';
import { backendInfo, type DType } from '@zerograd/core';
import { buildNet, CHAPTER5, type EpochBatches, epochBatches, type NetSpec, STRONGER, trainStep } from '../nets.js';
import { hasNumpy, PythonServer, pythonEnv } from '../python.js';
import { calibrate, sample } from '../timing.js';
import { type Side, summarise, takeTurns } from '../turns.js';
import { makeRow, type Row, type Suite, type SuiteContext } from '../types.js';

/**
 * Milliseconds per training iteration (forward, loss, backward, update on one batch of 100
 * real MNIST digits) of the book's chapter-5 net and of the example's stronger net, beside the
 * same nets written in numpy (bench/numpy_twolayer.py). Both sides start from the same
 * parameters (zerograd draws them, numpy reads them from a file) and step through the same
 * shuffled batches; for the chapter-5 net the losses of the first iterations are compared, so
 * the two are known to do the same arithmetic. The sides take turns, as in the matmul suite.
 */

const SCRIPT = fileURLToPath(new URL('../../numpy_twolayer.py', import.meta.url));
/** Iterations both sides run from the shared initial parameters before timing, compared. */
const CHECK_ITERATIONS = 5;

interface Case {
  name: string;
  dtype: DType;
  spec: NetSpec;
  /**
   * Affine+ReLU as fused `Affine` nodes (`activation: 'relu'`) and each step's buffers given
   * back to the pool (`releaseGraph`, as `train({ recycle: true })`): the same arithmetic.
   */
  fused?: boolean;
}

const FUSED = ', fused Affine+ReLU, recycled buffers';
const CASES: Case[] = [
  { name: `float32 ${CHAPTER5.label}`, dtype: 'float32', spec: CHAPTER5 },
  { name: `float32 ${CHAPTER5.label}${FUSED}`, dtype: 'float32', spec: CHAPTER5, fused: true },
  { name: `float64 ${CHAPTER5.label}`, dtype: 'float64', spec: CHAPTER5 },
  { name: `float32 ${STRONGER.label}`, dtype: 'float32', spec: STRONGER },
  { name: `float32 ${STRONGER.label}${FUSED}`, dtype: 'float32', spec: STRONGER, fused: true },
];

interface Options {
  blocks: number;
  samplesPerBlock: number;
  settleMs: number;
  minSampleSeconds: number;
  warmup: number;
}

export const trainingSuite: Suite = {
  name: 'training',
  description:
    'ms per training iteration (batch 100, real MNIST) of the chapter-5 and stronger nets vs the same nets in numpy',
  async run(ctx: SuiteContext): Promise<Row[]> {
    const opts: Options = ctx.quick
      ? { blocks: 1, samplesPerBlock: 3, settleMs: 100, minSampleSeconds: 0.02, warmup: 2 }
      : { blocks: 3, samplesPerBlock: 3, settleMs: 150, minSampleSeconds: 0.05, warmup: 5 };
    const cases = CASES.filter((c) => !ctx.filter || ctx.filter.test(c.name));
    if (cases.length === 0) return [];

    ctx.note('zerograd backend', backendInfo());
    const { removed } = pythonEnv();
    ctx.note('removed from numpy’s environment', removed);
    let numpy: PythonServer | null = null;
    if (hasNumpy()) {
      numpy = new PythonServer(SCRIPT, ['--serve']);
      ctx.note('numpy', await numpy.request<Record<string, unknown>>({ op: 'info' }));
    } else ctx.log('numpy is not available: reference columns will be empty');

    ctx.log('loading MNIST and cutting one shuffled epoch into batches of 100');
    const data = epochBatches(0);
    const rows: Row[] = [];
    try {
      for (const c of cases) {
        ctx.log(`training ${c.name}`);
        rows.push(await measure(c, data, numpy, opts, ctx));
      }
    } finally {
      if (numpy) ctx.addChildCpu(await numpy.cpuSeconds().catch(() => 0));
      numpy?.close();
      data.dispose();
    }
    return rows;
  },
};

async function measure(
  c: Case,
  data: EpochBatches,
  numpy: PythonServer | null,
  opts: Options,
  ctx: SuiteContext,
): Promise<Row> {
  const batches = data.batches[c.dtype] ?? [];
  const built = buildNet(c.spec, c.dtype, 1, c.fused);
  const paramsFile = data.writeParams(`${c.spec.key}-${c.dtype}`, built.net);

  // The check iterations, from the shared initial parameters on the first batches.
  const losses: number[] = [];
  for (let i = 0; i < CHECK_ITERATIONS; i++) losses.push(trainStep(built, batches[i].x, batches[i].t, c.fused));
  let next = CHECK_ITERATIONS;
  const iteration = () => {
    const b = batches[next++ % batches.length];
    trainStep(built, b.x, b.t, c.fused);
  };
  const calls = calibrate(iteration, opts.warmup, opts.minSampleSeconds).callsPerSample;
  const sides: Side[] = [{ name: 'zerograd', seconds: [], sample: async () => sample(iteration, calls) }];

  const id = c.name;
  if (numpy) {
    const np = numpy;
    const prepared = await np.request<{ losses: number[] }>({
      op: 'prepare',
      id,
      dir: data.dir,
      rows: data.rows,
      batchSize: batches[0].x.shape[0],
      sizes: c.spec.sizes,
      dropout: c.spec.dropout,
      optimizer: c.spec.optimizer,
      lr: c.spec.lr,
      params: paramsFile,
      dtype: c.dtype,
      checkIterations: CHECK_ITERATIONS,
      warmup: opts.warmup,
      minSampleSeconds: opts.minSampleSeconds,
    });
    ctx.note(`${c.name}: first ${CHECK_ITERATIONS} losses`, agreement(c, losses, prepared.losses));
    sides.push({
      name: 'numpy',
      seconds: [],
      sample: async () => (await np.request<{ seconds: number[] }>({ op: 'sample', id, count: 1 })).seconds[0],
    });
  }

  await takeTurns(sides, opts);
  if (numpy) await numpy.request({ op: 'release', id });

  const zg = summarise(sides[0], 1e3);
  const np = sides[1] ? summarise(sides[1], 1e3) : null;
  return makeRow({
    suite: 'training',
    name: c.name,
    unit: 'ms/iter',
    better: 'lower',
    zerograd: zg.value,
    reference: np?.value ?? null,
    referenceName: 'numpy',
    spread: { zerograd: zg.spread, ...(np ? { numpy: np.spread } : {}) },
    params: {
      dtype: c.dtype,
      sizes: c.spec.sizes,
      batchSize: batches[0].x.shape[0],
      optimizer: c.spec.optimizer,
      lr: c.spec.lr,
      dropout: c.spec.dropout,
      fused: c.fused ?? false,
      samples: opts.blocks * opts.samplesPerBlock,
      callsPerSample: calls,
    },
  });
}

/**
 * Whether both sides computed the same losses from the same start. With dropout they draw
 * different masks, so only the size of the numbers can be compared there.
 */
function agreement(c: Case, zerograd: number[], numpy: number[]): Record<string, string> {
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(6)).join(' ');
  if (c.spec.dropout > 0) {
    return {
      zerograd: fmt(zerograd),
      numpy: fmt(numpy),
      agreement: 'not compared (each side draws its own dropout masks)',
    };
  }
  const worst = Math.max(...zerograd.map((z, i) => Math.abs(z - numpy[i]) / Math.max(1e-12, Math.abs(numpy[i]))));
  const tolerance = c.dtype === 'float32' ? 1e-4 : 1e-10;
  return {
    zerograd: fmt(zerograd),
    numpy: fmt(numpy),
    agreement: `${worst <= tolerance ? 'agree' : 'DISAGREE'} (max relative difference ${worst.toExponential(1)})`,
  };
}

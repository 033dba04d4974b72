import { fileURLToPath } from 'node:url';
import { Random, type Variable, variable } from '@zerograd/core';
import { PYTHON, PythonServer } from '../python.js';
import { calibrate, sample } from '../timing.js';
import { type Side, summarise, takeTurns } from '../turns.js';
import { makeRow, type Row, type Suite, type SuiteContext } from '../types.js';

/**
 * A micrograd-style graph: an MLP whose every weight, input and intermediate is a scalar
 * Variable (shape `[]`), so the graph has one node per multiply, add and ReLU — about 100,000
 * of them for one forward + backward. Measures what per-op bookkeeping costs when tensors are
 * as small as they get: microseconds per node (forward and backward together), beside the same
 * graph built of plain Python objects (bench/python_scalar.py), as any user runs it, and as a
 * second column with Python's cyclic garbage collector paused (it spends about half the time
 * scanning the live nodes). Both sides get the same weights, inputs and targets; their loss and
 * gradients are compared before timing.
 */

const SCRIPT = fileURLToPath(new URL('../../python_scalar.py', import.meta.url));

/** 3 inputs → 16 → 16 → 1, ReLU on the hidden layers (micrograd's `MLP(3, [16, 16, 1])`). */
const SIZES = [3, 16, 16, 1];
/** Samples in the batch; with these sizes the graph has about 100,000 nodes. */
const BATCH = 148;
/** The peer column: the same Python graph with the cyclic garbage collector paused. */
const GC_OFF = 'python, gc off';

/** `[layer][neuron] = [w…, b]`, uniform in [-1, 1). */
type ParamSpec = number[][][];

interface Problem {
  params: ParamSpec;
  inputs: number[][];
  targets: number[];
}

function problem(seed: number): Problem {
  const random = new Random(seed);
  const u = () => 2 * random.next() - 1;
  const params: ParamSpec = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    const layer: number[][] = [];
    for (let n = 0; n < SIZES[l + 1]; n++) layer.push(Array.from({ length: SIZES[l] + 1 }, u));
    params.push(layer);
  }
  const inputs = Array.from({ length: BATCH }, () => Array.from({ length: SIZES[0] }, u));
  const targets = Array.from({ length: BATCH }, () => (random.next() < 0.5 ? -1 : 1));
  return { params, inputs, targets };
}

/**
 * The graph, in the order python_scalar.py builds it: per sample, each neuron is
 * `b + w₁·x₁ + w₂·x₂ + …` then ReLU (not in the last layer); the loss is
 * `(Σ (y − target)²) · (1 / batch)`.
 */
function forward(params: Variable[][][], inputs: Variable[][], targets: Variable[]): Variable {
  let total: Variable | null = null;
  for (let s = 0; s < inputs.length; s++) {
    let act = inputs[s];
    for (let l = 0; l < params.length; l++) {
      const last = l === params.length - 1;
      const out: Variable[] = [];
      for (const neuron of params[l]) {
        const k = neuron.length - 1;
        let acc = neuron[k];
        for (let i = 0; i < k; i++) acc = acc.add(neuron[i].mul(act[i]));
        out.push(last ? acc : acc.relu());
      }
      act = out;
    }
    const d = act[0].sub(targets[s]);
    const sq = d.mul(d);
    total = total ? total.add(sq) : sq;
  }
  return (total as Variable).mul(1 / inputs.length);
}

/** Distinct variables `y` depends on, itself and the leaves included. */
function countNodes(y: Variable): number {
  const seen = new Set<Variable>([y]);
  const stack = [y];
  while (stack.length) {
    const v = stack.pop() as Variable;
    for (const x of v.creator?.inputs ?? [])
      if (!seen.has(x)) {
        seen.add(x);
        stack.push(x);
      }
  }
  return seen.size;
}

export const scalarSuite: Suite = {
  name: 'scalar',
  description:
    'micrograd-style MLP of scalar nodes (~100,000 per pass): µs per node, forward + backward, vs plain Python',
  async run(ctx: SuiteContext): Promise<Row[]> {
    const opts = ctx.quick
      ? { blocks: 1, samplesPerBlock: 2, settleMs: 50, minSampleSeconds: 0.02, warmup: 1 }
      : { blocks: 3, samplesPerBlock: 3, settleMs: 100, minSampleSeconds: 0.05, warmup: 3 };
    const p = problem(7);
    const params = p.params.map((layer) => layer.map((neuron) => neuron.map((v) => variable(v))));
    const inputs = p.inputs.map((row) => row.map((v) => variable(v)));
    const targets = p.targets.map((v) => variable(v));
    const leaves = [...params.flat(2), ...inputs.flat(), ...targets];

    let loss = forward(params, inputs, targets);
    const nodes = countNodes(loss);
    const name = `MLP ${SIZES.join('→')} of scalars, batch ${BATCH}: ${nodes.toLocaleString('en-US')} nodes`;
    if (ctx.filter && !ctx.filter.test(name)) return [];
    loss.backward();
    const zgLoss = loss.item();
    const zgGrads = [...params.flat(2), ...inputs.flat()].map((v) => v.grad?.item() ?? 0);
    loss = null as unknown as Variable;

    const pass = () => {
      for (const leaf of leaves) leaf.grad = null;
      forward(params, inputs, targets).backward();
    };
    const calls = calibrate(pass, opts.warmup, opts.minSampleSeconds).callsPerSample;
    const sides: Side[] = [{ name: 'zerograd', seconds: [], sample: async () => sample(pass, calls) }];

    let python: PythonServer | null = new PythonServer(SCRIPT, ['--serve']);
    const id = 'mlp';
    try {
      const info = await python.request<Record<string, unknown>>({ op: 'info' });
      ctx.note('python', info);
      const got = await python.request<{ nodes: number; loss: number; paramGrads: number[][]; inputGrads: number[][] }>(
        {
          op: 'prepare',
          id,
          sizes: SIZES,
          ...p,
          warmup: opts.warmup,
          minSampleSeconds: opts.minSampleSeconds,
        },
      );
      const pyGrads = [...got.paramGrads.flat(), ...got.inputGrads.flat()];
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(a), Math.abs(b));
      const worst = Math.max(rel(zgLoss, got.loss), ...zgGrads.map((g, i) => rel(g, pyGrads[i])));
      ctx.note('same graph', {
        nodes: `zerograd ${nodes}, Python ${got.nodes}`,
        agreement: `${got.nodes === nodes && worst < 1e-9 ? 'agree' : 'DISAGREE'} (loss and ${zgGrads.length} gradients, max relative difference ${worst.toExponential(1)})`,
      });
      const py = python;
      const side = (name: string, sid: string): Side => ({
        name,
        seconds: [],
        sample: async () => (await py.request<{ seconds: number[] }>({ op: 'sample', id: sid, count: 1 })).seconds[0],
      });
      sides.push(side('python', id));
      // The same graph with Python's cyclic collector paused: the interpreter's cost alone.
      await py.request({
        op: 'prepare',
        id: `${id} gc off`,
        sizes: SIZES,
        ...p,
        gc: false,
        warmup: opts.warmup,
        minSampleSeconds: opts.minSampleSeconds,
      });
      sides.push(side(GC_OFF, `${id} gc off`));
    } catch (e) {
      ctx.log(`the Python reference (${PYTHON}) could not run: ${e instanceof Error ? e.message : String(e)}`);
      python.close();
      python = null;
    }

    try {
      await takeTurns(sides, opts);
    } finally {
      if (python) {
        ctx.addChildCpu(await python.cpuSeconds().catch(() => 0));
        python.close();
      }
    }

    const perNode = 1e6 / nodes;
    const byName = (n: string) => sides.find((s) => s.name === n);
    const zg = summarise(sides[0], perNode);
    const pySide = byName('python');
    const py = pySide ? summarise(pySide, perNode) : null;
    const gcOffSide = byName(GC_OFF);
    const gcOff = gcOffSide ? summarise(gcOffSide, perNode) : null;
    return [
      makeRow({
        suite: 'scalar',
        name,
        unit: 'µs/node',
        better: 'lower',
        zerograd: zg.value,
        reference: py?.value ?? null,
        referenceName: 'python',
        peers: { [GC_OFF]: gcOff?.value ?? null },
        spread: {
          zerograd: zg.spread,
          ...(py ? { python: py.spread } : {}),
          ...(gcOff ? { [GC_OFF]: gcOff.spread } : {}),
        },
        params: {
          sizes: SIZES,
          batch: BATCH,
          nodes,
          msPerPass: { zerograd: (zg.value * nodes) / 1e3, ...(py ? { python: (py.value * nodes) / 1e3 } : {}) },
          samples: opts.blocks * opts.samplesPerBlock,
          callsPerSample: calls,
        },
      }),
    ];
  },
};

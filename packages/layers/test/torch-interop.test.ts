// Checkpoints crossed with real PyTorch (Debian's python3-torch, driven by scripts/torch_interop.py):
// nets trained in PyTorch load into zerograd and nets trained in zerograd load into nn.Module,
// and both predict the same float64 logits to 1e-12. Plus the reader's dtypes (F16, BF16, I64 …)
// against PyTorch's own conversions, and the refusals that keep a square weight from loading
// the wrong way round.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DTypeError, fromArray, Random, type Tensor, ValueError } from '@zerograd/core';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Affine,
  BatchNorm,
  Conv2d,
  decodeSafetensors,
  decodeSafetensorsMetadata,
  Embedding,
  encodeSafetensors,
  Flatten,
  LayerNorm,
  loadParameters,
  loadTorchStateDict,
  openSafetensors,
  parametersFromBytes,
  parametersToBytes,
  ReLU,
  Sequential,
  SGD,
  saveParameters,
  softmaxCrossEntropy,
  toTorchStateDict,
} from '../src/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../scripts/torch_interop.py', import.meta.url));
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) {
  console.warn(
    'torch-interop.test.ts SKIPPED: /usr/bin/python3 cannot import torch. Install it with `apt-get install -y python3-torch` (.ci/run does this as root).',
  );
}

type Net = 'mlp' | 'emb';

/** The zerograd twins of the script's nets (same modules, same order). */
function build(net: Net, seed: number): Sequential {
  const r = new Random(seed);
  if (net === 'mlp') {
    return new Sequential([
      new Conv2d(1, 2, 3, { random: r }),
      new ReLU(),
      new Flatten(),
      new Affine(32, 8, { random: r, init: 'he' }),
      new BatchNorm(8),
      new ReLU(),
      new Affine(8, 8, { random: r, init: 'he' }), // square: the case that used to load silently wrong
      new LayerNorm(8),
      new Affine(8, 3, { random: r, init: 'he' }),
    ]);
  }
  return new Sequential([
    new Embedding(10, 4, { random: r }),
    new Flatten(),
    new Affine(12, 12, { random: r, init: 'he' }),
    new ReLU(),
    new Affine(12, 3, { random: r, init: 'he' }),
  ]);
}

function inputs(net: Net, n: number, r: Random): Tensor {
  return net === 'mlp' ? r.randn([n, 1, 6, 6]) : r.randint(0, 10, [n, 3], { dtype: 'int32' });
}

function python(...args: string[]): void {
  const run = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`torch_interop.py ${args.join(' ')} failed:\n${run.stderr}`);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** safetensors bytes from raw entries, for dtypes zerograd does not write. */
function craft(entries: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(e.bytes, at);
    at += e.bytes.length;
  }
  return out;
}

function rawEntries(bytes: Uint8Array) {
  const file = openSafetensors(bytes);
  const tensors = decodeSafetensors(bytes);
  return [...file.entries].map(([name, { dtype, shape }]) => {
    const t = tensors[name];
    let raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (dtype === 'I64') {
      const wide = new BigInt64Array(t.size);
      for (let i = 0; i < t.size; i++) wide[i] = BigInt(t.data[i]);
      raw = new Uint8Array(wide.buffer);
    }
    return { name, dtype, shape: [...shape], bytes: raw };
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerograd-torch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTorch)('PyTorch → zerograd', () => {
  beforeAll(() => {
    python('train', 'mlp', dir);
    python('train', 'emb', dir);
  }, 120_000);

  for (const net of ['mlp', 'emb'] as const) {
    it(`${net}: a state_dict saved by PyTorch loads with { format: 'torch' } and predicts the same logits`, async () => {
      const ckpt = join(dir, `torch-${net}.safetensors`);
      const io = decodeSafetensors(await readFile(join(dir, `torch-${net}-io.safetensors`)));
      const model = build(net, 99);
      const report = await loadParameters(model, ckpt, { format: 'torch' });
      expect(report.skipped).toEqual([]);
      expect(report.transposed).toEqual(
        net === 'mlp' ? ['3.weight', '6.weight', '8.weight'] : ['2.weight', '4.weight'],
      );
      model.eval();
      const diff = maxAbsDiff(model.forward(io.x).data, io.logits);
      console.log(
        `PyTorch → zerograd (${net}): max |Δ logit| = ${diff.toExponential(2)} over ${io.logits.size} logits`,
      );
      expect(diff).toBeLessThanOrEqual(1e-12);
      if (net === 'mlp') expect((model.get(4) as BatchNorm).batchesTracked).toBe(20); // I64 read
    });
  }

  it("refuses PyTorch's names without the format stated, and a hand-renamed square weight of unknown layout", async () => {
    const ckpt = join(dir, 'torch-mlp.safetensors');
    const model = build('mlp', 5);
    const before = model.stateDict();
    await expect(loadParameters(model, ckpt)).rejects.toThrow(/pass \{ format: 'torch' \}/);
    // The silent case: the file renamed to zerograd's names by hand, layout left as PyTorch's.
    const torchState = decodeSafetensors(await readFile(ckpt));
    const renamed: Record<string, Tensor> = {};
    for (const [zg, pt] of [
      ['conv2d1.W', '0.weight'],
      ['conv2d1.b', '0.bias'],
      ['affine1.W', '3.weight'],
      ['affine1.b', '3.bias'],
      ['batchnorm1.gamma', '4.weight'],
      ['batchnorm1.beta', '4.bias'],
      ['batchnorm1.runningMean', '4.running_mean'],
      ['batchnorm1.runningVar', '4.running_var'],
      ['affine2.W', '6.weight'],
      ['affine2.b', '6.bias'],
      ['layernorm1.weight', '7.weight'],
      ['layernorm1.bias', '7.bias'],
      ['affine3.W', '8.weight'],
      ['affine3.b', '8.bias'],
    ])
      renamed[zg] = torchState[pt];
    const bytes = encodeSafetensors(renamed); // no metadata: nothing records the layouts
    expect(() => parametersFromBytes(model, bytes)).toThrow(ValueError);
    expect(() => parametersFromBytes(model, bytes)).toThrow(
      /'affine2\.W' is a square weight \(8, 8\) and nothing records its layout: state the format/,
    );
    expect(model.stateDict()).toEqual(before);
    // A recorded layout settles it: every weight (the square one too) is transposed.
    const layouts = JSON.stringify({ 'affine1.W': '[out, in]', 'affine2.W': '[out, in]', 'affine3.W': '[out, in]' });
    const report = parametersFromBytes(model, encodeSafetensors(renamed, { layouts }));
    expect(report.transposed).toEqual(['affine1.W', 'affine2.W', 'affine3.W']);
    const direct = build('mlp', 6);
    loadTorchStateDict(direct, torchState);
    expect(model.stateDict()).toEqual(direct.stateDict());
  });

  it('skips entries the model does not need with strict: false (any dtype), and reports them', async () => {
    const torchBytes = await readFile(join(dir, 'torch-mlp.safetensors'));
    const big = new BigInt64Array([2n ** 40n]);
    const extras = [
      { name: 'extra.u16', dtype: 'U16', shape: [2], bytes: new Uint8Array(4) },
      { name: 'extra.f8', dtype: 'F8_E4M3', shape: [3], bytes: new Uint8Array(3) },
      { name: 'extra.big', dtype: 'I64', shape: [1], bytes: new Uint8Array(big.buffer) },
    ];
    const bytes = craft([...rawEntries(torchBytes), ...extras]);
    expect(decodeSafetensorsMetadata(bytes)).toEqual({}); // the header is valid …
    expect(() => decodeSafetensors(bytes)).toThrow(
      /tensor 'extra\.u16': dtype "U16" is a safetensors dtype zerograd does not hold/,
    ); // … decoding all is not
    const model = build('mlp', 7);
    const before = model.stateDict();
    expect(() => parametersFromBytes(model, bytes, { format: 'torch' })).toThrow(/'extra\.big' is not in the model/);
    expect(model.stateDict()).toEqual(before);
    const report = parametersFromBytes(model, bytes, { format: 'torch', strict: false });
    expect(report.skipped).toEqual(extras.map((e) => ({ name: e.name, reason: 'not in the model' })));
    const io = decodeSafetensors(await readFile(join(dir, 'torch-mlp-io.safetensors')));
    model.eval();
    expect(maxAbsDiff(model.forward(io.x).data, io.logits)).toBeLessThanOrEqual(1e-12);
    // A needed I64 entry that does not fit int32 is refused by name, and nothing changes.
    const huge = craft(
      rawEntries(torchBytes).map((e) =>
        e.name === '4.num_batches_tracked' ? { ...e, bytes: new Uint8Array(big.buffer) } : e,
      ),
    );
    const after = model.stateDict();
    expect(() => parametersFromBytes(model, huge, { format: 'torch' })).toThrow(
      /tensor '4\.num_batches_tracked': I64 value 1099511627776 at flat position 0 does not fit int32/,
    );
    expect(model.stateDict()).toEqual(after);
  });
});

describe.skipIf(!hasTorch)('zerograd → PyTorch', () => {
  for (const net of ['mlp', 'emb'] as const) {
    it(`${net}: a net trained in zerograd, saved with { format: 'torch' }, loads into nn.Module (strict) with the same logits`, async () => {
      const model = build(net, 3);
      const optimizer = new SGD(model, { lr: 0.1 });
      const r = new Random(4);
      for (let step = 0; step < 12; step++) {
        optimizer.zeroGrad();
        softmaxCrossEntropy(model.forward(inputs(net, 16, r)), r.randint(0, 3, [16], { dtype: 'int32' })).backward();
        optimizer.step();
      }
      const ckpt = join(dir, `zg-${net}.safetensors`);
      await saveParameters(model, ckpt, { format: 'torch' });
      model.eval();
      const x = inputs(net, 9, r);
      const ioPath = join(dir, `zg-${net}-io.safetensors`);
      await writeFile(ioPath, encodeSafetensors({ x }));
      const out = join(dir, `zg-${net}-out.safetensors`);
      python('predict', net, ckpt, ioPath, out); // also checks each module's repr against the metadata
      const back = decodeSafetensors(await readFile(out));
      const diff = maxAbsDiff(model.forward(x).data, back.logits);
      console.log(
        `zerograd → PyTorch (${net}): max |Δ logit| = ${diff.toExponential(2)} over ${back.logits.size} logits`,
      );
      expect(diff).toBeLessThanOrEqual(1e-12);
      if (net === 'mlp') {
        expect((model.get(4) as BatchNorm).batchesTracked).toBe(12);
        expect(Array.from(back['4.num_batches_tracked'].data)).toEqual([12]); // int64 in PyTorch
      }
      // And back into zerograd from its own torch file, exactly.
      const twin = build(net, 77);
      await loadParameters(twin, ckpt); // the metadata says format 'pt' and records the layouts
      expect(twin.stateDict()).toEqual(model.stateDict());
    });
  }
});

describe.skipIf(!hasTorch)('reading the dtypes PyTorch writes', () => {
  it("F16 and BF16 widen to float32 exactly as PyTorch's .float(); I64, I16, I8, U8 become int32", async () => {
    const path = join(dir, 'dtypes.safetensors');
    python('dtypes', path);
    const bytes = await readFile(path);
    const file = openSafetensors(bytes);
    expect(file.entries.get('f16')?.dtype).toBe('F16');
    expect(file.entries.get('bf16')?.dtype).toBe('BF16');
    expect(file.entries.get('i64')?.dtype).toBe('I64');
    const t = decodeSafetensors(bytes);
    for (const name of ['f16', 'bf16', 'f16_all', 'bf16_all']) {
      expect(t[name].dtype).toBe('float32');
      // toEqual treats NaN as equal to NaN and tells -0 from 0, as the comparison here must.
      expect(Array.from(t[name].data)).toEqual(Array.from(t[`${name}_as_f32`].data));
    }
    expect(t.f16_all.size).toBe(65536); // every half-precision bit pattern, subnormals, ±∞ and NaNs included
    expect(Object.is(t.f16.data[65], -0)).toBe(true); // the sign of zero survives
    for (const name of ['i64', 'i16', 'i8', 'u8']) {
      expect(t[name].dtype).toBe('int32');
      expect(Array.from(t[name].data)).toEqual(Array.from(t[`${name}_as_i32`].data));
    }
  });
});

describe('names and layouts (no PyTorch needed)', () => {
  it("maps an array-built Sequential to PyTorch's indices and an object-built one to its keys", () => {
    const indexed = toTorchStateDict(new Sequential([new Affine(2, 3), new ReLU(), new BatchNorm(3)]));
    expect(Object.keys(indexed)).toEqual([
      '0.weight',
      '0.bias',
      '2.weight',
      '2.bias',
      '2.running_mean',
      '2.running_var',
      '2.num_batches_tracked',
    ]);
    expect(indexed['0.weight'].shape).toEqual([3, 2]);
    expect(indexed['2.num_batches_tracked'].dtype).toBe('int32');
    const named = toTorchStateDict(new Sequential({ fc: new Affine(2, 3), act: new ReLU() }));
    expect(Object.keys(named)).toEqual(['fc.weight', 'fc.bias']);
    const numbered = new Sequential({ 0: new Affine(2, 2), 1: new ReLU() });
    expect(numbered.namedParameters().map(([n]) => n)).toEqual(['0.W', '0.b']);
    expect(() => new Sequential({ '01': new ReLU() })).toThrow(/or an index like 0, 1/);
  });

  it("records every tensor's layout, so a square weight reloads right in both formats", () => {
    const a = new Sequential([new Affine(4, 4, { seed: 1 }), new BatchNorm(4)]);
    a.forward(new Random(2).randn([5, 4]));
    for (const format of ['zerograd', 'torch'] as const) {
      const bytes = parametersToBytes(a, { format });
      const layouts = JSON.parse(decodeSafetensorsMetadata(bytes).layouts);
      expect(layouts[format === 'torch' ? '0.weight' : 'affine1.W']).toBe(
        format === 'torch' ? '[out, in]' : '[in, out]',
      );
      const b = new Sequential([new Affine(4, 4, { seed: 9 }), new BatchNorm(4)]);
      const report = parametersFromBytes(b, bytes); // format and layouts from the metadata
      expect(report.transposed).toEqual(format === 'torch' ? ['0.weight'] : []);
      expect(b.stateDict()).toEqual(a.stateDict());
      expect((b.get(1) as BatchNorm).batchesTracked).toBe(format === 'torch' ? 1 : 0);
    }
    const modules = JSON.parse(decodeSafetensorsMetadata(parametersToBytes(a, { format: 'torch' })).modules);
    expect(modules['1']).toBe('BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
  });
});

describe('round trips (property)', () => {
  type Spec = 'bn' | 'ln' | 'relu' | number; // a number: an Affine to that many features
  const specArb: fc.Arbitrary<Spec> = fc.oneof(
    fc.constantFrom<Spec>('bn', 'ln', 'relu'),
    fc.integer({ min: 1, max: 5 }),
  );
  const build = (inF: number, specs: Spec[], bias: boolean, seed: number) => {
    const r = new Random(seed);
    let f = inF;
    const layers = specs.map((s) => {
      if (s === 'bn') return new BatchNorm(f);
      if (s === 'ln') return new LayerNorm(f);
      if (s === 'relu') return new ReLU();
      const l = new Affine(f, s, { random: r, bias, init: 1 });
      f = s;
      return l;
    });
    return new Sequential(layers);
  };

  it('any stack of Affine (square or not), BatchNorm and LayerNorm round-trips through both formats, with nn.Linear layout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(specArb, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (inF, specs, bias, seed) => {
          const a = build(inF, specs, bias, seed);
          a.forward(new Random(seed + 1).randn([3, inF])); // moves BatchNorm's statistics and count
          const torch = toTorchStateDict(a);
          a.layerList.forEach((l, i) => {
            if (!(l instanceof Affine)) return;
            const w = torch[`${i}.weight`]; // PyTorch's [out, in]: w[o][k] = W[k][o]
            expect(w.shape).toEqual([l.outFeatures, l.inFeatures]);
            for (let o = 0; o < l.outFeatures; o++)
              for (let k = 0; k < l.inFeatures; k++)
                expect(w.data[o * l.inFeatures + k]).toBe(l.W.data.data[k * l.outFeatures + o]);
          });
          for (const format of ['zerograd', 'torch'] as const) {
            const b = build(inF, specs, bias, seed + 7);
            parametersFromBytes(b, parametersToBytes(a, { format }));
            expect(b.stateDict()).toEqual(a.stateDict());
          }
          const c = build(inF, specs, bias, seed + 9);
          loadTorchStateDict(c, torch);
          expect(c.stateDict()).toEqual(a.stateDict());
          c.layerList.forEach((l, i) => {
            if (l instanceof BatchNorm) expect(l.batchesTracked).toBe((a.layerList[i] as BatchNorm).batchesTracked);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('writes I64 only for int32 tensors asked for, and reads it back', () => {
    const count = fromArray([7, -3], { dtype: 'int32' });
    const bytes = encodeSafetensors({ count }, undefined, { int64: ['count'] });
    expect(openSafetensors(bytes).entries.get('count')).toEqual({ dtype: 'I64', shape: [2] });
    expect(Array.from(decodeSafetensors(bytes).count.data)).toEqual([7, -3]);
    expect(() => encodeSafetensors({ x: fromArray([1.5]) }, undefined, { int64: ['x'] })).toThrow(DTypeError);
  });
});

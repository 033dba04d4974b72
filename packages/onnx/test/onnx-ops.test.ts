// The element-wise and reduction ops the random-program property does not draw — Sin, Cos, Erf,
// Identity, Cast and Min over an axis — each exported with a batch of 3, run in ONNX Runtime
// with a batch of 5, and read back by importOnnx: the same numbers everywhere, in every dtype
// the README's op table claims for it.
import { cast, cos, identity, Random, sin, type Variable, variable } from '@zerograd/core';
import { erf } from '@zerograd/layers';
import { describe, expect, it } from 'vitest';
import { decodeModel, exportOnnx, importOnnx } from '../src/index.js';
import { maxDisagreement, runOrt } from './support/onnx-runtime.js';

const TOL = { float64: 1e-12, float32: 1e-6 } as const;
type Dtype = 'float32' | 'float64';

const CASES: [string, (x: Variable) => Variable, string, Dtype[]][] = [
  ['sin', (x) => sin(x), 'Sin', ['float32', 'float64']],
  ['cos', (x) => cos(x.mul(3)), 'Cos', ['float32', 'float64']],
  // onnxruntime-web's WebAssembly build has Erf for float32 only (the README's "f32").
  ['erf', (x) => erf(x), 'Erf', ['float32']],
  ['identity', (x) => identity(x).tanh(), 'Identity', ['float32', 'float64']],
  // To the other float dtype and back: float64 → float32 rounds, and ORT must round the same.
  [
    'cast there and back',
    (x) => cast(cast(x, x.dtype === 'float64' ? 'float32' : 'float64'), x.dtype),
    'Cast',
    ['float32', 'float64'],
  ],
  ['min over an axis, keepdims', (x) => x.min(1, true), 'ReduceMin', ['float32', 'float64']],
];

describe('ops outside the random programs, in ONNX Runtime and back', () => {
  for (const [label, f, opType, dtypes] of CASES)
    for (const dtype of dtypes)
      it(`${label} (${dtype}) exports as ${opType} and computes the same`, async () => {
        const bytes = exportOnnx(f, new Random(1).randn([3, 6], { dtype }));
        expect(decodeModel(bytes).graph.nodes.map((n) => n.opType)).toContain(opType);
        const x = new Random(2).randn([5, 6], { std: 2, dtype });
        const ours = f(variable(x)).data;
        const ort = await runOrt(bytes, { input: x });
        expect(ort.output.dims).toEqual(ours.shape);
        expect(maxDisagreement(ort.output.data, ours.data as ArrayLike<number>)).toBeLessThanOrEqual(TOL[dtype]);
        const back = importOnnx(bytes).forward(variable(x)).data;
        expect(maxDisagreement(back.data, ours.data as ArrayLike<number>)).toBeLessThanOrEqual(TOL[dtype]);
      });
});

import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { setBackend } from '../src/backend/select.js';
import { updateParameter } from '../src/backend/tensor-kernels.js';
import { wasmUpdate } from '../src/backend/wasm-elementwise.js';
import { WasmKernels } from '../src/backend/wasm-kernels.js';
import { variantBytes, variantSupported, type WasmVariant } from '../src/backend/wasm-module.js';
import { ShapeError, ValueError } from '../src/errors.js';
import { gemmReference } from '../src/kernels/matmul-reference.js';
import {
  packHyper,
  UPDATE_RULES,
  UPDATE_STATE,
  type UpdateHyper,
  type UpdateRule,
  updateInto,
} from '../src/kernels/optim.js';
import { Random } from '../src/tensor/random.js';

if (!variantSupported('relaxed')) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const runnable = (['simd', 'relaxed'] as WasmVariant[]).filter(variantSupported);

const HYPER: Record<UpdateRule, UpdateHyper> = {
  sgd: { lr: 0.1, weightDecay: 0.01 },
  momentum: { lr: 0.05, weightDecay: 0.001, momentum: 0.9 },
  nesterov: { lr: 0.05, weightDecay: 0, momentum: 0.8 },
  adagrad: { lr: 0.01, weightDecay: 0.002, eps: 1e-7 },
  rmsprop: { lr: 0.01, weightDecay: 0, eps: 1e-7, decay: 0.99 },
  adam: {
    lr: 1e-3,
    weightDecay: 0.01,
    eps: 1e-8,
    beta1: 0.9,
    beta2: 0.999,
    correction1: 1 - 0.9 ** 3,
    correction2: 1 - 0.999 ** 3,
    decoupledDecay: 2e-5,
  },
};
const RULES = Object.keys(UPDATE_RULES) as UpdateRule[];

function buffers(ctor: Float32ArrayConstructor | Float64ArrayConstructor, n: number, states: number, seed: number) {
  const r = new Random(seed);
  const fill = (scale: number, positive = false) =>
    ctor.from({ length: n }, () => (positive ? r.next() * scale : (r.next() * 2 - 1) * scale));
  return {
    w: fill(1),
    g: fill(0.5),
    state: Array.from({ length: states }, (_, i) => fill(0.1, i === 1 || states === 1)),
  };
}

describe.each(runnable)('optimizer update kernels in the %s binary', (variant) => {
  const kernels = new WasmKernels(
    variant,
    new WebAssembly.Module(variantBytes(variant) as BufferSource),
    gemmReference,
  );
  for (const rule of RULES) {
    it(`${rule}: bit-identical to the reference loop, float32 and float64, odd and even sizes, 3 steps`, () => {
      for (const ctor of [Float32Array, Float64Array]) {
        for (const n of [64, 65, 1000, 4097]) {
          const states = UPDATE_STATE[rule].length;
          const a = buffers(ctor, n, states, n);
          const b = buffers(ctor, n, states, n);
          const before = ctor.from(a.w);
          const p = packHyper(rule, HYPER[rule]);
          for (let step = 0; step < 3; step++) {
            updateInto(rule, a.w, a.g, a.state, p);
            expect(wasmUpdate(kernels, UPDATE_RULES[rule], b.w, b.g, b.state, p)).toBe(true);
          }
          expect(b.w).toEqual(a.w);
          b.state.forEach((s, i) => expect(s).toEqual(a.state[i]));
          // The step did something (a kernel that skipped the update would pass the comparison above only if both did).
          expect(a.w).not.toEqual(before);
        }
      }
    });
  }

  it('leaves small buffers and mixed types to the reference', () => {
    const p = packHyper('sgd', HYPER.sgd);
    expect(wasmUpdate(kernels, 0, new Float64Array(10), new Float64Array(10), [], p)).toBe(false);
    expect(wasmUpdate(kernels, 0, new Float64Array(100), new Float32Array(100), [], p)).toBe(false);
  });
});

describe('updateParameter', () => {
  it('computes the textbook rules (hand-checked single elements)', () => {
    for (const backend of ['ts', 'wasm'] as const) {
      setBackend(backend);
      const n = 128;
      const w = new Float64Array(n).fill(2);
      const g = new Float64Array(n).fill(0.5);
      updateParameter('sgd', w, g, [], { lr: 0.1, weightDecay: 0.1 });
      expect(w[0]).toBeCloseTo(2 - 0.1 * (0.5 + 0.2), 15);
      expect(w[n - 1]).toBe(w[0]);
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      const w2 = new Float64Array(n).fill(1);
      updateParameter('adam', w2, g, [m, v], {
        lr: 0.01,
        eps: 1e-8,
        beta1: 0.9,
        beta2: 0.999,
        correction1: 0.1,
        correction2: 0.001,
      });
      // First Adam step moves by lr·sign(g) (bias-corrected m̂ = g, v̂ = g²).
      expect(w2[5]).toBeCloseTo(1 - 0.01, 9);
      expect(m[5]).toBeCloseTo(0.05, 15);
      expect(v[5]).toBeCloseTo(0.00025, 15);
    }
    setBackend('auto');
  });

  it('rejects mismatched buffers and missing hyper-parameters, naming the rule', () => {
    const w = new Float32Array(8);
    expect(() => updateParameter('sgd', w, new Float32Array(7), [], { lr: 1 })).toThrow(ShapeError);
    expect(() => updateParameter('sgd', w, new Float32Array(7), [], { lr: 1 })).toThrow(/update\(sgd\).*7 elements.*8/);
    expect(() => updateParameter('sgd', w, new Float64Array(8), [], { lr: 1 })).toThrow(ValueError);
    expect(() => updateParameter('adam', w, new Float32Array(8), [new Float32Array(8)], HYPER.adam)).toThrow(
      /expects 2 state buffer/,
    );
    expect(() => updateParameter('momentum', w, new Float32Array(8), [new Float32Array(8)], { lr: 1 })).toThrow(
      /'momentum' is required/,
    );
    expect(() => updateParameter('bogus' as UpdateRule, w, w, [], { lr: 1 })).toThrow(/unknown rule/);
  });
});

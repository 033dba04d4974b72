// ReLU's backward is one op, ReluGrad = gy · [x > 0], run by the `maskPositive` kernel: it must
// give exactly the bits of the two-pass form it replaced, `mul(gy, positive(x))`, on every
// backend, NaN, ±0 and ±∞ included; and it must stay differentiable (a second-order check).
import { backendInfo, gradgradcheck, relu, setBackend, Tensor, traceGraph, variable } from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import { afterAll, describe, expect, it } from 'vitest';

const SPECIALS = [Number.NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5, -3.25, 1e-40];
const initial = backendInfo();
afterAll(() => {
  setBackend(initial.requested, { threads: initial.threads });
});

/** `n` values cycling through the specials against each other, so every pair occurs. */
function pairs(ctor: Float32ArrayConstructor | Float64ArrayConstructor, n: number): [Tensor, Tensor] {
  const a = new ctor(n);
  const b = new ctor(n);
  for (let i = 0; i < n; i++) {
    a[i] = SPECIALS[i % SPECIALS.length];
    b[i] = SPECIALS[Math.floor(i / SPECIALS.length) % SPECIALS.length];
  }
  return [new Tensor(a, [n]), new Tensor(b, [n])];
}

describe('ReluGrad', () => {
  for (const backend of ['ts', 'auto'] as const)
    for (const ctor of [Float32Array, Float64Array])
      it(`maskPositive has the bits of mul(gy, positive(x)) (${backend}, ${ctor.name})`, () => {
        setBackend(backend);
        // 1,000 elements: large enough for the WebAssembly path, every special pair ten times.
        const [gy, x] = pairs(ctor, 1000);
        const got = kernels.binary('maskPositive', gy, x).data;
        const want = kernels.binary('mul', gy, kernels.unary('positive', x)).data;
        for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
      });

  it('is differentiable: second derivatives of relu(x)·x agree with central differences', () => {
    setBackend('auto');
    // Away from 0, where relu is smooth: d²/dx² (relu(x)·x) is 2 for x > 0 and 0 for x < 0.
    const x = variable([[-1.5, 0.75, 2.25, -0.5]]);
    const report = gradgradcheck((v) => relu(v).mul(v).sum(), [x]);
    expect(report.ok, report.message).toBe(true);
  });

  it('appears as its own node in a recorded backward', () => {
    const x = variable([-1, 2, 3]);
    relu(x).sum().backward({ createGraph: true });
    const ops = traceGraph(x.grad as never).nodes.flatMap((n) => (n.kind === 'op' ? [n.op] : []));
    expect(ops).toEqual(['ReluGrad']);
    expect(x.grad?.toArray()).toEqual([0, 1, 1]);
  });
});

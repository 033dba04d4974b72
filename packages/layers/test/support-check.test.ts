// The parameter-gradient check of the layer tests must catch a wrong backward.
import { defineOp, parameter, Random, type Variable } from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';
import { describe, expect, it } from 'vitest';
import { Layer } from '../src/index.js';
import { checkParameterGradients } from './support/gradients.js';

// x·w with a backward that forgets to multiply the upstream gradient for w.
const badMul = defineOp({
  name: 'BadMul',
  forward: ([x, w]) => kernels.binary('mul', x, w),
  backward: ([gy], { inputs: [x, w] }) => [gy.mul(w), x.mul(1)],
  broadcast: true,
});

class BadScale extends Layer {
  readonly type = 'BadScale';
  readonly w = this.registerParameter('w', parameter(new Random(0).randn([3])));
  protected call(x: Variable): Variable {
    return badMul(x, this.w);
  }
}

describe('checkParameterGradients', () => {
  it('fails on a backward that ignores its upstream gradient', () => {
    const r = checkParameterGradients(new BadScale(), new Random(1).randn([2, 3]), new Random(2));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^w\[/);
  });
});

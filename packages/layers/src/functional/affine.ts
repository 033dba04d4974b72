/**
 * The fused Affine: `act(x·W + b)` as one node. Forward is one kernel call on the selected
 * backend (the product, the bias row and the ReLU in one pass over the output, before it
 * leaves WebAssembly memory); backward is the book's `dx = dy·Wᵀ`, `dW = xᵀ·dy`, `db = Σₙ dy`
 * with `dy` masked where the output is not positive when the ReLU is fused. It gives exactly
 * the values and gradients of `matmul`, `add` and `relu` one after another (tested), with one
 * node, one buffer and one copy instead of three.
 */
import {
  asVariable,
  defineOp,
  fmtShape,
  matmul,
  mul,
  type Operand,
  ShapeError,
  sum,
  ValueError,
  type Variable,
} from '@zerograd/core';
import { kernels } from '@zerograd/core/internals';

interface AffineAttrs {
  relu: boolean;
}

const AffineOp = defineOp<AffineAttrs>({
  name: 'Affine',
  forward: ([x, W, b], { relu }) => kernels.affineTensor(x, W, b ?? null, relu),
  // dx = g·Wᵀ and dW = xᵀ·g are MatMul nodes that read the transposed operand in place, so
  // this one backward is both the fast path and the differentiable one (second order works).
  backward: ([gy], { inputs: [x, W, b], outputs: [y], attrs, needsGrad }) => {
    // The ReLU's mask is a constant (its derivative is zero wherever it exists).
    const g = attrs.relu ? mul(gy, kernels.unary('positive', y.data)) : gy;
    const grads = [
      needsGrad[0] ? matmul(g, W, { transposeB: true }) : null,
      needsGrad[1] ? matmul(x, g, { transposeA: true }) : null,
    ];
    if (b) grads.push(needsGrad[2] ? sum(g, 0) : null);
    return grads;
  },
  describe: (a) => (a.relu ? { activation: 'relu' } : {}),
});

/** Options of {@link affine}. */
export interface AffineFunctionOptions {
  /** Apply ReLU to the result, in the same pass (default none). */
  activation?: 'relu' | null;
}

/**
 * `x·W + b` (then ReLU with `{ activation: 'relu' }`) as one fused node named `Affine`:
 * x `[N, in]`, W `[in, out]`, b `[out]` or omitted. Values and gradients equal the composed
 * `relu(add(matmul(x, W), b))`; it is faster because the bias and the ReLU ride along with
 * the product.
 *
 * @example
 * const h = affine(x, W1, b1, { activation: 'relu' }); // [100, 784]·[784, 50] + [50], ReLU
 */
export function affine(x: Operand, W: Operand, b?: Operand | null, options: AffineFunctionOptions = {}): Variable {
  const { activation = null } = options;
  if (activation !== null && activation !== 'relu') {
    throw new ValueError('Affine', `activation must be 'relu' or null, got ${JSON.stringify(activation)}`);
  }
  const xv = asVariable('Affine', x);
  const Wv = asVariable('Affine', W, xv.dtype);
  const inputs = b === undefined || b === null ? [xv, Wv] : [xv, Wv, asVariable('Affine', b, xv.dtype)];
  if (xv.ndim !== 2 || Wv.ndim !== 2 || xv.shape[1] !== Wv.shape[0]) {
    throw new ShapeError(
      'Affine',
      `expects x [N, in] and W [in, out], got ${fmtShape(xv.shape)} and ${fmtShape(Wv.shape)}`,
    );
  }
  return AffineOp.withAttrs({ relu: activation === 'relu' }, ...inputs);
}

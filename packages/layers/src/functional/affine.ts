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
  isGradEnabled,
  kernels,
  matmul,
  mT,
  mul,
  type Operand,
  ShapeError,
  sum,
  ValueError,
  type Variable,
} from '@zerograd/core';

interface AffineAttrs {
  relu: boolean;
}

const AffineOp = defineOp<AffineAttrs>({
  name: 'Affine',
  forward: ([x, W, b], { relu }) => kernels.affineTensor(x, W, b ?? null, relu),
  backward: ([gy], { inputs: [x, W, b], outputs: [y], attrs, needsGrad }) => {
    // The ReLU's mask is a constant (its derivative is zero wherever it exists).
    const mask = attrs.relu ? kernels.unary('positive', y.data) : null;
    if (!isGradEnabled()) {
      // Nothing records this backward: tensors only, transposes read in place.
      const g = mask ? kernels.binary('mul', gy.data, mask) : gy.data;
      const grads = [
        needsGrad[0] ? kernels.matmulTensor(g, W.data, false, true, 'Affine') : null,
        needsGrad[1] ? kernels.matmulTensor(x.data, g, true, false, 'Affine') : null,
      ];
      if (b) grads.push(needsGrad[2] ? kernels.reduceTensor('sum', g, 0, false, 'Affine') : null);
      return grads;
    }
    const g = mask ? mul(gy, mask) : gy;
    const grads = [needsGrad[0] ? matmul(g, mT(W)) : null, needsGrad[1] ? matmul(mT(x), g) : null];
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

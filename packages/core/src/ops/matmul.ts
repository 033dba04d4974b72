import { fmtShape, ShapeError } from '../errors.js';
import { isGradEnabled } from '../graph/mode.js';
import { applyOp, type OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { matmulTensor } from '../kernels/index.js';
import { mT, reshape } from './shape.js';

const MatMulDef: OpDefinition = {
  name: 'MatMul',
  broadcast: true,
  forward: ([a, b]) => matmulTensor(a, b, false, false, 'MatMul'),
  // The book's Affine backward: dA = dY·Bᵀ, dB = Aᵀ·dY. Batch axes that were broadcast are
  // summed back by the engine (this op declares `broadcast`).
  backward: ([gy], { inputs: [a, b], needsGrad }) => {
    if (!isGradEnabled()) {
      // Nothing records this backward (no createGraph): let the kernel read the transposed
      // operands in place instead of materialising mT(b) and mT(a).
      return [
        needsGrad[0] ? matmulTensor(gy.data, b.data, false, true, 'MatMul') : null,
        needsGrad[1] ? matmulTensor(a.data, gy.data, true, false, 'MatMul') : null,
      ];
    }
    return [needsGrad[0] ? matmul(gy, mT(b)) : null, needsGrad[1] ? matmul(mT(a), gy) : null];
  },
};

/**
 * Matrix product with numpy's rules: 2-D × 2-D is the matrix product; N-D operands are batches
 * of matrices whose leading axes broadcast; a 1-D left operand is a row vector and a 1-D right
 * operand a column vector, and the added axis is removed from the result.
 */
export function matmul(a: Operand, b: Operand): Variable {
  let x = asVariable('MatMul', a);
  let y = asVariable('MatMul', b);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ShapeError('MatMul', `operands must have rank ≥ 1, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  const vecA = x.ndim === 1;
  const vecB = y.ndim === 1;
  if (vecA) x = reshape(x, [1, x.shape[0]]);
  if (vecB) y = reshape(y, [y.shape[0], 1]);
  const ka = x.shape[x.ndim - 1];
  const kb = y.shape[y.ndim - 2];
  if (ka !== kb) {
    throw new ShapeError(
      'MatMul',
      `cannot multiply ${fmtShape(asVariable('MatMul', a).shape)} by ${fmtShape(asVariable('MatMul', b).shape)}: inner dimensions ${ka} and ${kb} differ`,
    );
  }
  let out = applyOp(MatMulDef, [x, y], undefined) as Variable;
  if (vecA || vecB) {
    const s = out.shape.slice();
    if (vecB) s.splice(s.length - 1, 1);
    if (vecA) s.splice(s.length - (vecB ? 1 : 2), 1);
    out = reshape(out, s);
  }
  return out;
}

/** Dot product of two 1-D vectors, or `matmul` otherwise (numpy's `dot` for rank ≤ 2). */
export function dot(a: Operand, b: Operand): Variable {
  return matmul(a, b);
}

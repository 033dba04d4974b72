import { matmulTensor } from '../backend/tensor-kernels.js';
import { fmtShape, ShapeError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, type Variable } from '../graph/variable.js';
import { reshape } from './shape.js';

interface MatMulAttrs {
  /** Read the left operand's last two axes swapped (Aᵀ), in place: no copy is made. */
  transposeA: boolean;
  /** Read the right operand's last two axes swapped (Bᵀ). */
  transposeB: boolean;
}

const MatMulDef: OpDefinition<MatMulAttrs> = {
  name: 'MatMul',
  broadcast: true,
  forward: ([a, b], { transposeA, transposeB }) => matmulTensor(a, b, transposeA, transposeB, 'MatMul'),
  // The book's Affine backward for Y = A·B: dA = dY·Bᵀ, dB = Aᵀ·dY — products that read an
  // operand transposed, so no transposed copy is made, and they are MatMul nodes themselves
  // (second order works). With Y = Aᵀ·B or A·Bᵀ the same rule gives the transposed forms.
  // Batch axes that were broadcast are summed back by the engine (`broadcast`).
  backward: ([gy], { inputs: [a, b], attrs: { transposeA: tA, transposeB: tB }, needsGrad }) => [
    needsGrad[0] ? (tA ? product(b, tB, gy, true) : product(gy, false, b, !tB)) : null,
    needsGrad[1] ? (tB ? product(gy, true, a, tA) : product(a, !tA, gy, false)) : null,
  ],
  describe: (a) => ({ ...(a.transposeA ? { transposeA: true } : {}), ...(a.transposeB ? { transposeB: true } : {}) }),
};

/** op(a)·op(b), op being a transpose of the last two axes where asked: one MatMul node. */
function product(a: Variable, transposeA: boolean, b: Variable, transposeB: boolean): Variable {
  return applyOp(MatMulDef, [a, b], { transposeA, transposeB }) as Variable;
}

/** Options of {@link matmul}. */
export interface MatMulOptions {
  /** Multiply by `a` with its last two axes swapped, without copying it (rank ≥ 2). */
  transposeA?: boolean;
  /** Multiply by `b` with its last two axes swapped, without copying it (rank ≥ 2). */
  transposeB?: boolean;
}

/**
 * Matrix product with numpy's rules: 2-D × 2-D is the matrix product; N-D operands are batches
 * of matrices whose leading axes broadcast; a 1-D left operand is a row vector and a 1-D right
 * operand a column vector, and the added axis is removed from the result. `transposeA` /
 * `transposeB` multiply by an operand with its last two axes swapped, read in place.
 */
export function matmul(a: Operand, b: Operand, options: MatMulOptions = {}): Variable {
  let x = asVariable('MatMul', a);
  let y = asVariable('MatMul', b, x.dtype);
  const { transposeA = false, transposeB = false } = options;
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ShapeError('MatMul', `operands must have rank ≥ 1, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  if ((transposeA && x.ndim < 2) || (transposeB && y.ndim < 2)) {
    throw new ShapeError(
      'MatMul',
      `a transposed operand needs rank ≥ 2, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
    );
  }
  const vecA = x.ndim === 1;
  const vecB = y.ndim === 1;
  if (vecA) x = reshape(x, [1, x.shape[0]]);
  if (vecB) y = reshape(y, [y.shape[0], 1]);
  const ka = x.shape[x.ndim - (transposeA ? 2 : 1)];
  const kb = y.shape[y.ndim - (transposeB ? 1 : 2)];
  if (ka !== kb) {
    throw new ShapeError(
      'MatMul',
      `cannot multiply ${fmtShape(asVariable('MatMul', a).shape)} by ${fmtShape(asVariable('MatMul', b).shape)}: inner dimensions ${ka} and ${kb} differ`,
    );
  }
  let out = applyOp(MatMulDef, [x, y], { transposeA, transposeB }) as Variable;
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

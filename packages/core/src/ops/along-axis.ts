/**
 * Ops along one axis, with PyTorch's semantics: `gather` picks, for every position of an index
 * tensor, the element that index names along `axis`; `scatterAdd` adds values into the places
 * an index names; `cumsum` is the running sum. Gather and scatter-add are each other's adjoint
 * (what a gather picks, its gradient scatters back, adding where an index repeats), and the
 * gradient of a running sum from the front is a running sum from the back.
 */
import { DTypeError, fmtShape, ShapeError, ValueError } from '../errors.js';
import { applyOp } from '../graph/apply.js';
import type { OpDefinition } from '../graph/node.js';
import { asVariable, type Operand, Variable } from '../graph/variable.js';
import { fromArray, zeros } from '../tensor/create.js';
import { allocate } from '../tensor/dtype.js';
import { sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { axisOf, pad } from './layout.js';
import { reshape } from './shape.js';

interface AlongAxisAttrs {
  axis: number;
  /** The positions along `axis`: int32, or floats holding integers, all in range. */
  index: Tensor;
}

/**
 * The index as a tensor, checked: int32 or integral floats, every value in `[0, length)`
 * (PyTorch's rule: no negative indices here, unlike `getItem`).
 */
function checkedIndex(op: string, index: Operand, length: number, axis: number): Tensor {
  // Plain arrays keep their own dtype (nested booleans are bool), so a mask is refused, not read as 0/1.
  const t = index instanceof Variable ? index.data : index instanceof Tensor ? index : toTensor(op, index);
  if (t.dtype === 'bool') throw new DTypeError(op, 'the index must hold integers (int32 or whole floats), got bool');
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const k = d[i];
    if (!Number.isInteger(k)) throw new ValueError(op, `index ${k} at flat position ${i} is not an integer`);
    if (k < 0 || k >= length)
      throw new ShapeError(
        op,
        `index ${k} at flat position ${i} is out of bounds for axis ${axis} with size ${length}`,
      );
  }
  return t;
}

function toTensor(op: string, index: Operand): Tensor {
  if (typeof index === 'number' || Array.isArray(index) || ArrayBuffer.isView(index)) return fromArray(index as never);
  return asVariable(op, index).data;
}

/**
 * Walks the index tensor in row-major order; for each of its positions calls `visit(i, at,
 * from)` with `at` the offset in a tensor of strides `target` where the position's coordinates
 * are kept but the one along `axis` is replaced by the index value, and `from` the offset of the
 * unchanged coordinates in a tensor of strides `source`.
 */
function walk(
  index: Tensor,
  axis: number,
  target: readonly number[],
  source: readonly number[],
  visit: (i: number, at: number, from: number) => void,
): void {
  const shape = index.shape;
  const d = index.data;
  const coord = new Array<number>(shape.length).fill(0);
  let base = 0; // target offset without the axis term
  let from = 0;
  for (let i = 0; i < d.length; i++) {
    visit(i, base + d[i] * target[axis], from);
    // Next coordinates (an odometer), moving both offsets with them.
    for (let k = shape.length - 1; k >= 0; k--) {
      coord[k]++;
      if (k !== axis) base += target[k];
      from += source[k];
      if (coord[k] < shape[k]) break;
      if (k !== axis) base -= coord[k] * target[k];
      from -= coord[k] * source[k];
      coord[k] = 0;
    }
  }
}

/** PyTorch's shape rules: same rank, and the index no larger than `x` off the axis (and than `src`). */
function checkShapes(
  op: string,
  x: readonly number[],
  index: readonly number[],
  axis: number,
  src?: readonly number[],
) {
  const shapes = `x ${fmtShape(x)}, index ${fmtShape(index)}${src ? `, src ${fmtShape(src)}` : ''}`;
  if (index.length !== x.length || (src && src.length !== x.length))
    throw new ShapeError(op, `x, index${src ? ' and src' : ''} must have the same rank: ${shapes}`);
  if (index.some((n, i) => i !== axis && n > x[i]))
    throw new ShapeError(op, `the index may not be larger than x except along axis ${axis}: ${shapes}`);
  if (src && index.some((n, i) => n > src[i]))
    throw new ShapeError(op, `the index may not be larger than src: ${shapes}`);
}

const GatherDef: OpDefinition<AlongAxisAttrs> = {
  name: 'Gather',
  promote: false, // moves values: an int32 or bool tensor keeps its dtype
  forward: ([x], { axis, index }) => {
    const out = allocate(x.dtype, index.size);
    const d = x.data;
    walk(index, axis, stridesOf(x.shape), stridesOf(index.shape), (i, at) => {
      out[i] = d[at];
    });
    return new Tensor(out, index.shape);
  },
  // Each picked element sends its gradient back to where it came from; repeats add up.
  backward: ([gy], { inputs: [x], attrs }) =>
    scatterAdd(zeros(x.shape, { dtype: gy.dtype }), attrs.axis, attrs.index, gy),
  describe: (a) => ({ axis: a.axis, indexShape: a.index.shape }),
};

/**
 * `out[i][j][k] = x[index[i][j][k]][j][k]` for `axis` 0 (likewise for other axes): PyTorch's
 * `gather`, numpy's `take_along_axis`. `index` has `x`'s rank, holds int32 or whole-number
 * floats in `[0, x.shape[axis])`, and the result has its shape.
 */
export function gather(x: Operand, axis: number, index: Operand): Variable {
  const v = asVariable('Gather', x);
  const a = axisOf('Gather', axis, v.ndim);
  const idx = checkedIndex('Gather', index, v.shape[a], a);
  checkShapes('Gather', v.shape, idx.shape, a);
  return applyOp(GatherDef, [v], { axis: a, index: idx }) as Variable;
}

const ScatterAddDef: OpDefinition<AlongAxisAttrs> = {
  name: 'ScatterAdd',
  forward: ([x, src], { axis, index }) => {
    const out = x.data.slice();
    const s = src.data;
    walk(index, axis, stridesOf(x.shape), stridesOf(src.shape), (_, at, from) => {
      out[at] += s[from];
    });
    return new Tensor(out, x.shape);
  },
  // x passes through unchanged; src's gradient is gy read back where src went (the used part
  // of src: an index smaller than src leaves the rest of src unused, with zero gradient).
  backward: ([gy], { inputs: [, src], attrs, needsGrad }) => {
    if (!needsGrad[1]) return [gy, null];
    const g = gather(gy, attrs.axis, attrs.index);
    const rest = src.shape.map((n, i): [number, number] => [0, n - g.shape[i]]);
    return [gy, rest.some(([, after]) => after > 0) ? pad(g, rest) : g];
  },
  describe: (a) => ({ axis: a.axis, indexShape: a.index.shape }),
};

/**
 * `x` plus `src` added at the places `index` names along `axis`: for `axis` 0,
 * `out[index[i][j][k]][j][k] += src[i][j][k]` (PyTorch's `scatter_add`, numpy's `add.at`).
 * Repeated indices add up. `x`, `index` and `src` have one rank; the index is no larger than
 * `src`, nor than `x` off the axis. Differentiable in `x` and `src`.
 */
export function scatterAdd(x: Operand, axis: number, index: Operand, src: Operand): Variable {
  const v = asVariable('ScatterAdd', x);
  const s = asVariable('ScatterAdd', src, v.dtype);
  const a = axisOf('ScatterAdd', axis, v.ndim);
  const idx = checkedIndex('ScatterAdd', index, v.shape[a], a);
  checkShapes('ScatterAdd', v.shape, idx.shape, a, s.shape);
  return applyOp(ScatterAddDef, [v, s], { axis: a, index: idx }) as Variable;
}

const CumsumDef: OpDefinition<{ axis: number; reverse: boolean }> = {
  name: 'Cumsum',
  forward: ([x], { axis, reverse }) => {
    const n = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    const outer = x.size / Math.max(n * inner, 1);
    const d = x.data;
    const out = allocate(x.dtype, x.size);
    const step = reverse ? -inner : inner;
    for (let j = 0; j < outer; j++) {
      for (let k = 0; k < inner; k++) {
        let at = j * n * inner + k + (reverse ? (n - 1) * inner : 0);
        let acc = 0;
        for (let i = 0; i < n; i++, at += step) out[at] = acc += d[at];
      }
    }
    return new Tensor(out, x.shape);
  },
  // yᵢ = Σ_{k≤i} xₖ, so ∂L/∂xₖ = Σ_{i≥k} gyᵢ: the running sum of gy taken from the other end.
  backward: ([gy], { attrs }) => applyOp(CumsumDef, [gy], { axis: attrs.axis, reverse: !attrs.reverse }) as Variable,
  describe: (a) => ({ axis: a.axis, reverse: a.reverse }),
};

/**
 * The running sum along `axis`: `cumsum([1, 2, 3], 0)` is `[1, 3, 6]`. Without an axis, of
 * the flattened tensor (numpy's rule; PyTorch requires the axis). Integers and bools are
 * summed as float64, like every op that computes.
 */
export function cumsum(x: Operand, axis?: number): Variable {
  const v = asVariable('Cumsum', x);
  if (axis === undefined) return cumsum(reshape(v, [-1]), 0);
  return applyOp(CumsumDef, [v], { axis: axisOf('Cumsum', axis, v.ndim), reverse: false }) as Variable;
}

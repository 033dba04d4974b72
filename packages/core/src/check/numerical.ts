import { ShapeError, ValueError } from '../errors.js';
import { noGrad } from '../graph/mode.js';
import { Variable } from '../graph/variable.js';
import { allocate } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** A scalar-valued function as the checks accept it: any of number, one-element Tensor or Variable. */
export type ScalarResult = number | Tensor | Variable;

/** Reads a one-element result as a number. */
export function scalarOf(op: string, r: ScalarResult): number {
  if (typeof r === 'number') return r;
  const t = r instanceof Variable ? r.data : r;
  if (!(t instanceof Tensor)) throw new ValueError(op, 'the function must return a number, a Tensor or a Variable');
  if (t.size !== 1) throw new ShapeError(op, `the function must return one value, got shape (${t.shape.join(', ')})`);
  return t.data[0];
}

/**
 * The notes' numerical derivative by central differences, (f(x+h) − f(x−h)) / 2h.
 * With a number it returns a number; with a Tensor it applies `f` to the whole shifted tensor
 * (f must be elementwise, as in the notes' plot of 0.01x² + 0.1x) and returns a Tensor.
 */
export function numericalDiff(f: (x: number) => number, x: number, h?: number): number;
export function numericalDiff(f: (x: Tensor) => Tensor, x: Tensor, h?: number): Tensor;
export function numericalDiff(f: (x: never) => unknown, x: number | Tensor, h = 1e-4): number | Tensor {
  if (!(h > 0)) throw new ValueError('numericalDiff', `h must be positive, got ${h}`);
  // Checked up front: a junk f or x would otherwise fail as a TypeError from inside.
  if (typeof f !== 'function') throw new ValueError('numericalDiff', 'f must be a function');
  if (typeof x !== 'number' && !(x instanceof Tensor))
    throw new ValueError('numericalDiff', 'x must be a number or a Tensor');
  if (typeof x === 'number') {
    const g = f as unknown as (x: number) => number;
    return (g(x + h) - g(x - h)) / (2 * h);
  }
  const shift = (d: number) => {
    const out = allocate(x.dtype, x.size);
    for (let i = 0; i < x.size; i++) out[i] = x.data[i] + d;
    return new Tensor(out, x.shape);
  };
  return noGrad(() => {
    const g = f as unknown as (x: Tensor) => Tensor | Variable;
    const a = g(shift(h));
    const b = g(shift(-h));
    const ta = a instanceof Variable ? a.data : a;
    const tb = b instanceof Variable ? b.data : b;
    if (ta.size !== x.size || tb.size !== x.size) {
      throw new ShapeError('numericalDiff', 'f must be elementwise: its output must have the shape of x');
    }
    const out = allocate('float64', x.size);
    for (let i = 0; i < x.size; i++) out[i] = (ta.data[i] - tb.data[i]) / (2 * h);
    return new Tensor(out, x.shape);
  });
}

/**
 * The notes' numerical gradient: for each element of `x`, nudge it by ±h and difference the
 * scalar `f(x)`. Works on any shape; `x` is restored even if `f` throws. `f` runs under
 * `noGrad`, so it may use zerograd ops freely.
 */
export function numericalGradient(f: (x: Tensor) => ScalarResult, x: Tensor, h = 1e-4): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError('numericalGradient', 'x must be a Tensor');
  if (typeof f !== 'function') throw new ValueError('numericalGradient', 'f must be a function');
  if (!(h > 0)) throw new ValueError('numericalGradient', `h must be positive, got ${h}`);
  const grad = allocate('float64', x.size);
  const d = x.data;
  noGrad(() => {
    for (let i = 0; i < x.size; i++) {
      const keep = d[i];
      try {
        d[i] = keep + h;
        const a = scalarOf('numericalGradient', f(x));
        d[i] = keep - h;
        const b = scalarOf('numericalGradient', f(x));
        grad[i] = (a - b) / (2 * h);
      } finally {
        d[i] = keep;
      }
    }
  });
  return new Tensor(x.dtype === 'float64' ? grad : Float32Array.from(grad), x.shape);
}

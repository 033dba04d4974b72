import * as fc from 'fast-check';
import { ValueError } from '../errors.js';
import { allocate, checkDType, type DType } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * fast-check arbitraries for tensors and shapes. Every one is built from fast-check's own
 * combinators with `map` (no rejection sampling where it can be avoided), so failures shrink
 * towards small shapes and simple values.
 */

/** Bounds of a generated shape. */
export interface ShapeConstraints {
  /** Fewest axes (default 0: scalars are included). */
  minRank?: number;
  /** Most axes (default 3). */
  maxRank?: number;
  /** Smallest size of an axis (default 1; 0 generates empty tensors). */
  minSize?: number;
  /** Largest size of an axis (default 4). */
  maxSize?: number;
  /** Most elements in total (default 64). Oversized draws are cut down, axis by axis. */
  maxElements?: number;
}

function resolveShapeConstraints(op: string, c: ShapeConstraints) {
  const minRank = c.minRank ?? 0;
  const maxRank = Math.max(c.maxRank ?? 3, minRank);
  const minSize = c.minSize ?? 1;
  const maxSize = Math.max(c.maxSize ?? 4, minSize);
  const maxElements = c.maxElements ?? 64;
  for (const [k, v] of Object.entries({ minRank, maxRank, minSize, maxSize, maxElements })) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ValueError(op, `${k} must be a non-negative integer, got ${v}`);
  }
  if (minSize ** minRank > maxElements) {
    throw new ValueError(
      op,
      `no shape of rank ≥ ${minRank} with sizes ≥ ${minSize} has at most ${maxElements} elements`,
    );
  }
  return { minRank, maxRank, minSize, maxSize, maxElements };
}

/** Shrinks the largest axes (never below `minSize`) until the shape has at most `maxElements`. */
function capElements(shape: number[], minSize: number, maxElements: number): number[] {
  const s = shape.slice();
  while (sizeOf(s) > maxElements) {
    let big = 0;
    for (let i = 1; i < s.length; i++) if (s[i] > s[big]) big = i;
    if (s[big] <= minSize) break;
    s[big]--;
  }
  return s;
}

/**
 * Shapes with a rank in `[minRank, maxRank]`, axis sizes in `[minSize, maxSize]` and at most
 * `maxElements` elements. Shrinks towards fewer axes and smaller sizes.
 *
 * @example
 * fc.assert(fc.property(shapeArb({ minRank: 1 }), (shape) => zeros(shape).ndim >= 1));
 */
export function shapeArb(constraints: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  const c = resolveShapeConstraints('shapeArb', constraints);
  return fc
    .array(fc.integer({ min: c.minSize, max: c.maxSize }), { minLength: c.minRank, maxLength: c.maxRank })
    .map((s) => capElements(s, c.minSize, c.maxElements));
}

/**
 * `n` shapes (default 2) that broadcast together under numpy's rules: a common target shape
 * is drawn, then each operand keeps a suffix of its axes (so ranks differ) and turns some
 * axes into size 1. Pairs like `[(3, 1, 4), (2, 1)]` and `[(), (2, 3)]` both occur.
 *
 * The constraints bound the broadcast result; each operand is no larger.
 */
export function broadcastShapesArb(n = 2, constraints: ShapeConstraints = {}): fc.Arbitrary<number[][]> {
  if (!Number.isSafeInteger(n) || n < 1) throw new ValueError('broadcastShapesArb', `n must be ≥ 1, got ${n}`);
  const c = resolveShapeConstraints('broadcastShapesArb', constraints);
  const operand = fc.record({
    // How many leading axes this operand drops (a lower rank broadcasts from the right).
    drop: fc.nat({ max: c.maxRank }),
    // Per axis: 0 turns the axis into size 1, anything else keeps it (kept 2 times in 3).
    keep: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: c.maxRank, maxLength: c.maxRank }),
  });
  return fc.tuple(shapeArb(c), fc.array(operand, { minLength: n, maxLength: n })).map(([target, ops]) =>
    ops.map(({ drop, keep }) => {
      const d = Math.min(drop, target.length);
      return target.slice(d).map((size, i) => (keep[i] === 0 ? 1 : size));
    }),
  );
}

/** How generated tensor values are drawn. */
export interface TensorConstraints {
  /** Element type (default `float64`; gradient checks need float64). */
  dtype?: DType;
  /** Smallest value (default -3). */
  min?: number;
  /** Largest value (default 3). */
  max?: number;
  /**
   * Points to keep away from — kinks and singularities (`[0]` for relu/abs, the other
   * operand of a `maximum`). Values within `margin` of one are pushed out to the margin.
   */
  awayFrom?: readonly number[];
  /** Distance kept from every point of `awayFrom` (default 0.05). */
  margin?: number;
}

function resolveValues(op: string, c: TensorConstraints) {
  const dtype = checkDType(op, c.dtype ?? 'float64');
  const min = c.min ?? -3;
  const max = c.max ?? 3;
  const margin = c.margin ?? 0.05;
  const away = [...(c.awayFrom ?? [])].sort((a, b) => a - b);
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
    throw new ValueError(op, `need finite min ≤ max, got ${min}, ${max}`);
  }
  if (!(margin >= 0)) throw new ValueError(op, `margin must be non-negative, got ${margin}`);
  // Some value of [min, max] must be at least `margin` from every point to avoid.
  const ok = (v: number) => v >= min && v <= max && away.every((k) => Math.abs(v - k) >= margin);
  const candidates = [min, max, ...away.flatMap((k) => [k - margin, k + margin])];
  if (!candidates.some(ok)) {
    throw new ValueError(op, `no value in [${min}, ${max}] is ${margin} away from [${away.join(', ')}]`);
  }
  return { dtype, min, max, margin, away, ok };
}

/**
 * One value in `[min, max]` at least `margin` from every point of `awayFrom`: a value inside
 * a forbidden interval is moved to its nearer edge (the other edge when that leaves the range).
 */
export function valueArb(constraints: TensorConstraints = {}): fc.Arbitrary<number> {
  const { min, max, margin, away, ok } = resolveValues('valueArb', constraints);
  const push = (v: number): number => {
    for (let pass = 0; pass <= away.length; pass++) {
      const k = away.find((p) => Math.abs(v - p) < margin);
      if (k === undefined) return v;
      const lo = k - margin;
      const hi = k + margin;
      v = (v < k && lo >= min) || hi > max ? lo : hi;
    }
    return v;
  };
  return fc
    .double({ min, max, noNaN: true, noDefaultInfinity: true })
    .map((v) => push(v === 0 ? 0 : v)) // -0 → 0: keeps printed counterexamples readable
    .filter(ok); // only when pushing fails (points closer than 2·margin near a range edge)
}

/**
 * Tensors of a fixed shape or of shapes drawn from an arbitrary, with values from
 * `valueArb(constraints)` stored in `dtype`.
 *
 * @example
 * // positive inputs for log, a margin away from 0
 * tensorArb(shapeArb(), { min: 0.1, max: 3 })
 * // relu inputs, kept 0.05 from the kink
 * tensorArb([2, 3], { awayFrom: [0] })
 */
export function tensorArb(
  shape: readonly number[] | fc.Arbitrary<readonly number[]> = shapeArb(),
  constraints: TensorConstraints = {},
): fc.Arbitrary<Tensor> {
  const { dtype } = resolveValues('tensorArb', constraints);
  const value = valueArb(constraints);
  const build = (s: readonly number[]) =>
    fc.array(value, { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((vals) => {
      const data = allocate(dtype, vals.length);
      data.set(vals);
      return new Tensor(data, s);
    });
  return Array.isArray(shape) ? build(shape as readonly number[]) : (shape as fc.Arbitrary<number[]>).chain(build);
}

/** Options of `distinctValuesTensorArb`. */
export interface DistinctConstraints {
  dtype?: DType;
  /** Smallest value (default -3). */
  min?: number;
  /** Largest value (default 3). */
  max?: number;
  /** Least distance between any two values (default 0.01). */
  gap?: number;
}

/**
 * Tensors whose values are pairwise at least `gap` apart — no ties, so `max`/`min`
 * reductions and sorting have one winner and a well-defined gradient. Values lie on a grid of
 * step `gap` in `[min, max]`, which must hold enough grid points for the largest shape.
 */
export function distinctValuesTensorArb(
  shape: readonly number[] | fc.Arbitrary<readonly number[]> = shapeArb(),
  constraints: DistinctConstraints = {},
): fc.Arbitrary<Tensor> {
  const dtype = checkDType('distinctValuesTensorArb', constraints.dtype ?? 'float64');
  const min = constraints.min ?? -3;
  const max = constraints.max ?? 3;
  const gap = constraints.gap ?? 0.01;
  if (!(gap > 0) || !(max >= min)) throw new ValueError('distinctValuesTensorArb', 'need gap > 0 and min ≤ max');
  const slots = Math.floor((max - min) / gap);
  const build = (s: readonly number[]) => {
    const n = sizeOf(s);
    if (n > slots + 1) {
      throw new ValueError(
        'distinctValuesTensorArb',
        `${n} distinct values do not fit in [${min}, ${max}] ${gap} apart`,
      );
    }
    return fc.uniqueArray(fc.integer({ min: 0, max: slots }), { minLength: n, maxLength: n }).map((ks) => {
      const data = allocate(dtype, n);
      for (let i = 0; i < n; i++) data[i] = min + ks[i] * gap;
      return new Tensor(data, s);
    });
  };
  return Array.isArray(shape) ? build(shape as readonly number[]) : (shape as fc.Arbitrary<number[]>).chain(build);
}

/** Bounds of `matmulShapesArb`. */
export interface MatmulShapeConstraints {
  /** Largest of m, k, n (default 4). */
  maxSize?: number;
  /** Most batch axes (default 2; 0 gives plain matrices and vectors). */
  maxBatchRank?: number;
  /** Largest batch axis (default 3). */
  maxBatchSize?: number;
  /** Include 1-D operands (numpy's vector rules; default true). */
  vectors?: boolean;
}

/**
 * Operand shapes `[a, b]` that `matmul` accepts: `(…, m, k) @ (…, k, n)` with batch axes that
 * broadcast (different ranks and size-1 axes included), and, unless `vectors: false`, 1-D
 * operands `(k,)` on either side.
 */
export function matmulShapesArb(constraints: MatmulShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> {
  const maxSize = constraints.maxSize ?? 4;
  const maxBatchRank = constraints.maxBatchRank ?? 2;
  const size = fc.integer({ min: 1, max: maxSize });
  const vec = constraints.vectors === false ? fc.constant(false) : fc.integer({ min: 0, max: 3 }).map((v) => v === 0);
  return fc
    .record({
      m: size,
      k: size,
      n: size,
      batch: broadcastShapesArb(2, { maxRank: maxBatchRank, maxSize: constraints.maxBatchSize ?? 3, maxElements: 12 }),
      aVec: vec,
      bVec: vec,
    })
    .map(({ m, k, n, batch: [ba, bb], aVec, bVec }): [number[], number[]] => [
      aVec ? [k] : [...ba, m, k],
      bVec ? [k] : [...bb, k, n],
    ]);
}

/**
 * `n` tensors of broadcast-compatible shapes (see `broadcastShapesArb`), each with its own
 * value constraints when an array of them is given — e.g. a numerator and a denominator kept
 * away from 0: `broadcastTensorsArb(2, [{}, { awayFrom: [0], margin: 0.5 }])`.
 */
export function broadcastTensorsArb(
  n = 2,
  values: TensorConstraints | readonly TensorConstraints[] = {},
  shapes: ShapeConstraints = {},
): fc.Arbitrary<Tensor[]> {
  const per = (i: number): TensorConstraints =>
    Array.isArray(values) ? (values[i] ?? {}) : (values as TensorConstraints);
  for (let i = 0; i < n; i++) resolveValues('broadcastTensorsArb', per(i));
  return broadcastShapesArb(n, shapes).chain((ss) => fc.tuple(...ss.map((s, i) => tensorArb(s, per(i)))));
}

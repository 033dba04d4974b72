import { DTypeError, GraphError, ValueError } from '../errors.js';
import { computeGrads } from '../graph/backward.js';
import { type Operand, Variable, variable } from '../graph/variable.js';
import { mul } from '../ops/arithmetic.js';
import { sum } from '../ops/reduce.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of `gradcheck`; defaults are PyTorch's. */
export interface GradcheckOptions {
  /** Perturbation for central differences (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random upstream gradients and projections (default 0). */
  seed?: number;
  /**
   * Largest Jacobian (output elements × input elements) compared entry by entry; larger
   * problems are checked through random projections (default 4096).
   */
  jacobianLimit?: number;
  /** Inputs larger than this are probed along random directions, not per element (default 2048). */
  elementLimit?: number;
  /** Number of random upstream gradients / directions in projection mode (default 3). */
  projections?: number;
  /** Throw a `GraphError` with the report instead of returning it when the check fails. */
  raise?: boolean;
}

/** The worst disagreement found by `gradcheck`. */
export interface GradcheckWorst {
  /** Which input (argument position). */
  input: number;
  /** Flat element index in that input, or -1 for a random direction. */
  index: number;
  /** Which output element (Jacobian mode) or projection number. */
  output: number;
  analytic: number;
  numerical: number;
  absError: number;
  relError: number;
}

/** What `gradcheck` found. */
export interface GradcheckReport {
  ok: boolean;
  mode: 'jacobian' | 'projection';
  /** Number of derivative values compared. */
  checked: number;
  /** Largest |analytic − numerical| over every compared value. */
  maxAbsError: number;
  /** Largest |analytic − numerical| / |numerical| over values whose |numerical| exceeds atol. */
  maxRelError: number;
  /** The comparison that came closest to (or went furthest past) the tolerance. */
  worst: GradcheckWorst | null;
  /** A readable summary, also the message of the error when `raise` is set. */
  message: string;
}

type Fn = (...xs: Variable[]) => Variable | Variable[];

function outputsOf(r: Variable | Variable[]): Variable[] {
  const list = Array.isArray(r) ? r : [r];
  for (const y of list)
    if (!(y instanceof Variable))
      throw new GraphError('gradcheck', 'f must return a Variable or an array of Variables');
  return list;
}

/** A non-function `f` or non-array `inputs` would otherwise surface as a TypeError from inside. */
function checkCallable(op: string, f: unknown, inputs: unknown): void {
  if (typeof f !== 'function') throw new ValueError(op, `f must be a function, got ${f === null ? 'null' : typeof f}`);
  if (!Array.isArray(inputs)) throw new ValueError(op, 'inputs must be an array of operands');
}

class Tally {
  checked = 0;
  maxAbs = 0;
  maxRel = 0;
  worst: GradcheckWorst | null = null;
  private worstScore = Number.NEGATIVE_INFINITY;
  ok = true;
  constructor(
    private atol: number,
    private rtol: number,
  ) {}
  add(input: number, index: number, output: number, analytic: number, numerical: number): void {
    this.checked++;
    const abs = Math.abs(analytic - numerical);
    const rel = abs / Math.max(Math.abs(numerical), 1e-12);
    const bad = !(abs <= this.atol + this.rtol * Math.abs(numerical)); // NaN counts as bad
    if (bad) this.ok = false;
    if (abs > this.maxAbs || Number.isNaN(abs)) this.maxAbs = Number.isNaN(abs) ? Number.NaN : abs;
    // Relative error where it means something: derivatives larger than atol in magnitude.
    if (Math.abs(numerical) > this.atol && Number.isFinite(rel) && rel > this.maxRel) this.maxRel = rel;
    const score = Number.isNaN(abs) ? Number.POSITIVE_INFINITY : abs - (this.atol + this.rtol * Math.abs(numerical));
    if (score > this.worstScore) {
      this.worstScore = score;
      this.worst = { input, index, output, analytic, numerical, absError: abs, relError: rel };
    }
  }
}

/**
 * Compares the analytic gradients of `f` (from backward) with central differences, in float64.
 * Small problems compare the whole Jacobian entry by entry; large ones compare vector–Jacobian
 * products with random upstream gradients, per element or along random directions. An entry
 * passes when |analytic − numerical| ≤ atol + rtol·|numerical|. Inputs are never modified.
 */
export function gradcheck(f: Fn, inputs: readonly Operand[], options: GradcheckOptions = {}): GradcheckReport {
  checkCallable('gradcheck', f, inputs);
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0))
    throw new ValueError('gradcheck', 'eps must be positive, atol and rtol non-negative');
  const xs = inputs.map((x) => {
    const v = x instanceof Variable ? x : variable(x);
    if (v.dtype !== 'float64') {
      throw new DTypeError('gradcheck', 'inputs must be float64: float32 rounding swamps central differences');
    }
    // Private copies: perturbation writes into these, never into the caller's tensors.
    return variable(v.data.clone(), { name: v.name ?? undefined });
  });
  const ys = outputsOf(f(...xs));
  const outSize = ys.reduce((s, y) => s + y.size, 0);
  const inSize = xs.reduce((s, x) => s + x.size, 0);
  const tally = new Tally(atol, rtol);
  const central = centralDifferences(f, xs, eps);
  const mode = outSize * inSize <= (options.jacobianLimit ?? 4096) ? 'jacobian' : 'projection';
  if (mode === 'jacobian') compareJacobian(xs, ys, central, eps, tally);
  else compareProjections(xs, ys, central, eps, tally, options);

  const w = tally.worst;
  const message = tally.ok
    ? `gradcheck passed (${mode}, ${tally.checked} values, max abs error ${tally.maxAbs.toExponential(2)})`
    : `gradcheck failed (${mode}): input ${w?.input}, element ${w?.index}, output ${w?.output}: analytic ${w?.analytic} vs numerical ${w?.numerical} (abs error ${w?.absError.toExponential(3)}, atol ${atol}, rtol ${rtol})`;
  if (!tally.ok && options.raise) throw new GraphError('gradcheck', message);
  return {
    ok: tally.ok,
    mode,
    checked: tally.checked,
    maxAbsError: tally.maxAbs,
    maxRelError: tally.maxRel,
    worst: tally.worst,
    message,
  };
}

/** The numerical derivative of every output of `f` along a perturbation of the inputs' data. */
type Central = (nudge: (sign: number) => void) => Float64Array[];

/**
 * Central differences of `f` at `xs`: `nudge(s)` moves the inputs' data by s·eps along some
 * direction; the result is (f(x + eps·d) − f(x − eps·d)) / 2eps per output element, and the
 * data is back where it was. `f` runs on fresh leaves over the private data, with recording on
 * (it may itself differentiate, as gradgradcheck's does), and nothing of it is kept.
 */
function centralDifferences(f: Fn, xs: readonly Variable[], eps: number): Central {
  const evalOutputs = (): Float64Array[] =>
    outputsOf(f(...xs.map((x) => new Variable(x.data, { requiresGrad: true })))).map((y) =>
      Float64Array.from(y.data.data),
    );
  return (nudge) => {
    nudge(+1);
    const plus = evalOutputs();
    nudge(-2);
    const minus = evalOutputs();
    nudge(+1);
    return plus.map((p, j) => p.map((v, k) => (v - minus[j][k]) / (2 * eps)));
  };
}

/** The numerical derivative of every output with respect to element `i` of input `x`. */
function alongElement(central: Central, x: Variable, i: number, eps: number): Float64Array[] {
  const keep = x.data.data[i];
  const d = central((s) => {
    x.data.data[i] += s * eps;
  });
  x.data.data[i] = keep; // exactly, whatever the rounding of the nudges
  return d;
}

/** Small problems: the whole Jacobian, one backward per output element, one difference per input element. */
function compareJacobian(
  xs: readonly Variable[],
  ys: readonly Variable[],
  central: Central,
  eps: number,
  tally: Tally,
): void {
  const inSize = xs.reduce((s, x) => s + x.size, 0);
  // Analytic Jacobian rows: one backward per output element, seeded with a one-hot.
  const rows: Float64Array[] = [];
  ys.forEach((y, j) => {
    for (let k = 0; k < y.size; k++) {
      const seeds = ys.map((o, jj) => {
        const t = new Tensor(new Float64Array(o.size), o.shape);
        if (jj === j) t.data[k] = 1;
        return t;
      });
      const g = computeGrads(ys, seeds);
      const row = new Float64Array(inSize);
      let off = 0;
      for (const x of xs) {
        const gx = g.get(x);
        if (gx) row.set(gx.data.data, off);
        off += x.size;
      }
      rows.push(row);
    }
  });
  let col = 0;
  xs.forEach((x, xi) => {
    for (let i = 0; i < x.size; i++, col++) {
      const d = alongElement(central, x, i, eps);
      let r = 0;
      for (const dj of d) for (let k = 0; k < dj.length; k++, r++) tally.add(xi, i, r, rows[r][col], dj[k]);
    }
  });
}

/**
 * Large problems: vector–Jacobian products with random upstream gradients u, `projections`
 * times — per element for inputs up to `elementLimit` elements, along one random direction for
 * larger ones.
 */
function compareProjections(
  xs: readonly Variable[],
  ys: readonly Variable[],
  central: Central,
  eps: number,
  tally: Tally,
  options: GradcheckOptions,
): void {
  const rng = new Random(options.seed ?? 0);
  for (let p = 0; p < (options.projections ?? 3); p++) {
    const us = ys.map((y) => rng.randn(y.shape));
    const g = computeGrads(ys, us);
    const dotU = (d: Float64Array[]) => d.reduce((s, dj, j) => s + dj.reduce((t, v, k) => t + v * us[j].data[k], 0), 0);
    xs.forEach((x, xi) => {
      const gx = g.get(x)?.data.data ?? new Float64Array(x.size);
      if (x.size <= (options.elementLimit ?? 2048)) {
        for (let i = 0; i < x.size; i++) tally.add(xi, i, p, gx[i], dotU(alongElement(central, x, i, eps)));
        return;
      }
      const v = rng.randn(x.shape).data;
      const keep = Float64Array.from(x.data.data);
      const d = central((s) => {
        for (let i = 0; i < v.length; i++) x.data.data[i] += s * eps * v[i];
      });
      x.data.data.set(keep);
      let a = 0;
      for (let i = 0; i < v.length; i++) a += gx[i] * v[i];
      tally.add(xi, -1, p, a, dotU(d));
    });
  }
}

/**
 * Second-order check: gradcheck of the function `xs ↦ ∂(Σ u·f(xs))/∂xs` built with
 * `createGraph`, for a fixed random upstream `u` — so the backward of every op's backward is
 * compared with central differences too.
 */
export function gradgradcheck(f: Fn, inputs: readonly Operand[], options: GradcheckOptions = {}): GradcheckReport {
  checkCallable('gradgradcheck', f, inputs);
  const rng = new Random((options.seed ?? 0) + 1);
  let us: Tensor[] | null = null;
  const g: Fn = (...xs) => {
    const ys = outputsOf(f(...xs));
    us ??= ys.map((y) => rng.randn(y.shape));
    const total = ys.reduce<Variable | null>((s, y, j) => {
      const t = sum(mul(y, (us as Tensor[])[j]));
      return s ? s.add(t) : t;
    }, null) as Variable;
    const grads = computeGrads([total], [], { createGraph: true });
    return xs.map((x) => grads.get(x) ?? mul(x, 0));
  };
  return gradcheck(g, inputs, options);
}

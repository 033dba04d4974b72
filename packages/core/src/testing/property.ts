import * as fc from 'fast-check';
import { type GradcheckOptions, type GradcheckReport, gradcheck, gradgradcheck } from '../check/gradcheck.js';
import { fmtShape, ValueError } from '../errors.js';
import type { Variable } from '../graph/variable.js';
import { stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { failureMessage, GradientMismatch, type PropertyRunOptions, propertyParameters } from './check-property.js';
import { recordPropertyStats } from './stats.js';

/** A function whose gradient is checked: Variables in, one or several Variables out. */
export type GradientFn = (...xs: Variable[]) => Variable | Variable[];

/** Generated inputs plus non-differentiable parameters (axes, indices, shapes) for one run. */
export interface GradientCase<P> {
  readonly inputs: readonly Tensor[];
  readonly params: P;
}

/** Options of `gradientProperty`. */
export interface GradientPropertyOptions extends PropertyRunOptions {
  /** Row of the statistics table (default: the function's name, else `"gradient"`). */
  label?: string;
  /** Also check second derivatives with `gradgradcheck` (`true`, or tolerances of their own). */
  secondOrder?: boolean | Pick<GradcheckOptions, 'eps' | 'atol' | 'rtol'>;
  /** Central-difference step (gradcheck's default 1e-6). */
  eps?: number;
  /** Absolute tolerance (gradcheck's default 1e-5). */
  atol?: number;
  /** Relative tolerance (gradcheck's default 1e-3). */
  rtol?: number;
  /** Passed to gradcheck: the largest Jacobian compared entry by entry. */
  jacobianLimit?: number;
  /** Passed to gradcheck: random upstream gradients per check in projection mode (default 3). */
  projections?: number;
  /**
   * When gradcheck compared the full Jacobian (all one-hot upstream gradients), also compare
   * one vector–Jacobian product with a random upstream gradient (default true). For a scalar
   * output the only one-hot is 1, which hides a backward that ignores its upstream gradient.
   */
  randomUpstream?: boolean;
}

/** The outcome of a passing `gradientProperty` (a failing one throws). */
export interface GradientPropertyResult {
  label: string;
  runs: number;
  seed: number;
  /** Worst relative error seen, first order (and second order when checked). */
  maxRelError: number;
  maxRelError2: number | null;
}

function unflatten(index: number, shape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  return strides.map((s, i) => Math.floor(index / s) % shape[i]);
}

function fmtValues(t: Tensor): string {
  if (t.size <= 36) return JSON.stringify(t.toArray());
  return `[${Array.from(t.data.subarray(0, 12)).join(', ')}, … ${t.size - 12} more]`;
}

function describeWorst(r: GradcheckReport, inputs: readonly Tensor[], order: number, tol: GradcheckOptions): string {
  const w = r.worst;
  const kind = order === 2 ? 'second-order (gradgradcheck)' : 'first-order (gradcheck)';
  if (!w) return `${kind}: ${r.message}`;
  const x = inputs[w.input];
  const where =
    w.index < 0
      ? `input ${w.input} along a random direction`
      : `input ${w.input} at [${unflatten(w.index, x?.shape ?? []).join(', ')}] (flat ${w.index})`;
  const against = r.mode === 'jacobian' ? `output element ${w.output}` : `random upstream gradient #${w.output}`;
  return [
    `Check: ${kind}, ${r.mode} mode, ${r.checked} values compared.`,
    `Worst element: ${where}, ${against}:`,
    `  expected (numerical) ${w.numerical}`,
    `  got (analytic)       ${w.analytic}`,
    `  abs error ${w.absError.toExponential(3)}, rel error ${w.relError.toExponential(3)} (eps ${tol.eps ?? 1e-6}, atol ${tol.atol ?? 1e-5}, rtol ${tol.rtol ?? 1e-3})`,
  ].join('\n');
}

function describeCase(c: { inputs: readonly Tensor[]; params: unknown }): string {
  const lines = c.inputs.map((t, i) => `  input ${i}: shape ${fmtShape(t.shape)} ${t.dtype} ${fmtValues(t)}`);
  if (c.params !== undefined) lines.push(`  params: ${fc.stringify(c.params)}`);
  return lines.join('\n');
}

/**
 * Property-based gradient testing: for every generated input, compares the analytic gradient
 * of `fn` with central differences using `gradcheck` (the full Jacobian — every one-hot
 * upstream gradient — when small, plus a random upstream gradient; random projections when
 * large), and with `secondOrder` also the gradient of the gradient (`gradgradcheck`).
 *
 * On failure it throws an `Error` whose message gives the shrunk counterexample (shapes and
 * values), the worst element (expected vs got) and the fast-check seed and path to replay it.
 * Runs, failures and the worst errors are recorded under `label` (see `propertyStats`).
 * It only throws, so it works in vitest, jest, node:test or a plain script.
 *
 * Two forms:
 * - `gradientProperty(fn, [arbA, arbB])` — `fn(a, b)` with one tensor arbitrary per argument;
 * - `gradientProperty((params) => fn, caseArb)` — for parameters that depend on the shapes
 *   (axes, indices): `caseArb` yields `{ inputs, params }` and `fn` is built from `params`.
 *
 * @example
 * gradientProperty((a, b) => mul(a, b), broadcastShapesArb(2).chain(([s, t]) =>
 *   fc.tuple(tensorArb(s), tensorArb(t))), ...) // or simply:
 * gradientProperty((x) => tanh(x), [tensorArb(shapeArb())], { label: 'Tanh', secondOrder: true });
 * gradientProperty(
 *   ({ axis }) => (x) => sum(x, axis),
 *   shapeArb({ minRank: 1 }).chain((s) =>
 *     fc.record({ inputs: fc.tuple(tensorArb(s)), params: fc.record({ axis: fc.nat(s.length - 1) }) })),
 *   { label: 'Sum' },
 * );
 */
export function gradientProperty(
  fn: GradientFn,
  inputs: readonly fc.Arbitrary<Tensor>[] | fc.Arbitrary<readonly Tensor[]>,
  options?: GradientPropertyOptions,
): GradientPropertyResult;
export function gradientProperty<P>(
  fn: (params: P) => GradientFn,
  cases: fc.Arbitrary<GradientCase<P>>,
  options?: GradientPropertyOptions,
): GradientPropertyResult;
export function gradientProperty(
  fn: GradientFn | ((params: unknown) => GradientFn),
  inputs: readonly fc.Arbitrary<Tensor>[] | fc.Arbitrary<readonly Tensor[]> | fc.Arbitrary<GradientCase<unknown>>,
  options: GradientPropertyOptions = {},
): GradientPropertyResult {
  if (typeof fn !== 'function') throw new ValueError('gradientProperty', 'fn must be a function');
  const label = options.label ?? (fn.name || 'gradient');
  type Case = GradientCase<unknown> & { plain: boolean };
  let cases: fc.Arbitrary<Case>;
  if (Array.isArray(inputs)) {
    cases = fc
      .tuple(...(inputs as fc.Arbitrary<Tensor>[]))
      .map((ts) => ({ inputs: ts, params: undefined, plain: true }));
  } else {
    // A tensor-tuple arbitrary goes with a plain fn; a case arbitrary with a builder of fns.
    cases = (inputs as fc.Arbitrary<GradientCase<unknown> | readonly Tensor[]>).map((c) =>
      Array.isArray(c)
        ? { inputs: c as readonly Tensor[], params: undefined, plain: true }
        : { ...(c as GradientCase<unknown>), plain: false },
    );
  }
  const build = (c: Case): GradientFn => (c.plain ? (fn as GradientFn) : (fn as (p: unknown) => GradientFn)(c.params));
  const tol1: GradcheckOptions = { eps: options.eps, atol: options.atol, rtol: options.rtol };
  const so = options.secondOrder;
  const tol2: GradcheckOptions = typeof so === 'object' ? { ...tol1, ...so } : tol1;
  let worst1 = 0;
  let worst2 = 0;
  let abs1 = 0;
  let abs2 = 0;
  const track = (r: GradcheckReport, order: 1 | 2) => {
    const rel = r.maxRelError;
    const bad = (v: number, w: number) => (Number.isNaN(v) ? Number.NaN : Math.max(v, w));
    if (order === 1) {
      worst1 = Number.isNaN(worst1) ? worst1 : bad(rel, worst1);
      abs1 = Number.isNaN(abs1) ? abs1 : bad(r.maxAbsError, abs1);
    } else {
      worst2 = Number.isNaN(worst2) ? worst2 : bad(rel, worst2);
      abs2 = Number.isNaN(abs2) ? abs2 : bad(r.maxAbsError, abs2);
    }
  };
  const property = fc.property(cases, fc.nat({ max: 2 ** 31 - 1 }), (c, seed) => {
    const f = build(c);
    const common = { ...tol1, seed, jacobianLimit: options.jacobianLimit, projections: options.projections };
    const fail = (r: GradcheckReport, order: 1 | 2) => {
      throw new GradientMismatch(r, order, describeWorst(r, c.inputs, order, order === 1 ? tol1 : tol2));
    };
    const r1 = gradcheck(f, c.inputs, common);
    track(r1, 1);
    if (!r1.ok) fail(r1, 1);
    if (r1.mode === 'jacobian' && options.randomUpstream !== false) {
      const rp = gradcheck(f, c.inputs, { ...common, jacobianLimit: 0, projections: 1 });
      track(rp, 1);
      if (!rp.ok) fail(rp, 1);
    }
    if (so) {
      const r2 = gradgradcheck(f, c.inputs, { ...common, ...tol2 });
      track(r2, 2);
      if (!r2.ok) fail(r2, 2);
    }
  });
  const details = fc.check(property, propertyParameters(options));
  const failed = details.failed;
  // The error of the (shrunk) counterexample says which order failed; anything else is order 1.
  const failedOrder = details.errorInstance instanceof GradientMismatch ? details.errorInstance.order : 1;
  recordPropertyStats(label, 1, {
    runs: details.numRuns,
    failures: failed && failedOrder === 1 ? 1 : 0,
    relError: worst1,
    absError: abs1,
  });
  if (so) {
    recordPropertyStats(label, 2, {
      runs: failed && failedOrder === 1 ? details.numRuns - 1 : details.numRuns,
      failures: failed && failedOrder === 2 ? 1 : 0,
      relError: worst2,
      absError: abs2,
    });
  }
  if (failed) {
    const describe = (ce: [Case, number]) => `${describeCase(ce[0])}\n  gradcheck seed (upstream gradients): ${ce[1]}`;
    throw new Error(failureMessage(`gradientProperty "${label}"`, details, describe));
  }
  return { label, runs: details.numRuns, seed: details.seed, maxRelError: worst1, maxRelError2: so ? worst2 : null };
}

/**
 * Everything the playground page shows about a program, computed in one place (and testable in
 * Node): the backprop replay of the output, each leaf's value, gradient, numerical gradient and
 * gradcheck verdict, and on request the graph `createGraph` records for the gradient with the
 * second derivatives it gives.
 */
import {
  backwardSteps,
  type GraphSnapshot,
  grad,
  gradcheck,
  numericalGradient,
  sum,
  type Tensor,
  traceGraph,
  Variable,
  variable,
} from '@zerograd/core';
import { type CompiledProgram, compileProgram } from './evaluate.js';
import { parseProgram } from './parser.js';

/** One row of the leaf table. */
export interface LeafReport {
  name: string;
  line: number;
  shape: number[];
  value: number[];
  /** ∂output/∂leaf from backprop. */
  gradient: number[];
  /** The same by central differences (the notes' `numericalGradient`, h = 1e-4). */
  numerical: number[];
  /** `gradcheck` of this leaf alone (float64, PyTorch's tolerances). */
  gradcheck: { ok: boolean; maxAbsError: number; message: string };
  /** With `secondOrder`: ∂/∂leaf of Σ(all gradients) — the Hessian times ones; d²y/dx² for one scalar leaf. */
  second?: number[];
}

/** What the page draws. */
export interface Analysis {
  compiled: CompiledProgram;
  /** The output's name, its shape, and whether it was summed to a scalar to differentiate it. */
  output: { name: string; shape: number[]; summed: boolean; value: number };
  leaves: LeafReport[];
  /** Backprop as a sequence of snapshots (for the stepper). */
  steps: GraphSnapshot[];
  /** With `secondOrder`: the backprop replay through the gradient's own graph. */
  secondOrder?: { steps: GraphSnapshot[]; constant: boolean };
}

/** Parses, runs and differentiates `source`; throws the `ProgramError` of the first fault. */
export function analyseProgram(source: string, opts: { secondOrder?: boolean } = {}): Analysis {
  const compiled = compileProgram(parseProgram(source));
  let summed = false;
  /** The program as a function of its leaves, reduced to a scalar when its output is not one. */
  const f = (...xs: Variable[]): Variable => {
    const y = compiled.run(xs);
    summed = y.ndim > 0;
    if (!summed) return y;
    const total = sum(y);
    total.name = `sum(${compiled.outputName})`;
    return total;
  };
  const leafVars = compiled.leaves.map((l) => variable(l.value.clone(), { name: l.name }));
  const loss = f(...leafVars);
  const steps = backwardSteps(loss);
  const gradients = grad(f)(...leafVars);
  const leaves = compiled.leaves.map((leaf, i): LeafReport => {
    // The function of leaf i alone, the others held at their values.
    const ofLeaf = (x: Variable | Tensor) => f(...leafVars.map((v, j) => (j === i ? asVar(x) : v)));
    const report = gradcheck((x) => ofLeaf(x), [leaf.value.clone()]);
    return {
      name: leaf.name,
      line: leaf.line,
      shape: [...leaf.value.shape],
      value: Array.from(leaf.value.data as ArrayLike<number>),
      gradient: Array.from((gradients[i] as Variable).data.data as ArrayLike<number>),
      numerical: Array.from(numericalGradient((x) => ofLeaf(x), leaf.value.clone()).data as ArrayLike<number>),
      gradcheck: { ok: report.ok, maxAbsError: report.maxAbsError, message: report.message },
    };
  });
  const analysis: Analysis = {
    compiled,
    output: { name: compiled.outputName, shape: [...compiled.run(leafVars).shape], summed, value: loss.item() },
    leaves,
    steps,
  };
  if (opts.secondOrder) analysis.secondOrder = secondOrder(f, compiled, leaves);
  return analysis;
}

function asVar(x: Variable | Tensor): Variable {
  return x instanceof Variable ? x : variable(x);
}

/**
 * Differentiates once with `createGraph`, so the gradients are graphs themselves, then runs
 * backprop through Σ sum(gradient): each leaf receives Σⱼ ∂²y/∂xᵢ∂xⱼ (the Hessian times ones).
 */
function secondOrder(
  f: (...xs: Variable[]) => Variable,
  compiled: CompiledProgram,
  leaves: LeafReport[],
): NonNullable<Analysis['secondOrder']> {
  const xs = compiled.leaves.map((l) => variable(l.value.clone(), { name: l.name }));
  const gs = grad(f, { createGraph: true })(...xs);
  gs.forEach((g, i) => {
    if (g.name === null) g.name = `∂/∂${compiled.leaves[i]?.name}`;
  });
  let total = sum(gs[0] as Variable);
  for (const g of gs.slice(1)) total = total.add(sum(g));
  total.name = 'Σ gradients';
  if (!total.requiresGrad) {
    // The gradient does not depend on any leaf (y is linear in them): every second derivative is 0.
    leaves.forEach((l) => {
      l.second = l.value.map(() => 0);
    });
    return { steps: [traceGraph(total)], constant: true };
  }
  const steps = backwardSteps(total);
  const seconds = grad((...ys: Variable[]) => {
    const inner = grad(f, { createGraph: true })(...ys);
    return inner.slice(1).reduce((acc, g) => acc.add(sum(g)), sum(inner[0] as Variable));
  })(...xs.map((x) => x.data.clone()));
  leaves.forEach((l, i) => {
    l.second = Array.from((seconds[i] as Variable).data.data as ArrayLike<number>);
  });
  return { steps, constant: false };
}

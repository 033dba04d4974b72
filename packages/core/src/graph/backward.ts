import { fmtShape, GraphError, ShapeError } from '../errors.js';
import { add } from '../ops/arithmetic.js';
import { sumTo } from '../ops/shape.js';
import { shapesEqual } from '../tensor/shape.js';
import { onesLike, type Tensor, zeros } from '../tensor/tensor.js';
import { mode } from './mode.js';
import { cast, type GradResult, type OpNode } from './node.js';
import { Variable } from './variable.js';

/** Options of `backward` and of the lower-level `computeGrads`. */
export interface BackwardOptions {
  /** Record the backward pass as a graph, so gradients can be differentiated again. */
  createGraph?: boolean;
  /** Keep every intermediate's gradient (otherwise only leaves and `retainGrad()` ones). */
  retainGrad?: boolean;
}

/** Called after each op node's backward with the variables whose gradient it produced. */
export type StepHook = (node: OpNode, updated: Variable[], grads: ReadonlyMap<Variable, Variable>) => void;

let traversal = 0;

/**
 * The op nodes reachable from `outputs` through variables that require a gradient, in an order
 * where every node comes after all nodes that consume its outputs — one iterative depth-first
 * traversal (no recursion, so a chain of a million ops is fine; no re-sorting per insert).
 */
export function backwardOrder(outputs: readonly Variable[]): OpNode[] {
  const id = ++traversal;
  const post: OpNode[] = [];
  const stack: OpNode[] = [];
  const cursor: number[] = [];
  for (const y of outputs) {
    const c = y.creator;
    if (!c || c.mark === id) continue;
    c.mark = id;
    stack.push(c);
    cursor.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top];
      const i = cursor[top];
      if (i < node.inputs.length) {
        cursor[top] = i + 1;
        const x = node.inputs[i];
        const p = x.creator;
        if (p && x.requiresGrad && p.mark !== id) {
          p.mark = id;
          stack.push(p);
          cursor.push(0);
        }
      } else {
        stack.pop();
        cursor.pop();
        post.push(node);
      }
    }
  }
  return post.reverse();
}

function toVariable(g: Tensor | Variable): Variable {
  return g instanceof Variable ? g : new Variable(g, { requiresGrad: false });
}

/**
 * Runs the chain rule from `outputs` (seeded with `seeds`, default ones) and returns a map from
 * variable to gradient, without touching any `.grad`. Intermediate gradients are dropped as
 * soon as their node has run unless `retainGrad` (or the variable's own `retainsGrad`) keeps
 * them. This is the engine under `backward`, `grad`, `gradcheck` and `backwardSteps`.
 */
export function computeGrads(
  outputs: readonly Variable[],
  seeds: readonly (Variable | Tensor | null | undefined)[] = [],
  options: BackwardOptions & { onStep?: StepHook } = {},
): Map<Variable, Variable> {
  const grads = new Map<Variable, Variable>();
  const createGraph = options.createGraph ?? false;
  const prevGrad = mode.gradEnabled;
  const prevBackward = mode.backwardOf;
  mode.gradEnabled = createGraph;
  try {
    outputs.forEach((y, i) => {
      const s = seeds[i];
      let g: Variable;
      if (s === null || s === undefined) g = new Variable(onesLike(y.data), { requiresGrad: false });
      else {
        g = toVariable(s);
        if (!shapesEqual(g.shape, y.shape)) {
          throw new ShapeError(
            'backward',
            `seed gradient ${fmtShape(g.shape)} does not match output ${fmtShape(y.shape)}`,
          );
        }
      }
      const prev = grads.get(y);
      grads.set(y, prev ? add(prev, g) : g);
    });
    const order = backwardOrder(outputs);
    for (const node of order) {
      const outs = node.outputs;
      let gys: Variable[];
      if (outs.length === 1) {
        const g = grads.get(outs[0]);
        if (g === undefined) continue;
        gys = [g];
      } else {
        let present = false;
        for (const o of outs) if (grads.has(o)) present = true;
        if (!present) continue;
        gys = outs.map(
          (o) => grads.get(o) ?? new Variable(zeros(o.shape, { dtype: o.dtype }), { requiresGrad: false }),
        );
      }
      mode.backwardOf = node.def.name;
      // The node is its own backward context: inputs, outputs, attrs, saved, needsGrad.
      const raw = node.def.backward(gys, node);
      mode.backwardOf = prevBackward;
      const gxs: GradResult[] = Array.isArray(raw) ? raw : [raw];
      if (gxs.length !== node.inputs.length) {
        throw new GraphError(
          node.def.name,
          `backward returned ${gxs.length} gradients for ${node.inputs.length} inputs`,
        );
      }
      const updated: Variable[] = [];
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i];
        const r = gxs[i];
        if (!x.requiresGrad || r === null || r === undefined) continue;
        let gx = toVariable(r);
        if (!shapesEqual(gx.shape, x.shape)) {
          if (!node.def.broadcast) {
            throw new ShapeError(
              node.def.name,
              `backward gave a gradient of shape ${fmtShape(gx.shape)} for input ${i} of shape ${fmtShape(x.shape)}`,
            );
          }
          gx = sumTo(gx, x.shape);
        }
        if (gx.dtype !== x.dtype) gx = cast(gx, x.dtype);
        const prev = grads.get(x);
        // Accumulate with a new variable: never write into a buffer another node may hold.
        grads.set(x, prev ? add(prev, gx) : gx);
        updated.push(x);
      }
      if (!options.retainGrad) {
        for (const o of outs) if (!o.retainsGrad && !outputs.includes(o)) grads.delete(o);
      }
      options.onStep?.(node, updated, grads);
    }
  } finally {
    mode.gradEnabled = prevGrad;
    mode.backwardOf = prevBackward;
  }
  return grads;
}

/**
 * Backpropagates from `y`: leaves that require a gradient get (and accumulate into) `.grad`,
 * as do intermediates marked with `retainGrad()` or all of them with `{ retainGrad: true }`.
 * `y`'s own gradient is seeded with ones (pass `seed` for another upstream gradient).
 */
export function backward(y: Variable, options: BackwardOptions & { seed?: Variable | Tensor } = {}): void {
  if (!(y instanceof Variable)) throw new GraphError('backward', 'expected a Variable');
  const grads = computeGrads([y], [options.seed], options);
  const prev = mode.gradEnabled;
  mode.gradEnabled = options.createGraph ?? false;
  try {
    for (const [v, g] of grads) {
      const keep = v.creator === null ? v.requiresGrad : options.retainGrad || v.retainsGrad || v === y;
      if (!keep) continue;
      v.grad = v.grad ? add(v.grad, g) : g;
    }
  } finally {
    mode.gradEnabled = prev;
  }
}

/**
 * Backpropagation: the chain rule, run from the outputs back to the leaves. Each op node's
 * backward turns the gradients of its outputs into gradients of its inputs; a variable used by
 * several nodes receives one gradient from each, and they add up.
 */
import { addInPlace } from '../backend/tensor-kernels.js';
import { fmtShape, GraphError, ShapeError } from '../errors.js';
import { inPlaceWrites, modes } from '../state.js';
import { onesLike, shapesEqual, Tensor, zeros, zerosLike } from '../tensor/index.js';
import { engineOps } from './engine-ops.js';
import { setGradEnabled } from './mode.js';
import { type GradResult, type OpNode, Variable } from './node.js';
import { NodeQueue } from './node-queue.js';

/** Options of `backward` and of the lower-level `computeGrads`. */
export interface BackwardOptions {
  /** Record the backward pass as a graph, so gradients can be differentiated again. */
  createGraph?: boolean;
  /** Keep every intermediate's gradient (otherwise only leaves and `retainGrad()` ones). */
  retainGrad?: boolean;
}

/** Called after each op node's backward with the variables whose gradient it produced. */
export type StepHook = (node: OpNode, updated: Variable[], grads: { get(v: Variable): Variable | undefined }) => void;

/**
 * Runs the chain rule from `outputs` (seeded with `seeds`, default ones) and returns a map from
 * variable to gradient — the leaves', the outputs' and the kept intermediates' — without
 * touching any `.grad`. This is the engine under `backward`, `grad`, `gradcheck` and
 * `backwardSteps`.
 *
 * A node joins the queue when one of its outputs receives its first gradient, and nodes run
 * newest first (largest `id`): every consumer of a variable was made after the variable's
 * creator, so a node runs only once all of its outputs' gradients are complete. Finding the
 * nodes and running them is one walk, with no recursion (a chain of a million ops is fine).
 * An intermediate's gradient is dropped as soon as its node has used it, unless kept.
 */
export function computeGrads(
  outputs: readonly Variable[],
  seeds: readonly (Variable | Tensor | null | undefined)[] = [],
  options: BackwardOptions & { onStep?: StepHook } = {},
): Map<Variable, Variable> {
  const { createGraph = false, retainGrad = false, onStep } = options;
  const grads = new Map<Variable, Variable>();
  const queue = new NodeQueue();
  // Sums of a variable's gradients that the engine made and nobody else has seen. When no
  // graph is recorded and no hook looks on, later gradients are added into them in place
  // (PyTorch's input buffer does the same): a weight used 148 times costs one new tensor, not
  // 147. Nothing handed to the engine is ever written.
  const owned = new Set<Variable>();
  const inPlace = !createGraph && !onStep;
  const receive = (x: Variable, g: Variable): void => {
    const sum = grads.get(x);
    if (sum === undefined) {
      // x's first gradient: its creator can run once the deeper nodes are done (for a node
      // with several outputs, only the first output to receive a gradient queues it).
      grads.set(x, g);
      const node = x.creator;
      if (node !== null && !hasOtherGradient(node, x, grads)) queue.push(node);
    } else if (owned.has(x)) addInPlace(sum.data, g.data);
    else {
      grads.set(x, engineOps.add(sum, g));
      if (inPlace) owned.add(x);
    }
  };
  const kept = (v: Variable) => retainGrad || v.retainsGrad || outputs.includes(v);
  const outer = { gradEnabled: modes.gradEnabled, backwardOf: modes.backwardOf };
  modes.gradEnabled = createGraph;
  try {
    outputs.forEach((y, i) => receive(y, seedOf(y, seeds[i])));
    while (queue.size > 0) {
      const node = queue.pop();
      checkUnmodified(node);
      const gys = node.outputs.map((o) => grads.get(o) ?? constant(zeros(o.shape, { dtype: o.dtype })));
      // Anomalies found in this backward (and in fitting its gradients) name the op and the
      // layer path its forward ran in.
      modes.backwardOf = node.scope.length === 0 ? node.name : `${node.name} made in ${node.scope.join('/')}`;
      const gxs = gradientList(node, node.def.backward(gys, node));
      const ins = node.inputs;
      for (let i = 0; i < ins.length; i++) {
        const gx = gxs[i];
        if (ins[i].requiresGrad && gx !== null && gx !== undefined) receive(ins[i], fitToInput(node, i, gx));
      }
      modes.backwardOf = outer.backwardOf;
      for (const o of node.outputs) if (!kept(o)) grads.delete(o);
      onStep?.(
        node,
        ins.filter((x, i) => x.requiresGrad && gxs[i] !== null && gxs[i] !== undefined),
        grads,
      );
    }
  } finally {
    modes.gradEnabled = outer.gradEnabled;
    modes.backwardOf = outer.backwardOf;
  }
  return grads;
}

/** Whether another output of `node` than `x` already has a gradient (then `node` is queued). */
function hasOtherGradient(node: OpNode, x: Variable, grads: Map<Variable, Variable>): boolean {
  for (const o of node.outputs) if (o !== x && grads.has(o)) return true;
  return false;
}

/**
 * Refuses to run a node's backward when a tensor it used was written in place after it ran
 * (an optimizer step between two backward calls, say): its gradient would mix old and new values.
 */
function checkUnmodified(node: OpNode): void {
  if (node.writesSeen === inPlaceWrites.count) return; // nothing was written anywhere since
  let now = 0;
  for (const x of node.inputs) now += x.data.version;
  for (const y of node.outputs) now += y.data.version;
  if (now === node.version) return;
  const changed = [
    ...node.inputs.map((x, i) => [`input ${i}`, x] as const),
    ...node.outputs.map((y, i) => [`output ${i}`, y] as const),
  ]
    .filter(([, v]) => v.data.version > 0)
    .map(
      ([where, v]) => `${where}${v.name ? ` '${v.name}'` : ''} ${fmtShape(v.shape)} (now at version ${v.data.version})`,
    );
  throw new GraphError(
    node.name,
    `a value this node needs for its gradient was modified in place after the forward pass: ${changed.join(', ')}. ` +
      'Run the forward pass again after an optimizer step (or any in-place write) before calling backward.',
  );
}

const constant = (t: Tensor) => new Variable(t, { requiresGrad: false });

/** The gradient an output starts from: ones of its shape, or the seed given (same shape). */
function seedOf(y: Variable, seed: Variable | Tensor | null | undefined): Variable {
  if (seed === null || seed === undefined) return constant(onesLike(y.data));
  const g = seed instanceof Variable ? seed : constant(seed);
  if (!shapesEqual(g.shape, y.shape))
    throw new ShapeError('backward', `seed gradient ${fmtShape(g.shape)} does not match output ${fmtShape(y.shape)}`);
  return g;
}

/** What a backward returned, as one entry per input. */
function gradientList(node: OpNode, raw: GradResult[] | GradResult): GradResult[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length !== node.inputs.length)
    throw new GraphError(node.name, `backward returned ${list.length} gradients for ${node.inputs.length} inputs`);
  return list;
}

/**
 * A gradient as its input needs it: a Variable of the input's shape and dtype. A broadcasting
 * op's gradient is summed back to its input's shape here — one shared step for all of them.
 */
function fitToInput(node: OpNode, i: number, g: Variable | Tensor): Variable {
  const x = node.inputs[i];
  let gx = g instanceof Variable ? g : constant(g);
  if (!shapesEqual(gx.shape, x.shape)) {
    if (!node.def.broadcast)
      throw new ShapeError(
        node.name,
        `backward gave a gradient of shape ${fmtShape(gx.shape)} for input ${i} of shape ${fmtShape(x.shape)}`,
      );
    gx = engineOps.sumTo(gx, x.shape);
  }
  return gx.dtype === x.dtype ? gx : engineOps.cast(gx, x.dtype);
}

/**
 * Backpropagates from `y`: leaves that require a gradient get (and accumulate into) `.grad`,
 * as do intermediates marked with `retainGrad()` or all of them with `{ retainGrad: true }`.
 * A one-element `y` is seeded with 1; any other needs `seed`, its upstream gradient (PyTorch's rule:
 * seeding ones silently would sum the outputs without saying so).
 */
export function backward(y: Variable, options: BackwardOptions & { seed?: Variable | Tensor } = {}): void {
  if (!(y instanceof Variable)) throw new GraphError('backward', 'expected a Variable');
  if (!y.requiresGrad) {
    // PyTorch: "element 0 of tensors does not require grad and does not have a grad_fn".
    throw new GraphError(
      'backward',
      `the output ${fmtShape(y.shape)} was made without a graph (inside noGrad, or from inputs that require no gradient): there is nothing to backpropagate to`,
    );
  }
  if (options.seed === undefined && y.size !== 1) {
    // PyTorch: "grad can be implicitly created only for scalar outputs".
    throw new GraphError(
      'backward',
      `the output has shape ${fmtShape(y.shape)}: a gradient of ones is implied only for a one-element output. Reduce it to a scalar (y.sum()) or pass { seed } with the upstream gradient`,
    );
  }
  const grads = computeGrads([y], [options.seed], options);
  setGradEnabled(options.createGraph ?? false, () => {
    // Gradients that pass through unchanged (Add, Reshape) can reach two variables as the same
    // buffer; each `.grad` gets a buffer of its own, so editing one never changes another.
    const buffers = new Set<object>();
    for (const [v, g0] of grads) {
      const keep = v.creator === null ? v.requiresGrad : options.retainGrad || v.retainsGrad || v === y;
      if (!keep) continue;
      let g = v.grad ? engineOps.add(v.grad, g0) : g0;
      if (buffers.has(Tensor.storageKey(g.data))) g = copyOf(g, options.createGraph ?? false);
      buffers.add(Tensor.storageKey(g.data));
      v.grad = g;
    }
  });
}

/** A gradient with a buffer of its own (recorded as `g + 0` when the graph is kept). */
function copyOf(g: Variable, createGraph: boolean): Variable {
  if (!createGraph) return constant(g.data.clone());
  return engineOps.add(g, constant(zerosLike(g.data)));
}

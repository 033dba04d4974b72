import { fmtShape, GraphError, ShapeError } from '../errors.js';
import { add, mul } from '../ops/arithmetic.js';
import { addInPlace } from '../ops/elementwise.js';
import { sumTo } from '../ops/shape.js';
import { shapesEqual } from '../tensor/shape.js';
import { onesLike, Tensor, zeros } from '../tensor/tensor.js';
import { mode } from './mode.js';
import { cast, type GradResult, type OpNode, UNIFORM_F64, uniformityOf } from './node.js';
import { Variable } from './variable.js';

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
 * The op nodes reachable from `outputs` through variables that require a gradient, in an order
 * where every node comes after all nodes that consume its outputs — one iterative depth-first
 * traversal (no recursion, so a chain of a million ops is fine; no re-sorting per insert).
 * For inspection: `computeGrads` finds and runs the same nodes in one walk, latest-made first,
 * which is another such order.
 */
export function backwardOrder(outputs: readonly Variable[]): OpNode[] {
  const seen = new Set<OpNode>();
  const post: OpNode[] = [];
  const stack: OpNode[] = [];
  const cursor: number[] = [];
  for (const y of outputs) {
    const c = y.creator;
    if (!c || seen.has(c)) continue;
    seen.add(c);
    stack.push(c);
    cursor.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top];
      const i = cursor[top];
      if (i < node.arity) {
        cursor[top] = i + 1;
        const x = node.inputAt(i);
        const p = x.creator;
        if (p && x.requiresGrad && !seen.has(p)) {
          seen.add(p);
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

/** Flags of a variable's gradient slot (`Variable.gradFlags`), valid in the pass that stamped it. */
const KEEP = 1; // an output of the pass: its gradient is kept after its node has run
const OWNED = 2; // the slot holds a sum the engine made for it and nobody else has seen

/**
 * Runs the chain rule from `outputs` (seeded with `seeds`, default ones) and returns a map from
 * variable to gradient, without touching any `.grad`. Intermediate gradients are dropped as
 * soon as their node has run unless `retainGrad` (or the variable's own `retainsGrad`) keeps
 * them. This is the engine under `backward`, `grad`, `gradcheck` and `backwardSteps`.
 *
 * While a pass runs, each variable's pending gradient lives in a slot on the variable itself
 * (stamped with the pass number), not in a Map: for scalar graphs the hashing dominated.
 * Nodes run from a max-heap on creation order, joining it when an output first receives a
 * gradient: a node is made after everything it consumes, so it runs after every node that can
 * send it a gradient. No separate ordering walk, and still no recursion.
 */
export function computeGrads(
  outputs: readonly Variable[],
  seeds: readonly (Variable | Tensor | null | undefined)[] = [],
  options: BackwardOptions & { onStep?: StepHook } = {},
): Map<Variable, Variable> {
  const pass = ++passCounter;
  // A pass started inside another (a backward that itself differentiates) records every slot
  // it takes, with what was there before, and hands the outer pass its slots back intact.
  // Outside every pass no slot holds anything that matters (a stale stamp reads as empty), so
  // an outermost pass only lists the slots that still hold a gradient at its end: leaves,
  // outputs and retained intermediates. Visiting every touched variable again at the end was
  // a tenth of a scalar graph's backward, all cache misses.
  const nested = activePasses > 0;
  const touched: Variable[] = [];
  const before: (number | Variable | null)[] = [];
  const held: Variable[] = [];
  const get = (v: Variable): Variable | undefined => (v.gradPass === pass ? (v.pendingGrad ?? undefined) : undefined);
  const put = (v: Variable, g: Variable | null, flags = 0) => {
    if (v.gradPass !== pass) {
      if (nested) {
        touched.push(v);
        before.push(v.gradPass, v.pendingGrad, v.gradFlags);
      } else if (v.creator === null || flags & KEEP) held.push(v);
      v.gradPass = pass;
      v.gradFlags = 0;
    }
    v.pendingGrad = g;
    v.gradFlags = (v.gradFlags & KEEP) | flags;
  };
  const createGraph = options.createGraph ?? false;
  const retainAll = options.retainGrad ?? false;
  // A variable that fans out to k consumers receives k gradients, and summing them took k − 1
  // new tensors. When the pass records no graph and no step hook looks at pending gradients,
  // a sum the engine made is held by its slot alone until the variable's own node reads it, so
  // the engine adds the later gradients into it in place. Nothing handed out is ever written.
  const inPlace = !createGraph && !options.onStep;
  const prevGrad = mode.gradEnabled;
  const prevBackward = mode.backwardOf;
  mode.gradEnabled = createGraph;
  const result = new Map<Variable, Variable>();
  const queue = new NodeQueue();
  // A node is queued when one of its outputs first receives a gradient in this pass: for a
  // multi-output node, when no sibling has received one yet.
  const queueCreator = (x: Variable): void => {
    const c = x.creator;
    if (c === null) return;
    const o = c.out;
    if (Array.isArray(o)) for (const s of o) if (s !== x && s.gradPass === pass) return;
    queue.push(c);
  };
  activePasses++;
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
      const prev = get(y);
      if (prev) put(y, add(prev, g), KEEP);
      else {
        put(y, g, KEEP);
        queueCreator(y);
      }
    });
    // Nodes run deepest generation first: a consumer is always deeper than what it consumes,
    // so a node runs after every node that can send it a gradient. A node joins the queue when
    // one of its outputs first receives a gradient, so the walk that finds the nodes is the
    // walk that runs them (a separate ordering walk touched every node twice).
    while (queue.size > 0) {
      const node = queue.pop();
      const out = node.out;
      let gys: Variable[];
      if (!Array.isArray(out)) {
        const g = get(out);
        if (g === undefined) continue;
        gys = [g];
      } else {
        const outs = out;
        let present = false;
        for (const o of outs) if (get(o)) present = true;
        if (!present) continue;
        gys = outs.map((o) => get(o) ?? new Variable(zeros(o.shape, { dtype: o.dtype }), { requiresGrad: false }));
      }
      mode.backwardOf = node.def.name;
      // The node is its own backward context: inputs, outputs, attrs, saved, needsGrad.
      const raw = node.def.backward(gys, node);
      mode.backwardOf = prevBackward;
      const n = node.arity;
      const list = Array.isArray(raw) ? raw : null;
      if (list ? list.length !== n : n !== 1) {
        throw new GraphError(node.def.name, `backward returned ${list ? list.length : 1} gradients for ${n} inputs`);
      }
      const updated: Variable[] | null = options.onStep ? [] : null;
      // When every input has the output's shape and dtype, a gradient with the upstream
      // gradient's shape (which is the output's) and that dtype fits every input as it is.
      const tag = uniformityOf(node);
      const fitShape = tag !== 0 ? gys[0].data.shape : null;
      const fitDType = tag === UNIFORM_F64 ? 'float64' : 'float32';
      for (let i = 0; i < n; i++) {
        const x = node.inputAt(i);
        const r: GradResult = list ? list[i] : (raw as GradResult);
        if (!x.requiresGrad || r === null || r === undefined) continue;
        let gx = r instanceof Variable ? r : toVariable(r);
        const t = gx.data;
        if (t.shape !== fitShape || t.dtype !== fitDType) {
          if (t.shape !== x.data.shape && !shapesEqual(t.shape, x.shape)) {
            if (!node.def.broadcast) {
              throw new ShapeError(
                node.def.name,
                `backward gave a gradient of shape ${fmtShape(gx.shape)} for input ${i} of shape ${fmtShape(x.shape)}`,
              );
            }
            gx = sumTo(gx, x.shape);
          }
          if (gx.dtype !== x.dtype) gx = cast(gx, x.dtype);
        }
        const prev = get(x);
        if (prev === undefined) {
          put(x, gx);
          queueCreator(x);
        } else if (inPlace && x.gradFlags & OWNED) addInPlace(prev.data, gx.data);
        // Accumulate with a new variable: never write into a buffer another node may hold.
        else put(x, add(prev, gx), inPlace ? OWNED : 0);
        updated?.push(x);
      }
      // Its node has read the outputs' slots: what they hold may now be shared, and is
      // dropped unless kept.
      if (!Array.isArray(out)) release(out, pass, retainAll, nested ? null : held);
      else for (const o of out) release(o, pass, retainAll, nested ? null : held);
      if (updated) options.onStep?.(node, updated, { get: (v: Variable) => get(v) });
    }
  } finally {
    activePasses--;
    mode.gradEnabled = prevGrad;
    mode.backwardOf = prevBackward;
    if (nested) {
      for (let i = 0; i < touched.length; i++) {
        const v = touched[i];
        if (v.pendingGrad) result.set(v, v.pendingGrad);
        v.gradPass = before[3 * i] as number;
        v.pendingGrad = before[3 * i + 1] as Variable | null;
        v.gradFlags = before[3 * i + 2] as number;
      }
    } else {
      for (const v of held) {
        if (v.pendingGrad) result.set(v, v.pendingGrad);
        // The stamp may stay: no later pass has this number.
        v.pendingGrad = null;
        v.gradFlags = 0;
      }
    }
  }
  return result;
}

/** Op nodes waiting for their backward: a binary max-heap on creation order (`OpNode.seq`). */
class NodeQueue {
  private readonly keys: number[] = [];
  private readonly nodes: OpNode[] = [];

  get size(): number {
    return this.nodes.length;
  }

  push(node: OpNode): void {
    const keys = this.keys;
    const nodes = this.nodes;
    const key = node.seq;
    let i = nodes.length;
    keys.push(key);
    nodes.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] >= key) break;
      keys[i] = keys[parent];
      nodes[i] = nodes[parent];
      i = parent;
    }
    keys[i] = key;
    nodes[i] = node;
  }

  /** Removes and returns the latest-made node (the queue must not be empty). */
  pop(): OpNode {
    const keys = this.keys;
    const nodes = this.nodes;
    const top = nodes[0];
    const lastKey = keys.pop() as number;
    const last = nodes.pop() as OpNode;
    const n = nodes.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && keys[c + 1] > keys[c]) c++;
        if (keys[c] <= lastKey) break;
        keys[i] = keys[c];
        nodes[i] = nodes[c];
        i = c;
      }
      keys[i] = lastKey;
      nodes[i] = last;
    }
    return top;
  }
}

/**
 * After `o`'s node has run: its slot may now be shared, and is emptied unless kept. A kept
 * intermediate joins `held` (an outermost pass's list of slots still holding a gradient).
 */
function release(o: Variable, pass: number, retainAll: boolean, held: Variable[] | null): void {
  if (o.gradPass !== pass) return;
  o.gradFlags &= ~OWNED;
  if (o.gradFlags & KEEP) return;
  if (retainAll || o.retainsGrad) held?.push(o);
  else o.pendingGrad = null;
}

/** Passes running now: more than one when a backward (or step hook) itself differentiates. */
let activePasses = 0;

let passCounter = 0;

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
    // Gradients that pass through unchanged (Add, Reshape) can reach two variables as the same
    // buffer; each `.grad` gets a buffer of its own, so editing one never changes another.
    const buffers = new Set<object>();
    for (const [v, g0] of grads) {
      const keep = v.creator === null ? v.requiresGrad : options.retainGrad || v.retainsGrad || v === y;
      if (!keep) continue;
      let g = v.grad ? add(v.grad, g0) : g0;
      if (buffers.has(Tensor.storageKey(g.data))) {
        g = options.createGraph ? mul(g, 1) : new Variable(g.data.clone(), { requiresGrad: false });
      }
      buffers.add(Tensor.storageKey(g.data));
      v.grad = g;
    }
  } finally {
    mode.gradEnabled = prev;
  }
}

import { AnomalyError, fmtShape, GraphError, ShapeError, ZerogradError } from '../errors.js';
import { type DType, promoteTypes } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { mode } from './mode.js';
import { asVariable, type Operand, REQUIRES_GRAD, strongDType, Variable } from './variable.js';

/** What an op's forward sees besides its input tensors. */
export interface ForwardContext {
  /** Stores values for backward (masks, indices, anything); read back as `ctx.saved`. */
  save(...values: unknown[]): void;
}

/** What an op's backward sees. Inputs and outputs are Variables, so backward can use ops. */
export interface BackwardContext<A = unknown> {
  readonly inputs: readonly Variable[];
  readonly outputs: readonly Variable[];
  readonly attrs: A;
  /** Whatever forward passed to `ctx.save(...)`. */
  readonly saved: readonly unknown[];
  /** `needsGrad[i]` is false for inputs that need no gradient; backward may skip them. */
  readonly needsGrad: readonly boolean[];
}

/** A gradient as backward may return it: a Variable (to stay differentiable), a Tensor, or nothing. */
export type GradResult = Variable | Tensor | null | undefined;

/**
 * The definition of an op: a name, forward on tensors and backward written with ops.
 * Built-in ops and user-defined ops are made the same way (see `defineOp`).
 */
export interface OpDefinition<A = unknown> {
  /** Shown in errors, graph snapshots and drawings (`Add`, `MatMul`, `Softplus`). */
  readonly name: string;
  /**
   * Computes the output tensor(s). Inputs arrive promoted to a common dtype unless
   * `promote` is false.
   */
  forward(inputs: Tensor[], attrs: A, ctx: ForwardContext): Tensor | Tensor[];
  /**
   * Returns one gradient per input given the outputs' gradients `gys` (never null: missing
   * ones are zeros). Written with ops, it runs under `noGrad` unless backward was asked to
   * `createGraph`, which is what makes gradients of gradients work.
   */
  backward(gys: Variable[], ctx: BackwardContext<A>): GradResult[] | GradResult;
  /**
   * Inputs broadcast against each other (numpy rules). The engine then sums each returned
   * gradient down to its input's shape — one shared `sumTo` step for every broadcasting op.
   */
  readonly broadcast?: boolean;
  /** Promote inputs to a common dtype before forward (default true). */
  readonly promote?: boolean;
  /** JSON-friendly attributes to show in snapshots (default: `attrs` when it is a plain object). */
  describe?(attrs: A): Record<string, unknown>;
}

/**
 * A node of the graph: one application of an op to input variables. It is also the context
 * its op's backward receives (inputs, outputs, attrs, saved values, needsGrad).
 */
export class OpNode<A = unknown> implements BackwardContext<A> {
  readonly def: OpDefinition<A>;
  /**
   * Inputs 0 and 1 (null when absent), and the whole list only for three inputs or more: an
   * array per node (with its backing store) was a sixth of a scalar graph's memory and two
   * cache misses per node in backward. Read them through `inputs`.
   * @internal
   */
  readonly in0: Variable | null;
  /** @internal */
  readonly in1: Variable | null;
  /** @internal */
  readonly ins: Variable[] | null;
  /**
   * The output itself for a single-output node (nearly all), else the array. Read it through
   * `outputs`.
   * @internal
   */
  readonly out: Variable | Variable[];
  /** @internal `attrs`, or both `attrs` and `saved` when forward saved anything (rare). */
  readonly extra: A | WithSaved<A>;
  readonly needsGrad: readonly boolean[];
  /** Creation order: every node is made after the nodes of its inputs (the engine's queue key). @internal */
  readonly seq: number;

  constructor(def: OpDefinition<A>, inputs: Variable[], outputs: Variable[] | Variable, attrs: A, saved: unknown[]) {
    this.def = def;
    const n = inputs.length;
    this.in0 = n > 0 ? inputs[0] : null;
    this.in1 = n > 1 ? inputs[1] : null;
    this.ins = n > 2 ? inputs : null;
    this.out = Array.isArray(outputs) && outputs.length === 1 ? outputs[0] : outputs;
    this.extra = saved === undefined || saved.length === 0 ? attrs : new WithSaved(attrs, saved);
    let mask = 0;
    for (let i = 0; i < n; i++) if (inputs[i].requiresGrad) mask |= 1 << i;
    this.needsGrad = needsGradArray(inputs, mask, uniformity(inputs, this.out));
    this.seq = ++created;
  }

  get name(): string {
    return this.def.name;
  }

  /** The op's attributes, as given to `applyOp`. */
  get attrs(): A {
    const e = this.extra;
    return e instanceof WithSaved ? (e.attrs as A) : (e as A);
  }

  /** Whatever forward passed to `ctx.save(...)` (empty when nothing). */
  get saved(): unknown[] {
    const e = this.extra;
    return e instanceof WithSaved ? e.saved : EMPTY;
  }

  /** How many inputs the node has. */
  get arity(): number {
    return this.ins !== null ? this.ins.length : this.in1 !== null ? 2 : this.in0 !== null ? 1 : 0;
  }

  /** Input `i` (0 ≤ i < arity), without making the `inputs` array. @internal */
  inputAt(i: number): Variable {
    return (i === 0 ? this.in0 : i === 1 ? this.in1 : (this.ins as Variable[])[i]) as Variable;
  }

  /** The variables this node was applied to, in order. */
  get inputs(): Variable[] {
    if (this.ins !== null) return this.ins;
    if (this.in1 !== null) return [this.in0 as Variable, this.in1];
    return this.in0 !== null ? [this.in0] : [];
  }

  /** The variables this node produced, in the order its forward returned them. */
  get outputs(): Variable[] {
    const o = this.out;
    return Array.isArray(o) ? o : [o];
  }

  /** Distance from the leaves: one more than the deepest input's creator (0 for leaves' ops). */
  get generation(): number {
    let g = 0;
    for (let i = 0, n = this.arity; i < n; i++) g = Math.max(g, this.inputAt(i).generation);
    return g;
  }

  /** The scope path the node was made in (its outputs were made in the same one). */
  get scope(): readonly string[] {
    const o = this.out;
    const y = Array.isArray(o) ? o[0] : o;
    return y ? y.scope : NO_SCOPE;
  }
}

const NO_SCOPE: readonly string[] = Object.freeze([]);

/** An op node's attributes and saved values, kept together only when something was saved. */
class WithSaved<A> {
  constructor(
    readonly attrs: A,
    readonly saved: unknown[],
  ) {}
}

/** `uniformityOf(node)` when all inputs and the one output are float64 of one shape. @internal */
export const UNIFORM_F64 = 1;
/** `uniformityOf(node)` when all inputs and the one output are float32 of one shape. @internal */
export const UNIFORM_F32 = 2;
const UNIFORM: unique symbol = Symbol('uniform');

function uniformity(inputs: readonly Variable[], out: Variable | Variable[]): number {
  if (Array.isArray(out)) return 0;
  const t = out.data;
  for (let i = 0; i < inputs.length; i++) {
    const d = inputs[i].data;
    if (d.dtype !== t.dtype || (d.shape !== t.shape && !shapesEqual(d.shape, t.shape))) return 0;
  }
  return t.dtype === 'float64' ? UNIFORM_F64 : UNIFORM_F32;
}

/**
 * `UNIFORM_F64` or `UNIFORM_F32` when every input of `node` had its output's shape and dtype,
 * else 0. Then a gradient with the upstream gradient's shape and that dtype fits every input
 * without reading the input's shape (a cache miss per input in a scalar graph's backward).
 * @internal
 */
export function uniformityOf(node: OpNode): number {
  return (node.needsGrad as { [UNIFORM]?: number })[UNIFORM] ?? 0;
}

let created = 0;

/**
 * Every node keeps a `needsGrad` array until the graph is dropped. Nodes of up to three inputs
 * share frozen ones, one per pattern: an array per node was a tenth of a scalar graph's memory.
 * Each pattern comes once per uniformity, which the array carries under a symbol key: the
 * node needs no field for it.
 */
const SHARED_NEEDS: (readonly boolean[])[][][] = [0, UNIFORM_F64, UNIFORM_F32].map((tag) =>
  [0, 1, 2, 3].map((n) =>
    Array.from({ length: 1 << n }, (_, mask) => {
      const a = Array.from({ length: n }, (_, i) => (mask & (1 << i)) !== 0);
      Object.defineProperty(a, UNIFORM, { value: tag });
      return Object.freeze(a);
    }),
  ),
);

function needsGradArray(inputs: readonly Variable[], mask: number, uniform: number): readonly boolean[] {
  if (inputs.length < SHARED_NEEDS[0].length) return SHARED_NEEDS[uniform][inputs.length][mask];
  return inputs.map((x) => x.requiresGrad);
}

function anomalyCheck(def: OpDefinition<never>, inputs: readonly Variable[], outs: readonly Tensor[]): void {
  for (let k = 0; k < outs.length; k++) {
    const d = outs[k].data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v - v !== 0) {
        const where = mode.backwardOf ? ` (in the backward of ${mode.backwardOf})` : '';
        throw new AnomalyError(
          def.name,
          `output ${k} holds ${v} at flat index ${i}${where}; input shapes ${inputs.map((x) => fmtShape(x.shape)).join(', ') || 'none'}`,
        );
      }
    }
  }
}

const CastDef: OpDefinition<{ dtype: DType }> = {
  name: 'Cast',
  promote: false,
  forward: ([x], { dtype }) => x.astype(dtype),
  backward: ([gy], { inputs }) => cast(gy, inputs[0].dtype),
};

/** `x` converted to `dtype` (differentiable; the gradient is cast back). */
export function cast(x: Operand, dtype: DType): Variable {
  const v = asVariable('Cast', x, dtype);
  return v.dtype === dtype ? v : (applyOp(CastDef, [v], { dtype }) as Variable);
}

/**
 * Applies an op to operands: converts and promotes them, runs forward, checks anomalies when
 * asked, and — when recording and some input requires a gradient — links the outputs to a new
 * `OpNode`. Returns one Variable, or an array for multi-output ops.
 */
export function applyOp<A>(def: OpDefinition<A>, operands: readonly Operand[], attrs: A): Variable | Variable[] {
  const n = operands.length;
  const tensors = new Array<Tensor>(n);
  let needs = false;
  let inputs: Variable[] | null = null;
  // Nearly always the operands are Variables of one dtype: then there is nothing to convert
  // or promote, and for up to two of them the operand list can serve as the input list (the
  // node copies inputs 0 and 1 into fields; a longer list it keeps, so that one is copied).
  let i = 0;
  for (; i < n; i++) {
    const o = operands[i];
    if (!(o instanceof Variable)) break;
    const t = o.data;
    if (i > 0 && t.dtype !== tensors[0].dtype) break;
    tensors[i] = t;
    if (o.requiresGrad) needs = true;
  }
  if (i === n) inputs = n > 2 ? (operands.slice() as Variable[]) : (operands as Variable[]);
  else {
    let dtype: DType | null = null;
    for (let k = 0; k < n; k++) {
      const d = strongDType(operands[k]);
      if (d) dtype = dtype ? promoteTypes(dtype, d) : d;
    }
    const common: DType = dtype ?? 'float64';
    inputs = new Array<Variable>(n);
    needs = false;
    for (let k = 0; k < n; k++) {
      const o = operands[k];
      let v = o instanceof Variable ? o : asVariable(def.name, o, common);
      if (def.promote !== false && v.dtype !== common) v = cast(v, common);
      inputs[k] = v;
      tensors[k] = v.data;
      if (v.requiresGrad) needs = true;
    }
  }
  // One forward context serves every op (a fresh one per op was a measurable share of a
  // scalar graph's garbage). A forward may itself apply ops (customGrad does), so the outer
  // op's saved values are set aside and put back around the call.
  const outerSaved = forwardContext.saved;
  forwardContext.saved = null;
  let result: Tensor | Tensor[];
  let saved: unknown[] | null;
  try {
    result = def.forward(tensors, attrs, forwardContext);
  } catch (e) {
    if (e instanceof ZerogradError) throw e;
    // A kernel should never surface a raw TypeError/RangeError: name the op and the shapes.
    throw new ShapeError(
      def.name,
      `failed on input shapes ${inputs.map((x) => fmtShape(x.shape)).join(', ')}: ${(e as Error)?.message ?? e}`,
    );
  } finally {
    saved = forwardContext.saved;
    forwardContext.saved = outerSaved;
  }
  const record = needs && mode.gradEnabled;
  // Single-output ops (nearly all) skip the wrapper arrays.
  if (result instanceof Tensor) {
    if (mode.anomaly) anomalyCheck(def as OpDefinition<never>, inputs, [result]);
    if (!record) return new Variable(result, NO_GRAD);
    const y = graphVariable(result);
    graphNode(def, inputs, y, attrs, saved ?? EMPTY);
    return y;
  }
  if (!Array.isArray(result) || !result.every((t) => t instanceof Tensor))
    throw new GraphError(def.name, 'forward must return a Tensor or an array of Tensors');
  if (mode.anomaly) anomalyCheck(def as OpDefinition<never>, inputs, result);
  const outputs = result.map((t) => new Variable(t, record ? undefined : NO_GRAD));
  if (record) {
    const node = new OpNode(def, inputs, outputs, attrs, saved ?? EMPTY);
    for (const y of outputs) link(node, y);
  }
  return outputs;
}

// What a recording op makes lives as long as its graph: its output and its node. V8 moves the
// objects an object literal makes straight to the old generation once most of them outlive a
// young-generation collection (allocation-site pretenuring); objects made by `new` are always
// born young, and the scavenger copied every one of them twice before it settled, which was
// half the time of a scalar graph. So these two are made by literals with their class's
// prototype: the same classes (instanceof, getters, methods), only born where they will live.
// They must set the same fields as the constructors.

/** `new Variable(data)`, made where a graph's variables live. */
function graphVariable(data: Tensor): Variable {
  return {
    __proto__: Variable.prototype,
    data,
    grad: null,
    creator: null,
    name: null,
    generation: 0,
    scope: mode.scope,
    pendingGrad: null,
    gradPass: 0,
    bits: REQUIRES_GRAD,
  } as unknown as Variable;
}

/**
 * `new OpNode(def, inputs, y, attrs, saved)` for one output, made where a graph's nodes live,
 * and linked to `y` as its creator.
 */
function graphNode<A>(def: OpDefinition<A>, inputs: Variable[], y: Variable, attrs: A, saved: unknown[]): void {
  const n = inputs.length;
  let mask = 0;
  let g = 0;
  for (let i = 0; i < n; i++) {
    const x = inputs[i];
    if (x.requiresGrad) mask |= 1 << i;
    if (x.generation > g) g = x.generation;
  }
  y.generation = g + 1;
  y.creator = {
    __proto__: OpNode.prototype,
    def,
    in0: n > 0 ? inputs[0] : null,
    in1: n > 1 ? inputs[1] : null,
    ins: n > 2 ? inputs : null,
    out: y,
    extra: saved.length === 0 ? attrs : new WithSaved(attrs, saved),
    needsGrad: needsGradArray(inputs, mask, uniformity(inputs, y)),
    seq: ++created,
  } as unknown as OpNode;
}

/** Makes `node` the creator of its output `y`. */
function link<A>(node: OpNode<A>, y: Variable): void {
  y.creator = node as OpNode;
  y.generation = node.generation + 1;
}

const NO_GRAD = { requiresGrad: false } as const;
const EMPTY: unknown[] = [];

const forwardContext = {
  saved: null as unknown[] | null,
  save(...values: unknown[]): void {
    if (this.saved) this.saved.push(...values);
    else this.saved = values;
  },
};

/** A user-facing op function made by `defineOp`. */
export interface OpFunction<A> {
  (...inputs: Operand[]): Variable;
  /** Applies the op with attributes. */
  withAttrs(attrs: A, ...inputs: Operand[]): Variable;
  readonly def: OpDefinition<A>;
}

/**
 * Defines a new op that behaves exactly like the built-in ones (which are defined the same
 * way): it appears in `traceGraph` under its own name, respects `noGrad`, `createGraph` and
 * `detectAnomaly`, and broadcasts if it declares `broadcast: true`.
 *
 * @example
 * const softplus = defineOp({
 *   name: 'Softplus',
 *   forward: ([x]) => ..., // tensors in, tensor out
 *   backward: ([gy], { inputs: [x] }) => mul(gy, sigmoid(x)), // written with ops
 * });
 * softplus(variable([1, 2])).backward();
 */
export function defineOp<A = undefined>(def: OpDefinition<A>): OpFunction<A> {
  if (!def || typeof def.name !== 'string' || typeof def.forward !== 'function' || typeof def.backward !== 'function') {
    throw new GraphError('defineOp', 'an op needs a name, a forward function and a backward function');
  }
  const fn = ((...inputs: Operand[]) => single(applyOp(def, inputs, undefined as A), def.name)) as OpFunction<A>;
  fn.withAttrs = (attrs: A, ...inputs: Operand[]) => single(applyOp(def, inputs, attrs), def.name);
  Object.defineProperty(fn, 'def', { value: def });
  Object.defineProperty(fn, 'name', { value: def.name });
  return fn;
}

function single(r: Variable | Variable[], name: string): Variable {
  if (Array.isArray(r)) {
    if (r.length !== 1) throw new GraphError(name, `returns ${r.length} outputs; use applyOp for multi-output ops`);
    return r[0];
  }
  return r;
}

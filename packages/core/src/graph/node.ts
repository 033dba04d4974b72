/**
 * The two kinds of node of a computational graph, as the book draws it: a `Variable` holds a
 * value (and, after backward, its gradient); an `OpNode` is one application of an op to input
 * variables, producing output variables. Each variable remembers the node that created it, each
 * node its inputs and outputs, so backward can walk from an output back to the leaves.
 *
 * The math methods of Variable (`x.add(y)`, `x.exp()` …) are installed by `ops/methods.ts` from
 * the op table (with `x.backward()`, `x.T` and `x.astype()`), so each op's forward and backward
 * stay side by side in their own file.
 */
import { DTypeError, fmtShape, ValueError } from '../errors.js';
import { detachedStorage, inPlaceWrites, modes, nodeCounter } from '../state.js';
import type { DType, NestedArray } from '../tensor/index.js';
import { Tensor } from '../tensor/index.js';

/** What an op's forward sees besides its input tensors. */
export interface ForwardContext {
  /** Stores values for backward (masks, indices, anything); read back as `ctx.saved`. */
  save(...values: unknown[]): void;
}

/** What an op's backward sees: its node. Inputs and outputs are Variables, so backward can use ops. */
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
 * A value in the graph: a data `Tensor`, the gradient once backward has run, the op node that
 * created it (`creator`, null for leaves) and an optional name.
 */
export class Variable {
  /** The value. Ops never write into it. */
  data: Tensor;
  /** The gradient of the last backward's output with respect to this variable, or null. */
  grad: Variable | null = null;
  /** The op node that produced this variable; null for a leaf. */
  creator: OpNode | null = null;
  name: string | null;
  /** Distance from the leaves: one more than its creator's generation (0 for a leaf). */
  generation = 0;
  /** Whether gradients flow to (and through) this variable. */
  requiresGrad: boolean;
  /** Keep this intermediate's gradient after backward (see `retainGrad`). */
  retainsGrad = false;
  /** Marks a layer-owned, optimizer-updated leaf (drawn differently). */
  isParameter = false;
  /** Scope path at creation (see `scope`). */
  readonly scope: readonly string[];

  constructor(data: Tensor, options: { name?: string | null; requiresGrad?: boolean } = {}) {
    if (!(data instanceof Tensor))
      throw new ValueError('Variable', 'data must be a Tensor; use variable(...) for other values');
    this.data = data;
    this.name = options.name ?? null;
    // Only floats carry gradients (PyTorch: "only Tensors of floating point dtype can require gradients").
    const float = data.dtype === 'float64' || data.dtype === 'float32';
    this.requiresGrad = options.requiresGrad ?? float;
    if (this.requiresGrad && !float) {
      throw new DTypeError(
        'Variable',
        `a ${data.dtype} variable cannot require a gradient (only float32 and float64 can)`,
      );
    }
    this.scope = modes.scope;
  }

  get shape(): readonly number[] {
    return this.data.shape;
  }
  get dtype(): DType {
    return this.data.dtype;
  }
  get size(): number {
    return this.data.size;
  }
  get ndim(): number {
    return this.data.ndim;
  }

  /** Keeps this intermediate's `.grad` after the next backward pass. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Forgets the gradient (gradients accumulate across backward calls until cleared). */
  clearGrad(): void {
    this.grad = null;
  }

  /** A new leaf sharing this data, cut off from the graph. */
  detach(): Variable {
    detachedStorage.add(Tensor.storageKey(this.data));
    return new Variable(this.data, { name: this.name, requiresGrad: false });
  }

  toArray(): NestedArray {
    return this.data.toArray();
  }
  item(): number {
    return this.data.item();
  }

  /** `Variable([1, 2], shape=(2,), dtype=float64, name=x)`, values summarised like numpy. */
  toString(): string {
    const name = this.name ? `, name=${this.name}` : '';
    return `Variable(${this.data.valuesString('Variable('.length)}, shape=${fmtShape(this.shape)}, dtype=${this.dtype}${name})`;
  }

  /**
   * What `console.log(v)` shows in Node: the values, shape, dtype and name, then what the graph
   * knows — the op that made it, whether it requires a gradient, and the gradient's values.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const facts = [
      this.creator ? `creator=${this.creator.def.name}` : this.isParameter ? 'parameter' : 'leaf',
      `requiresGrad=${this.requiresGrad}`,
    ];
    const grad = this.grad ? `\n  grad=${this.grad.data.valuesString('  grad='.length)}` : '';
    return `${this.toString().slice(0, -1)}, ${facts.join(', ')})${grad}`;
  }
}

/**
 * One application of an op to input variables: DeZero's Function instance. It is also the
 * context its op's backward receives (inputs, outputs, attrs, saved values, needsGrad).
 */
export class OpNode<A = unknown> implements BackwardContext<A> {
  readonly def: OpDefinition<A>;
  readonly inputs: readonly Variable[];
  readonly outputs: readonly Variable[];
  readonly attrs: A;
  readonly saved: readonly unknown[];
  /**
   * The node's place in creation order. A node's inputs were all made before it, so every
   * consumer of its outputs has a larger id: backward runs nodes from the largest id down.
   */
  readonly id: number;
  /**
   * The deepest input's generation: the node's distance from the leaves, as DeZero counts it
   * (drawn by viz).
   */
  readonly generation: number;
  /**
   * The sum of the versions of the input and output tensors when the node ran. Versions only
   * grow, so the sum changes exactly when one of them was written in place since: backward
   * checks it before it uses the values (see `Tensor.version`).
   */
  readonly version: number;
  /** `inPlaceWrites.count` when the node was made: no tensor can have changed while it is unchanged. */
  readonly writesSeen: number;

  /** Records the node and makes it the creator of its outputs. */
  constructor(
    def: OpDefinition<A>,
    inputs: readonly Variable[],
    outputs: readonly Variable[],
    attrs: A,
    saved: readonly unknown[],
  ) {
    this.def = def;
    this.inputs = inputList(inputs);
    this.outputs = outputs;
    this.attrs = attrs;
    this.saved = saved;
    this.id = nodeCounter.made++;
    this.writesSeen = inPlaceWrites.count;
    let generation = 0;
    let version = 0;
    for (const x of inputs) {
      if (x.generation > generation) generation = x.generation;
      version += x.data.version;
    }
    this.generation = generation;
    for (const y of outputs) {
      y.creator = this as OpNode;
      y.generation = generation + 1;
      version += y.data.version;
    }
    this.version = version;
  }

  /** Which inputs need a gradient (backward may skip the others). */
  get needsGrad(): boolean[] {
    return this.inputs.map((x) => x.requiresGrad);
  }

  /** The op's name (`Add`, `MatMul` …). */
  get name(): string {
    return this.def.name;
  }

  /** The scope path the node was made in (its outputs were made in the same one). */
  get scope(): readonly string[] {
    return this.outputs[0]?.scope ?? [];
  }
}

/**
 * The list a node keeps as its `inputs`. Lists are read-only, so when the inputs are exactly
 * the outputs of one node — a unary op on a one-output op's result, every link of a chain —
 * the node shares that node's `outputs` list: one array fewer for the garbage collector to
 * copy (the 1,000,000-op chain's forward 685 → 556 ms on Node 20). Otherwise it keeps a copy:
 * the caller's list is an op function's `[a, b]` literal, which a backward also builds and
 * drops, and keeping it taught V8 to allocate the backward's copies in old space (the chain's
 * backward 0.27 → 0.65 s). Measurements: decision record 0002.
 */
function inputList(inputs: readonly Variable[]): readonly Variable[] {
  const made = inputs[0]?.creator?.outputs;
  if (made === undefined || made.length !== inputs.length) return [...inputs];
  for (let i = 0; i < made.length; i++) if (made[i] !== inputs[i]) return [...inputs];
  return made;
}

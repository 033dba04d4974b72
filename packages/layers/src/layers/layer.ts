import {
  asVariable,
  currentScope,
  type DType,
  fmtShape,
  noGrad,
  type Operand,
  ShapeError,
  scope,
  type Tensor,
  ValueError,
  Variable,
  ZerogradError,
} from '@zerograd/core';

/** Any layer, whatever extra inputs its `forward` takes (loss layers take targets). */
// biome-ignore lint/suspicious/noExplicitAny: a container holds layers of every input signature
export type AnyLayer = Layer<any[]>;

/**
 * The base of every layer: parameters (named, enumerable, carrying their gradients after
 * backward), buffers (state that is not learned, like BatchNorm's running statistics), child
 * layers, and a train/eval mode.
 *
 * Subclasses implement `call`; users call `forward`, which runs `call` inside a core
 * `scope(...)` named after the layer, so every node it makes carries that scope and a drawing
 * can put a box around the layer. A standalone layer's scope is its type (`Affine`); a layer
 * inside a container is scoped by its name there (`affine1`), so two Affine layers make two
 * boxes.
 *
 * `Args` are the inputs after the first: none for ordinary layers, `[t: Operand]` for losses.
 */
export abstract class Layer<Args extends unknown[] = []> {
  /** The layer's type, e.g. `'Affine'` (also its default scope and the stem of automatic names). */
  abstract readonly type: string;
  /** The name given by the container holding this layer (`'affine1'`), or null. */
  name: string | null = null;
  /** True in training mode (the default), false after `eval()`. Dropout and BatchNorm read it. */
  training = true;
  private readonly ownParameters = new Map<string, Variable>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly ownChildren = new Map<string, AnyLayer>();
  /** How many own fields `adoptFields` last looked at (it looks again when the count changes). */
  private fieldsSeen = 0;

  /** Runs the layer on `x` (plus targets for loss layers) inside its scope. */
  forward(x: Operand, ...args: Args): Variable {
    this.adoptFields();
    return scope(this.name ?? this.type, () => {
      try {
        return this.call(asVariable(this.type, x), ...args);
      } catch (e) {
        throw locate(e, currentScope());
      }
    });
  }

  /** The layer's computation, composed of ops; called by `forward` inside the layer's scope. */
  protected abstract call(x: Variable, ...args: Args): Variable;

  /** Registers a parameter under `name` (its Variable is also renamed to the qualified name). */
  protected registerParameter(name: string, p: Variable): Variable {
    checkName(this.type, name, this.ownParameters.has(name) || this.ownChildren.has(name) || this.ownBuffers.has(name));
    p.name = name;
    p.isParameter = true;
    this.ownParameters.set(name, p);
    return p;
  }

  /** Registers a buffer: a tensor saved and loaded with the parameters but never trained. */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    checkName(this.type, name, this.ownParameters.has(name) || this.ownChildren.has(name) || this.ownBuffers.has(name));
    this.ownBuffers.set(name, t);
    return t;
  }

  /** The buffer registered under `name`. */
  protected buffer(name: string): Tensor {
    const t = this.ownBuffers.get(name);
    if (!t) throw new ValueError(this.type, `no buffer named '${name}'`);
    return t;
  }

  /** Registers a child layer under `name` and names its parameters `name.…`. */
  protected registerChild<L extends AnyLayer>(name: string, layer: L): L {
    checkName(this.type, name, this.ownParameters.has(name) || this.ownChildren.has(name) || this.ownBuffers.has(name));
    if (!(layer instanceof Layer)) throw new ValueError(this.type, `child '${name}' is not a Layer`);
    if (layer === (this as unknown) || [...layer.layers()].includes(this as unknown as AnyLayer)) {
      throw new ValueError(this.type, `adding '${name}' would make a layer contain itself`);
    }
    layer.name = name;
    this.ownChildren.set(name, layer);
    this.renameParameters();
    return layer;
  }

  /**
   * Registers what was assigned to fields without `registerChild`/`registerParameter`, as
   * PyTorch's `nn.Module` does on assignment: `this.fc = new Affine(4, 2)` makes `fc` a child and
   * `this.w = parameter(...)` a parameter named `w`. Runs before anything walks the layer tree,
   * so a model never silently trains nothing. Layers and parameters already in the tree (a
   * shared reference) are not registered twice.
   */
  private adoptFields(): void {
    const keys = Object.keys(this);
    if (keys.length === this.fieldsSeen) return;
    this.fieldsSeen = keys.length;
    for (const key of keys) {
      const value = (this as Record<string, unknown>)[key];
      if (value instanceof Layer) {
        if (
          value === this ||
          [...this.ownChildren.values()].some((c) => c === value || [...c.layers()].includes(value))
        )
          continue;
        this.registerChild(key, value as AnyLayer);
      } else if (value instanceof Variable && value.isParameter) {
        if ([...this.ownParameters.values()].includes(value)) continue;
        if ([...this.ownChildren.values()].some((c) => c.parameters().includes(value))) continue;
        this.registerParameter(key, value);
      }
    }
  }

  /** Gives every parameter Variable its qualified name (`affine1.W`), as drawings show it. */
  private renameParameters(): void {
    for (const [n, p] of this.namedParameters()) p.name = n;
  }

  /** The direct children, with their names. */
  namedChildren(): [string, AnyLayer][] {
    this.adoptFields();
    return [...this.ownChildren];
  }

  /** This layer and every layer below it, depth first. */
  *layers(): IterableIterator<AnyLayer> {
    this.adoptFields();
    yield this as unknown as AnyLayer;
    for (const c of this.ownChildren.values()) yield* c.layers();
  }

  /** Every parameter of this layer and its children, with qualified names (`affine1.W`), in registration order. */
  namedParameters(): [string, Variable][] {
    this.adoptFields();
    const out: [string, Variable][] = [...this.ownParameters];
    for (const [cn, c] of this.ownChildren) for (const [n, p] of c.namedParameters()) out.push([`${cn}.${n}`, p]);
    return out;
  }

  /** Every parameter (see `namedParameters`). */
  parameters(): Variable[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every buffer of this layer and its children, with qualified names (`batchnorm1.runningMean`). */
  namedBuffers(): [string, Tensor][] {
    this.adoptFields();
    const out: [string, Tensor][] = [...this.ownBuffers];
    for (const [cn, c] of this.ownChildren) for (const [n, t] of c.namedBuffers()) out.push([`${cn}.${n}`, t]);
    return out;
  }

  /** Sets training mode (default) or evaluation mode, here and in every child. */
  train(mode = true): this {
    for (const l of this.layers()) l.training = mode;
    return this;
  }

  /** Evaluation mode: Dropout passes inputs through, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Forgets every parameter's gradient (backward accumulates into `.grad` until cleared). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Number of learned values (the sum of the parameters' sizes). */
  parameterCount(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  /**
   * Converts every parameter and buffer to `dtype` (e.g. `'float32'` for speed). The
   * Variables stay the same objects, so an optimizer built before still holds them; gradients
   * are dropped.
   */
  astype(dtype: DType): this {
    for (const l of this.layers()) {
      for (const p of l.ownParameters.values()) {
        p.data = p.data.astype(dtype);
        p.grad = null;
      }
      for (const [n, t] of l.ownBuffers) l.ownBuffers.set(n, t.astype(dtype));
    }
    return this;
  }

  /** Copies of every parameter and buffer by qualified name — what `saveParameters` writes. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = Object.create(null);
    for (const [n, p] of this.namedParameters()) out[n] = p.data.clone();
    for (const [n, t] of this.namedBuffers()) out[n] = t.clone();
    return out;
  }

  /**
   * Copies tensors into the parameters and buffers of the same names (converting dtype if
   * needed). Everything is checked first — a missing name, an unexpected one (unless
   * `strict: false`), a shape that differs — and on any fault a `ShapeError`/`ValueError`
   * listing all of them is thrown and nothing is changed.
   */
  loadStateDict(state: Readonly<Record<string, Tensor>>, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const targets = new Map<string, Tensor>();
    for (const [n, p] of this.namedParameters()) targets.set(n, p.data);
    for (const [n, t] of this.namedBuffers()) targets.set(n, t);
    const problems: string[] = [];
    let shapeProblem = false;
    for (const [n, t] of targets) {
      const src = Object.hasOwn(state, n) ? state[n] : undefined;
      if (!src) problems.push(`'${n}' is missing`);
      else if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
        problems.push(`'${n}' has shape ${fmtShape(src.shape)}, the model expects ${fmtShape(t.shape)}`);
        shapeProblem = true;
      }
    }
    if (strict) {
      for (const n of Object.keys(state)) if (!targets.has(n)) problems.push(`'${n}' is not in the model`);
    }
    if (problems.length > 0) {
      const Err = shapeProblem ? ShapeError : ValueError;
      throw new Err('loadStateDict', `nothing was loaded: ${problems.join('; ')}`);
    }
    noGrad(() => {
      for (const [n, t] of targets) t.data.set(state[n].data);
      for (const t of targets.values()) t.markModified();
    });
  }

  /** A one-line-per-layer summary: names, types and parameter shapes. */
  toString(): string {
    const lines: string[] = [];
    const walk = (l: AnyLayer, path: string, depth: number) => {
      const params = [...l.ownParameters].map(([n, p]) => `${n}${fmtShape(p.shape)}`).join(', ');
      lines.push(`${'  '.repeat(depth)}${path ? `${path}: ` : ''}${l.type}${params ? ` [${params}]` : ''}`);
      for (const [n, c] of l.ownChildren) walk(c, n, depth + 1);
    };
    walk(this as unknown as AnyLayer, '', 0);
    return lines.join('\n');
  }
}

/** An identifier, or an index like PyTorch's `nn.Sequential` uses (`0`, `1`, … without leading zeros). */
const NAME = /^(?:[A-Za-z_][A-Za-z0-9_]*|0|[1-9][0-9]*)$/;

function checkName(op: string, name: string, taken: boolean): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValueError(
      op,
      `name ${JSON.stringify(name)} must be an identifier (letters, digits, _; no dots) or an index like 0, 1`,
    );
  }
  if (taken) throw new ValueError(op, `name '${name}' is already used in this layer`);
}

/** Errors already prefixed with the layer path they came from (outer layers leave them alone). */
const LOCATED = new WeakSet<object>();

/**
 * A library error raised inside a layer, re-raised with the layer path in front
 * (`Sequential/affine2: MatMul: cannot multiply (5, 64) by (32, 10) …`) — the same class, the
 * original as `cause`. Other errors pass through untouched.
 */
function locate(e: unknown, path: readonly string[]): unknown {
  if (!(e instanceof ZerogradError) || LOCATED.has(e) || path.length === 0) return e;
  const Ctor = e.constructor as new (op: string, message: string) => ZerogradError;
  const located = Object.assign(new Ctor(path.join('/'), e.message), { cause: e });
  LOCATED.add(located);
  return located;
}

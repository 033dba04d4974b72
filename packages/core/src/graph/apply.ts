/**
 * Applying an op: operands become Variables of one dtype, forward runs on their tensors, and —
 * when recording and some input requires a gradient — an `OpNode` links the outputs to their
 * inputs. `defineOp` turns an op definition into a function users call.
 */
import { AnomalyError, fmtShape, GraphError, ShapeError, ValueError, ZerogradError } from '../errors.js';
import { modes } from '../state.js';
import { type DType, isFloat, promoteTypes, Tensor } from '../tensor/index.js';
import { engineOps } from './engine-ops.js';
import { type ForwardContext, type OpDefinition, OpNode, Variable } from './node.js';
import { asVariable, type Operand, strongDType } from './variable.js';

const RECORDED = { requiresGrad: true };
const CONSTANT = { requiresGrad: false };

/** What a node saved when its forward saved nothing: one shared empty list, not one per node. */
const NOTHING_SAVED: unknown[] = [];

/** Collects what forward saves for backward. */
class SavedValues implements ForwardContext {
  values: unknown[] = NOTHING_SAVED;
  save(...values: unknown[]): void {
    this.values = this.values === NOTHING_SAVED ? values : this.values.concat(values);
  }
}

/**
 * Applies an op to operands: converts and promotes them, runs forward, checks anomalies when
 * asked, and — when recording and some input requires a gradient — records an `OpNode`.
 * Returns one Variable, or an array for multi-output ops.
 */
export function applyOp<A>(def: OpDefinition<A>, operands: readonly Operand[], attrs: A): Variable | Variable[] {
  const inputs = toInputs(def, operands);
  const ctx = new SavedValues();
  let result: Tensor | Tensor[];
  try {
    result = def.forward(
      inputs.map((x) => x.data),
      attrs,
      ctx,
    );
  } catch (e) {
    if (e instanceof ZerogradError && e.op === 'allocate') {
      // Out of memory for the result: say which op, on which inputs, asked for it.
      throw new ValueError(def.name, `out of memory on input shapes ${shapesOf(inputs)}: ${e.message}`);
    }
    if (e instanceof ZerogradError) throw e;
    // A kernel should never surface a raw TypeError/RangeError: name the op and the shapes.
    throw new ShapeError(def.name, `failed on input shapes ${shapesOf(inputs)}: ${(e as Error)?.message ?? e}`);
  }
  // Record when a gradient could flow: some input requires one and an output can carry one
  // (int32 and bool outputs — comparisons, argmax, casts to them — never do).
  const record = modes.gradEnabled && inputs.some((x) => x.requiresGrad);
  if (result instanceof Tensor) {
    // One output, as nearly every op has.
    if (modes.anomaly) checkFinite(def.name, inputs, [result]);
    if (!record || !isFloat(result.dtype)) return new Variable(result, CONSTANT);
    // Made apart from the constant above: V8 learns per place in the code where to allocate,
    // and graph outputs live long while the backward's results die young (one shared
    // `new Variable` slowed the backward of a long graph 1.5–2×; decision record 0002).
    const y = new Variable(result, RECORDED);
    new OpNode(def, inputs, [y], attrs, ctx.values);
    return y;
  }
  if (!Array.isArray(result) || !result.every((t) => t instanceof Tensor))
    throw new GraphError(def.name, 'forward must return a Tensor or an array of Tensors');
  if (modes.anomaly) checkFinite(def.name, inputs, result);
  const outputs = result.map((t) => new Variable(t, record && isFloat(t.dtype) ? RECORDED : CONSTANT));
  if (outputs.some((y) => y.requiresGrad)) new OpNode(def, inputs, outputs, attrs, ctx.values);
  return outputs;
}

/**
 * The operands as Variables: numbers and arrays become constants, and when `def.promote` is
 * not false, all take the common dtype (float32 with float64 gives float64) through Cast nodes.
 */
function toInputs(def: OpDefinition<unknown>, operands: readonly Operand[]): readonly Variable[] {
  const promote = def.promote !== false;
  if (areVariablesOfOneDType(operands, promote)) return operands; // nearly always: nothing to convert
  let dtype: DType | null = null;
  for (const o of operands) {
    const d = strongDType(o);
    if (d) dtype = dtype === null ? d : promoteTypes(dtype, d);
  }
  // Math computes in floating point: int32 and bool operands alone become float64.
  const common = dtype === null ? 'float64' : promote && !isFloat(dtype) ? 'float64' : dtype;
  return operands.map((o) => {
    const v = asVariable(def.name, o, common);
    return promote && v.dtype !== common ? engineOps.cast(v, common) : v;
  });
}

function areVariablesOfOneDType(operands: readonly Operand[], promote: boolean): operands is readonly Variable[] {
  const first = operands[0];
  if (!(first instanceof Variable)) return operands.length === 0;
  if (promote && !isFloat(first.dtype)) return false;
  for (let i = 1; i < operands.length; i++) {
    const o = operands[i];
    if (!(o instanceof Variable) || o.dtype !== first.dtype) return false;
  }
  return true;
}

function shapesOf(inputs: readonly Variable[]): string {
  return inputs.map((x) => fmtShape(x.shape)).join(', ') || 'none';
}

/** Under `detectAnomaly`: the first NaN or ±Infinity in an op's output is an error. */
function checkFinite(op: string, inputs: readonly Variable[], outputs: readonly Tensor[]): void {
  outputs.forEach((t, k) => {
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i < 0) return;
    const where = modes.backwardOf ? ` (in the backward of ${modes.backwardOf})` : '';
    throw new AnomalyError(
      op,
      `output ${k} holds ${t.data[i]} at flat index ${i}${where}; input shapes ${shapesOf(inputs)}`,
    );
  });
}

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
  const one = (attrs: A, inputs: Operand[]): Variable => {
    const r = applyOp(def, inputs, attrs);
    if (!Array.isArray(r)) return r;
    if (r.length !== 1) throw new GraphError(def.name, `returns ${r.length} outputs; use applyOp for multi-output ops`);
    return r[0];
  };
  const fn = ((...inputs: Operand[]) => one(undefined as A, inputs)) as OpFunction<A>;
  fn.withAttrs = (attrs: A, ...inputs: Operand[]) => one(attrs, inputs);
  Object.defineProperty(fn, 'def', { value: def });
  Object.defineProperty(fn, 'name', { value: def.name });
  return fn;
}

/**
 * `releaseGraph`: the end of a training step, when the graph's intermediate values are known
 * to be dead, gives their buffers back for reuse (the pool in src/state.ts), so the next step's
 * forward pass takes them instead of allocating: the loop's memory stops churning, and V8's
 * mark-compact collections, which the churn of large buffers drives, mostly stop.
 */
import { GraphError } from '../errors.js';
import { detachedStorage, giveBuffer } from '../state.js';
import { describeValue, Tensor } from '../tensor/index.js';
import { type OpNode, Variable } from './node.js';

/** What `releaseGraph` gave back. */
export interface ReleaseReport {
  /** Buffers given to the pool. */
  buffers: number;
  /** Their bytes. */
  bytes: number;
}

/**
 * Recycles the buffers of the values computed by the graph behind `outputs` (every op's
 * output, the outputs themselves included) and marks them released: reading one afterwards
 * throws a `GraphError` saying so. Leaves are untouched — parameters, inputs, constants, and
 * every gradient — as is any op output that `retainGrad` kept, any buffer a leaf shares, and
 * any value handed out by `detach()`.
 *
 * Call it only when nothing will read those values again: after `backward()` and the
 * optimizer step, having taken what you need (`loss.item()`). `train({ recycle: true })` does
 * this after every iteration. A typed array taken out of an intermediate tensor (`y.data.data`)
 * and kept past the call would see another tensor's values: clone what you keep.
 */
export function releaseGraph(...outputs: Variable[]): ReleaseReport {
  outputs.forEach((v, i) => {
    if (!(v instanceof Variable))
      throw new GraphError('releaseGraph', `argument ${i} is ${describeValue(v)}, not a Variable`);
  });
  const nodes = new Set<OpNode>();
  const values: Variable[] = [];
  const keep = new Set<object>();
  const stack: Variable[] = [...outputs];
  const seen = new Set<Variable>();
  while (stack.length > 0) {
    const v = stack.pop() as Variable;
    if (seen.has(v)) continue;
    seen.add(v);
    const node = v.creator;
    if (!node) {
      // A leaf: its data and gradient stay, and so does any buffer it shares with a value.
      keep.add(Tensor.storageKey(v.data));
      if (v.grad) keep.add(Tensor.storageKey(v.grad.data));
      continue;
    }
    if (v.retainsGrad) {
      keep.add(Tensor.storageKey(v.data));
      if (v.grad) keep.add(Tensor.storageKey(v.grad.data));
    }
    values.push(v);
    if (nodes.has(node)) continue;
    nodes.add(node);
    for (const x of node.inputs) stack.push(x);
    for (const y of node.outputs) if (y !== v) stack.push(y);
  }
  let buffers = 0;
  let bytes = 0;
  const given = new Set<object>();
  for (const v of values) {
    const t = v.data;
    if (Tensor.isReleased(t) || t.size === 0) continue;
    const key = Tensor.storageKey(t);
    if (given.has(key)) {
      // Another value (a view) shares this buffer, which already went back: release it too.
      Tensor.release(t, 'releaseGraph');
      continue;
    }
    if (keep.has(key) || detachedStorage.has(key)) continue;
    const data = t.data;
    if (!(data instanceof Float64Array || data instanceof Float32Array) || !giveBuffer(data)) {
      keep.add(key);
      continue;
    }
    given.add(key);
    Tensor.release(t, 'releaseGraph');
    buffers++;
    bytes += data.byteLength;
  }
  return { buffers, bytes };
}

/**
 * The names a checkpoint gives a model's tensors, in zerograd's format or PyTorch's (the table
 * is in `torch.ts`), and the layout recorded for each.
 */
import type { AnyLayer } from '../layers/layer.js';

/** The two layouts of a fully connected weight: zerograd's `x·W` and PyTorch's `x·Wᵀ`. */
export type MatrixLayout = '[in, out]' | '[out, in]';

/** Whose names (and default layouts) a checkpoint uses. */
export type CheckpointFormat = 'zerograd' | 'torch';

/** One zerograd tensor and the name it has in a checkpoint. */
export interface Mapping {
  /** Name in the checkpoint. */
  readonly name: string;
  /** Qualified zerograd name (`affine1.W`), or null for a count that zerograd keeps outside its state. */
  readonly zerograd: string | null;
  /** `matrix`: an Affine weight, `[in, out]` in zerograd; `count`: BatchNorm's batches, int64 in PyTorch. */
  readonly kind: 'same' | 'matrix' | 'count';
  /** The layer holding it. */
  readonly layer: AnyLayer;
}

/** PyTorch's parameter names for zerograd's, per layer type (names not listed stay as they are). */
const TORCH_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Affine: { W: 'weight', b: 'bias' },
  Conv2d: { W: 'weight', b: 'bias' },
  BatchNorm: { gamma: 'weight', beta: 'bias', runningMean: 'running_mean', runningVar: 'running_var' },
};

/** Every tensor of `model` with its name in `format`, in the model's order. */
export function checkpointMappings(model: AnyLayer, format: CheckpointFormat): Mapping[] {
  const out: Mapping[] = [];
  const torch = format === 'torch';
  const visit = (layer: AnyLayer, zgPrefix: string, prefix: string): void => {
    const names = torch ? TORCH_NAMES[layer.type] : undefined;
    const own = [...layer.namedParameters(), ...layer.namedBuffers()].filter(([n]) => !n.includes('.'));
    for (const [n] of own) {
      const kind = layer.type === 'Affine' && n === 'W' ? 'matrix' : 'same';
      out.push({ name: prefix + (names?.[n] ?? n), zerograd: zgPrefix + n, kind, layer });
    }
    if (torch && layer.type === 'BatchNorm') {
      out.push({ name: `${prefix}num_batches_tracked`, zerograd: null, kind: 'count', layer });
    }
    const children = layer.namedChildren();
    const keys = torch && isIndexed(layer) ? children.map((_, i) => String(i)) : children.map(([n]) => n);
    children.forEach(([n, c], i) => {
      visit(c, `${zgPrefix}${n}.`, `${prefix}${keys[i]}.`);
    });
  };
  visit(model, '', '');
  return out;
}

/**
 * Whether a container maps to PyTorch's indices: a `Sequential` whose children carry the
 * automatic names (`affine1`, `relu1`, …, as built from an array — `nn.Sequential(a, b)`), or
 * are already `0`, `1`, …. One built from an object keeps its keys, as `nn.Sequential(OrderedDict)`.
 */
function isIndexed(layer: AnyLayer): boolean {
  if (layer.type !== 'Sequential') return false;
  const children = layer.namedChildren();
  if (children.every(([n], i) => n === String(i))) return true;
  const counts = new Map<string, number>();
  const taken = new Set<string>();
  for (const [name, child] of children) {
    const stem = child.type.toLowerCase();
    let k = counts.get(stem) ?? 0;
    let auto: string;
    do auto = `${stem}${++k}`;
    while (taken.has(auto));
    counts.set(stem, k);
    if (auto !== name) return false;
    taken.add(name);
  }
  return true;
}

/** The layout string recorded in a checkpoint's `layouts` metadata for one tensor. */
export function describeLayout(m: Mapping, format: CheckpointFormat, shape: readonly number[]): string {
  if (m.kind === 'matrix') return format === 'torch' ? '[out, in]' : '[in, out]';
  if (m.kind === 'count') return 'scalar';
  if (m.layer.type === 'Conv2d' && shape.length === 4) return '[out, in, kh, kw]';
  if (m.layer.type === 'Embedding') return '[num, dim]';
  return shape.length === 1 ? '[features]' : shape.length === 0 ? 'scalar' : 'as stored';
}

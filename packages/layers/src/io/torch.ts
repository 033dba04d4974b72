/**
 * PyTorch's names and layouts for zerograd models, so a checkpoint loads into an `nn.Module`
 * with `load_state_dict` and back without hand mapping.
 *
 * | zerograd                                   | PyTorch                                                     |
 * | ------------------------------------------ | ----------------------------------------------------------- |
 * | `Affine` `W` `[in, out]`, `b`              | `nn.Linear` `weight` `[out, in]` (transposed), `bias`       |
 * | `BatchNorm` `gamma`, `beta`, `runningMean`, `runningVar` | `nn.BatchNorm1d` `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked` (I64) |
 * | `LayerNorm` `weight`, `bias`               | `nn.LayerNorm` (the same)                                   |
 * | `Embedding` `weight` `[num, dim]`          | `nn.Embedding` (the same)                                   |
 * | `Conv2d` `W` `[out, in, kh, kw]`, `b`      | `nn.Conv2d` `weight` (the same layout), `bias`              |
 * | an array-built `Sequential` (`affine1`)    | `nn.Sequential` indices (`0`, `1`, … counting every layer)  |
 *
 * Other layers keep their own names. Only the Affine weight changes layout, and a square one
 * looks the same either way round — so every load decides its layout from a recorded fact
 * (the file's `layouts` metadata, or the format the caller states), or from a shape that is
 * not square; never by guessing.
 */
import { fromArray, type Tensor } from '@zerograd/core';
import type { AnyLayer } from '../layers/layer.js';
import { type LoadReport, loadMapped, type TensorSource, transpose } from './checkpoint-load.js';
import { type CheckpointFormat, checkpointMappings, describeLayout } from './checkpoint-names.js';

export type { LoadReport } from './checkpoint-load.js';
export type { CheckpointFormat, MatrixLayout } from './checkpoint-names.js';

/** Options of {@link loadTorchStateDict}. */
export interface LoadTorchOptions {
  /** Refuse tensors the model does not have (default true); with false they are skipped and reported. */
  strict?: boolean;
}

/** A model's tensors under `format`'s names and layouts, with what a writer needs to know. */
export function checkpointTensors(
  model: AnyLayer,
  format: CheckpointFormat,
): { tensors: Record<string, Tensor>; layouts: Record<string, string>; int64: string[] } {
  const state = model.stateDict();
  const tensors: Record<string, Tensor> = Object.create(null);
  const layouts: Record<string, string> = Object.create(null);
  const int64: string[] = [];
  for (const m of checkpointMappings(model, format)) {
    let t: Tensor;
    if (m.kind === 'count') {
      t = fromArray((m.layer as unknown as { batchesTracked: number }).batchesTracked, { dtype: 'int32' });
      int64.push(m.name);
    } else {
      const own = state[m.zerograd as string];
      t = m.kind === 'matrix' && format === 'torch' ? transpose(own) : own;
    }
    tensors[m.name] = t;
    layouts[m.name] = describeLayout(m, format, t.shape);
  }
  return { tensors, layouts, int64 };
}

/**
 * The PyTorch module that matches each mapped layer, as PyTorch prints it, by module name —
 * written to a torch checkpoint's metadata so a reader can build the `nn.Module`. BatchNorm's
 * momentum is converted: zerograd's is the weight of the old running value (0.9), PyTorch's the
 * weight of the new batch (0.1).
 */
export function torchModules(model: AnyLayer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of checkpointMappings(model, 'torch')) {
    const prefix = m.name.slice(0, Math.max(0, m.name.lastIndexOf('.')));
    if (Object.hasOwn(out, prefix)) continue;
    const repr = torchRepr(m.layer.type, m.layer as unknown as Record<string, unknown>);
    if (repr) out[prefix] = repr;
  }
  return out;
}

/** `repr(module)` of the PyTorch module matching a zerograd layer, or undefined. */
function torchRepr(type: string, l: Record<string, unknown>): string | undefined {
  const bool = (v: unknown) => (v ? 'True' : 'False');
  const pair = (p: unknown) => (typeof p === 'number' ? [p, p] : (p as number[]));
  const tuple = (p: unknown) => `(${pair(p).join(', ')})`;
  switch (type) {
    case 'Affine':
      return `Linear(in_features=${l.inFeatures}, out_features=${l.outFeatures}, bias=${bool(l.b)})`;
    case 'BatchNorm': // PyTorch's momentum weighs the new batch, zerograd's the old value.
      return `BatchNorm1d(${l.features}, eps=${pyFloat(l.eps as number)}, momentum=${pyFloat(1 - (l.momentum as number))}, affine=True, track_running_stats=True)`;
    case 'LayerNorm': {
      const shape = l.normalizedShape as number[];
      const t = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
      return `LayerNorm(${t}, eps=${pyFloat(l.eps as number)}, elementwise_affine=${bool(l.weight)})`;
    }
    case 'Embedding':
      return `Embedding(${l.numEmbeddings}, ${l.embeddingDim})`;
    case 'Conv2d': {
      const padding = pair(l.pad).some((p) => p !== 0) ? `, padding=${tuple(l.pad)}` : '';
      const bias = l.b ? '' : ', bias=False';
      return `Conv2d(${l.inChannels}, ${l.outChannels}, kernel_size=${tuple(l.kernel)}, stride=${tuple(l.stride)}${padding}${bias})`;
    }
    default:
      return undefined;
  }
}

/** A number as Python's `repr(float)` prints it (`1e-05`, `0.1`, `1.0`), rounded to 12 digits. */
function pyFloat(v: number): string {
  const x = Number(v.toPrecision(12));
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16)) {
    return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/**
 * The model's parameters and buffers under PyTorch's names and layouts — what
 * `model.state_dict()` of the matching `nn.Module` holds (see the table above). Affine weights
 * are transposed copies; BatchNorm's `num_batches_tracked` is an int32 scalar here (written as
 * I64 by `saveParameters(…, { format: 'torch' })`).
 */
export function toTorchStateDict(model: AnyLayer): Record<string, Tensor> {
  return checkpointTensors(model, 'torch').tensors;
}

/**
 * Loads a PyTorch `state_dict` (names and layouts as `nn.Module` has them) into `model`:
 * `nn.Linear` weights are transposed into Affine's `[in, out]`, BatchNorm1d's statistics
 * renamed, `num_batches_tracked` read into `batchesTracked`. Everything is checked before
 * anything is copied, as `loadStateDict` does; on any fault the model is untouched.
 */
export function loadTorchStateDict(
  model: AnyLayer,
  tensors: Readonly<Record<string, Tensor>>,
  options: LoadTorchOptions = {},
): LoadReport {
  const source: TensorSource = {
    names: () => Object.keys(tensors),
    shape: (n) => (Object.hasOwn(tensors, n) ? tensors[n].shape : undefined),
    tensor: (n) => tensors[n],
  };
  return loadMapped('loadTorchStateDict', model, source, {
    format: 'torch',
    layoutOf: () => '[out, in]',
    strict: options.strict ?? true,
  });
}

import { type Tensor, ValueError, ZerogradError } from '@zerograd/core';
import { type LoadReport, loadMapped, type TensorSource } from '../io/checkpoint-load.js';
import type { CheckpointFormat } from '../io/checkpoint-names.js';
import { nodeBuiltin } from '../io/node-builtins.js';
import { encodeSafetensors, openSafetensors, type SafetensorsFile } from '../io/safetensors.js';
import { saveSafetensors } from '../io/safetensors-node.js';
import { checkpointTensors, torchModules } from '../io/torch.js';
import type { AnyLayer } from '../layers/layer.js';

/** Options of {@link saveParameters}. */
export interface SaveParametersOptions {
  /** String pairs stored in the file's `__metadata__` (e.g. the accuracy reached). */
  metadata?: Record<string, string>;
  /**
   * Whose names and layouts to write (default `'zerograd'`: `affine1.W` `[in, out]`). `'torch'`
   * writes what `nn.Module.state_dict()` holds (`0.weight` `[out, in]`, BatchNorm's
   * `num_batches_tracked` as I64), for `load_state_dict` in PyTorch.
   */
  format?: CheckpointFormat;
}

/** Options of {@link loadParameters}. */
export interface LoadParametersOptions {
  /** Refuse files holding tensors the model does not have (default true); false skips and reports them. */
  strict?: boolean;
  /**
   * Whose names the file uses: `'zerograd'` or `'torch'`. Default: what the file's metadata says
   * (`format` `zerograd`, or `pt` as PyTorch tools write), else `'zerograd'`. Stating it also
   * tells the layout of fully connected weights when the file does not record it — required for
   * a square weight, which looks the same either way round.
   */
  format?: CheckpointFormat;
}

/**
 * Writes the model's parameters and buffers to a `.safetensors` file, atomically (temporary
 * file, then rename), by qualified name (`affine1.W`, `batchnorm1.runningMean`), or with
 * `format: 'torch'` by PyTorch's names and layouts. The metadata records the format and every
 * tensor's layout (`layouts`), so no loader has to guess which way round a square weight is.
 * Node only.
 */
export async function saveParameters(
  model: AnyLayer,
  path: string,
  options: SaveParametersOptions = {},
): Promise<void> {
  checkModel('saveParameters', model);
  const { tensors, metadata, int64 } = forWriting(model, options);
  await saveSafetensors(path, tensors, metadata, { int64 });
}

/**
 * Loads parameters and buffers from a `.safetensors` file into `model` — one written by
 * `saveParameters` in either format, or by PyTorch (`format: 'torch'`). The file is validated
 * completely, then every name, shape and layout is checked against the model; a corrupt file, a
 * missing or (with `strict`) unexpected tensor, a shape mismatch or a square weight of unknown
 * layout throws an error naming the path and every problem, and leaves the model untouched.
 * Entries the model does not need are never decoded, so with `strict: false` a dtype zerograd
 * cannot hold there is skipped, not fatal. Returns what was loaded, transposed and skipped. Node only.
 */
export async function loadParameters(
  model: AnyLayer,
  path: string,
  options: LoadParametersOptions = {},
): Promise<LoadReport> {
  checkModel('loadParameters', model);
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('loadParameters', 'node:fs/promises');
  const bytes = await fs.readFile(path);
  try {
    return loadFile('loadParameters', model, openSafetensors(bytes), options);
  } catch (err) {
    throw rethrow(err, `${path}: `);
  }
}

/** The model's parameters and buffers as `.safetensors` bytes (works in the browser too). */
export function parametersToBytes(model: AnyLayer, options: SaveParametersOptions = {}): Uint8Array {
  checkModel('parametersToBytes', model);
  const { tensors, metadata, int64 } = forWriting(model, options);
  return encodeSafetensors(tensors, metadata, { int64 });
}

/** Loads `.safetensors` bytes into `model`, with the checks and the report of `loadParameters`. */
export function parametersFromBytes(
  model: AnyLayer,
  bytes: Uint8Array,
  options: LoadParametersOptions = {},
): LoadReport {
  checkModel('parametersFromBytes', model);
  return loadFile('parametersFromBytes', model, openSafetensors(bytes), options);
}

/** What the file's metadata says about its format, if anything. */
function recordedFormat(file: SafetensorsFile): CheckpointFormat | undefined {
  const f = file.metadata.format;
  return f === 'zerograd' ? 'zerograd' : f === 'pt' || f === 'torch' ? 'torch' : undefined;
}

function loadFile(op: string, model: AnyLayer, file: SafetensorsFile, options: LoadParametersOptions): LoadReport {
  if (options.format !== undefined && options.format !== 'zerograd' && options.format !== 'torch') {
    throw new ValueError(op, `format must be 'zerograd' or 'torch', got ${JSON.stringify(options.format)}`);
  }
  const recorded = recordedFormat(file);
  const layouts = parseLayouts(op, file.metadata.layouts);
  // Facts in the file first (a tensor's recorded layout, the file's format), then what the caller states.
  const known = recorded ?? options.format;
  const fallback = known === 'torch' ? '[out, in]' : known === 'zerograd' ? '[in, out]' : undefined;
  const source: TensorSource = {
    names: () => file.entries.keys(),
    shape: (n) => file.entries.get(n)?.shape,
    tensor: (n) => file.tensor(n),
  };
  return loadMapped(op, model, source, {
    format: options.format ?? recorded ?? 'zerograd',
    layoutOf: (n) => (Object.hasOwn(layouts, n) ? layouts[n] : fallback),
    strict: options.strict ?? true,
  });
}

function parseLayouts(op: string, text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  throw new ValueError(op, `the metadata 'layouts' is not a JSON object of layouts: ${text.slice(0, 80)}`);
}

function forWriting(
  model: AnyLayer,
  options: SaveParametersOptions,
): { tensors: Record<string, Tensor>; metadata: Record<string, string>; int64: string[] } {
  const format = options.format ?? 'zerograd';
  if (format !== 'zerograd' && format !== 'torch') {
    throw new ValueError('saveParameters', `format must be 'zerograd' or 'torch', got ${JSON.stringify(format)}`);
  }
  const { tensors, layouts, int64 } = checkpointTensors(model, format);
  const metadata: Record<string, string> = { ...options.metadata };
  // 'pt' is what PyTorch-side tools (transformers, safetensors.torch users) write.
  metadata.format = format === 'torch' ? 'pt' : 'zerograd';
  metadata.layouts = JSON.stringify(layouts);
  if (format === 'torch') metadata.modules = JSON.stringify(torchModules(model));
  return { tensors, metadata, int64 };
}

function rethrow(err: unknown, prefix: string): unknown {
  if (err instanceof ZerogradError) {
    const Ctor = err.constructor as new (op: string, message: string) => ZerogradError;
    return Object.assign(new Ctor('loadParameters', prefix + err.message.slice(err.op.length + 2)), { cause: err });
  }
  return err;
}

/** A model must be a layer (its `stateDict` is what is saved and loaded). */
function checkModel(op: string, model: unknown): void {
  const m = model as { stateDict?: unknown; loadStateDict?: unknown } | null;
  if (typeof m?.stateDict !== 'function' || typeof m?.loadStateDict !== 'function') {
    throw new ValueError(op, `the model must be a Layer (Sequential, Affine …), got ${m === null ? 'null' : typeof m}`);
  }
}

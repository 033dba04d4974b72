import { ValueError, ZerogradError } from '@zerograd/core';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors-node.js';
import type { AnyLayer } from '../layers/layer.js';

/** Options of {@link saveParameters}. */
export interface SaveParametersOptions {
  /** String pairs stored in the file's `__metadata__` (e.g. the accuracy reached). */
  metadata?: Record<string, string>;
}

/** Options of {@link loadParameters}. */
export interface LoadParametersOptions {
  /** Refuse files holding tensors the model does not have (default true). */
  strict?: boolean;
}

/**
 * Writes the model's parameters and buffers to a `.safetensors` file, by qualified name
 * (`affine1.W`, `batchnorm1.runningMean`), atomically (temporary file, then rename). PyTorch
 * and numpy can read the file with the `safetensors` package. Node only.
 */
export async function saveParameters(
  model: AnyLayer,
  path: string,
  options: SaveParametersOptions = {},
): Promise<void> {
  checkModel('saveParameters', model);
  await saveSafetensors(path, model.stateDict(), withFormat(options.metadata));
}

/**
 * Loads parameters and buffers saved by `saveParameters` into `model`. The file is validated
 * completely, then every name and shape is checked against the model; a corrupt file, a
 * missing or (with `strict`) unexpected tensor, or a shape mismatch throws an error naming the
 * path and every problem, and leaves the model untouched. Node only.
 */
export async function loadParameters(
  model: AnyLayer,
  path: string,
  options: LoadParametersOptions = {},
): Promise<void> {
  checkModel('loadParameters', model);
  const tensors = await loadSafetensors(path);
  try {
    model.loadStateDict(tensors, options);
  } catch (err) {
    throw rethrow(err, `${path}: `);
  }
}

/** The model's parameters and buffers as `.safetensors` bytes (works in the browser too). */
export function parametersToBytes(model: AnyLayer, options: SaveParametersOptions = {}): Uint8Array {
  checkModel('parametersToBytes', model);
  return encodeSafetensors(model.stateDict(), withFormat(options.metadata));
}

/** Loads `.safetensors` bytes into `model`, with the checks of `loadParameters`. */
export function parametersFromBytes(model: AnyLayer, bytes: Uint8Array, options: LoadParametersOptions = {}): void {
  checkModel('parametersFromBytes', model);
  const tensors = decodeSafetensors(bytes);
  model.loadStateDict(tensors, options);
}

function withFormat(metadata: Record<string, string> = {}): Record<string, string> {
  return { format: 'zerograd', ...metadata };
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

/**
 * safetensors files on disk (Node). The format itself lives in `safetensors.ts`, which has no
 * Node dependency; `node:fs/promises` is looked up only when these functions run.
 */
import type { Tensor } from '@zerograd/core';
import { ValueError, ZerogradError } from '@zerograd/core';
import { nodeBuiltin } from './node-builtins.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/**
 * Writes named tensors to `path` as a `.safetensors` file, atomically: the bytes go to a
 * temporary file in the same directory, are flushed to disk, and the temporary file is then
 * renamed over `path`. A reader (or a crash) sees the old file or the new one, never a torn one.
 *
 * @param path destination file; its directory must exist.
 * @param tensors name → tensor (float32 is written as `F32`, float64 as `F64`).
 * @param metadata optional string pairs stored under `__metadata__`.
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  const fs = nodeBuiltin<Fs>('saveSafetensors', 'node:fs/promises');
  const paths = nodeBuiltin<Path>('saveSafetensors', 'node:path');
  const dir = paths.dirname(paths.resolve(path));
  const tmp = paths.join(dir, `.${paths.basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle: Awaited<ReturnType<Fs['open']>> | undefined;
  try {
    handle = await fs.open(tmp, 'wx');
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  // Make the rename itself durable; directories cannot be opened for sync everywhere (Windows).
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}

/**
 * Reads a `.safetensors` file into tensors. The file is validated completely before any tensor
 * is returned; a truncated, oversized or lying file throws a `ValueError` naming the path and
 * the fault, and yields nothing.
 */
export async function loadSafetensors(path: string): Promise<Record<string, Tensor>> {
  const fs = nodeBuiltin<Fs>('loadSafetensors', 'node:fs/promises');
  const bytes = await fs.readFile(path);
  try {
    return decodeSafetensors(bytes);
  } catch (err) {
    if (err instanceof ZerogradError) {
      const reason = err.message.slice(err.op.length + 2);
      throw Object.assign(new ValueError('loadSafetensors', `${path}: ${reason}`), { cause: err });
    }
    throw err;
  }
}

/**
 * safetensors files on disk (Node). The format itself lives in `safetensors.ts`, which has no
 * Node dependency; `node:fs/promises` is looked up only when these functions run.
 */
import type { Tensor } from '@zerograd/core';
import { ValueError, ZerogradError } from '@zerograd/core';
import { nodeBuiltin } from './node-builtins.js';
import { decodeSafetensors, type EncodeSafetensorsOptions, encodeSafetensors } from './safetensors.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/**
 * Writes named tensors to `path` as a `.safetensors` file, atomically: the bytes go to a
 * temporary file in the same directory, are flushed to disk, and the temporary file is then
 * renamed over `path`, and the directory is flushed too. A reader (or a crash) sees the old
 * file or the new one, never a torn one.
 *
 * - An existing file keeps its permissions (a 0600 checkpoint stays 0600); a new one gets the
 *   usual `0666 & ~umask`.
 * - A symbolic link is followed: the file it points to is replaced and the link stays. A link
 *   that points nowhere is refused.
 * - Temporary files left by a save that was killed (same target, a process that no longer
 *   runs) are removed.
 *
 * @param path destination file; its directory must exist.
 * @param tensors name → tensor (float32 is written as `F32`, float64 as `F64`).
 * @param metadata optional string pairs stored under `__metadata__`.
 * @param options as for `encodeSafetensors` (`int64`: int32 tensors written as I64).
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
  options?: EncodeSafetensorsOptions,
): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new ValueError('saveSafetensors', 'path must be a file name');
  const bytes = encodeSafetensors(tensors, metadata, options);
  const fs = nodeBuiltin<Fs>('saveSafetensors', 'node:fs/promises');
  const paths = nodeBuiltin<Path>('saveSafetensors', 'node:path');
  const target = await followLink(fs, path);
  const mode = await fs.stat(target).then(
    (st) => st.mode & 0o7777,
    () => undefined,
  );
  const dir = paths.dirname(target);
  const base = paths.basename(target);
  await removeStaleTemporaries(fs, paths, dir, base);
  const tmp = paths.join(dir, `.${base}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle: Awaited<ReturnType<Fs['open']>> | undefined;
  try {
    handle = await fs.open(tmp, 'wx', mode ?? 0o666);
    // The umask may have narrowed the mode asked for at creation: set the target's exactly.
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
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

/** The file `path` names: itself, or where its symbolic link(s) lead (a dangling link is an error). */
async function followLink(fs: Fs, path: string): Promise<string> {
  const st = await fs.lstat(path).catch(() => undefined);
  if (!st?.isSymbolicLink()) return path;
  try {
    return await fs.realpath(path);
  } catch {
    throw new ValueError('saveSafetensors', `${path} is a symbolic link to a file that does not exist`);
  }
}

/**
 * Removes `.<base>.<pid>.<random>.tmp` files that a killed save of the same target left behind:
 * only those whose process no longer runs, so a save running elsewhere is never disturbed.
 */
async function removeStaleTemporaries(fs: Fs, paths: Path, dir: string, base: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const prefix = `.${base}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const match = /^(\d+)\.[a-z0-9]+\.tmp$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || isRunning(pid)) continue;
    await fs.rm(paths.join(dir, name), { force: true }).catch(() => {});
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'; // alive, owned by someone else
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

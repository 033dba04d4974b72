/**
 * Writing a `.onnx` file from Node. `node:fs/promises` is looked up when `saveOnnx` runs, not
 * imported, so `@zerograd/onnx` stays usable in a browser bundle.
 */
import type { Tensor, Variable } from '@zerograd/core';
import { ValueError } from '@zerograd/core';
import { type Exportable, type ExportOnnxOptions, exportOnnx } from './export.js';
import { nodeBuiltin } from './node-builtins.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

/**
 * Exports `model` (see `exportOnnx`) and writes it to `path` atomically: the bytes go to a
 * temporary file in the same directory, are flushed, and the file is renamed over `path`, so a
 * reader sees the old model or the new one, never half of one. Returns the bytes written.
 */
export async function saveOnnx(
  path: string,
  model: Exportable,
  exampleInputs: Tensor | Variable | readonly (Tensor | Variable)[],
  options: ExportOnnxOptions = {},
): Promise<Uint8Array> {
  if (typeof path !== 'string' || path === '') throw new ValueError('saveOnnx', 'path must be a file name');
  const bytes = exportOnnx(model, exampleInputs, options);
  const fs = nodeBuiltin<Fs>('saveOnnx', 'node:fs/promises');
  const paths = nodeBuiltin<Path>('saveOnnx', 'node:path');
  const tmp = paths.join(paths.dirname(path), `.${paths.basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(tmp, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    await fs.rename(tmp, path);
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  return bytes;
}

import { ZerogradError } from '@zerograd/core';

/**
 * A Node built-in module, looked up when called (`process.getBuiltinModule`) rather than
 * imported, so that modules using it can be part of a browser bundle: bundlers never see a
 * `node:` import, and only calling a Node-only function outside Node fails, with a clear error.
 */
export function nodeBuiltin<T>(op: string, id: string): T {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (typeof proc?.getBuiltinModule !== 'function') {
    throw new ZerogradError(op, `needs Node.js ≥ 20.16 (it uses ${id}), and this is not Node`);
  }
  return proc.getBuiltinModule(id) as T;
}

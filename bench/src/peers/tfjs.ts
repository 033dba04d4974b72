import { createRequire } from 'node:module';
import path from 'node:path';
import type { MatmulCase, MatmulPeer } from './index.js';

/**
 * TensorFlow.js (`@tensorflow/tfjs-core` 4.22) as matmul peers: its CPU backend (plain JS)
 * and its WASM backend (XNNPACK; the .wasm files are read from the package's own dist folder
 * via `setWasmPaths`, no network). Float32 only — tfjs has no float64.
 *
 * Each product calls the backend's `BatchMatMul` kernel directly, with operands written into
 * that backend once in `prepare`, and reads the result back (`readSync`, a copy, as zerograd's
 * result is a fresh array too). Going through the kernel rather than `tf.matMul` keeps the
 * two tfjs peers independent of tfjs's one global "active backend", so their samples can
 * interleave with everyone else's; the engine's per-op bookkeeping, which `tf.matMul` would
 * add, is left out — in tfjs's favour on small products.
 */

/** A tensor as a tfjs backend holds it: a handle to the backend's storage, plus its shape. */
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: 'float32';
}
/** The part of a tfjs backend the peers use: write operands, read results, free storage. */
export interface Backend {
  write(values: Float32Array, shape: number[], dtype: string): object;
  readSync(dataId: object): unknown;
  disposeData(dataId: object): void;
}
/** A registered kernel: what `tf.someOp` runs on a backend, without the engine around it. */
export interface Kernel {
  kernelFunc(args: { inputs: Record<string, TensorInfo>; backend: Backend; attrs: object }): TensorInfo;
}
/** The part of tfjs-core the peers use, typed here narrowly rather than through tfjs's own types. */
export interface Tf {
  setBackend(name: string): Promise<boolean>;
  findBackend(name: string): Backend | null;
  /** The kernel a backend registered under `name`; undefined when it has none. */
  getKernel(name: string, backend: string): Kernel | undefined;
  env(): { set(flag: string, value: unknown): void; getAsync(flag: string): Promise<unknown> };
}

let loading: Promise<Tf> | null = null;
let wasmModule: { getThreadsCount(): number } | null = null;

/** Loads tfjs-core with both backends registered; the WASM one pointed at its dist folder. */
export function loadTf(): Promise<Tf> {
  loading ??= (async () => {
    const tf = (await import('@tensorflow/tfjs-core')) as unknown as Tf;
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as {
      setWasmPaths(prefix: string): void;
      getThreadsCount(): number;
    };
    wasmModule = wasm;
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dist}${path.sep}`);
    // tfjs prints a banner recommending tfjs-node the first time the CPU backend starts.
    tf.env().set('IS_TEST', true);
    return tf;
  })();
  return loading;
}

/**
 * What tfjs's WASM backend runs here, once it has started: which binary (SIMD or not) and how
 * many threads. tfjs picks its multithreaded binary only where SharedArrayBuffer and threads
 * are detected, and its detection answers "no" in Node outright (tfjs issue 3830), so in the
 * bench it is the single-threaded binary.
 */
export async function wasmBackendInfo(tf: Tf): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const binary = simd ? (threaded ? 'threaded SIMD' : 'SIMD') : 'plain';
  return `${binary} binary, ${wasmModule?.getThreadsCount() ?? '?'} thread(s) (multithreaded build ${threaded ? 'available' : 'not available here'})`;
}

/** tfjs with `backendName` made active, or why it cannot run here. */
export async function startBackend(backendName: 'cpu' | 'wasm'): Promise<{ tf: Tf; backend: Backend } | string> {
  try {
    const tf = await loadTf();
    if (!(await tf.setBackend(backendName))) return `tfjs backend '${backendName}' did not initialise`;
    const backend = tf.findBackend(backendName);
    return backend ? { tf, backend } : `tfjs backend '${backendName}' is not registered`;
  } catch (e) {
    return `tfjs could not load: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function tfjsPeer(name: string, backendName: 'cpu' | 'wasm'): MatmulPeer {
  let tf: Tf | null = null;
  let backend: Backend | null = null;
  const live = new Map<string, TensorInfo[]>();
  return {
    name,
    async setup() {
      const got = await startBackend(backendName);
      if (typeof got === 'string') return got;
      ({ tf, backend } = got);
      return true;
    },
    async prepare(c: MatmulCase) {
      if (c.dtype !== 'float32' || !tf || !backend) return null;
      const be = backend;
      const { m, n, k, transA, transB } = c;
      const aShape = transA ? [1, k, m] : [1, m, k];
      const bShape = transB ? [1, n, k] : [1, k, n];
      const fill = (size: number, seed: number) => {
        const v = new Float32Array(size);
        let s = seed;
        for (let i = 0; i < size; i++) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          v[i] = s / 2147483648 - 1;
        }
        return v;
      };
      const a: TensorInfo = { dataId: be.write(fill(m * k, 1), aShape, 'float32'), shape: aShape, dtype: 'float32' };
      const b: TensorInfo = { dataId: be.write(fill(k * n, 2), bShape, 'float32'), shape: bShape, dtype: 'float32' };
      live.set(c.id, [a, b]);
      const kernel = tf.getKernel('BatchMatMul', backendName);
      if (!kernel) return null;
      const attrs = { transposeA: transA, transposeB: transB };
      return () => {
        const out = kernel.kernelFunc({ inputs: { a, b }, backend: be, attrs });
        be.readSync(out.dataId);
        be.disposeData(out.dataId);
      };
    },
    release(c: MatmulCase) {
      for (const t of live.get(c.id) ?? []) backend?.disposeData(t.dataId);
      live.delete(c.id);
    },
  };
}

export const tfjsCpuPeer = tfjsPeer('tfjs-cpu', 'cpu');
export const tfjsWasmPeer = tfjsPeer('tfjs-wasm', 'wasm');

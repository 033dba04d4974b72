/**
 * Backend selection: which implementation the tensor-level kernels (tensor-kernels.ts) call
 * for their hot loops. This is the one piece of process-wide state outside src/state.ts.
 *
 *   'wasm-relaxed'  WebAssembly SIMD with relaxed SIMD's fused multiply-add (Chromium, Node
 *                   ≥ 22; in Node 20 zerograd turns on V8's --experimental-wasm-relaxed-simd
 *                   itself, see relaxed-simd.ts)
 *   'wasm-simd'     WebAssembly SIMD128 (every current engine)
 *   'ts'            the TypeScript kernels, which are also the reference every other backend
 *                   is tested against
 *
 * By default the fastest available is chosen at the first kernel call (relaxed → SIMD → TS),
 * by validating the embedded binaries, so no flag is ever required. `ZEROGRAD_BACKEND`
 * (`ts`, `wasm`, `wasm-simd`, `wasm-relaxed`, `auto`) or `setBackend(name)` forces one;
 * `wasm` means the best WebAssembly variant. `ZEROGRAD_THREADS` (or `setBackend(name,
 * { threads })`) caps the threads a large product may use; the default is two where workers
 * and shared memory exist (see gemm-pool.ts).
 *
 * In a browser, compiling a module of more than 4 KiB synchronously on the main thread is
 * refused; there the TS kernels serve until `backendReady()` has compiled the module
 * asynchronously.
 */
import { ValueError } from '../errors.js';
import { availableCores, envValue } from './host.js';
import { type BackendName, buildKernelSet, compileBackend, type KernelSet, TS_KERNELS } from './kernel-set.js';
import { enableRelaxedSimd, type RelaxedSimdFlag } from './relaxed-simd.js';
import { variantSupported, type WasmVariant } from './wasm-module.js';

/** What may be asked for: a backend, `wasm` (the best WebAssembly one) or `auto` (the best). */
export type BackendRequest = BackendName | 'wasm' | 'auto';

/** What `backendInfo()` reports. */
export interface BackendInfo {
  /** The backend the kernels use now. */
  name: BackendName;
  /** What was asked for, and by whom. */
  requested: BackendRequest;
  source: 'default' | 'env' | 'setBackend';
  /** Backends this engine can run, fastest first. */
  available: BackendName[];
  /** Most threads a large product may use (1: no worker pool). */
  threads: number;
  /** The WebAssembly binary large products use, e.g. `simd-shared` (null for `ts`). */
  variant: WasmVariant | null;
  /** Workers started and serving now (they start at the first large product). */
  workers: number;
  /** Products split with a worker so far. */
  parallelProducts: number;
  /**
   * Relaxed SIMD in Node 20: `set` if zerograd turned V8's flag on, `unneeded` if the engine
   * has it anyway (Node ≥ 22, Chromium), `declined` (ZEROGRAD_RELAXED_SIMD=0) or `unavailable`.
   */
  relaxedSimdFlag: RelaxedSimdFlag;
}

export interface SetBackendOptions {
  /** Most threads one large product may use, counting the calling thread (default 2 where possible). */
  threads?: number;
}

const REQUESTS: readonly BackendRequest[] = ['auto', 'wasm', 'wasm-relaxed', 'wasm-simd', 'ts'];

/** Most threads one product uses: the calling thread and one worker (see gemm-pool.ts). */
const MAX_THREADS = 2;

/** The kernels in use; null until the first kernel call (or `setBackend`) chooses them. */
let current: KernelSet | null = null;
/** What `backendInfo()` reports about `current`, less the live worker counts. */
let info: BackendInfo | null = null;
/** The asynchronous compilation under way where the engine refused to compile synchronously. */
let pending: Promise<BackendInfo> | null = null;

/** Backends this engine can run, fastest first (validation is cheap and cached by the engine). */
export function availableBackends(): BackendName[] {
  enableRelaxedSimd();
  const out: BackendName[] = [];
  if (variantSupported('relaxed')) out.push('wasm-relaxed');
  if (variantSupported('simd')) out.push('wasm-simd');
  out.push('ts');
  return out;
}

function checkRequest(op: string, name: unknown): BackendRequest {
  if (REQUESTS.includes(name as BackendRequest)) return name as BackendRequest;
  throw new ValueError(op, `unknown backend ${JSON.stringify(name)}; expected one of ${REQUESTS.join(', ')}`);
}

function resolve(request: BackendRequest, available: BackendName[], op: string): BackendName {
  if (request === 'auto') return available[0];
  if (request === 'wasm') {
    const w = available.find((b) => b !== 'ts');
    if (!w) throw new ValueError(op, 'no WebAssembly SIMD backend is available in this engine');
    return w;
  }
  if (!available.includes(request)) {
    throw new ValueError(op, `backend '${request}' is not available here (available: ${available.join(', ')})`);
  }
  return request;
}

function activate(
  request: BackendRequest,
  source: BackendInfo['source'],
  threadsWanted: number | undefined,
  op: string,
): BackendInfo {
  const available = availableBackends();
  const name = resolve(request, available, op);
  const threads = Math.min(MAX_THREADS, Math.max(1, Math.floor(threadsWanted ?? availableCores())));
  let set = buildKernelSet(name, threads);
  if (!set) {
    // The engine will not compile synchronously here: serve with TS until it has, then
    // activate the request again unless another has replaced it meanwhile.
    set = TS_KERNELS;
    pending = compileBackend(name, threads).then(() => {
      if (info?.requested === request && info.source === source) return activate(request, source, threads, op);
      return backendInfo();
    });
  }
  current = set;
  info = {
    name: set.name,
    requested: request,
    source,
    available,
    threads: set.shared ? threads : 1,
    variant: set.shared?.variant ?? set.wasm?.variant ?? null,
    workers: 0,
    parallelProducts: 0,
    relaxedSimdFlag: enableRelaxedSimd(),
  };
  return backendInfo();
}

/** The kernels in use, chosen on first use from `ZEROGRAD_BACKEND` or by feature detection. */
export function kernelSet(): KernelSet {
  if (current) return current;
  const env = envValue('ZEROGRAD_BACKEND');
  const threadsEnv = envValue('ZEROGRAD_THREADS');
  const threads = threadsEnv === undefined ? undefined : Number(threadsEnv);
  if (threads !== undefined && !(threads >= 1))
    throw new ValueError('ZEROGRAD_THREADS', `expected a positive integer, got ${JSON.stringify(threadsEnv)}`);
  if (env !== undefined) activate(checkRequest('ZEROGRAD_BACKEND', env), 'env', threads, 'ZEROGRAD_BACKEND');
  else activate('auto', 'default', threads, 'backend');
  return current ?? TS_KERNELS;
}

/**
 * Forces a backend (`'ts'`, `'wasm-simd'`, `'wasm-relaxed'`, `'wasm'` for the best
 * WebAssembly one, or `'auto'`), optionally capping threads. Throws a `ValueError` if it
 * cannot run here. Returns the name of the backend now in use.
 */
export function setBackend(name: BackendRequest, options: SetBackendOptions = {}): BackendName {
  const request = checkRequest('setBackend', name);
  if (options.threads !== undefined && !(options.threads >= 1))
    throw new ValueError('setBackend', `threads must be a positive integer, got ${options.threads}`);
  return activate(request, 'setBackend', options.threads, 'setBackend').name;
}

/** The name of the backend the kernels use now (choosing it if no kernel has run yet). */
export function getBackend(): BackendName {
  kernelSet();
  return (info as BackendInfo).name;
}

/** What is in use, what was asked for, what is available, how many threads. */
export function backendInfo(): BackendInfo {
  const { shared } = kernelSet();
  const pool = shared?.pool;
  return {
    ...(info as BackendInfo),
    available: [...(info as BackendInfo).available],
    workers: pool?.ready ? 1 : 0,
    parallelProducts: pool?.jobs ?? 0,
  };
}

/**
 * Resolves once the chosen backend is compiled and active. Only browsers need it (they may
 * refuse to compile on the main thread synchronously); elsewhere it resolves at once.
 */
export function backendReady(): Promise<BackendInfo> {
  kernelSet();
  return pending ?? Promise.resolve(backendInfo());
}

/**
 * Backend selection: which implementation the tensor-level kernels (src/kernels/index.ts)
 * call for their hot loops.
 *
 *   'wasm-relaxed'  WebAssembly SIMD with relaxed SIMD's fused multiply-add (Chromium, Node
 *                   ≥ 22; in Node 20 zerograd turns on V8's --experimental-wasm-relaxed-simd
 *                   itself, see `enableRelaxedSimd`)
 *   'wasm-simd'     WebAssembly SIMD128 (every current engine)
 *   'ts'            the TypeScript kernels, which are also the reference every other backend
 *                   is tested against
 *
 * By default the fastest available is chosen at the first kernel call (relaxed → SIMD → TS),
 * by validating the embedded binaries, so no flag is ever required. `ZEROGRAD_BACKEND`
 * (`ts`, `wasm`, `wasm-simd`, `wasm-relaxed`, `auto`) or `setBackend(name)` forces one;
 * `wasm` means the best WebAssembly variant. `ZEROGRAD_THREADS` (or `setBackend(name,
 * { threads })`) caps the threads a large product may use; the default is two where workers
 * and shared memory exist (see pool.ts).
 *
 * In a browser, compiling a module of more than 4 KiB synchronously on the main thread is
 * refused; there the TS kernels serve until `backendReady()` has compiled the module
 * asynchronously.
 */
import { ValueError } from '../errors.js';
import { gemm as tsGemm } from '../kernels/matmul.js';
import { GemmPool, PARALLEL_MIN_MACS } from './pool.js';
import { biasActInto, isShared, variantBytes, variantSupported, WasmKernels, type WasmVariant } from './wasm.js';

export type BackendName = 'ts' | 'wasm-simd' | 'wasm-relaxed';
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
   * has it anyway, `declined` (ZEROGRAD_RELAXED_SIMD=0) or `unavailable`.
   */
  relaxedSimdFlag: 'unneeded' | 'set' | 'declined' | 'unavailable';
}

export interface SetBackendOptions {
  /** Most threads one large product may use, counting the calling thread (default 2 where possible). */
  threads?: number;
}

type Gemm = typeof tsGemm;
/** `C = act(op(A)·op(B) + bias)`: gemm's arguments, then the bias row (or null) and whether to apply ReLU. */
export type Affine = WasmKernels['affine'];

/** The kernels one backend provides; the TS ones where it provides none. */
export interface KernelSet {
  readonly name: BackendName;
  readonly gemm: Gemm;
  /** The fused Affine (product, bias, ReLU) in one pass over C. */
  readonly affine: Affine;
  /** The WebAssembly instance behind it (plain memory): element-wise kernels, smaller products. */
  readonly wasm: WasmKernels | null;
  /** The shared-memory instance with the worker pool, for products worth splitting. */
  readonly shared: WasmKernels | null;
}

const tsAffine: Affine = (m, n, k, a, aOff, tA, b, bOff, tB, c, cOff, bias, relu) => {
  tsGemm(m, n, k, a, aOff, tA, b, bOff, tB, c, cOff);
  if (bias || relu) biasActInto(c, cOff, m, n, bias, relu);
};
const TS: KernelSet = { name: 'ts', gemm: tsGemm, affine: tsAffine, wasm: null, shared: null };
const REQUESTS: readonly BackendRequest[] = ['auto', 'wasm', 'wasm-relaxed', 'wasm-simd', 'ts'];

/** Most threads one product uses: the calling thread and one worker (see pool.ts). */
const MAX_THREADS = 2;

let current: KernelSet | null = null;
let info: BackendInfo | null = null;
const compiled = new Map<WasmVariant, WebAssembly.Module>();

function envValue(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = p?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

let relaxedFlag: 'unneeded' | 'set' | 'declined' | 'unavailable' | null = null;

/**
 * Node 20's V8 (11.3) implements relaxed SIMD but keeps it behind a flag, and its fused
 * multiply-add makes the matrix kernels ~30% faster on this machine (AMD EPYC, measured
 * 32 → 41 GFLOP/s at 100×784×50). Where the relaxed binary does not validate, this sets
 * `--experimental-wasm-relaxed-simd` through `node:v8` (the flag only admits the proposal's
 * opcodes, which V8 ≥ 11.4 ships unflagged), once, before anything is compiled; feature
 * detection then finds it. `ZEROGRAD_RELAXED_SIMD=0` declines. Browsers are left alone.
 * Returns what happened (also in `backendInfo().relaxedSimdFlag`).
 */
export function enableRelaxedSimd(): 'unneeded' | 'set' | 'declined' | 'unavailable' {
  if (relaxedFlag) return relaxedFlag;
  if (variantSupported('relaxed')) relaxedFlag = 'unneeded';
  else if (envValue('ZEROGRAD_RELAXED_SIMD') === '0') relaxedFlag = 'declined';
  else {
    const g = globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } };
    const v8 = g.process?.getBuiltinModule?.('node:v8') as { setFlagsFromString?: (f: string) => void } | undefined;
    relaxedFlag = 'unavailable';
    if (v8?.setFlagsFromString) {
      try {
        v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
        if (variantSupported('relaxed')) relaxedFlag = 'set';
      } catch {
        // Leave relaxed SIMD off.
      }
    }
  }
  return relaxedFlag;
}

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

/** Cores this process may use: `navigator.hardwareConcurrency`, or Node's `os.availableParallelism()`. */
function defaultThreads(): number {
  const g = globalThis as {
    navigator?: { hardwareConcurrency?: number };
    process?: { getBuiltinModule?: (name: string) => unknown };
  };
  const os = g.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const cores = g.navigator?.hardwareConcurrency ?? os?.availableParallelism?.() ?? 1;
  return Math.max(1, Math.min(MAX_THREADS, cores));
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

/**
 * The binaries a backend runs on: the plain one for everything, and with two threads also
 * the shared-memory one for products large enough to split (only those: copying into a
 * shared memory costs V8 about twice a plain copy).
 */
function variantsOf(name: BackendName, threads: number): { base: WasmVariant; shared: WasmVariant | null } | null {
  if (name === 'ts') return null;
  const base: WasmVariant = name === 'wasm-relaxed' ? 'relaxed' : 'simd';
  const shared = `${base}-shared` as WasmVariant;
  return { base, shared: threads > 1 && variantSupported(shared) ? shared : null };
}

/** Compiles a variant synchronously, or returns null where the engine refuses (browser main thread). */
function compileSync(variant: WasmVariant): WebAssembly.Module | null {
  const have = compiled.get(variant);
  if (have) return have;
  try {
    const module = new WebAssembly.Module(variantBytes(variant) as BufferSource);
    compiled.set(variant, module);
    return module;
  } catch {
    return null;
  }
}

let pending: Promise<BackendInfo> | null = null;
/**
 * One instance per variant, kept when another backend is selected: switching back is free,
 * and a worker, once started, stays (idle workers block in `Atomics.wait` and are unref'd).
 */
const instances = new Map<WasmVariant, WasmKernels>();

function kernelsFor(variant: WasmVariant, module: WebAssembly.Module): WasmKernels {
  let wasm = instances.get(variant);
  if (!wasm) {
    wasm = new WasmKernels(variant, module, tsGemm);
    if (isShared(variant)) new GemmPool(wasm);
    instances.set(variant, wasm);
  }
  return wasm;
}

function activate(
  request: BackendRequest,
  source: BackendInfo['source'],
  threadsWanted: number | undefined,
  op: string,
): BackendInfo {
  const available = availableBackends();
  const name = resolve(request, available, op);
  const threads = Math.min(MAX_THREADS, Math.max(1, Math.floor(threadsWanted ?? defaultThreads())));
  const variants = variantsOf(name, threads);
  let set: KernelSet = TS;
  let active = name;
  if (variants) {
    const { base, shared } = variants;
    const baseModule = compileSync(base);
    const sharedModule = shared && compileSync(shared);
    if (baseModule && (!shared || sharedModule)) {
      const wasm = kernelsFor(base, baseModule);
      if (shared && sharedModule) {
        const big = kernelsFor(shared, sharedModule);
        const gemm: Gemm = (m, n, k, a, aOff, tA, b, bOff, tB, c, cOff) =>
          (m * n * k >= PARALLEL_MIN_MACS ? big : wasm).gemm(m, n, k, a, aOff, tA, b, bOff, tB, c, cOff);
        const affine: Affine = (m, n, k, a, aOff, tA, b, bOff, tB, c, cOff, bias, relu) =>
          (m * n * k >= PARALLEL_MIN_MACS ? big : wasm).affine(m, n, k, a, aOff, tA, b, bOff, tB, c, cOff, bias, relu);
        set = { name, gemm, affine, wasm, shared: big };
      } else {
        const affine: Affine = (...args) => wasm.affine(...args);
        set = { name, gemm: wasm.gemm, affine, wasm, shared: null };
      }
    } else {
      // The engine will not compile synchronously here: serve with TS until it has.
      active = 'ts';
      const wanted = shared ? [base, shared] : [base];
      pending = Promise.all(
        wanted.map((v) =>
          WebAssembly.compile(variantBytes(v) as BufferSource).then((module) => compiled.set(v, module)),
        ),
      ).then(() => {
        if (info?.requested === request && info.source === source) return activate(request, source, threads, op);
        return backendInfo();
      });
    }
  }
  current = set;
  info = {
    name: active,
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
  return activeSet();
}

function activeSet(): KernelSet {
  return current ?? TS;
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

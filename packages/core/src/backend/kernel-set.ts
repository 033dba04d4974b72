/**
 * The kernels one backend provides, and how they are made: the TypeScript set, or a
 * WebAssembly variant compiled and instantiated once and kept (switching backends back and
 * forth is free, and a worker, once started, stays: idle workers block in `Atomics.wait` and
 * are unref'd). Choosing which set is in use is select.ts's business.
 */
import { type Affine, affine as tsAffine } from '../kernels/affine.js';
import { type Gemm, gemm as tsGemm } from '../kernels/matmul.js';
import { GemmPool, PARALLEL_MIN_MACS } from './gemm-pool.js';
import { WasmKernels } from './wasm-kernels.js';
import { isShared, variantBytes, variantSupported, type WasmVariant } from './wasm-module.js';

/** A backend the kernels can run on. */
export type BackendName = 'ts' | 'wasm-simd' | 'wasm-relaxed';

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

/** The TypeScript kernels: the `ts` backend, and what serves while a WebAssembly one compiles. */
export const TS_KERNELS: KernelSet = { name: 'ts', gemm: tsGemm, affine: tsAffine, wasm: null, shared: null };

const compiled = new Map<WasmVariant, WebAssembly.Module>();
const instances = new Map<WasmVariant, WasmKernels>();

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

/** The one instance of a variant (a shared one with its worker pool attached). */
function kernelsFor(variant: WasmVariant, module: WebAssembly.Module): WasmKernels {
  let wasm = instances.get(variant);
  if (!wasm) {
    wasm = new WasmKernels(variant, module, tsGemm);
    if (isShared(variant)) new GemmPool(wasm);
    instances.set(variant, wasm);
  }
  return wasm;
}

/**
 * The kernels of backend `name` with up to `threads` threads, or null when this engine will
 * not compile its binaries synchronously (a browser's main thread refuses modules over 4 KiB):
 * then `compileBackend` first.
 */
export function buildKernelSet(name: BackendName, threads: number): KernelSet | null {
  const variants = variantsOf(name, threads);
  if (!variants) return TS_KERNELS;
  const { base, shared } = variants;
  const baseModule = compileSync(base);
  const sharedModule = shared && compileSync(shared);
  if (!baseModule || (shared && !sharedModule)) return null;
  const wasm = kernelsFor(base, baseModule);
  if (!shared || !sharedModule) {
    const affine: Affine = (...args) => wasm.affine(...args);
    return { name, gemm: wasm.gemm, affine, wasm, shared: null };
  }
  // Products worth splitting go to the shared-memory instance, the rest stay in plain memory.
  const big = kernelsFor(shared, sharedModule);
  const gemm: Gemm = (m, n, k, a, aOff, tA, b, bOff, tB, c, cOff) =>
    (m * n * k >= PARALLEL_MIN_MACS ? big : wasm).gemm(m, n, k, a, aOff, tA, b, bOff, tB, c, cOff);
  const affine: Affine = (m, n, k, a, aOff, tA, b, bOff, tB, c, cOff, bias, relu) =>
    (m * n * k >= PARALLEL_MIN_MACS ? big : wasm).affine(m, n, k, a, aOff, tA, b, bOff, tB, c, cOff, bias, relu);
  return { name, gemm, affine, wasm, shared: big };
}

/** Compiles backend `name`'s binaries asynchronously (allowed everywhere), so `buildKernelSet` then succeeds. */
export async function compileBackend(name: BackendName, threads: number): Promise<void> {
  const variants = variantsOf(name, threads);
  if (!variants) return;
  const wanted = variants.shared ? [variants.base, variants.shared] : [variants.base];
  await Promise.all(
    wanted.map((v) => WebAssembly.compile(variantBytes(v) as BufferSource).then((module) => compiled.set(v, module))),
  );
}

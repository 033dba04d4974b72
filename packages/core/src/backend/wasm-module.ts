/**
 * The embedded WebAssembly binaries as modules: decoding them, whether this engine can run a
 * variant, the memory a variant imports, instantiation, and the signatures of what every
 * binary exports (wasm/assembly/*.ts). Nothing here keeps an instance; wasm-kernels.ts does.
 */
import { WASM_BINARIES, WASM_SHARED_MAX_PAGES } from './wasm-binaries.generated.js';

/** A build of the kernels: `simd` or `relaxed` (relaxed SIMD's fused multiply-add), each also over shared memory. */
export type WasmVariant = keyof typeof WASM_BINARIES;

/** An element-wise binary op over a rows × cols strided view (wasm/assembly/elementwise.ts). */
type BinaryExport = (
  op: number,
  a: number,
  sa0: number,
  sa1: number,
  b: number,
  sb0: number,
  sb1: number,
  out: number,
  rows: number,
  cols: number,
) => void;

/** An optimizer step (wasm/assembly/optim.ts): rule, n, w, g, s1, s2 and eight hyper-parameters. */
type UpdateExport = (rule: number, n: number, w: number, g: number, s1: number, s2: number, ...hyper: number[]) => void;

/** The exported gemm of a WASM module: pointers and strides into its memory (C = A·B). */
type GemmExport = (
  m: number,
  n: number,
  k: number,
  a: number,
  ars: number,
  acs: number,
  b: number,
  brs: number,
  bcs: number,
  c: number,
  ldc: number,
  scratch: number,
) => void;

/** The functions every kernel binary exports (addresses are byte offsets into memory). */
export interface KernelExports {
  heapBase(): number;
  binaryF32: BinaryExport;
  binaryF64: BinaryExport;
  unaryF32(op: number, x: number, out: number, n: number, param: number): void;
  unaryF64(op: number, x: number, out: number, n: number, param: number): void;
  mathF32(op: number, x: number, out: number, n: number): void;
  mathF64(op: number, x: number, out: number, n: number): void;
  sumF32(x: number, rows: number, cols: number, overRows: number, acc: number, out: number): void;
  sumF64(x: number, rows: number, cols: number, overRows: number, acc: number, out: number): void;
  gemmScratchBytes(): number;
  biasActF32(c: number, bias: number, rows: number, cols: number, relu: number): void;
  biasActF64(c: number, bias: number, rows: number, cols: number, relu: number): void;
  updateF32: UpdateExport;
  updateF64: UpdateExport;
  gemmF32: GemmExport;
  gemmF64: GemmExport;
  /** wasm/assembly/conv.ts: images [first, last) of a convolution, geometry as 12 int32s at `geom`. */
  convForwardF32: ConvForwardExport;
  convForwardF64: ConvForwardExport;
  convGradInputF32: ConvGradInputExport;
  convGradInputF64: ConvGradInputExport;
  convGradWeightF32: ConvGradWeightExport;
  convGradWeightF64: ConvGradWeightExport;
  im2colF32: ColExport;
  im2colF64: ColExport;
  col2imF32: ColExport;
  col2imF64: ColExport;
  /** `sum += terms[0] + … + terms[count − 1]`, each term `size` values: the second thread's filter-gradient terms. */
  addTermsF32(sum: number, terms: number, count: number, size: number): void;
  addTermsF64(sum: number, terms: number, count: number, size: number): void;
}

type ConvForwardExport = (
  geom: number,
  first: number,
  last: number,
  x: number,
  w: number,
  f: number,
  bias: number,
  y: number,
  col: number,
  scratch: number,
) => void;
type ConvGradInputExport = (
  geom: number,
  first: number,
  last: number,
  gy: number,
  w: number,
  f: number,
  gx: number,
  dcol: number,
  scratch: number,
) => void;
type ConvGradWeightExport = (
  geom: number,
  first: number,
  last: number,
  x: number,
  gy: number,
  f: number,
  gW: number,
  col: number,
  term: number,
  scratch: number,
) => void;
/** im2col (from x to col) or col2im (from col, added into x), images [first, last). */
type ColExport = (geom: number, first: number, last: number, from: number, to: number) => void;

const bytesCache = new Map<WasmVariant, Uint8Array>();

/** The binary of a variant (decoded once; `atob` exists in browsers and in Node ≥ 16). */
export function variantBytes(variant: WasmVariant): Uint8Array {
  let bytes = bytesCache.get(variant);
  if (!bytes) {
    const text = atob(WASM_BINARIES[variant]);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    bytesCache.set(variant, bytes);
  }
  return bytes;
}

/** Whether a variant's memory is shared (for the worker pool). */
export function isShared(variant: WasmVariant): boolean {
  return variant.endsWith('-shared');
}

/**
 * Whether this engine can run a variant: the binary validates (so every instruction it uses,
 * relaxed SIMD included, is supported), and for shared variants a shared memory can be made.
 */
export function variantSupported(variant: WasmVariant): boolean {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  try {
    if (!WebAssembly.validate(variantBytes(variant) as BufferSource)) return false;
    if (isShared(variant)) {
      if (typeof SharedArrayBuffer !== 'function') return false;
      new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    }
    return true;
  } catch {
    return false;
  }
}

/** Makes the memory a variant imports: shared ones need a maximum. */
export function createMemory(variant: WasmVariant, initialPages: number): WebAssembly.Memory {
  return isShared(variant)
    ? new WebAssembly.Memory({ initial: initialPages, maximum: WASM_SHARED_MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: initialPages });
}

/** Instantiates a compiled kernel module over `memory` (synchronously: the module is small). */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => {} } });
  return instance.exports as unknown as KernelExports;
}

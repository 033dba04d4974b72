/*
 * zerograd's WebAssembly kernels. The module owns no allocator: the JavaScript side
 * (src/backend/wasm.ts) lays out linear memory above `heapBase()` and grows it on demand,
 * passing byte addresses to the kernels.
 */
export {
  addTermsF32,
  addTermsF64,
  col2imF32,
  col2imF64,
  convForwardF32,
  convForwardF64,
  convGradInputF32,
  convGradInputF64,
  convGradWeightF32,
  convGradWeightF64,
  im2colF32,
  im2colF64,
} from './conv';
export { biasActF32, biasActF64, binaryF32, binaryF64, sumF32, sumF64, unaryF32, unaryF64 } from './elementwise';
export { gemmF32, gemmF64, gemmScratchBytes } from './gemm';
export { mathF32, mathF64 } from './math';
export { updateF32, updateF64 } from './optim';

/** First byte after the module's static data: everything above is the host's to use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

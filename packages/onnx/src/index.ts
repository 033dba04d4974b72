/**
 * @zerograd/onnx — a zerograd model to ONNX (for ONNX Runtime on servers, phones and the
 * web) and ONNX models back into zerograd. The protobuf wire format is written by hand
 * (`protobuf.ts`), so the package depends on nothing but `@zerograd/core` and
 * `@zerograd/layers`.
 * @packageDocumentation
 */
export { type Exportable, type ExportOnnxOptions, exportOnnx, ONNX_OPSET, toOnnxModel } from './export.js';
export { importOnnx, OnnxLayer } from './import.js';
export {
  DATA_TYPE,
  decodeModel,
  encodeModel,
  type OnnxArray,
  type OnnxAttribute,
  type OnnxDType,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './model.js';
export { saveOnnx } from './save.js';

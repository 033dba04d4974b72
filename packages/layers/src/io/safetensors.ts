/**
 * The safetensors format (https://github.com/huggingface/safetensors), on bytes in memory, so
 * it runs in the browser as well as in Node (the file functions live in `safetensors-node.ts`).
 *
 * Layout: an 8-byte little-endian unsigned length `N`, then `N` bytes of UTF-8 JSON
 * `{ "<name>": { "dtype": "F32" | "F64" | …, "shape": [...], "data_offsets": [begin, end] }, ...,
 * "__metadata__": { "<key>": "<string>" } }`, then the data: each tensor's elements,
 * little-endian, row-major, at `[begin, end)` counted from the end of the header. PyTorch,
 * numpy (by hand or with the `safetensors` package) and the Rust crate read the same bytes.
 *
 * Decoding trusts nothing: the header is checked completely (lengths, JSON, dtypes, shapes,
 * offsets that must tile the data exactly) before a single tensor is built, and every refusal
 * is a `ValueError` that says what is wrong, so a corrupt file is never half-loaded.
 */
import { type DType, DTypeError, Tensor, type TypedArray, ValueError } from '@zerograd/core';
import {
  BYTES_PER_ELEMENT,
  decodeElements,
  isReadable,
  READABLE_DTYPES,
  readAs,
  type SafetensorsDType,
} from './safetensors-dtypes.js';
import { checkHeader, checkMetadata, type Entry, fail, METADATA_KEY } from './safetensors-header.js';

export type { SafetensorsDType } from './safetensors-dtypes.js';
export { MAX_HEADER_BYTES } from './safetensors-header.js';

const TO_SAFETENSORS: Record<DType, SafetensorsDType> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const OP_ENCODE = 'encodeSafetensors';
const OP_DECODE = 'decodeSafetensors';

/** Options of {@link encodeSafetensors}. */
export interface EncodeSafetensorsOptions {
  /**
   * Names of int32 tensors to write as `I64` (PyTorch's `long`, e.g. BatchNorm's
   * `num_batches_tracked`, which `load_state_dict` expects as int64).
   */
  int64?: readonly string[];
}

/**
 * Serialises named tensors (and optional string metadata) to safetensors bytes.
 * Tensors are laid out by element size, largest first, then by name, so every buffer
 * starts at a multiple of its element size (the header is padded with spaces to 8 bytes).
 *
 * @param tensors name → tensor; float64 is written as `F64`, float32 `F32`, int32 `I32`, bool `BOOL`.
 * @param metadata free-form string pairs stored under `__metadata__` (e.g. a format version).
 * @param options `int64`: int32 tensors to widen to `I64`.
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
  options: EncodeSafetensorsOptions = {},
): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') {
    throw new ValueError(OP_ENCODE, 'tensors must be an object mapping names to tensors');
  }
  if (metadata !== undefined) checkMetadata(OP_ENCODE, metadata);
  const names = Object.keys(tensors);
  const wide = new Set(options.int64 ?? []);
  for (const name of names) {
    if (name === METADATA_KEY)
      throw new ValueError(OP_ENCODE, `'${METADATA_KEY}' is reserved and cannot name a tensor`);
    const t = tensors[name];
    if (!(t instanceof Tensor)) throw new ValueError(OP_ENCODE, `'${name}' is not a Tensor`);
    if (wide.has(name) && t.dtype !== 'int32') {
      throw new DTypeError(OP_ENCODE, `'${name}' is ${t.dtype}; only int32 tensors can be written as I64`);
    }
  }
  const dtypeOf = (name: string): SafetensorsDType => (wide.has(name) ? 'I64' : TO_SAFETENSORS[tensors[name].dtype]);
  names.sort((a, b) => {
    const size = BYTES_PER_ELEMENT[dtypeOf(b)] - BYTES_PER_ELEMENT[dtypeOf(a)];
    return size !== 0 ? size : a < b ? -1 : a > b ? 1 : 0;
  });

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header[METADATA_KEY] = { ...metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const dtype = dtypeOf(name);
    const end = offset + t.size * BYTES_PER_ELEMENT[dtype];
    // defineProperty, so that a tensor named "__proto__" is a key like any other.
    Object.defineProperty(header, name, {
      value: { dtype, shape: [...t.shape], data_offsets: [offset, end] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }

  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const data = tensors[name].data;
    if (wide.has(name)) {
      for (let i = 0; i < data.length; i++) view.setBigInt64(at + 8 * i, BigInt(data[i]), true);
      at += 8 * data.length;
      continue;
    }
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else if (data instanceof Float32Array) {
      for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
    } else if (data instanceof Int32Array) {
      for (let i = 0; i < data.length; i++) view.setInt32(at + 4 * i, data[i], true);
    } else if (data instanceof Uint8Array) {
      out.set(data, at);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i], true);
    }
    at += data.byteLength;
  }
  return out;
}

/** A validated safetensors file whose tensors are decoded one at a time, on request. */
export interface SafetensorsFile {
  /** The `__metadata__` string pairs (`{}` when there are none). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Every tensor's name, safetensors dtype and shape, in header order. */
  readonly entries: ReadonlyMap<string, { readonly dtype: string; readonly shape: readonly number[] }>;
  /**
   * Decodes one tensor into a fresh buffer (F16/BF16 → float32, integers → int32). A dtype
   * zerograd cannot hold (F8, U16 …) or an integer beyond int32 throws, naming the tensor.
   */
  tensor(name: string): Tensor;
}

/**
 * Validates safetensors bytes completely (see {@link decodeSafetensors}) and returns the
 * header, decoding no tensor yet: a loader decodes only the entries it needs, so an entry it
 * skips can never make it refuse the file.
 */
export function openSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { entries, metadata, dataStart } = checkHeader(bytes);
  const byName = new Map(entries.map((e) => [e.name, e]));
  return {
    metadata,
    entries: new Map(entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape }])),
    tensor(name: string): Tensor {
      const e = byName.get(name);
      if (!e) fail(`no tensor named '${name}'`);
      return new Tensor(decodeEntry(bytes, dataStart, e), e.shape);
    },
  };
}

/**
 * Reads safetensors bytes back into tensors, each with its own buffer (F64 → float64, F32 →
 * float32, F16 and BF16 → float32, I64/I32/I16/I8/U8 → int32 when every value fits, BOOL → bool).
 * The whole input is validated first; any fault — truncation, an absurd or lying header,
 * offsets that overlap, leave gaps or run past the end, a shape that does not match its byte
 * count, a dtype zerograd cannot hold — throws a `ValueError` and returns nothing. To skip
 * entries instead, use {@link openSafetensors}.
 */
export function decodeSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  const file = openSafetensors(bytes);
  const out: Record<string, Tensor> = {};
  for (const name of file.entries.keys()) {
    Object.defineProperty(out, name, {
      value: file.tensor(name),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function decodeEntry(bytes: Uint8Array, dataStart: number, e: Entry): TypedArray {
  const what = `tensor '${e.name}'`;
  if (!isReadable(e.dtype)) {
    fail(
      `${what}: dtype ${JSON.stringify(e.dtype)} is a safetensors dtype zerograd does not hold; zerograd reads ${READABLE_DTYPES}`,
    );
  }
  const from = dataStart + e.begin;
  const to = dataStart + e.end;
  const kind = readAs(e.dtype);
  if (LITTLE_ENDIAN && e.dtype === TO_SAFETENSORS[kind] && e.dtype !== 'BOOL') {
    // Stored as held: a fresh, aligned copy (not bytes.slice: on a Node Buffer that is a view into the file).
    const copy = new Uint8Array(to - from);
    copy.set(bytes.subarray(from, to));
    return e.dtype === 'F32'
      ? new Float32Array(copy.buffer)
      : e.dtype === 'F64'
        ? new Float64Array(copy.buffer)
        : new Int32Array(copy.buffer);
  }
  return decodeElements(OP_DECODE, what, e.dtype, new DataView(bytes.buffer, bytes.byteOffset + from, to - from));
}

/**
 * The `__metadata__` string pairs of safetensors bytes (`{}` when there are none), after the
 * same full validation as {@link decodeSafetensors}, without copying any tensor data.
 */
export function decodeSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return checkHeader(bytes).metadata;
}

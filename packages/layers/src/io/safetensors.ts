/**
 * The safetensors format (https://github.com/huggingface/safetensors), on bytes in memory, so
 * it runs in the browser as well as in Node (the file functions live in `safetensors-node.ts`).
 *
 * Layout: an 8-byte little-endian unsigned length `N`, then `N` bytes of UTF-8 JSON
 * `{ "<name>": { "dtype": "F32" | "F64", "shape": [...], "data_offsets": [begin, end] }, ...,
 * "__metadata__": { "<key>": "<string>" } }`, then the data: each tensor's elements,
 * little-endian, row-major, at `[begin, end)` counted from the end of the header. PyTorch,
 * numpy (by hand or with the `safetensors` package) and the Rust crate read the same bytes.
 *
 * Decoding trusts nothing: the header is checked completely (lengths, JSON, dtypes, shapes,
 * offsets that must tile the data exactly) before a single tensor is built, and every refusal
 * is a `ValueError` that says what is wrong, so a corrupt file is never half-loaded.
 */
import { type DType, fmtShape, Tensor, type TypedArray, ValueError } from '@zerograd/core';

/** The safetensors dtype names zerograd reads and writes. */
export type SafetensorsDType = 'F32' | 'F64' | 'I32' | 'BOOL';

/** Headers larger than this are refused as corrupt (the limit of the reference implementation). */
export const MAX_HEADER_BYTES = 100_000_000;

const TO_SAFETENSORS: Record<DType, SafetensorsDType> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const BYTES_PER_ELEMENT: Record<SafetensorsDType, number> = { F32: 4, F64: 8, I32: 4, BOOL: 1 };
/** dtypes of the format that zerograd cannot hold, named in errors so the message is useful. */
const OTHER_DTYPES = new Set([
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'U32',
  'I64',
  'U64',
]);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const METADATA_KEY = '__metadata__';
const OP_ENCODE = 'encodeSafetensors';
const OP_DECODE = 'decodeSafetensors';

/** One tensor's entry in a checked header. */
interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** A header that passed every check, with the absolute position of the data. */
interface CheckedHeader {
  readonly entries: Entry[];
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

/**
 * Serialises named tensors (and optional string metadata) to safetensors bytes.
 * Tensors are laid out float64 first, then float32, each group by name, so every buffer
 * starts at a multiple of its element size (the header is padded with spaces to 8 bytes).
 *
 * @param tensors name → tensor; `float32` is written as `F32`, `float64` as `F64`.
 * @param metadata free-form string pairs stored under `__metadata__` (e.g. a format version).
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') {
    throw new ValueError(OP_ENCODE, 'tensors must be an object mapping names to tensors');
  }
  if (metadata !== undefined) checkMetadata(OP_ENCODE, metadata);
  const names = Object.keys(tensors);
  for (const name of names) {
    if (name === METADATA_KEY)
      throw new ValueError(OP_ENCODE, `'${METADATA_KEY}' is reserved and cannot name a tensor`);
    const t = tensors[name];
    if (!(t instanceof Tensor)) throw new ValueError(OP_ENCODE, `'${name}' is not a Tensor`);
  }
  names.sort((a, b) => {
    const size =
      BYTES_PER_ELEMENT[TO_SAFETENSORS[tensors[b].dtype]] - BYTES_PER_ELEMENT[TO_SAFETENSORS[tensors[a].dtype]];
    return size !== 0 ? size : a < b ? -1 : a > b ? 1 : 0;
  });

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header[METADATA_KEY] = { ...metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const dtype = TO_SAFETENSORS[t.dtype];
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

/**
 * Reads safetensors bytes back into tensors (`F32` → float32, `F64` → float64), each with its
 * own buffer. The whole input is validated first; any fault — truncation, an absurd or lying
 * header, offsets that overlap, leave gaps or run past the end, a shape that does not match its
 * byte count, a dtype zerograd cannot hold — throws a `ValueError` and returns nothing.
 */
export function decodeSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  const { entries, dataStart } = checkHeader(bytes);
  const out: Record<string, Tensor> = {};
  for (const e of entries) {
    const from = dataStart + e.begin;
    const to = dataStart + e.end;
    let data: TypedArray;
    if (LITTLE_ENDIAN || e.dtype === 'BOOL') {
      // A fresh, aligned copy (not bytes.slice: on a Node Buffer that is a view into the file).
      const copy = new Uint8Array(to - from);
      copy.set(bytes.subarray(from, to));
      data =
        e.dtype === 'F32'
          ? new Float32Array(copy.buffer)
          : e.dtype === 'F64'
            ? new Float64Array(copy.buffer)
            : e.dtype === 'I32'
              ? new Int32Array(copy.buffer)
              : copy;
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset + from, to - from);
      const n = (to - from) / BYTES_PER_ELEMENT[e.dtype];
      data = e.dtype === 'F32' ? new Float32Array(n) : e.dtype === 'I32' ? new Int32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++)
        data[i] =
          e.dtype === 'F32'
            ? view.getFloat32(4 * i, true)
            : e.dtype === 'I32'
              ? view.getInt32(4 * i, true)
              : view.getFloat64(8 * i, true);
    }
    if (e.dtype === 'BOOL' && data.some((b) => b > 1)) fail(`tensor '${e.name}': a BOOL byte is neither 0 nor 1`);
    Object.defineProperty(out, e.name, {
      value: new Tensor(data, e.shape),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * The `__metadata__` string pairs of safetensors bytes (`{}` when there are none), after the
 * same full validation as {@link decodeSafetensors}, without copying any tensor data.
 */
export function decodeSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return checkHeader(bytes).metadata;
}

function fail(message: string): never {
  throw new ValueError(OP_DECODE, message);
}

function checkMetadata(op: string, metadata: unknown): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new ValueError(op, `${METADATA_KEY} must be an object of string values`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string')
      throw new ValueError(op, `${METADATA_KEY} value of '${k}' is ${typeof v}, expected a string`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkHeader(bytes: Uint8Array): CheckedHeader {
  if (!(bytes instanceof Uint8Array)) fail('expected the bytes as a Uint8Array');
  if (bytes.length < 8) {
    fail(`truncated: ${bytes.length} bytes, fewer than the 8-byte header length that starts the format`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    fail(
      `header length ${declared} bytes is absurd (limit ${MAX_HEADER_BYTES}); the file is corrupt or not safetensors`,
    );
  }
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) {
    fail(`truncated: the header claims ${headerLength} bytes but only ${bytes.length - 8} follow the length`);
  }
  if (headerLength < 2) fail(`header of ${headerLength} bytes is too short to hold a JSON object`);
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  if (headerBytes[0] !== 0x7b) fail("header does not start with '{'; the file is corrupt or not safetensors");

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail('header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('header is not a JSON object');

  const dataLength = bytes.length - 8 - headerLength;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const name of Object.keys(parsed)) {
    const value = (parsed as Record<string, unknown>)[name];
    if (name === METADATA_KEY) {
      try {
        metadata = checkMetadata(OP_DECODE, value);
      } catch (err) {
        fail((err as Error).message.slice(OP_DECODE.length + 2));
      }
      continue;
    }
    entries.push(checkEntry(name, value, dataLength));
  }

  // The buffers must tile the data exactly: no overlap, no gap, nothing left over.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let last: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < covered) {
      fail(
        `tensors '${last?.name}' [${last?.begin}, ${last?.end}) and '${e.name}' [${e.begin}, ${e.end}) overlap in the data`,
      );
    }
    if (e.begin > covered) fail(`data bytes [${covered}, ${e.begin}) belong to no tensor (a gap before '${e.name}')`);
    covered = e.end;
    last = e;
  }
  if (covered !== dataLength) {
    fail(
      `the data holds ${dataLength} bytes but the tensors account for ${covered}; ${dataLength - covered} bytes belong to no tensor`,
    );
  }
  return { entries, metadata, dataStart: 8 + headerLength };
}

function checkEntry(name: string, value: unknown, dataLength: number): Entry {
  const what = `tensor '${name}'`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${what}: entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`${what}: missing dtype`);
  if (dtype !== 'F32' && dtype !== 'F64' && dtype !== 'I32' && dtype !== 'BOOL') {
    const known = OTHER_DTYPES.has(dtype) ? 'a safetensors dtype zerograd does not hold' : 'not a safetensors dtype';
    fail(`${what}: dtype ${JSON.stringify(dtype)} is ${known}; zerograd reads F32, F64, I32 and BOOL`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
    fail(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
    fail(`${what}: data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${what}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    fail(
      `${what}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes; truncated file?)`,
    );
  }
  let count = 1;
  for (const d of shape as number[]) count *= d;
  const needed = count * BYTES_PER_ELEMENT[dtype];
  if (needed !== end - begin) {
    fail(
      `${what}: shape ${fmtShape(shape as number[])} of ${dtype} needs ${needed} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

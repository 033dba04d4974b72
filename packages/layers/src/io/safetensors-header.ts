/**
 * Validation of a safetensors header (see `safetensors.ts` for the format): lengths, JSON,
 * dtypes, shapes and offsets that must tile the data exactly, all checked before a single
 * tensor is built. Every refusal is a `ValueError` of `decodeSafetensors` saying what is wrong.
 */
import { fmtShape, ValueError } from '@zerograd/core';
import { BYTES_PER_ELEMENT, isSafetensorsDType, READABLE_DTYPES } from './safetensors-dtypes.js';

/** Headers larger than this are refused as corrupt (the limit of the reference implementation). */
export const MAX_HEADER_BYTES = 100_000_000;

/** The header key holding string metadata rather than a tensor. */
export const METADATA_KEY = '__metadata__';

const OP_DECODE = 'decodeSafetensors';

/** One tensor's entry in a checked header. */
export interface Entry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** A header that passed every check, with the absolute position of the data. */
export interface CheckedHeader {
  readonly entries: Entry[];
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

/** Throws the `ValueError` of a refused file. */
export function fail(message: string): never {
  throw new ValueError(OP_DECODE, message);
}

/** Checks that `metadata` is an object of strings; returns a copy. */
export function checkMetadata(op: string, metadata: unknown): Record<string, string> {
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

/** Validates the whole header against the bytes; throws on any fault. */
export function checkHeader(bytes: Uint8Array): CheckedHeader {
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
  if (!isSafetensorsDType(dtype)) {
    fail(`${what}: dtype ${JSON.stringify(dtype)} is not a safetensors dtype; zerograd reads ${READABLE_DTYPES}`);
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

/**
 * The protobuf wire format, by hand: just what ONNX files need. A message is a sequence of
 * fields, each a key (field number and wire type) followed by its value: a varint, 8 or 4
 * little-endian bytes, or a length and that many bytes (strings, bytes, nested messages and
 * packed repeated numbers). That is all of it — about the size of one ONNX op's docs, and no
 * run-time dependency (a generated protobuf library would add its runtime to every bundle).
 */
import { ValueError } from '@zerograd/core';

/** Wire types: how a field's value is laid out. */
export const VARINT = 0;
export const FIXED64 = 1;
export const BYTES = 2;
export const FIXED32 = 5;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Appends protobuf fields to a growing byte buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** A varint; negative int64 values take ten bytes (two's complement), as protobuf says. */
  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** An int32/int64/enum field. */
  int(field: number, value: number): void {
    this.key(field, VARINT);
    this.varint(value);
  }

  /** A float field (fixed32). */
  float(field: number, value: number): void {
    this.key(field, FIXED32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, value, true);
    this.len += 4;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): void {
    this.key(field, BYTES);
    this.varint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): void {
    this.bytes(field, utf8.encode(value));
  }

  /** A nested message, written by `write` into a writer of its own. */
  message(field: number, write: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.bytes(field, inner.finish());
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One decoded field: its number, wire type, and the raw value. */
export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** VARINT: the value as a bigint (int64-safe). */
  readonly int: bigint;
  /** BYTES, FIXED32, FIXED64: the bytes (a view into the message). */
  readonly bytes: Uint8Array;
}

/** Splits one message into its fields; the caller knows what each field number means. */
export function readFields(op: string, buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const fail = (what: string): never => {
    throw new ValueError(op, `not a valid ONNX (protobuf) file: ${what} at byte ${pos}`);
  };
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) fail('truncated varint');
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    return fail('varint longer than 10 bytes');
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || pos + n > buf.length) fail(`a field of ${n} bytes runs past the end`);
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const none = new Uint8Array(0);
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 0) fail('field number 0');
    if (wire === VARINT) fields.push({ field, wire, int: varint(), bytes: none });
    else if (wire === FIXED64) fields.push({ field, wire, int: 0n, bytes: take(8) });
    else if (wire === BYTES) fields.push({ field, wire, int: 0n, bytes: take(Number(varint())) });
    else if (wire === FIXED32) fields.push({ field, wire, int: 0n, bytes: take(4) });
    else fail(`unsupported wire type ${wire}`);
  }
  return fields;
}

/** A varint field as a signed int64 number (ONNX dims and axes fit in 53 bits). */
export function toInt(f: ProtoField): number {
  return Number(BigInt.asIntN(64, f.int));
}

/** A string field. */
export function toStr(f: ProtoField): string {
  return fromUtf8.decode(f.bytes);
}

/**
 * The values of a repeated integer field, packed or not (protobuf writers may use either, and
 * readers must take both): every occurrence of `field` in order.
 */
export function repeatedInts(op: string, fields: readonly ProtoField[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wire === VARINT) out.push(toInt(f));
    else if (f.wire === BYTES) for (const v of readPacked(op, f.bytes)) out.push(Number(BigInt.asIntN(64, v)));
  }
  return out;
}

function readPacked(op: string, bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length || shift >= 70n) throw new ValueError(op, 'not a valid ONNX file: bad packed varint');
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) break;
    }
    out.push(BigInt.asUintN(64, result));
  }
  return out;
}

/** The values of a repeated float (fixed32) or double (fixed64) field, packed or not. */
export function repeatedFloats(fields: readonly ProtoField[], field: number, width: 4 | 8): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
    for (let i = 0; i + width <= f.bytes.byteLength; i += width) {
      out.push(width === 4 ? view.getFloat32(i, true) : view.getFloat64(i, true));
    }
  }
  return out;
}

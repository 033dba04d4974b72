import { fromArray, Random, Tensor, ValueError, zeros } from '@zerograd/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  decodeSafetensorsMetadata,
  encodeSafetensors,
  MAX_HEADER_BYTES,
} from '../src/io/safetensors.js';

/** Builds a file from a header object and a data section, the way a hostile writer would. */
function craft(header: unknown, data: Uint8Array | number = 0, lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function headerOf(bytes: Uint8Array): Record<string, unknown> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

function expectSame(a: Tensor, b: Tensor): void {
  expect(b.dtype).toBe(a.dtype);
  expect(b.shape).toEqual(a.shape);
  expect(Array.from(b.data)).toEqual(Array.from(a.data));
}

describe('encodeSafetensors / decodeSafetensors', () => {
  it('round-trips float32 and float64 tensors, scalars and empty tensors exactly', () => {
    const rng = new Random(1);
    const tensors: Record<string, Tensor> = {
      'affine1.W': rng.randn([3, 5], { dtype: 'float32' }),
      'affine1.b': rng.randn([5]),
      scalar64: fromArray(Math.PI),
      scalar32: fromArray(-0.1, { dtype: 'float32' }),
      empty: zeros([0, 4]),
      empty32: zeros([0], { dtype: 'float32' }),
      specials: fromArray([
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        -0,
        5e-324,
        Number.MAX_VALUE,
      ]),
      ユニコード名: fromArray([[1, 2]], { dtype: 'float32' }),
    };
    const bytes = encodeSafetensors(tensors, { format: 'zerograd', note: 'é' });
    const back = decodeSafetensors(bytes);
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const name of Object.keys(tensors)) expectSame(tensors[name], back[name]);
    expect(Object.is(back.specials.data[3], -0)).toBe(true);
    expect(decodeSafetensorsMetadata(bytes)).toEqual({ format: 'zerograd', note: 'é' });
    // Decoded tensors own their buffers: not views into the file.
    for (const t of Object.values(back)) expect(t.data.buffer).not.toBe(bytes.buffer);
  });

  it('writes the documented layout: u64 LE length, JSON header padded to 8, aligned little-endian data', () => {
    const bytes = encodeSafetensors(
      {
        b: fromArray([1.5], { dtype: 'float32' }),
        a: fromArray([2, 3]),
        c: fromArray([[4, 5, 6]], { dtype: 'float32' }),
      },
      { k: 'v' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = headerOf(bytes);
    expect(header.__metadata__).toEqual({ k: 'v' });
    // float64 first, then float32 by name: every buffer aligned to its element size.
    expect(header.a).toEqual({ dtype: 'F64', shape: [2], data_offsets: [0, 16] });
    expect(header.b).toEqual({ dtype: 'F32', shape: [1], data_offsets: [16, 20] });
    expect(header.c).toEqual({ dtype: 'F32', shape: [1, 3], data_offsets: [20, 32] });
    const data = new DataView(bytes.buffer, 8 + n);
    expect(data.getFloat64(8, true)).toBe(3);
    expect(data.getFloat32(16, true)).toBe(1.5);
    expect(data.getFloat32(28, true)).toBe(6);
    expect(bytes.length).toBe(8 + n + 32);
  });

  it('encodes tensors whose buffers are views into a larger buffer', () => {
    const big = new Float64Array([9, 9, 1, 2, 3, 9]);
    const view = new Tensor(big.subarray(2, 5), [3]);
    expectSame(view, decodeSafetensors(encodeSafetensors({ v: view })).v);
  });

  it('handles an empty file of tensors, names like __proto__, and decoding from a subarray', () => {
    expect(decodeSafetensors(encodeSafetensors({}))).toEqual({});
    const odd: Record<string, Tensor> = {};
    Object.defineProperty(odd, '__proto__', { value: fromArray([7]), enumerable: true });
    const back = decodeSafetensors(encodeSafetensors(odd));
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    const bytes = encodeSafetensors({ x: fromArray([1, 2, 3]) });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expectSame(fromArray([1, 2, 3]), decodeSafetensors(shifted.subarray(3)).x);
    // A Node Buffer from the pool: its slice() is a view, which decoding must not rely on.
    expectSame(fromArray([1, 2, 3]), decodeSafetensors(Buffer.from(bytes)).x);
  });

  it('round-trips generated tensors (property)', () => {
    const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
    const entry = fc.record({ shape, f32: fc.boolean(), seed: fc.integer() });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), entry, { maxKeys: 5 }), (spec) => {
        const tensors: Record<string, Tensor> = {};
        for (const [name, { shape: s, f32, seed }] of Object.entries(spec)) {
          if (name === '__metadata__' || name === '__proto__') continue;
          tensors[name] = new Random(seed).randn(s, { dtype: f32 ? 'float32' : 'float64' });
        }
        const back = decodeSafetensors(encodeSafetensors(tensors));
        expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
        for (const name of Object.keys(tensors)) expectSame(tensors[name], back[name]);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses to encode what it cannot write', () => {
    expect(() => encodeSafetensors({ __metadata__: fromArray([1]) })).toThrow(/reserved/);
    expect(() => encodeSafetensors({ w: [1, 2] as never })).toThrow(ValueError);
    expect(() => encodeSafetensors({}, { n: 1 } as never)).toThrow(/'n' is number, expected a string/);
    expect(() => encodeSafetensors(null as never)).toThrow(ValueError);
  });
});

describe('decodeSafetensors rejects corrupt input with a ValueError that says what is wrong', () => {
  const good = encodeSafetensors({
    w: fromArray(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32' },
    ),
    b: fromArray([5, 6]),
  });
  const goodHeader = headerOf(good) as Record<string, { data_offsets: number[] }>;
  const data = good.subarray(good.length - 32);

  const cases: [string, Uint8Array, RegExp][] = [
    ['empty input', new Uint8Array(0), /truncated: 0 bytes/],
    ['fewer than 8 bytes', good.subarray(0, 5), /truncated: 5 bytes/],
    ['header longer than the file', good.subarray(0, 20), /truncated: the header claims \d+ bytes but only 12 follow/],
    [
      'absurd header length',
      craft({}, 0, 2n ** 63n),
      /header length 9223372036854775808 bytes is absurd \(limit 100000000\)/,
    ],
    ['header just over the limit', craft({}, 0, BigInt(MAX_HEADER_BYTES + 1)), /absurd/],
    ['data cut short', good.subarray(0, good.length - 1), /run past the end of the data|belong to no tensor/],
    ['header of zero bytes', craft('', 0), /too short/],
    ['non-JSON header', craft('{"w": nope}', 0), /not valid JSON/],
    ['header not starting with {', craft('[1, 2]', 0), /does not start with '\{'/],
    ['invalid UTF-8', craft('{"\u00ff": 1}', 0).fill(0xff, 10, 11), /not valid UTF-8/],
    ['JSON null entry', craft({ w: null }), /tensor 'w': entry is not an object/],
    [
      'unknown dtype',
      craft({ w: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, 4),
      /dtype "Q7" is not a safetensors dtype; zerograd reads F64, F32, F16/,
    ],
    // A dtype of the format that zerograd cannot hold (U16) refuses only its own entry: torch-interop.test.ts.
    ['missing dtype', craft({ w: { shape: [1], data_offsets: [0, 4] } }, 4), /missing dtype/],
    [
      'negative shape',
      craft({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4),
      /shape must be an array of non-negative integers/,
    ],
    ['fractional shape', craft({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4), /shape must be/],
    [
      'offsets not a pair',
      craft({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4),
      /data_offsets must be \[begin, end\]/,
    ],
    ['offsets reversed', craft({ w: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, 4), /end before they begin/],
    [
      'offsets out of range',
      craft({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4),
      /run past the end of the data \(4 bytes/,
    ],
    [
      'shape × dtype ≠ offsets',
      craft({ w: { dtype: 'F64', shape: [2, 3], data_offsets: [0, 24] } }, 24),
      /shape \(2, 3\) of F64 needs 48 bytes, but data_offsets \[0, 24\] span 24/,
    ],
    [
      'overlapping tensors',
      craft(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        12,
      ),
      /'a' \[0, 8\) and 'b' \[4, 12\) overlap/,
    ],
    [
      'two names for the same bytes',
      craft(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        },
        4,
      ),
      /overlap/,
    ],
    [
      'a gap between tensors',
      craft(
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        12,
      ),
      /data bytes \[4, 8\) belong to no tensor \(a gap before 'b'\)/,
    ],
    [
      'a gap at the start',
      craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8),
      /\[0, 4\) belong to no tensor/,
    ],
    [
      'trailing bytes',
      craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 7),
      /holds 7 bytes but the tensors account for 4; 3 bytes belong to no tensor/,
    ],
    ['data with no tensors', craft({}, 8), /holds 8 bytes but the tensors account for 0/],
    ['metadata not an object', craft({ __metadata__: 'x' }), /__metadata__ must be an object of string values/],
    ['metadata value not a string', craft({ __metadata__: { epochs: 3 } }), /__metadata__ value of 'epochs' is number/],
  ];

  it.each(cases)('%s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(ValueError);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
    expect(() => decodeSafetensorsMetadata(bytes)).toThrow(ValueError);
  });

  it('the crafted helper itself produces valid files when told the truth', () => {
    const header = { ...goodHeader };
    expect(decodeSafetensors(craft(header, data)).w.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('rejects every truncation of a valid file', () => {
    for (let len = 0; len < good.length; len++) {
      expect(() => decodeSafetensors(good.subarray(0, len)), `length ${len}`).toThrow(ValueError);
    }
  });

  it('never returns a wrong tensor for a single corrupted header byte (property)', () => {
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const reference = decodeSafetensors(good);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 + n - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const bytes = good.slice();
        bytes[at] = byte;
        let decoded: Record<string, Tensor>;
        try {
          decoded = decodeSafetensors(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(ValueError);
          return;
        }
        // Harmless edits exist (padding spaces, a key's letter): whatever decodes is consistent.
        for (const t of Object.values(decoded))
          expect(t.size * (t.dtype === 'float32' ? 4 : 8)).toBe(t.data.byteLength);
        if (decoded.w && decoded.b) {
          expectSame(reference.w, decoded.w);
          expectSame(reference.b, decoded.b);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('int32 and bool tensors in safetensors (I32, BOOL)', () => {
  it('round-trip, and a BOOL byte other than 0/1 is refused', () => {
    const labels = fromArray(new Int32Array([3, -1, 2 ** 31 - 1]));
    const mask = fromArray([true, false, true]);
    const back = decodeSafetensors(encodeSafetensors({ labels, mask }));
    expect([back.labels.dtype, Array.from(back.labels.data)]).toEqual(['int32', [3, -1, 2 ** 31 - 1]]);
    expect([back.mask.dtype, Array.from(back.mask.data)]).toEqual(['bool', [1, 0, 1]]);
    const bytes = encodeSafetensors({ mask });
    bytes[bytes.length - 1] = 7;
    expect(() => decodeSafetensors(bytes)).toThrow(/BOOL byte is neither 0 nor 1/);
  });
});

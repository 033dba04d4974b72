import { ValueError } from '../errors.js';
import { allocate, checkDType, checkFloatDType, type DType, type TypedArray } from './dtype.js';
import { checkShape, type Shape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/**
 * A seeded pseudo-random generator (xoshiro128** seeded through splitmix32): every run with the
 * same seed draws the same numbers, in Node and in the browser alike.
 */
export class Random {
  /**
   * The four 32-bit state words. An Int32Array keeps them as raw machine words: as object
   * fields, values above 2³¹ would be boxed numbers and every draw would cost ~10× more.
   */
  private readonly state = new Int32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Restarts the stream from `seed` (any finite number). */
  seed(seed: number): void {
    if (!Number.isFinite(seed)) throw new ValueError('Random', `seed must be a finite number, got ${seed}`);
    let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.state[i] = next();
    this.spare = null;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.state;
    const s0 = s[0];
    const s1 = s[1];
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ (s1 << 9);
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Fills `out` with `next()` draws: the same numbers, in the same order, as calling `next()`
   * `out.length` times, about ten times faster (the state stays in registers). Float32 arrays
   * receive each draw rounded to float32 (which may round a draw just below 1 up to 1).
   */
  uniformInto(out: TypedArray): TypedArray {
    const s = this.state;
    let s0 = s[0];
    let s1 = s[1];
    let s2 = s[2];
    let s3 = s[3];
    for (let i = 0; i < out.length; i++) {
      let x = Math.imul(s1, 5);
      const hi = Math.imul((x << 7) | (x >>> 25), 9) >>> 5;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      x = Math.imul(s1, 5);
      const lo = Math.imul((x << 7) | (x >>> 25), 9) >>> 6;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = (hi * 67108864 + lo) / 9007199254740992;
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return out;
  }

  /** A standard normal draw (Marsaglia's polar method). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }

  /** An integer in [low, high). */
  int(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new ValueError('randint', `need integers low < high, got ${low}, ${high}`);
    }
    return low + Math.floor(this.next() * (high - low));
  }

  /** Uniform values in [low, high). */
  rand(shape: Shape, options: { low?: number; high?: number; dtype?: DType } = {}): Tensor {
    const s = checkShape('rand', shape);
    const { low = 0, high = 1 } = options;
    const dtype = checkFloatDType('rand', options.dtype ?? 'float64');
    const data = allocate(dtype, sizeOf(s));
    // Draw in float64 (a float32 buffer would round the draws before scaling).
    const u = dtype === 'float64' ? this.uniformInto(data) : this.uniformInto(new Float64Array(data.length));
    for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * u[i];
    return new Tensor(data, s);
  }

  /** Normal values with mean `mean` and standard deviation `std`. */
  randn(shape: Shape, options: { mean?: number; std?: number; dtype?: DType } = {}): Tensor {
    const s = checkShape('randn', shape);
    const { mean = 0, std = 1 } = options;
    const data = allocate(checkFloatDType('randn', options.dtype ?? 'float64'), sizeOf(s));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * this.normal();
    return new Tensor(data, s);
  }

  /** Integers in [low, high), stored as floats (zerograd's tensors are float). */
  randint(low: number, high: number, shape: Shape, options: { dtype?: DType } = {}): Tensor {
    const s = checkShape('randint', shape);
    const data = allocate(checkDType('randint', options.dtype ?? 'float64'), sizeOf(s));
    for (let i = 0; i < data.length; i++) data[i] = this.int(low, high);
    return new Tensor(data, s);
  }

  /** A random permutation of 0…n-1 (Fisher–Yates), as a plain array of indices. */
  permutation(n: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new ValueError('permutation', `n must be a non-negative integer, got ${n}`);
    // Beyond the largest array length Array.from throws a RangeError; name the problem instead.
    if (n > MAX_ARRAY_LENGTH) throw new ValueError('permutation', `n = ${n} exceeds the largest array length`);
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** `size` indices drawn from 0…n-1, without replacement unless `replace` is set. */
  choice(n: number, size: number, options: { replace?: boolean } = {}): number[] {
    if (!Number.isSafeInteger(size) || size < 0)
      throw new ValueError('choice', `size must be a non-negative integer, got ${size}`);
    if (size > MAX_ARRAY_LENGTH) throw new ValueError('choice', `size = ${size} exceeds the largest array length`);
    if (options.replace) return Array.from({ length: size }, () => this.int(0, n));
    if (!Number.isSafeInteger(n) || n < 0) throw new ValueError('choice', `n must be a non-negative integer, got ${n}`);
    if (size > n) throw new ValueError('choice', `cannot take ${size} samples from ${n} without replacement`);
    // A partial Fisher–Yates over a sparse map: O(size) time and memory, however large n is.
    const moved = new Map<number, number>();
    const out = new Array<number>(size);
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(this.next() * (n - i));
      out[i] = moved.get(j) ?? j;
      moved.set(j, moved.get(i) ?? i);
    }
    return out;
  }
}

/** The library-wide generator used when no `Random` is passed. Reseed it with `seed(n)`. */
export const globalRandom = new Random(0);

/** Reseeds the global generator. */
export function seed(n: number): void {
  globalRandom.seed(n);
}

/** Uniform values in [low, high) from the global generator (see `Random.rand`). */
export const rand = (shape: Shape, options?: Parameters<Random['rand']>[1]) => globalRandom.rand(shape, options);
/** Normal values from the global generator (see `Random.randn`). */
export const randn = (shape: Shape, options?: Parameters<Random['randn']>[1]) => globalRandom.randn(shape, options);
/** Integers in [low, high) from the global generator (see `Random.randint`). */
export const randint = (low: number, high: number, shape: Shape, options?: { dtype?: DType }) =>
  globalRandom.randint(low, high, shape, options);
/** A permutation of 0…n-1 from the global generator. */
export const permutation = (n: number) => globalRandom.permutation(n);
/** Indices drawn from 0…n-1 by the global generator (see `Random.choice`). */
export const choice = (n: number, size: number, options?: { replace?: boolean }) =>
  globalRandom.choice(n, size, options);

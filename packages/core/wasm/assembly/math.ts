/*
 * Transcendental element-wise kernels: exp, log, tanh, sigmoid, and sqrt. (sin and cos stay in
 * TypeScript: musl's argument reduction tables would double the module for ops training rarely uses.)
 *
 * Computed in float64 whatever the storage type, as the TypeScript kernels do (src/kernels/
 * elementwise.ts computes with Math.* on doubles and rounds on store). AssemblyScript's Math
 * is a port of musl's libm, V8's of fdlibm: both are within one ulp of the exact result, so a
 * float64 result may differ from TypeScript's in the last bit, and a float32 result (rounded
 * from the double) essentially never does. sqrt is correctly rounded in both, so it is exact.
 * Sigmoid uses TypeScript's two branches, which keep exp's argument non-positive.
 */

// Op codes (the host's table in src/backend/elementwise.ts must match).
const EXP = 0;
const LOG = 1;
const TANH = 2;
const SIGMOID = 3;
// const SQRT = 4;

function sigmoid(v: f64): f64 {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** One op over n doubles read by `ld` and written by `st`; the switch is outside the loops. */
function run<T>(op: i32, x: usize, out: usize, n: i32): void {
  const size = sizeof<T>();
  const end = x + <usize>n * size;
  switch (op) {
    case EXP:
      for (; x < end; x += size, out += size) store<T>(out, <T>Math.exp(<f64>load<T>(x)));
      break;
    case LOG:
      for (; x < end; x += size, out += size) store<T>(out, <T>Math.log(<f64>load<T>(x)));
      break;
    case TANH:
      for (; x < end; x += size, out += size) store<T>(out, <T>Math.tanh(<f64>load<T>(x)));
      break;
    case SIGMOID:
      for (; x < end; x += size, out += size) store<T>(out, <T>sigmoid(<f64>load<T>(x)));
      break;
    default: {
      // sqrt: correctly rounded in every lane type, so float32 may stay float32.
      let i = 0;
      if (size === 4) {
        for (; i + 4 <= n; i += 4) {
          const o = (<usize>i) << 2;
          v128.store(out + o, f32x4.sqrt(v128.load(x + o)));
        }
      } else {
        for (; i + 2 <= n; i += 2) {
          const o = (<usize>i) << 3;
          v128.store(out + o, f64x2.sqrt(v128.load(x + o)));
        }
      }
      for (; i < n; i++) {
        const o = <usize>i * size;
        store<T>(out + o, <T>Math.sqrt(<f64>load<T>(x + o)));
      }
    }
  }
}

/** out[i] = f(x[i]) over n float32 values (computed in float64, rounded once). */
export function mathF32(op: i32, x: usize, out: usize, n: i32): void {
  run<f32>(op, x, out, n);
}

/** out[i] = f(x[i]) over n float64 values. */
export function mathF64(op: i32, x: usize, out: usize, n: i32): void {
  run<f64>(op, x, out, n);
}

/*
 * The optimizers' update rules (SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam) as in-place
 * kernels over a parameter `w`, its gradient `g` and up to two state buffers `s1`, `s2`.
 *
 * The arithmetic is done in the storage type, as numpy and PyTorch do it: float32 parameters
 * are updated with float32 operations, four lanes at a time, float64 ones with float64, two
 * lanes at a time. The TypeScript reference (src/kernels/optim.ts) rounds every operation to
 * float32 with Math.fround (a single +, −, ×, ÷ or √ of float32 values computed in float64
 * and rounded once is the float32 operation), so the two agree bit for bit. Hyper-parameters
 * are rounded to the storage type once.
 *
 * The host passes n rounded up to a whole vector (4 float32 or 2 float64 elements); buffers are
 * laid out with room for it, and lanes past the end are computed and never copied out.
 */

// Rule codes (the host's table in src/kernels/optim.ts must match).
const SGD = 0;
const MOMENTUM = 1;
const NESTEROV = 2;
const ADAGRAD = 3;
const RMSPROP = 4;
// const ADAM = 5;

// Vector arithmetic in T's lanes (the branches on sizeof<T>() are resolved at compile time).
function splat<T>(x: f64): v128 {
  if (sizeof<T>() === 4) return f32x4.splat(<f32>x);
  return f64x2.splat(x);
}
function add<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() === 4) return f32x4.add(a, b);
  return f64x2.add(a, b);
}
function sub<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() === 4) return f32x4.sub(a, b);
  return f64x2.sub(a, b);
}
function mul<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() === 4) return f32x4.mul(a, b);
  return f64x2.mul(a, b);
}
function div<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() === 4) return f32x4.div(a, b);
  return f64x2.div(a, b);
}
function sqrt<T>(a: v128): v128 {
  if (sizeof<T>() === 4) return f32x4.sqrt(a);
  return f64x2.sqrt(a);
}

/**
 * One step of `rule` over n elements (a whole number of vectors). Hyper-parameters per rule,
 * in order (gᵢ = g + wd·w):
 *   SGD       lr, wd                                w ← w − lr·gᵢ
 *   momentum  lr, wd, α                             v ← α·v − lr·gᵢ;  w ← w + v
 *   Nesterov  lr, wd, α                             v ← α·v − lr·gᵢ;  w ← w + (α·v − lr·gᵢ)
 *   AdaGrad   lr, wd, ε                             h ← h + gᵢ·gᵢ;  w ← w − lr·gᵢ/(√h + ε)
 *   RMSprop   lr, wd, ε, ρ, 1 − ρ                   h ← ρ·h + (1 − ρ)·gᵢ·gᵢ;  w ← w − lr·gᵢ/(√h + ε)
 *   Adam      η/c₁, wd, ε, β₁, β₂, 1 − β₁, 1 − β₂,  m ← β₁·m + (1 − β₁)·gᵢ;  v ← β₂·v + (1 − β₂)·gᵢ·gᵢ;
 *             1/√c₂, λ                              w ← w − ((η/c₁)·m/(√v·(1/√c₂) + ε) + λ·w)
 * with every product and sum in that order (PyTorch's form of Adam: one division per element).
 */
function update<T>(
  rule: i32,
  n: i32,
  w: usize,
  g: usize,
  s1: usize,
  s2: usize,
  h0: f64,
  h1: f64,
  h2: f64,
  h3: f64,
  h4: f64,
  h5: f64,
  h6: f64,
  h7: f64,
  h8: f64,
): void {
  const end = w + <usize>n * sizeof<T>();
  const lr = splat<T>(h0);
  const wd = splat<T>(h1);
  if (rule === SGD) {
    for (; w < end; w += 16, g += 16) {
      const wi = v128.load(w);
      v128.store(w, sub<T>(wi, mul<T>(lr, add<T>(v128.load(g), mul<T>(wd, wi)))));
    }
  } else if (rule === MOMENTUM || rule === NESTEROV) {
    const a = splat<T>(h2);
    const nesterov = rule === NESTEROV;
    for (; w < end; w += 16, g += 16, s1 += 16) {
      const wi = v128.load(w);
      const gi = add<T>(v128.load(g), mul<T>(wd, wi));
      const v = sub<T>(mul<T>(a, v128.load(s1)), mul<T>(lr, gi));
      v128.store(s1, v);
      v128.store(w, add<T>(wi, nesterov ? sub<T>(mul<T>(a, v), mul<T>(lr, gi)) : v));
    }
  } else if (rule === ADAGRAD || rule === RMSPROP) {
    const eps = splat<T>(h2);
    const rho = splat<T>(h3);
    const rest = splat<T>(h4);
    const rms = rule === RMSPROP;
    for (; w < end; w += 16, g += 16, s1 += 16) {
      const wi = v128.load(w);
      const gi = add<T>(v128.load(g), mul<T>(wd, wi));
      const hOld = v128.load(s1);
      const h = rms ? add<T>(mul<T>(rho, hOld), mul<T>(mul<T>(rest, gi), gi)) : add<T>(hOld, mul<T>(gi, gi));
      v128.store(s1, h);
      v128.store(w, sub<T>(wi, div<T>(mul<T>(lr, gi), add<T>(sqrt<T>(h), eps))));
    }
  } else {
    const eps = splat<T>(h2);
    const b1 = splat<T>(h3);
    const b2 = splat<T>(h4);
    const r1 = splat<T>(h5);
    const r2 = splat<T>(h6);
    const isc2 = splat<T>(h7);
    const decay = splat<T>(h8);
    for (; w < end; w += 16, g += 16, s1 += 16, s2 += 16) {
      const wi = v128.load(w);
      const gi = add<T>(v128.load(g), mul<T>(wd, wi));
      const m = add<T>(mul<T>(b1, v128.load(s1)), mul<T>(r1, gi));
      const v = add<T>(mul<T>(b2, v128.load(s2)), mul<T>(mul<T>(r2, gi), gi));
      v128.store(s1, m);
      v128.store(s2, v);
      const step = div<T>(mul<T>(lr, m), add<T>(mul<T>(sqrt<T>(v), isc2), eps));
      v128.store(w, sub<T>(wi, add<T>(step, mul<T>(decay, wi))));
    }
  }
}

export function updateF32(
  rule: i32,
  n: i32,
  w: usize,
  g: usize,
  s1: usize,
  s2: usize,
  h0: f64,
  h1: f64,
  h2: f64,
  h3: f64,
  h4: f64,
  h5: f64,
  h6: f64,
  h7: f64,
  h8: f64,
): void {
  update<f32>(rule, n, w, g, s1, s2, h0, h1, h2, h3, h4, h5, h6, h7, h8);
}

export function updateF64(
  rule: i32,
  n: i32,
  w: usize,
  g: usize,
  s1: usize,
  s2: usize,
  h0: f64,
  h1: f64,
  h2: f64,
  h3: f64,
  h4: f64,
  h5: f64,
  h6: f64,
  h7: f64,
  h8: f64,
): void {
  update<f64>(rule, n, w, g, s1, s2, h0, h1, h2, h3, h4, h5, h6, h7, h8);
}

/*
 * The optimizers' update rules (SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam) as in-place
 * kernels over a parameter `w`, its gradient `g` and up to two state buffers `s1`, `s2`.
 *
 * Bit-identical to the TypeScript reference (src/kernels/optim.ts): the arithmetic is done in
 * float64 two lanes at a time whatever the storage type, in the reference's order of
 * operations, and a state value that the reference stores and reads back is rounded to the
 * storage type before it is used again (`keep` below). So float32 training gives the same
 * numbers on every backend.
 *
 * The host passes n rounded up to even: buffers are laid out with room for one more element,
 * and a lane past the end is computed and never copied out.
 */

// Rule codes (the host's table in src/kernels/optim.ts must match).
const SGD = 0;
const MOMENTUM = 1;
const NESTEROV = 2;
const ADAGRAD = 3;
const RMSPROP = 4;
// const ADAM = 5;

/** Two elements of a T buffer at `p`, as float64 lanes. */
function ld<T>(p: usize): v128 {
  if (sizeof<T>() === 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

/** Stores two float64 lanes into a T buffer at `p` (rounded to float32 for float32 buffers). */
function st<T>(p: usize, x: v128): void {
  if (sizeof<T>() === 4) v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
  else v128.store(p, x);
}

/** What the reference reads back after storing `x` in a T buffer. */
function keep<T>(x: v128): v128 {
  if (sizeof<T>() === 4) return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x));
  return x;
}

function splat(x: f64): v128 {
  return f64x2.splat(x);
}

/**
 * One step of `rule` over n elements (n even). Hyper-parameters per rule, in order:
 *   SGD       lr, wd                                w ← w − lr·(g + wd·w)
 *   momentum  lr, wd, α                             v ← α·v − lr·gᵢ;  w ← w + v
 *   Nesterov  lr, wd, α                             v ← α·v − lr·gᵢ;  w ← w + (α·v − lr·gᵢ)
 *   AdaGrad   lr, wd, ε                             h ← h + gᵢ²;  w ← w − lr·gᵢ/(√h + ε)
 *   RMSprop   lr, wd, ε, ρ                          h ← ρ·h + (1 − ρ)·gᵢ²;  w ← w − lr·gᵢ/(√h + ε)
 *   Adam      lr, wd, ε, β₁, β₂, c₁, c₂, λ          m, v moments;  w ← w − (lr·(m/c₁)/(√(v/c₂) + ε) + λ·w)
 * where gᵢ = g + wd·w.
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
): void {
  const step = <usize>(2 * sizeof<T>());
  const end = w + <usize>n * sizeof<T>();
  const lr = splat(h0);
  const wd = splat(h1);
  if (rule === SGD) {
    for (; w < end; w += step, g += step) {
      const wi = ld<T>(w);
      st<T>(w, f64x2.sub(wi, f64x2.mul(lr, f64x2.add(ld<T>(g), f64x2.mul(wd, wi)))));
    }
  } else if (rule === MOMENTUM || rule === NESTEROV) {
    const a = splat(h2);
    const nesterov = rule === NESTEROV;
    for (; w < end; w += step, g += step, s1 += step) {
      const wi = ld<T>(w);
      const gi = f64x2.add(ld<T>(g), f64x2.mul(wd, wi));
      const v = keep<T>(f64x2.sub(f64x2.mul(a, ld<T>(s1)), f64x2.mul(lr, gi)));
      st<T>(s1, v);
      const d = nesterov ? f64x2.sub(f64x2.mul(a, v), f64x2.mul(lr, gi)) : v;
      st<T>(w, f64x2.add(wi, d));
    }
  } else if (rule === ADAGRAD || rule === RMSPROP) {
    const eps = splat(h2);
    const rho = splat(h3);
    const rest = splat(1 - h3);
    const rms = rule === RMSPROP;
    for (; w < end; w += step, g += step, s1 += step) {
      const wi = ld<T>(w);
      const gi = f64x2.add(ld<T>(g), f64x2.mul(wd, wi));
      const g2 = f64x2.mul(gi, gi);
      const hOld = ld<T>(s1);
      const h = keep<T>(
        rms ? f64x2.add(f64x2.mul(rho, hOld), f64x2.mul(f64x2.mul(rest, gi), gi)) : f64x2.add(hOld, g2),
      );
      st<T>(s1, h);
      st<T>(w, f64x2.sub(wi, f64x2.div(f64x2.mul(lr, gi), f64x2.add(f64x2.sqrt(h), eps))));
    }
  } else {
    const eps = splat(h2);
    const b1 = splat(h3);
    const b2 = splat(h4);
    const r1 = splat(1 - h3);
    const r2 = splat(1 - h4);
    const c1 = splat(h5);
    const c2 = splat(h6);
    const decay = splat(h7);
    for (; w < end; w += step, g += step, s1 += step, s2 += step) {
      const wi = ld<T>(w);
      const gi = f64x2.add(ld<T>(g), f64x2.mul(wd, wi));
      const m = keep<T>(f64x2.add(f64x2.mul(b1, ld<T>(s1)), f64x2.mul(r1, gi)));
      const v = keep<T>(f64x2.add(f64x2.mul(b2, ld<T>(s2)), f64x2.mul(f64x2.mul(r2, gi), gi)));
      st<T>(s1, m);
      st<T>(s2, v);
      const num = f64x2.mul(lr, f64x2.div(m, c1));
      const den = f64x2.add(f64x2.sqrt(f64x2.div(v, c2)), eps);
      st<T>(w, f64x2.sub(wi, f64x2.add(f64x2.div(num, den), f64x2.mul(decay, wi))));
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
): void {
  update<f32>(rule, n, w, g, s1, s2, h0, h1, h2, h3, h4, h5, h6, h7);
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
): void {
  update<f64>(rule, n, w, g, s1, s2, h0, h1, h2, h3, h4, h5, h6, h7);
}

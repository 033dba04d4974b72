/*
 * Element-wise and reduction kernels, float32 and float64, on 2-D strided views: the host
 * (src/backend/elementwise.ts) collapses a broadcast of any rank to rows × cols with one
 * stride per axis per operand (0 where the operand is broadcast), which covers the training
 * loop's shapes: same-shape, scalar, bias rows `[n, c] ⊙ [c]` and columns `[n, c] ⊙ [n, 1]`.
 *
 * The results are bit-identical to the TypeScript kernels (src/kernels/elementwise.ts): for
 * + − × ÷ of two float32 values, rounding the double result to float32 (what TS does) equals
 * the float32 operation, and maximum/minimum/relu are written with the same comparisons, so
 * NaN and signed zeros come out the same. Sums accumulate in float64 in the same order.
 */

// Binary op codes (the host's table in src/backend/elementwise.ts must match).
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAXIMUM = 4;
const MINIMUM = 5;
const GE = 6;
const GT = 7;
const _EQ = 8;
const MASK_POSITIVE = 9;

// Unary op codes.
const NEG = 0;
const ABS = 1;
const SQUARE = 2;
const RELU = 3;
const POSITIVE = 4;
const MUL_SCALAR = 5;
const _ADD_SCALAR = 6;

function vop32(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD:
      return f32x4.add(x, y);
    case SUB:
      return f32x4.sub(x, y);
    case MUL:
      return f32x4.mul(x, y);
    case DIV:
      return f32x4.div(x, y);
    case MAXIMUM:
      // x where x ≥ y or x is NaN, else y (so a NaN in either wins, and ties keep x).
      return v128.bitselect(x, y, v128.or(f32x4.ge(x, y), f32x4.ne(x, x)));
    case MINIMUM:
      return v128.bitselect(x, y, v128.or(f32x4.le(x, y), f32x4.ne(x, x)));
    case GE:
      return v128.and(f32x4.ge(x, y), f32x4.splat(1));
    case GT:
      return v128.and(f32x4.gt(x, y), f32x4.splat(1));
    case MASK_POSITIVE:
      return f32x4.mul(x, v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.splat(1)));
    default: // _EQ
      return v128.and(f32x4.eq(x, y), f32x4.splat(1));
  }
}

function sop32(op: i32, x: f32, y: f32): f32 {
  switch (op) {
    case ADD:
      return x + y;
    case SUB:
      return x - y;
    case MUL:
      return x * y;
    case DIV:
      return x / y;
    case MAXIMUM:
      return x >= y || x !== x ? x : y;
    case MINIMUM:
      return x <= y || x !== x ? x : y;
    case GE:
      return x >= y ? 1 : 0;
    case GT:
      return x > y ? 1 : 0;
    case MASK_POSITIVE:
      return x * <f32>(y > 0 ? 1 : 0);
    default: // _EQ
      return x === y ? 1 : 0;
  }
}

function vop64(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD:
      return f64x2.add(x, y);
    case SUB:
      return f64x2.sub(x, y);
    case MUL:
      return f64x2.mul(x, y);
    case DIV:
      return f64x2.div(x, y);
    case MAXIMUM:
      return v128.bitselect(x, y, v128.or(f64x2.ge(x, y), f64x2.ne(x, x)));
    case MINIMUM:
      return v128.bitselect(x, y, v128.or(f64x2.le(x, y), f64x2.ne(x, x)));
    case GE:
      return v128.and(f64x2.ge(x, y), f64x2.splat(1));
    case GT:
      return v128.and(f64x2.gt(x, y), f64x2.splat(1));
    case MASK_POSITIVE:
      return f64x2.mul(x, v128.and(f64x2.gt(y, f64x2.splat(0)), f64x2.splat(1)));
    default: // _EQ
      return v128.and(f64x2.eq(x, y), f64x2.splat(1));
  }
}

function sop64(op: i32, x: f64, y: f64): f64 {
  switch (op) {
    case ADD:
      return x + y;
    case SUB:
      return x - y;
    case MUL:
      return x * y;
    case DIV:
      return x / y;
    case MAXIMUM:
      return x >= y || x !== x ? x : y;
    case MINIMUM:
      return x <= y || x !== x ? x : y;
    case GE:
      return x >= y ? 1 : 0;
    case GT:
      return x > y ? 1 : 0;
    case MASK_POSITIVE:
      return x * (y > 0 ? 1 : 0);
    default: // _EQ
      return x === y ? 1 : 0;
  }
}

/**
 * out[i, j] = a[i·sa0 + j·sa1] ⊙ b[i·sb0 + j·sb1] for i < rows, j < cols (out contiguous).
 * The inner strides are 1 or 0 for the vector paths; anything else takes the scalar path.
 * The op is a constant per call, so the switch inside the loop is predicted perfectly; each
 * path is specialised below by the op to keep the loops tight.
 */
export function binaryF32(
  op: i32,
  a: usize,
  sa0: i32,
  sa1: i32,
  b: usize,
  sb0: i32,
  sb1: i32,
  out: usize,
  rows: i32,
  cols: i32,
): void {
  for (let i = 0; i < rows; i++) {
    const pa = a + ((<usize>(i * sa0)) << 2);
    const pb = b + ((<usize>(i * sb0)) << 2);
    const po = out + ((<usize>(i * cols)) << 2);
    let j = 0;
    if (sa1 === 1 && sb1 === 1) {
      for (; j + 4 <= cols; j += 4) {
        const o = (<usize>j) << 2;
        v128.store(po + o, vop32(op, v128.load(pa + o), v128.load(pb + o)));
      }
    } else if (sa1 === 1 && sb1 === 0) {
      const y = v128.load32_splat(pb);
      for (; j + 4 <= cols; j += 4) {
        const o = (<usize>j) << 2;
        v128.store(po + o, vop32(op, v128.load(pa + o), y));
      }
    } else if (sa1 === 0 && sb1 === 1) {
      const x = v128.load32_splat(pa);
      for (; j + 4 <= cols; j += 4) {
        const o = (<usize>j) << 2;
        v128.store(po + o, vop32(op, x, v128.load(pb + o)));
      }
    }
    for (; j < cols; j++) {
      const x = load<f32>(pa + ((<usize>(j * sa1)) << 2));
      const y = load<f32>(pb + ((<usize>(j * sb1)) << 2));
      store<f32>(po + ((<usize>j) << 2), sop32(op, x, y));
    }
  }
}

/** float64 `binaryF32`. */
export function binaryF64(
  op: i32,
  a: usize,
  sa0: i32,
  sa1: i32,
  b: usize,
  sb0: i32,
  sb1: i32,
  out: usize,
  rows: i32,
  cols: i32,
): void {
  for (let i = 0; i < rows; i++) {
    const pa = a + ((<usize>(i * sa0)) << 3);
    const pb = b + ((<usize>(i * sb0)) << 3);
    const po = out + ((<usize>(i * cols)) << 3);
    let j = 0;
    if (sa1 === 1 && sb1 === 1) {
      for (; j + 2 <= cols; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(po + o, vop64(op, v128.load(pa + o), v128.load(pb + o)));
      }
    } else if (sa1 === 1 && sb1 === 0) {
      const y = v128.load64_splat(pb);
      for (; j + 2 <= cols; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(po + o, vop64(op, v128.load(pa + o), y));
      }
    } else if (sa1 === 0 && sb1 === 1) {
      const x = v128.load64_splat(pa);
      for (; j + 2 <= cols; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(po + o, vop64(op, x, v128.load(pb + o)));
      }
    }
    for (; j < cols; j++) {
      const x = load<f64>(pa + ((<usize>(j * sa1)) << 3));
      const y = load<f64>(pb + ((<usize>(j * sb1)) << 3));
      store<f64>(po + ((<usize>j) << 3), sop64(op, x, y));
    }
  }
}

/** out[i] = f(x[i]) for i < n; `param` is the scalar of mulScalar/addScalar. */
export function unaryF32(op: i32, x: usize, out: usize, n: i32, param: f32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const p = f32x4.splat(param);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const v = v128.load(x + o);
    let r: v128;
    switch (op) {
      case NEG:
        r = f32x4.neg(v);
        break;
      case ABS:
        r = f32x4.abs(v);
        break;
      case SQUARE:
        r = f32x4.mul(v, v);
        break;
      case RELU:
        // x where x > 0 or x is NaN, else +0 (−0 becomes +0, as in TS).
        r = v128.bitselect(v, zero, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v)));
        break;
      case POSITIVE:
        r = v128.and(f32x4.gt(v, zero), one);
        break;
      case MUL_SCALAR:
        r = f32x4.mul(v, p);
        break;
      default:
        r = f32x4.add(v, p);
    }
    v128.store(out + o, r);
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const v = load<f32>(x + o);
    let r: f32;
    switch (op) {
      case NEG:
        r = -v;
        break;
      case ABS:
        r = Mathf.abs(v);
        break;
      case SQUARE:
        r = v * v;
        break;
      case RELU:
        r = v > 0 || v !== v ? v : 0;
        break;
      case POSITIVE:
        r = v > 0 ? 1 : 0;
        break;
      case MUL_SCALAR:
        r = v * param;
        break;
      default:
        r = v + param;
    }
    store<f32>(out + o, r);
  }
}

/** float64 `unaryF32`. */
export function unaryF64(op: i32, x: usize, out: usize, n: i32, param: f64): void {
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  const p = f64x2.splat(param);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = (<usize>i) << 3;
    const v = v128.load(x + o);
    let r: v128;
    switch (op) {
      case NEG:
        r = f64x2.neg(v);
        break;
      case ABS:
        r = f64x2.abs(v);
        break;
      case SQUARE:
        r = f64x2.mul(v, v);
        break;
      case RELU:
        r = v128.bitselect(v, zero, v128.or(f64x2.gt(v, zero), f64x2.ne(v, v)));
        break;
      case POSITIVE:
        r = v128.and(f64x2.gt(v, zero), one);
        break;
      case MUL_SCALAR:
        r = f64x2.mul(v, p);
        break;
      default:
        r = f64x2.add(v, p);
    }
    v128.store(out + o, r);
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 3;
    const v = load<f64>(x + o);
    let r: f64;
    switch (op) {
      case NEG:
        r = -v;
        break;
      case ABS:
        r = Math.abs(v);
        break;
      case SQUARE:
        r = v * v;
        break;
      case RELU:
        r = v > 0 || v !== v ? v : 0;
        break;
      case POSITIVE:
        r = v > 0 ? 1 : 0;
        break;
      case MUL_SCALAR:
        r = v * param;
        break;
      default:
        r = v + param;
    }
    store<f64>(out + o, r);
  }
}

/**
 * Sums a rows × cols matrix over its rows (`out[j] = Σᵢ x[i, j]`) when `overRows`, else over
 * its columns (`out[i] = Σⱼ x[i, j]`). Accumulates in float64 (as TS does, in the same
 * order: row by row, and left to right along a row); `acc` is scratch for `cols` doubles.
 * Results are stored in the input's type.
 */
export function sumF32(x: usize, rows: i32, cols: i32, overRows: bool, acc: usize, out: usize): void {
  if (overRows) {
    memory.fill(acc, 0, (<usize>cols) << 3);
    for (let i = 0; i < rows; i++) {
      const px = x + ((<usize>(i * cols)) << 2);
      let j = 0;
      for (; j + 4 <= cols; j += 4) {
        const v = v128.load(px + ((<usize>j) << 2));
        const pa = acc + ((<usize>j) << 3);
        v128.store(pa, f64x2.add(v128.load(pa), f64x2.promote_low_f32x4(v)));
        v128.store(pa, f64x2.add(v128.load(pa, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))), 16);
      }
      for (; j < cols; j++) {
        const pa = acc + ((<usize>j) << 3);
        store<f64>(pa, load<f64>(pa) + <f64>load<f32>(px + ((<usize>j) << 2)));
      }
    }
    for (let j = 0; j < cols; j++) store<f32>(out + ((<usize>j) << 2), <f32>load<f64>(acc + ((<usize>j) << 3)));
  } else {
    for (let i = 0; i < rows; i++) {
      const px = x + ((<usize>(i * cols)) << 2);
      let s: f64 = 0;
      for (let j = 0; j < cols; j++) s += <f64>load<f32>(px + ((<usize>j) << 2));
      store<f32>(out + ((<usize>i) << 2), <f32>s);
    }
  }
}

/** float64 `sumF32`: no conversion, so the sums go straight into `out` (`acc` is unused). */
export function sumF64(x: usize, rows: i32, cols: i32, overRows: bool, _acc: usize, out: usize): void {
  if (overRows) {
    memory.fill(out, 0, (<usize>cols) << 3);
    for (let i = 0; i < rows; i++) {
      const px = x + ((<usize>(i * cols)) << 3);
      let j = 0;
      for (; j + 2 <= cols; j += 2) {
        const o = (<usize>j) << 3;
        v128.store(out + o, f64x2.add(v128.load(out + o), v128.load(px + o)));
      }
      for (; j < cols; j++) {
        const o = (<usize>j) << 3;
        store<f64>(out + o, load<f64>(out + o) + load<f64>(px + o));
      }
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const px = x + ((<usize>(i * cols)) << 3);
      let s: f64 = 0;
      for (let j = 0; j < cols; j++) s += load<f64>(px + ((<usize>j) << 3));
      store<f64>(out + ((<usize>i) << 3), s);
    }
  }
}

/**
 * The epilogue of a fused Affine: `c[i, j] = act(c[i, j] + bias[j])` in place over a rows ×
 * cols matrix (bias 0: none; relu 1: then ReLU), with the TypeScript ops' rounding and NaN
 * rules (float32 + float32 rounds like the double sum; ReLU keeps NaN and maps −0 to +0).
 */
export function biasActF32(c: usize, bias: usize, rows: i32, cols: i32, relu: bool): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    const row = c + ((<usize>(i * cols)) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = (<usize>j) << 2;
      let v = v128.load(row + o);
      if (bias) v = f32x4.add(v, v128.load(bias + o));
      if (relu) v = v128.bitselect(v, zero, v128.or(f32x4.gt(v, zero), f32x4.ne(v, v)));
      v128.store(row + o, v);
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 2;
      let v = load<f32>(row + o);
      if (bias) v = v + load<f32>(bias + o);
      if (relu) v = v > 0 || v !== v ? v : 0;
      store<f32>(row + o, v);
    }
  }
}

/** float64 `biasActF32`. */
export function biasActF64(c: usize, bias: usize, rows: i32, cols: i32, relu: bool): void {
  const zero = f64x2.splat(0);
  for (let i = 0; i < rows; i++) {
    const row = c + ((<usize>(i * cols)) << 3);
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const o = (<usize>j) << 3;
      let v = v128.load(row + o);
      if (bias) v = f64x2.add(v, v128.load(bias + o));
      if (relu) v = v128.bitselect(v, zero, v128.or(f64x2.gt(v, zero), f64x2.ne(v, v)));
      v128.store(row + o, v);
    }
    for (; j < cols; j++) {
      const o = (<usize>j) << 3;
      let v = load<f64>(row + o);
      if (bias) v = v + load<f64>(bias + o);
      if (relu) v = v > 0 || v !== v ? v : 0;
      store<f64>(row + o, v);
    }
  }
}

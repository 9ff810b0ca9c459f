/**
 * Add, subtract, multiply, divide and square root of single and double
 * values exactly as IEEE 754 and MXCSR say, on non-NaN numbers (the lane
 * drivers in fp-lanes.ts deal with NaN operands, DAZ and DE first).
 *
 * Fast path: the host computes the round-to-nearest result r, and an
 * error-free transformation gives the sign `dir` of (exact − r):
 *   - single: products and quotient checks are exact in double (24 + 24 bits);
 *     r = fround(double result) is correctly rounded (double rounding is
 *     innocuous for +, −, ×, ÷, √ since 53 ≥ 2·24 + 2); exact − r follows from
 *     TwoSum (add), the exact double product (mul), the remainder a − r·b
 *     (div) or a − r·r (sqrt), each exact by Sterbenz' lemma;
 *   - double: TwoSum (Knuth) for add; Dekker's TwoProduct with Veltkamp
 *     splitting for mul, for the remainder a − q·b of div and a − r·r of sqrt.
 * `dir` ≠ 0 means inexact (PE); the directed modes then step r one unit
 * toward the exact value when r lies on the wrong side. Whenever r may be
 * tiny, could overflow, or an operand is too large or small for the error
 * terms to be exact, the bigint path (fp-exact.ts) computes the result.
 */
import { fp, MX_IE, MX_OE, MX_PE, MX_ZE, RC_DOWN, RC_NEAREST, RC_UP } from "./fp-env.js";
import { exactAdd, exactDiv, exactMul, exactSqrt, roundDouble } from "./fp-exact.js";
import { F32, type FloatFormat, nextDown, nextUp, pow2 } from "./fp-format.js";

/** Veltkamp splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729;
/** Operands at least this large would overflow the splitting. */
const SPLIT_MAX = pow2(995);
/** Double results (or operands of the remainder) outside [LOW, HIGH] take the exact path. */
const DOUBLE_LOW = pow2(-960);
const DOUBLE_HIGH = pow2(1020);
/** Double sums with an operand or result this large take the exact path. */
const ADD_HIGH = pow2(1022);

/** Rounding error of s = fl(a + b): the exact sum is s + err (Knuth's TwoSum). */
function twoSumErr(a: number, b: number, s: number): number {
  const bv = s - a;
  return a - (s - bv) + (b - bv);
}

/** Rounding error of p = fl(a × b): the exact product is p + err (Dekker's TwoProduct). */
function twoProdErr(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * Finishes a fast-path result: `r` is the round-to-nearest value (finite,
 * ≥ f.safeLow in magnitude) and `dir` the sign of exact − r.
 */
function finish(r: number, dir: number, f: FloatFormat): number {
  if (dir === 0) return r;
  let out = r;
  switch (fp.rc) {
    case RC_NEAREST:
      break;
    case RC_UP:
      if (dir > 0) out = nextUp(r, f);
      break;
    case RC_DOWN:
      if (dir < 0) out = nextDown(r, f);
      break;
    default:
      if (r > 0 ? dir < 0 : dir > 0) out = r > 0 ? nextDown(r, f) : nextUp(r, f);
  }
  // Stepping past the largest finite number is an overflow (masked: ±∞, which
  // is the right response for the mode that stepped outward).
  if (out === Infinity || out === -Infinity) fp.flags |= MX_OE;
  fp.flags |= MX_PE;
  return out;
}

/** Sign of x as -1, 0, 1. */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** An invalid operation: IE, and the default NaN (the caller stores its bits). */
function invalid(): number {
  fp.flags |= MX_IE;
  return NaN;
}

/** a + b. */
export function fpAdd(a: number, b: number, f: FloatFormat): number {
  if (a === 0 || b === 0 || a - a !== 0 || b - b !== 0) return addSpecial(a, b, f);
  const s = a + b;
  if (s === 0) return fp.rc === RC_DOWN ? -0 : 0; // exact cancellation
  const err = twoSumErr(a, b, s);
  if (f === F32) {
    const r = Math.fround(s);
    const m = Math.abs(r);
    if (!(m >= F32.safeLow && m !== Infinity)) return exactAdd(a, b, f);
    const d = s - r;
    return finish(r, d !== 0 ? sign(d) : sign(err), f);
  }
  // TwoSum's intermediate s − a may overflow when an operand is near the top.
  const m = Math.abs(s);
  if (!(m >= f.safeLow && m < ADD_HIGH && Math.abs(a) < ADD_HIGH && Math.abs(b) < ADD_HIGH)) {
    return exactAdd(a, b, f);
  }
  return finish(s, sign(err), f);
}

/** a − b (IEEE: a + (−b), zeros and infinities included). */
export function fpSub(a: number, b: number, f: FloatFormat): number {
  return fpAdd(a, -b, f);
}

/** Zeros and infinities of an addition. */
function addSpecial(a: number, b: number, f: FloatFormat): number {
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  if (aInf || bInf) {
    if (aInf && bInf && a !== b) return invalid();
    return aInf ? a : b;
  }
  if (a === 0 && b === 0) {
    const aNeg = Object.is(a, -0);
    if (aNeg === Object.is(b, -0)) return a;
    return fp.rc === RC_DOWN ? -0 : 0;
  }
  // x ± 0 is x, but a denormal x is still a tiny result (FTZ, unmasked UE).
  const x = a === 0 ? b : a;
  return Math.abs(x) < f.minNormal ? roundDouble(x, f) : x;
}

/** a × b. */
export function fpMul(a: number, b: number, f: FloatFormat): number {
  const p = a * b;
  if (a === 0 || b === 0 || a - a !== 0 || b - b !== 0) {
    return p !== p ? invalid() : p; // 0 × ∞ is the only NaN
  }
  if (f === F32) {
    // Exact in double: 24 × 24 bits, exponents far inside the double range.
    const r = Math.fround(p);
    const m = Math.abs(r);
    if (!(m >= F32.safeLow && m !== Infinity)) return roundDouble(p, f);
    return finish(r, sign(p - r), f);
  }
  const m = Math.abs(p);
  if (!(m >= DOUBLE_LOW && m <= DOUBLE_HIGH) || !(Math.abs(a) < SPLIT_MAX)) {
    return exactMul(a, b, f);
  }
  if (!(Math.abs(b) < SPLIT_MAX)) return exactMul(a, b, f);
  return finish(p, sign(twoProdErr(a, b, p)), f);
}

/** a / b. */
export function fpDiv(a: number, b: number, f: FloatFormat): number {
  const aInf = a - a !== 0;
  const bInf = b - b !== 0;
  if (a === 0 || b === 0 || aInf || bInf) {
    if ((a === 0 && b === 0) || (aInf && bInf)) return invalid();
    if (b === 0 && !aInf) fp.flags |= MX_ZE; // finite / 0: ±∞ (∞ / 0 is exact)
    return a / b;
  }
  const q = a / b;
  if (f === F32) {
    const r = Math.fround(q);
    const m = Math.abs(r);
    if (!(m >= F32.safeLow && m !== Infinity)) return exactDiv(a, b, f);
    return finish(r, sign(a - r * b) * sign(b), f);
  }
  const m = Math.abs(q);
  if (
    !(m >= DOUBLE_LOW && m < SPLIT_MAX) ||
    !(Math.abs(b) < SPLIT_MAX) ||
    !(Math.abs(a) >= DOUBLE_LOW && Math.abs(a) <= DOUBLE_HIGH)
  ) {
    return exactDiv(a, b, f);
  }
  const p = q * b;
  const e = twoProdErr(q, b, p);
  const d = a - p; // exact: p is within a rounding of a (Sterbenz)
  return finish(q, (d > e ? 1 : d < e ? -1 : 0) * sign(b), f);
}

/** √a. */
export function fpSqrt(a: number, f: FloatFormat): number {
  if (a === 0 || a === Infinity) return a; // √−0 = −0
  if (a < 0) return invalid();
  if (f === F32) {
    const r = Math.fround(Math.sqrt(a));
    return finish(r, sign(a - r * r), f);
  }
  if (!(a >= DOUBLE_LOW && a <= DOUBLE_HIGH)) return exactSqrt(a, f); // r·r must stay finite
  const r = Math.sqrt(a);
  const p = r * r;
  const e = twoProdErr(r, r, p);
  const d = a - p;
  return finish(r, d > e ? 1 : d < e ? -1 : 0, f);
}

/** Rounds the double `x` (not NaN) to single, as CVTSD2SS does. */
export function toSingle(x: number): number {
  if (x === 0 || x - x !== 0) return x;
  const r = Math.fround(x);
  const m = Math.abs(r);
  if (!(m >= F32.safeLow && m !== Infinity)) return roundDouble(x, F32);
  return finish(r, sign(x - r), F32);
}

/**
 * Integer conversions: FILD (exact), FIST/FISTP (rounded by RC), FISTTP
 * (truncated), FRNDINT. An out-of-range or NaN source raises IE and stores
 * the integer indefinite (SDM vol. 1, 4.8.3.2 and table 8-10).
 */
import { BIAS, classify, Cls, F80, setZero } from "./f80.js";
import { Exc, FpEnv, Rc } from "./env.js";
import { specialOperand } from "./operand.js";
import { U64 } from "./convert-float.js";

const TWO32 = 4294967296;

/** Normalizes a nonzero magnitage hi:lo (bit 63 weight 2^63) into out. */
function fromMagnitude(sign: number, hi: number, lo: number, out: F80): void {
  if ((hi | lo) === 0) {
    setZero(out, sign);
    return;
  }
  let exp = BIAS + 63;
  if (hi === 0) {
    hi = lo;
    lo = 0;
    exp -= 32;
  }
  const n = Math.clz32(hi);
  if (n > 0) {
    hi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
    lo = (lo << n) >>> 0;
    exp -= n;
  }
  out.se = (sign << 15) | exp;
  out.hi = hi >>> 0;
  out.lo = lo >>> 0;
}

/** FILD m16/m32: `v` is the signed integer value. */
export function f80FromInt32(v: number, out: F80): void {
  v |= 0;
  const sign = v < 0 ? 1 : 0;
  fromMagnitude(sign, 0, Math.abs(v), out);
}

/** FILD m64: the two's-complement halves. */
export function f80FromInt64(hi: number, lo: number, out: F80): void {
  hi >>>= 0;
  lo >>>= 0;
  const sign = hi >>> 31;
  if (sign) {
    // Negate: ~x + 1.
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  fromMagnitude(sign, hi, lo, out);
}

// Result of roundToInteger: magnitude iHi:iLo.
let iHi = 0;
let iLo = 0;

/**
 * Rounds a finite |a| to an integer magnitude in iHi:iLo under `rc`. Returns
 * false when the magnitude is 2^64 or more. Raises PE (and sets C1) when inexact.
 */
function roundToInteger(env: FpEnv, a: F80, rc: number): boolean {
  const sign = a.se >>> 15;
  let e = a.se & 0x7fff;
  if (e === 0) e = 1; // denormals: tiny, handled below like any |a| < 1
  const shift = BIAS + 63 - e; // right shift turning the significand into the integer
  let hi = a.hi;
  let lo = a.lo;
  if (shift < 0) return false;
  env.c1 = 0;
  if (shift === 0) {
    iHi = hi;
    iLo = lo;
    return true;
  }
  // Fraction bits: `rb` = first dropped bit, `st` = any lower bit.
  let rb: number;
  let st: boolean;
  if (shift > 64) {
    rb = 0;
    st = (hi | lo) !== 0;
    hi = lo = 0;
  } else if (shift === 64) {
    rb = hi >>> 31;
    st = (hi & 0x7fffffff) !== 0 || lo !== 0;
    hi = lo = 0;
  } else if (shift > 32) {
    const s = shift - 32;
    rb = (hi >>> (s - 1)) & 1;
    st = lo !== 0 || (s > 1 && hi << (33 - s) !== 0);
    lo = hi >>> s;
    hi = 0;
  } else if (shift === 32) {
    rb = lo >>> 31;
    st = (lo & 0x7fffffff) !== 0;
    lo = hi;
    hi = 0;
  } else {
    rb = (lo >>> (shift - 1)) & 1;
    st = shift > 1 && lo << (33 - shift) !== 0;
    lo = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
    hi = hi >>> shift;
  }
  let inc = false;
  if (rb !== 0 || st) {
    env.flags |= Exc.PE;
    if (rc === Rc.NEAREST) inc = rb !== 0 && (st || (lo & 1) !== 0);
    else if (rc === Rc.DOWN) inc = sign !== 0;
    else if (rc === Rc.UP) inc = sign === 0;
  }
  if (inc) {
    env.c1 = 1;
    lo = lo + 1;
    if (lo >= TWO32) {
      lo = 0;
      hi = hi + 1;
      if (hi >= TWO32) return false;
    }
  }
  iHi = hi >>> 0;
  iLo = lo >>> 0;
  return true;
}

/**
 * An invalid integer conversion: IE alone. A value that rounded out of range
 * is not an inexact result, so the PE and C1 the rounding may have produced
 * are withdrawn (SDM vol. 2, FIST/FISTP: C1 reports rounding only with #P).
 */
function invalidConversion(env: FpEnv): void {
  env.flags = (env.flags & ~Exc.PE) | Exc.IE;
  env.c1 = 0;
}

/** Converts with rounding (FIST, or truncation for FISTTP) to a signed int of `bits` ≤ 32. */
export function f80ToInt32(env: FpEnv, a: F80, bits: 16 | 32, truncate = false): number {
  const indefinite = bits === 16 ? -0x8000 : -0x80000000;
  const c = classify(a);
  if (c >= Cls.INF) {
    invalidConversion(env);
    return indefinite;
  }
  if (c === Cls.ZERO) return 0;
  if (!roundToInteger(env, a, truncate ? Rc.ZERO : env.rc) || iHi !== 0) {
    invalidConversion(env);
    return indefinite;
  }
  const limit = bits === 16 ? 0x8000 : 0x80000000;
  const neg = a.se >>> 15 !== 0;
  if (iLo > limit || (iLo === limit && !neg)) {
    invalidConversion(env);
    return indefinite;
  }
  return neg ? -iLo : iLo;
}

/** Converts to int64 (two's-complement halves in `out`). */
export function f80ToInt64(env: FpEnv, a: F80, out: U64, truncate = false): void {
  const c = classify(a);
  out.hi = 0;
  out.lo = 0;
  if (c >= Cls.INF || (c !== Cls.ZERO && !roundToInteger(env, a, truncate ? Rc.ZERO : env.rc))) {
    invalidConversion(env);
    out.hi = 0x80000000;
    return;
  }
  if (c === Cls.ZERO) return;
  const neg = a.se >>> 15 !== 0;
  if (iHi > 0x80000000 || (iHi === 0x80000000 && (iLo !== 0 || !neg))) {
    invalidConversion(env);
    out.hi = 0x80000000;
    return;
  }
  let hi = iHi;
  let lo = iLo;
  if (neg) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  out.hi = hi;
  out.lo = lo;
}

/** FRNDINT: rounds to an integral value under RC at full precision. */
export function f80RoundInt(env: FpEnv, a: F80, out: F80): void {
  const c = classify(a);
  if (specialOperand(env, a, c, out)) return;
  if (c === Cls.INF || c === Cls.ZERO) {
    out.copy(a);
    return;
  }
  if (c === Cls.DENORMAL) env.flags |= Exc.DE;
  const sign = a.se >>> 15;
  if ((a.se & 0x7fff) >= BIAS + 63) {
    out.copy(a);
    return;
  }
  roundToInteger(env, a, env.rc); // |a| < 2^63: always fits
  fromMagnitude(sign, iHi, iLo, out);
}

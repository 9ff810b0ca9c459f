/**
 * Loads and stores of the single (m32fp) and double (m64fp) memory formats
 * (FLD/FST/FSTP, and the memory forms of the arithmetic). Loads are exact
 * (SNaN → IE and quieted, denormal → DE); stores round to the destination's
 * own precision and range, not to the precision-control setting.
 */
import { BIAS, classify, Cls, EXP_MAX, F80, setInf, setZero } from "./f80.js";
import { Exc, FpEnv } from "./env.js";
import { propagateNaN1, unpack, Unpacked } from "./operand.js";
import { FMT_F32, FMT_F64, roundPack } from "./round.js";

/** A 64-bit memory value as two uint32 halves. */
export class U64 {
  hi = 0;
  lo = 0;
}

const u = new Unpacked();
const tmp = new F80();

/** Normalizes hi:lo (nonzero) into out with exponent `exp` for bit 63. */
function normalizeInto(sign: number, exp: number, hi: number, lo: number, out: F80): void {
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
  out.hi = hi;
  out.lo = lo;
}

/**
 * Loads an m32fp bit pattern. `raw` (memory operands of arithmetic) keeps an
 * SNaN signaling for the operation's own NaN rules instead of raising IE.
 */
export function f80FromF32(env: FpEnv, bits: number, out: F80, raw = false): void {
  const sign = bits >>> 31;
  const e = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (e === 0xff) {
    if (frac === 0) {
      setInf(out, sign);
      return;
    }
    tmp.se = (sign << 15) | EXP_MAX;
    tmp.hi = (0x80000000 | (frac << 8)) >>> 0;
    tmp.lo = 0;
    if (raw) out.copy(tmp);
    else propagateNaN1(env, tmp, classify(tmp), out);
    return;
  }
  if (e === 0) {
    if (frac === 0) {
      setZero(out, sign);
      return;
    }
    env.flags |= Exc.DE;
    normalizeInto(sign, BIAS - 126, (frac << 8) >>> 0, 0, out);
    return;
  }
  out.se = (sign << 15) | (e - 127 + BIAS);
  out.hi = (0x80000000 | (frac << 8)) >>> 0;
  out.lo = 0;
}

/** Loads an m64fp bit pattern given as its two 32-bit halves (`raw` as for f80FromF32). */
export function f80FromF64(env: FpEnv, hi: number, lo: number, out: F80, raw = false): void {
  const sign = hi >>> 31;
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  const sigHi = ((fh << 11) | (lo >>> 21)) >>> 0;
  const sigLo = (lo << 11) >>> 0;
  if (e === 0x7ff) {
    if ((fh | lo) === 0) {
      setInf(out, sign);
      return;
    }
    tmp.se = (sign << 15) | EXP_MAX;
    tmp.hi = (0x80000000 | sigHi) >>> 0;
    tmp.lo = sigLo;
    if (raw) out.copy(tmp);
    else propagateNaN1(env, tmp, classify(tmp), out);
    return;
  }
  if (e === 0) {
    if ((fh | lo) === 0) {
      setZero(out, sign);
      return;
    }
    env.flags |= Exc.DE;
    normalizeInto(sign, BIAS - 1022, sigHi, sigLo, out);
    return;
  }
  out.se = (sign << 15) | (e - 1023 + BIAS);
  out.hi = (0x80000000 | sigHi) >>> 0;
  out.lo = sigLo;
}

/**
 * Converts to m32fp. Returns the bit pattern; `env.flags` tells the caller
 * whether an unmasked exception forbids the store.
 */
export function f80ToF32(env: FpEnv, a: F80): number {
  const c = classify(a);
  const sign = a.se >>> 15;
  switch (c) {
    case Cls.UNSUPPORTED:
      env.flags |= Exc.IE;
      return 0xffc00000;
    case Cls.QNAN:
    case Cls.SNAN:
      if (c === Cls.SNAN) env.flags |= Exc.IE;
      return ((sign << 31) | 0x7fc00000 | ((a.hi >>> 8) & 0x3fffff)) >>> 0;
    case Cls.INF:
      return ((sign << 31) | 0x7f800000) >>> 0;
    case Cls.ZERO:
      return (sign << 31) >>> 0;
  }
  unpack(a, u);
  roundPack(env, FMT_F32, sign, u.exp, u.hi, u.lo, 0, false, tmp);
  const e = tmp.se & 0x7fff;
  if (e === EXP_MAX) return ((sign << 31) | 0x7f800000) >>> 0;
  if ((tmp.hi | tmp.lo) === 0) return (sign << 31) >>> 0;
  if (e >= FMT_F32.eMin) {
    return ((sign << 31) | ((e - BIAS + 127) << 23) | ((tmp.hi >>> 8) & 0x7fffff)) >>> 0;
  }
  // Denormal: the rounded value fits exactly in the 23-bit fraction.
  return ((sign << 31) | (tmp.hi >>> (8 + FMT_F32.eMin - e))) >>> 0;
}

/** Converts to m64fp into `out` (see f80ToF32 for the flags). */
export function f80ToF64(env: FpEnv, a: F80, out: U64): void {
  const c = classify(a);
  const sign = a.se >>> 15;
  out.lo = 0;
  switch (c) {
    case Cls.UNSUPPORTED:
      env.flags |= Exc.IE;
      out.hi = 0xfff80000;
      return;
    case Cls.QNAN:
    case Cls.SNAN:
      if (c === Cls.SNAN) env.flags |= Exc.IE;
      out.hi = ((sign << 31) | 0x7ff80000 | ((a.hi >>> 11) & 0x7ffff)) >>> 0;
      out.lo = ((a.hi << 21) | (a.lo >>> 11)) >>> 0;
      return;
    case Cls.INF:
      out.hi = ((sign << 31) | 0x7ff00000) >>> 0;
      return;
    case Cls.ZERO:
      out.hi = (sign << 31) >>> 0;
      return;
  }
  unpack(a, u);
  roundPack(env, FMT_F64, sign, u.exp, u.hi, u.lo, 0, false, tmp);
  const e = tmp.se & 0x7fff;
  if (e === EXP_MAX) {
    out.hi = ((sign << 31) | 0x7ff00000) >>> 0;
    return;
  }
  if ((tmp.hi | tmp.lo) === 0) {
    out.hi = (sign << 31) >>> 0;
    return;
  }
  let k = 11; // right shift of the 64-bit significand into the 52-bit fraction
  let ex = e - BIAS + 1023;
  if (e < FMT_F64.eMin) {
    k += FMT_F64.eMin - e;
    ex = 0;
  }
  let hi = tmp.hi;
  let lo = tmp.lo;
  if (k >= 32) {
    lo = hi >>> (k - 32);
    hi = 0;
  } else {
    lo = ((lo >>> k) | (hi << (32 - k))) >>> 0;
    hi = hi >>> k;
  }
  out.hi = ((sign << 31) | (ex << 20) | (hi & 0xfffff)) >>> 0;
  out.lo = lo >>> 0;
}

/**
 * Operand preparation shared by the arithmetic: NaN propagation, invalid
 * operands, and unpacking a finite value into a normalized significand.
 */
import { classify, Cls, F80, setIndefinite } from "./f80.js";
import { Exc, FpEnv } from "./env.js";

/** A finite nonzero operand unpacked with its integer bit set. */
export class Unpacked {
  sign = 0;
  /** Biased exponent; below 1 for denormal inputs after normalization. */
  exp = 0;
  hi = 0;
  lo = 0;
}

/**
 * Unpacks a ZERO/NORMAL/DENORMAL value. Denormals and pseudo-denormals have
 * the effective exponent 1 (SDM vol. 1, 8.2.2) and are shifted until bit 63
 * is set. A zero is left with hi = lo = 0.
 */
export function unpack(a: F80, u: Unpacked): Unpacked {
  u.sign = a.se >>> 15;
  let e = a.se & 0x7fff;
  let hi = a.hi;
  let lo = a.lo;
  if (e === 0) {
    e = 1;
    if (hi === 0) {
      if (lo === 0) {
        u.exp = 0;
        u.hi = 0;
        u.lo = 0;
        return u;
      }
      hi = lo;
      lo = 0;
      e -= 32;
    }
    const n = Math.clz32(hi);
    if (n > 0) {
      hi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
      lo = (lo << n) >>> 0;
      e -= n;
    }
  }
  u.exp = e;
  u.hi = hi;
  u.lo = lo;
  return u;
}

/** Quiets a NaN into `out` (sets significand bit 62). */
function quieted(a: F80, out: F80): void {
  out.se = a.se;
  out.hi = (a.hi | 0x40000000) >>> 0;
  out.lo = a.lo;
}

/**
 * The x87 result of an operation with at least one NaN operand (SDM vol. 1,
 * table 4-7): an SNaN raises IE; a QNaN wins over an SNaN; of two NaNs of the
 * same kind the one with the larger significand wins, and on a tie the one
 * with the positive sign. The result is always quiet.
 */
export function propagateNaN(env: FpEnv, a: F80, ca: Cls, b: F80, cb: Cls, out: F80): void {
  const aNaN = ca === Cls.QNAN || ca === Cls.SNAN;
  const bNaN = cb === Cls.QNAN || cb === Cls.SNAN;
  if (ca === Cls.SNAN || cb === Cls.SNAN) env.flags |= Exc.IE;
  if (aNaN && bNaN) {
    if (ca !== cb) return quieted(ca === Cls.QNAN ? a : b, out);
    const ah = (a.hi | 0x40000000) >>> 0;
    const bh = (b.hi | 0x40000000) >>> 0;
    if (ah !== bh) return quieted(ah > bh ? a : b, out);
    if (a.lo !== b.lo) return quieted(a.lo > b.lo ? a : b, out);
    return quieted(a.se <= b.se ? a : b, out);
  }
  quieted(aNaN ? a : b, out);
}

/** One-operand NaN result: quiet it, IE if it was signaling. */
export function propagateNaN1(env: FpEnv, a: F80, ca: Cls, out: F80): void {
  if (ca === Cls.SNAN) env.flags |= Exc.IE;
  quieted(a, out);
}

/** Invalid operation: IE and the real indefinite. */
export function invalid(env: FpEnv, out: F80): void {
  env.flags |= Exc.IE;
  setIndefinite(out);
}

/**
 * Handles unsupported and NaN operands of a two-operand operation. Returns
 * true when `out` holds the final result.
 */
export function specialOperands(env: FpEnv, a: F80, ca: Cls, b: F80, cb: Cls, out: F80): boolean {
  if (ca === Cls.UNSUPPORTED || cb === Cls.UNSUPPORTED) {
    invalid(env, out);
    return true;
  }
  if (ca === Cls.QNAN || ca === Cls.SNAN || cb === Cls.QNAN || cb === Cls.SNAN) {
    propagateNaN(env, a, ca, b, cb, out);
    return true;
  }
  return false;
}

/** Same for one operand. */
export function specialOperand(env: FpEnv, a: F80, ca: Cls, out: F80): boolean {
  if (ca === Cls.UNSUPPORTED) {
    invalid(env, out);
    return true;
  }
  if (ca === Cls.QNAN || ca === Cls.SNAN) {
    propagateNaN1(env, a, ca, out);
    return true;
  }
  return false;
}

export { classify };

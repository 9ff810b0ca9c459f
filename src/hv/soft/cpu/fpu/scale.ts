/**
 * FSCALE and FXTRACT (SDM vol. 2): exponent manipulation. Neither is
 * affected by precision control; FSCALE rounds to extended precision.
 */
import { BIAS, classify, Cls, F80, setInf, setZero } from "./f80.js";
import { Exc, FpEnv } from "./env.js";
import { f80FromInt32 } from "./convert-int.js";
import { invalid, specialOperand, specialOperands, unpack, Unpacked } from "./operand.js";
import { FMT_EXT, roundPack } from "./round.js";

const ua = new Unpacked();
const ub = new Unpacked();

/** out = a × 2^trunc(b) (FSCALE: a = ST0, b = ST1). */
export function f80Scale(env: FpEnv, a: F80, b: F80, out: F80): void {
  const ca = classify(a);
  const cb = classify(b);
  if (specialOperands(env, a, ca, b, cb, out)) return;
  const sa = a.se >>> 15;
  const sb = b.se >>> 15;
  if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
  if (cb === Cls.INF) {
    // ±0 × 2^+∞ and ±∞ × 2^-∞ are invalid; otherwise 0 or ∞ of a's sign.
    if ((ca === Cls.ZERO && sb === 0) || (ca === Cls.INF && sb !== 0)) return invalid(env, out);
    if (ca === Cls.ZERO || sb !== 0) setZero(out, sa);
    else setInf(out, sa);
    return;
  }
  if (ca === Cls.ZERO || ca === Cls.INF) {
    out.copy(a);
    return;
  }
  // Scale factor: trunc(b), clamped far beyond any exponent range.
  let n = 0;
  if (cb !== Cls.ZERO) {
    unpack(b, ub);
    const e = ub.exp - BIAS;
    if (e >= 20) n = 1 << 20;
    else if (e >= 0) n = Math.floor(ub.hi / 2 ** (31 - e));
    if (sb) n = -n;
  }
  unpack(a, ua);
  roundPack(env, FMT_EXT, sa, ua.exp + n, ua.hi, ua.lo, 0, false, out);
}

/**
 * FXTRACT: splits `a` into `exp` (its unbiased exponent as a value) and
 * `sig` (its significand with exponent 0, sign kept). ±0 raises ZE and gives
 * exp = -∞ (SDM vol. 2, FXTRACT).
 */
export function f80Extract(env: FpEnv, a: F80, exp: F80, sig: F80): void {
  const c = classify(a);
  if (specialOperand(env, a, c, sig)) {
    exp.copy(sig);
    return;
  }
  const sign = a.se >>> 15;
  if (c === Cls.ZERO) {
    env.flags |= Exc.ZE;
    setInf(exp, 1);
    setZero(sig, sign);
    return;
  }
  if (c === Cls.INF) {
    setInf(exp, 0);
    sig.copy(a);
    return;
  }
  if (c === Cls.DENORMAL) env.flags |= Exc.DE;
  unpack(a, ua);
  f80FromInt32(ua.exp - BIAS, exp);
  sig.se = (sign << 15) | BIAS;
  sig.hi = ua.hi;
  sig.lo = ua.lo;
}

/**
 * FPREM and FPREM1: exact partial remainder (SDM vol. 2). The remainder is
 * always exact; when the exponents differ by 64 or more only a partial
 * reduction is done (C2 = 1) and software loops. bigint keeps this short.
 */
import { classify, Cls, F80, setZero } from "./f80.js";
import { Exc, FpEnv } from "./env.js";
import { invalid, specialOperands, unpack, Unpacked } from "./operand.js";
import { FMT_EXT, roundPack } from "./round.js";

const ua = new Unpacked();
const ub = new Unpacked();

/** What an FPREM step found, for the condition codes. */
export class PremResult {
  /** A partial remainder (C2 = 1); the quotient bits mean nothing then. */
  incomplete = false;
  /** The three low bits of the quotient (C0 = bit 2, C3 = bit 1, C1 = bit 0). */
  quotient = 0;
  /** No remainder was formed: a NaN operand or an invalid operation produced a NaN. */
  noQuotient = false;
}

/**
 * out ← a, with a pseudo-denormal (exponent field 0, integer bit 1) written in
 * the normal encoding of its value, exponent field 1 (SDM vol. 1, 8.2.2).
 */
function copyRemainder(a: F80, out: F80): void {
  out.copy(a);
  if ((a.se & 0x7fff) === 0 && a.hi >>> 31 !== 0) out.se |= 1;
}

/**
 * out = a REM b. `ieee` selects FPREM1 (quotient rounded to nearest) over
 * FPREM (quotient truncated toward zero). a = ST0, b = ST1.
 */
export function f80Prem(
  env: FpEnv,
  a: F80,
  b: F80,
  ieee: boolean,
  out: F80,
  res: PremResult,
): void {
  res.incomplete = false;
  res.quotient = 0;
  res.noQuotient = true;
  const ca = classify(a);
  const cb = classify(b);
  if (specialOperands(env, a, ca, b, cb, out)) return;
  if (ca === Cls.INF || cb === Cls.ZERO) return invalid(env, out);
  res.noQuotient = false;
  if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
  if (ca === Cls.ZERO || cb === Cls.INF) {
    copyRemainder(a, out);
    return;
  }
  unpack(a, ua);
  unpack(b, ub);
  const sign = ua.sign;
  const d = ua.exp - ub.exp;
  const sigA = (BigInt(ua.hi) << 32n) | BigInt(ua.lo);
  const sigB = (BigInt(ub.hi) << 32n) | BigInt(ub.lo);
  if (d < -1 || (d === -1 && !ieee)) {
    // |a| < |b|/2 (or < |b| for FPREM): quotient 0, a unchanged.
    copyRemainder(a, out);
    return;
  }
  let q: bigint;
  let r: bigint; // remainder significand, in units of 2^(eR - BIAS - 63)
  let eR: number;
  let neg = false;
  if (d >= 64) {
    // Partial reduction by b·2^(d-n), n in 32..63 (SDM: implementation-dependent).
    const n = 32 + ((d - 32) % 32);
    const num = sigA << BigInt(n);
    q = num / sigB;
    r = num - q * sigB;
    eR = ua.exp - n;
    res.incomplete = true;
  } else if (d >= 0) {
    const num = sigA << BigInt(d);
    q = num / sigB;
    r = num - q * sigB;
    eR = ub.exp;
  } else {
    // d = -1 with FPREM1: compare a with b in units of a.
    const den = sigB << 1n;
    q = sigA / den;
    r = sigA - q * den;
    eR = ua.exp;
    if (r * 2n > den) {
      q += 1n;
      r = den - r;
      neg = true;
    }
    res.quotient = Number(q & 7n);
    return finish(env, sign ^ (neg ? 1 : 0), eR, r, out);
  }
  if (ieee && !res.incomplete) {
    const twice = r * 2n;
    if (twice > sigB || (twice === sigB && (q & 1n) === 1n)) {
      q += 1n;
      r = sigB - r;
      neg = true;
    }
  }
  res.quotient = Number(q & 7n);
  finish(env, sign ^ (neg ? 1 : 0), eR, r, out);
}

/** Writes the exact remainder r·2^(eR-BIAS-63) (zero keeps a's sign, SDM). */
function finish(env: FpEnv, sign: number, eR: number, r: bigint, out: F80): void {
  if (r === 0n) {
    setZero(out, ua.sign);
    return;
  }
  // r < 2^64: place it in the upper 64 of the 96-bit roundPack input.
  roundPack(env, FMT_EXT, sign, eR, Number(r >> 32n), Number(r & 0xffffffffn), 0, false, out);
}

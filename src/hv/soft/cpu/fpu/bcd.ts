/**
 * Packed BCD (m80bcd) conversions for FBLD and FBSTP (SDM vol. 1, 4.7 and
 * vol. 2 FBLD/FBSTP): 18 digits, two per byte, least significant byte first,
 * sign in bit 7 of byte 9. bigint is fine here: both instructions are rare.
 */
import { BIAS, classify, Cls, F80, setZero } from "./f80.js";
import { Exc, FpEnv, Rc } from "./env.js";

const MAX_BCD = 999999999999999999n;

/** FBLD: loads 10 bytes of packed BCD. Invalid digits give an undefined (but deterministic) value. */
export function f80FromBcd(b: Uint8Array, off: number, out: F80): void {
  let v = 0n;
  for (let i = 8; i >= 0; i--) {
    const byte = b[off + i];
    v = v * 100n + BigInt((byte >>> 4) * 10 + (byte & 0xf));
  }
  const sign = b[off + 9] >>> 7;
  if (v === 0n) {
    setZero(out, sign);
    return;
  }
  const len = v.toString(2).length;
  const sig = v << BigInt(64 - len);
  out.se = (sign << 15) | (BIAS + len - 1);
  out.hi = Number(sig >> 32n);
  out.lo = Number(sig & 0xffffffffn);
}

/** Writes the BCD indefinite (SDM vol. 1, table 4-4). */
function bcdIndefinite(b: Uint8Array, off: number): void {
  b.fill(0, off, off + 7);
  b[off + 7] = 0xc0;
  b[off + 8] = 0xff;
  b[off + 9] = 0xff;
}

/**
 * FBSTP: rounds `a` to an integer under RC and writes packed BCD. IE (with
 * the BCD indefinite) for NaNs, infinities and |value| ≥ 10^18. Returns
 * false when nothing should be stored (unmasked IE).
 */
export function f80ToBcd(env: FpEnv, a: F80, b: Uint8Array, off: number): boolean {
  const c = classify(a);
  const sign = a.se >>> 15;
  let v = 0n;
  let bad = false;
  if (c >= Cls.INF) {
    bad = true;
  } else if (c !== Cls.ZERO) {
    const e = (a.se & 0x7fff) === 0 ? 1 : a.se & 0x7fff;
    const sig = (BigInt(a.hi) << 32n) | BigInt(a.lo);
    const shift = BIAS + 63 - e;
    if (shift <= 0) {
      v = MAX_BCD + 1n; // far too large
    } else {
      const s = BigInt(shift);
      v = sig >> s;
      const rem = sig - (v << s);
      if (rem !== 0n) {
        env.flags |= Exc.PE;
        const half = 1n << (s - 1n);
        let inc = false;
        if (env.rc === Rc.NEAREST) inc = rem > half || (rem === half && (v & 1n) === 1n);
        else if (env.rc === Rc.DOWN) inc = sign !== 0;
        else if (env.rc === Rc.UP) inc = sign === 0;
        if (inc) v += 1n;
        env.c1 = inc ? 1 : 0;
      }
    }
    if (v > MAX_BCD) bad = true;
  }
  if (bad) {
    // Out of range is an invalid operation, not an inexact one: no PE, C1 = 0.
    env.flags = (env.flags & ~Exc.PE) | Exc.IE;
    env.c1 = 0;
    if (!env.isMasked(Exc.IE)) return false;
    bcdIndefinite(b, off);
    return true;
  }
  for (let i = 0; i < 9; i++) {
    const lo = Number(v % 10n);
    v /= 10n;
    const hi = Number(v % 10n);
    v /= 10n;
    b[off + i] = (hi << 4) | lo;
  }
  b[off + 9] = sign << 7;
  return true;
}

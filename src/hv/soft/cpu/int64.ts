/**
 * 64-bit integers as two int32 halves (lo, hi), the representation of
 * 64-bit registers (state.ts) and of every 64-bit operand: exact, and free
 * of BigInt on the hot paths. Functions that produce a 64-bit value return
 * the low half and leave the high half in `w64[0]`... see each comment.
 *
 * Numbers: a 64-bit value whose signed magnitude is below 2^53 converts
 * exactly to a JS number (`toNumber`); canonical addresses always do
 * (SDM vol. 3, 3.3.7.1: bits 63:47 equal).
 */
import { CANONICAL_LIMIT } from "./constants.js";

/** 2^32. */
export const TWO32 = 4294967296;

/**
 * Scratch results: `hi64[0]` is the high half of the last function below
 * that returns a low half; `hi64[1]`/`hi64[2]` carry extra words where noted.
 */
export const hi64 = new Int32Array(4);

/** The signed value hi:lo as a number (exact when |value| < 2^53). */
export function toNumber(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

/** The high dword of an integral number (two's complement, |x| < 2^53). */
export function highOf(x: number): number {
  return Math.floor(x / TWO32) | 0;
}

/** Whether a signed number is a canonical 48-bit address. */
export function isCanonical(x: number): boolean {
  return x >= -CANONICAL_LIMIT && x < CANONICAL_LIMIT;
}

/** Whether hi:lo is canonical: bits 63:47 all equal, i.e. hi is its low 16 bits sign-extended. */
export function isCanonicalHi(hi: number): boolean {
  return (hi << 16) >> 16 === hi;
}

/** (aLo, aHi) + (bLo, bHi) mod 2^64: returns lo, high half in hi64[0]. */
export function add64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const lo = (aLo + bLo) | 0;
  hi64[0] = (aHi + bHi + (lo >>> 0 < aLo >>> 0 ? 1 : 0)) | 0;
  return lo;
}

/** (aLo, aHi) - (bLo, bHi) mod 2^64: returns lo, high half in hi64[0]. */
export function sub64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const lo = (aLo - bLo) | 0;
  hi64[0] = (aHi - bHi - (aLo >>> 0 < bLo >>> 0 ? 1 : 0)) | 0;
  return lo;
}

/** Unsigned 32x32 → 64 product: returns the low dword, high dword in hi64[0]. */
export function mulU32(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  hi64[0] = (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
  return (ll & 0xffff) | (mid << 16);
}

/**
 * Unsigned 64x64 → 128 product. Returns dword 0 (lowest); dwords 1, 2, 3 go
 * to hi64[0], hi64[1], hi64[2].
 */
export function mulU64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const p0 = mulU32(aLo, bLo);
  const p0h = hi64[0] >>> 0;
  const p1 = mulU32(aLo, bHi) >>> 0;
  const p1h = hi64[0] >>> 0;
  const p2 = mulU32(aHi, bLo) >>> 0;
  const p2h = hi64[0] >>> 0;
  const p3 = mulU32(aHi, bHi) >>> 0;
  const p3h = hi64[0] >>> 0;
  // Column sums stay below 2^34: exact as doubles.
  const c1 = p0h + p1 + p2;
  const c2 = Math.floor(c1 / TWO32) + p1h + p2h + p3;
  const c3 = Math.floor(c2 / TWO32) + p3h;
  hi64[0] = c1 | 0;
  hi64[1] = c2 | 0;
  hi64[2] = c3 | 0;
  return p0;
}

/**
 * Signed 64x64 → 128 product (same outputs as `mulU64`): the unsigned
 * product corrected by the operands' signs in the upper 64 bits.
 */
export function mulS64(aLo: number, aHi: number, bLo: number, bHi: number): number {
  const lo = mulU64(aLo, aHi, bLo, bHi);
  let w2 = hi64[1];
  let w3 = hi64[2];
  if (aHi < 0) {
    // upper -= b
    const t = (w2 - bLo) | 0;
    w3 = (w3 - bHi - (w2 >>> 0 < bLo >>> 0 ? 1 : 0)) | 0;
    w2 = t;
  }
  if (bHi < 0) {
    const t = (w2 - aLo) | 0;
    w3 = (w3 - aHi - (w2 >>> 0 < aLo >>> 0 ? 1 : 0)) | 0;
    w2 = t;
  }
  hi64[1] = w2;
  hi64[2] = w3;
  return lo;
}

/** Two's-complement negation: returns lo, high half in hi64[0]. */
export function neg64(lo: number, hi: number): number {
  const nLo = -lo | 0;
  hi64[0] = nLo === 0 ? -hi | 0 : ~hi;
  return nLo;
}

/**
 * Unsigned 128 / 64 division: (n3:n2:n1:n0) / (dHi:dLo), the caller having
 * checked dHi:dLo != 0 and that the quotient fits 64 bits (n3:n2 < divisor).
 * Returns the quotient's low dword; quotient high in hi64[0], remainder in
 * hi64[1] (lo) and hi64[2] (hi). Divisors below 2^32 (the common case) use
 * 16-bit digits, exact in doubles; larger ones use BigInt.
 */
export function divU128(
  n0: number,
  n1: number,
  n2: number,
  n3: number,
  dLo: number,
  dHi: number,
): number {
  if (dHi === 0) {
    const d = dLo >>> 0;
    // n3:n2 < d <= 2^32 - 1, so n3 = 0 and the first remainder is n2.
    // Long division in 16-bit digits: every intermediate stays below 2^48.
    let x = (n2 >>> 0) * 0x10000 + (n1 >>> 16);
    const q3 = Math.floor(x / d);
    x = (x - q3 * d) * 0x10000 + (n1 & 0xffff);
    const q2 = Math.floor(x / d);
    x = (x - q2 * d) * 0x10000 + (n0 >>> 16);
    const q1 = Math.floor(x / d);
    x = (x - q1 * d) * 0x10000 + (n0 & 0xffff);
    const q0 = Math.floor(x / d);
    const rem = x - q0 * d;
    const qHi = q3 * 0x10000 + q2;
    const qLo = q1 * 0x10000 + q0;
    hi64[0] = qHi | 0;
    hi64[1] = rem | 0;
    hi64[2] = 0;
    return qLo | 0;
  }
  if (n3 === 0 && n2 === 0 && n1 >>> 0 < 0x200000) {
    // A 64/64 division of a dividend below 2^53 (C's u64 `/`): doubles are
    // exact here, `%` included (fmod is exact), and the quotient too.
    const n = toNumber(n0, n1);
    const d = dHi >>> 0 < 0x200000 ? toNumber(dLo, dHi) : Infinity;
    const r = n % d;
    const q = (n - r) / d;
    hi64[0] = 0;
    hi64[1] = r | 0;
    hi64[2] = highOf(r);
    return q | 0;
  }
  const n =
    (BigInt(n3 >>> 0) << 96n) |
    (BigInt(n2 >>> 0) << 64n) |
    (BigInt(n1 >>> 0) << 32n) |
    BigInt(n0 >>> 0);
  const d = (BigInt(dHi >>> 0) << 32n) | BigInt(dLo >>> 0);
  const q = n / d;
  const r = n % d;
  hi64[0] = Number((q >> 32n) & 0xffffffffn) | 0;
  hi64[1] = Number(r & 0xffffffffn) | 0;
  hi64[2] = Number((r >> 32n) & 0xffffffffn) | 0;
  return Number(q & 0xffffffffn) | 0;
}

/** Logical left shift by `n` (0-64): returns lo, high half in hi64[0]. */
export function shl64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    hi64[0] = hi;
    return lo;
  }
  if (n < 32) {
    hi64[0] = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  hi64[0] = n < 64 ? lo << (n - 32) : 0;
  return 0;
}

/** Logical right shift by `n` (0-64): returns lo, high half in hi64[0]. */
export function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    hi64[0] = hi;
    return lo;
  }
  if (n < 32) {
    hi64[0] = hi >>> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  hi64[0] = 0;
  return n < 64 ? hi >>> (n - 32) : 0;
}

/** Arithmetic right shift by `n` (0-64): returns lo, high half in hi64[0]. */
export function sar64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    hi64[0] = hi;
    return lo;
  }
  if (n < 32) {
    hi64[0] = hi >> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  hi64[0] = hi >> 31;
  return n < 64 ? hi >> (n - 32) : hi >> 31;
}

/** Bit `k` (0-63) of hi:lo. */
export function bit64(lo: number, hi: number, k: number): number {
  return k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
}

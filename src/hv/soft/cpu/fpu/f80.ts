/**
 * The 80-bit extended-precision value (Intel SDM vol. 1, 4.2.2 and 8.2.2).
 *
 * Representation choice: a mutable object of three plain numbers,
 * `se` (sign in bit 15, biased exponent in bits 0-14), `hi` (significand bits
 * 63-32, bit 31 of `hi` is the explicit integer bit J) and `lo` (significand
 * bits 31-0); `hi` and `lo` are always kept as unsigned 32-bit values. The hot
 * operations (add, sub, mul, div, compare, loads/stores) work on these 32-bit
 * halves with exact double arithmetic and never allocate; callers pass an
 * output object they own, which may alias an input. `bigint` is used only in
 * the rare operations (sqrt, FPREM, BCD, transcendentals), where an
 * allocation per operation costs less than the code it would take to avoid it.
 */

/** One 80-bit register value. `hi`/`lo` are uint32; `se` is a uint16. */
export class F80 {
  se: number;
  hi: number;
  lo: number;
  constructor(se = 0, hi = 0, lo = 0) {
    this.se = se;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
  }
  /** Copies `o` into this object and returns it. */
  copy(o: F80): F80 {
    this.se = o.se;
    this.hi = o.hi;
    this.lo = o.lo;
    return this;
  }
  set(se: number, hi: number, lo: number): F80 {
    this.se = se & 0xffff;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }
  equals(o: F80): boolean {
    return this.se === o.se && this.hi === o.hi && this.lo === o.lo;
  }
  toString(): string {
    const h = (n: number, w: number): string => n.toString(16).padStart(w, "0");
    return `${h(this.se, 4)}:${h(this.hi, 8)}${h(this.lo, 8)}`;
  }
}

/** Biased exponent of 1.0 (SDM vol. 1, table 4-3). */
export const BIAS = 16383;
export const EXP_MAX = 0x7fff;

/** Operand classes; the order matters: everything >= INF is special. */
export const Cls = {
  ZERO: 0,
  NORMAL: 1,
  /** Denormal or pseudo-denormal (exponent 0): raises DE when used. */
  DENORMAL: 2,
  INF: 3,
  QNAN: 4,
  SNAN: 5,
  /** Unnormal, pseudo-NaN, pseudo-infinity: invalid operands since the 387 (SDM vol. 1, 8.2.2). */
  UNSUPPORTED: 6,
} as const;
export type Cls = (typeof Cls)[keyof typeof Cls];

/** Classifies `a` (SDM vol. 1, table 8-3). */
export function classify(a: F80): Cls {
  const e = a.se & 0x7fff;
  const j = a.hi >>> 31;
  if (e === 0) return (a.hi | a.lo) === 0 ? Cls.ZERO : Cls.DENORMAL;
  if (e === EXP_MAX) {
    if (j === 0) return Cls.UNSUPPORTED;
    if ((a.hi & 0x7fffffff) === 0 && a.lo === 0) return Cls.INF;
    return (a.hi & 0x40000000) !== 0 ? Cls.QNAN : Cls.SNAN;
  }
  return j === 0 ? Cls.UNSUPPORTED : Cls.NORMAL;
}

export function isNaNCls(c: Cls): boolean {
  return c === Cls.QNAN || c === Cls.SNAN;
}

export function signOf(a: F80): number {
  return a.se >>> 15;
}

/** The "real indefinite" QNaN that masked invalid operations return. */
export function setIndefinite(out: F80): F80 {
  out.se = 0xffff;
  out.hi = 0xc0000000;
  out.lo = 0;
  return out;
}

export function setInf(out: F80, sign: number): F80 {
  out.se = (sign << 15) | EXP_MAX;
  out.hi = 0x80000000;
  out.lo = 0;
  return out;
}

export function setZero(out: F80, sign: number): F80 {
  out.se = sign << 15;
  out.hi = 0;
  out.lo = 0;
  return out;
}

/** Sets `out` to ±1.0. */
export function setOne(out: F80, sign = 0): F80 {
  out.se = (sign << 15) | BIAS;
  out.hi = 0x80000000;
  out.lo = 0;
  return out;
}

/** Reads a value from the 10-byte memory format (little-endian). */
export function f80FromBytes(b: Uint8Array, off: number, out: F80): F80 {
  out.lo = (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
  out.hi = (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
  out.se = b[off + 8] | (b[off + 9] << 8);
  return out;
}

/** Writes a value in the 10-byte memory format (little-endian). */
export function f80ToBytes(a: F80, b: Uint8Array, off: number): void {
  b[off] = a.lo;
  b[off + 1] = a.lo >>> 8;
  b[off + 2] = a.lo >>> 16;
  b[off + 3] = a.lo >>> 24;
  b[off + 4] = a.hi;
  b[off + 5] = a.hi >>> 8;
  b[off + 6] = a.hi >>> 16;
  b[off + 7] = a.hi >>> 24;
  b[off + 8] = a.se;
  b[off + 9] = a.se >>> 8;
}

/** The significand as a bigint (for the rare bigint-based operations). */
export function sigBig(a: F80): bigint {
  return (BigInt(a.hi) << 32n) | BigInt(a.lo);
}

/** Sets the significand from a bigint of at most 64 bits. */
export function setSigBig(out: F80, s: bigint): void {
  out.hi = Number((s >> 32n) & 0xffffffffn);
  out.lo = Number(s & 0xffffffffn);
}

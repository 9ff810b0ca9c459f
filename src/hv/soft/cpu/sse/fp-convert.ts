/**
 * The lane conversions of the CVT* instructions (SDM vol. 2, CVT*; vol. 1,
 * 11.5.2.1 for the integer indefinite): float ↔ float with IEEE rounding and
 * NaN payloads kept (an SNaN is quieted and raises IE), float → integer with
 * MXCSR rounding or truncation (NaN or out of range: IE and the integer
 * indefinite 0x80000000 / 0x8000000000000000; inexact: PE), integer → float
 * with rounding. Float→integer conversions never raise DE; float→float
 * conversions raise DE for a denormal source unless DAZ reads it as zero.
 */
import { fp, MX_DE, MX_IE, MX_PE, RC_DOWN, RC_NEAREST, RC_UP, RC_ZERO } from "./fp-env.js";
import { roundInteger } from "./fp-exact.js";
import { toSingle } from "./fp-arith.js";
import {
  F32,
  type FloatFormat,
  QUIET32,
  QUIET64_HI,
  fromBits32,
  fromBits64,
  isDenormal32,
  isDenormal64,
  isNan32,
  isNan64,
} from "./fp-format.js";

/** High dword of the last 64-bit result (double bits or int64). */
export let resultHi = 0;

/** Integer `x` rounded under `rc` (x finite, not NaN). */
export function roundToInteger(x: number, rc: number): number {
  const t = Math.trunc(x);
  if (t === x) return x;
  switch (rc) {
    case RC_NEAREST: {
      const f = Math.abs(x - t); // exact: x and t share the binade's quantum
      const away = t + (x < 0 ? -1 : 1);
      if (f > 0.5) return away;
      if (f < 0.5) return t;
      return t % 2 === 0 ? t : away;
    }
    case RC_DOWN:
      return Math.floor(x);
    case RC_UP:
      return Math.ceil(x);
    default:
      return t;
  }
}

/** The value of single bits `b` for a float→integer conversion (DAZ, no DE). */
function value32(b: number): number {
  if (fp.daz && isDenormal32(b)) return 0;
  return fromBits32(b);
}

/** The value of double bits hi:lo for a float→integer conversion. */
function value64(lo: number, hi: number): number {
  if (fp.daz && isDenormal64(lo, hi)) return 0;
  return fromBits64(lo, hi);
}

/**
 * `x` (a value, NaN allowed) to a signed integer of `bits` (32 or 64),
 * rounded under MXCSR or truncated. Returns the low dword (int32); the
 * high dword of a 64-bit result is left in `resultHi`.
 */
export function toInteger(x: number, truncate: boolean, bits: number): number {
  const r = x !== x ? NaN : roundToInteger(x, truncate ? RC_ZERO : fp.rc);
  const limit = bits === 32 ? 2147483648 : 9223372036854775808;
  if (!(r >= -limit && r < limit)) {
    fp.flags |= MX_IE;
    resultHi = bits === 32 ? 0 : 0x80000000;
    return bits === 32 ? 0x80000000 | 0 : 0;
  }
  if (r !== x) fp.flags |= MX_PE;
  if (bits === 32) {
    resultHi = 0;
    return r | 0;
  }
  // 64-bit two's complement halves (r is an integer below 2^63 in magnitude).
  const m = Math.abs(r);
  let hi = Math.floor(m / 4294967296);
  let lo = m - hi * 4294967296;
  if (r < 0) {
    lo = (~lo + 1) >>> 0;
    hi = ~hi + (lo === 0 ? 1 : 0);
  }
  resultHi = hi | 0;
  return lo | 0;
}

/** Single bits → integer. */
export function single2int(b: number, truncate: boolean, bits: number): number {
  return toInteger(isNan32(b) ? NaN : value32(b), truncate, bits);
}

/** Double bits → integer. */
export function double2int(lo: number, hi: number, truncate: boolean, bits: number): number {
  return toInteger(isNan64(lo, hi) ? NaN : value64(lo, hi), truncate, bits);
}

/** Signed integer hi:lo (hi = sign extension for 32-bit sources) → the bits of format `f`. */
export function int2float(lo: number, hi: number, f: FloatFormat): number {
  lo >>>= 0;
  hi |= 0;
  let v: number;
  if (hi === (lo | 0) >> 31) {
    v = lo | 0; // fits in 32 bits: exact as a double
    v = f === F32 ? toSingle(v) : v;
  } else {
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    v = roundInteger(n < 0n, n < 0n ? -n : n, f);
  }
  return f === F32 ? floatBits32(v) : doubleBitsLo(v);
}

const scratch = new ArrayBuffer(8);
const sf32 = new Float32Array(scratch);
const sf64 = new Float64Array(scratch);
const su32 = new Uint32Array(scratch);

function floatBits32(v: number): number {
  sf32[0] = v;
  return su32[0];
}
function doubleBitsLo(v: number): number {
  sf64[0] = v;
  resultHi = su32[1];
  return su32[0];
}

/** Single bits → double bits (low dword returned, high in `resultHi`). */
export function single2double(b: number): number {
  if (isNan32(b)) {
    if ((b & QUIET32) === 0) fp.flags |= MX_IE;
    resultHi = ((b & 0x80000000) | 0x7ff00000 | QUIET64_HI | ((b & 0x7fffff) >>> 3)) >>> 0;
    return ((b & 7) << 29) >>> 0;
  }
  if (isDenormal32(b)) {
    if (fp.daz) {
      resultHi = b & 0x80000000;
      return 0;
    }
    fp.flags |= MX_DE;
  }
  return doubleBitsLo(fromBits32(b));
}

/** Double bits → single bits, rounded under MXCSR (O/U/P, FTZ). */
export function double2single(lo: number, hi: number): number {
  if (isNan64(lo, hi)) {
    if ((hi & QUIET64_HI) === 0) fp.flags |= MX_IE;
    return ((hi & 0x80000000) | 0x7f800000 | QUIET32 | ((hi & 0xfffff) << 3) | (lo >>> 29)) >>> 0;
  }
  if (isDenormal64(lo, hi)) {
    if (fp.daz) return hi & 0x80000000;
    fp.flags |= MX_DE;
  }
  return floatBits32(toSingle(fromBits64(lo, hi)));
}

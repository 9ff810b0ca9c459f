/**
 * RCPPS/RCPSS and RSQRTPS/RSQRTSS: Intel only promises a relative error of
 * at most 1.5 × 2^-12 (SDM vol. 2, RCPPS, RSQRTPS), and real processors
 * use internal tables whose exact values differ between generations. This
 * model returns the exact reciprocal (reciprocal square root), computed in
 * double, rounded to nearest at 12 significant bits: relative error ≤ 2^-12.
 * The special cases follow the SDM: denormal inputs count as zeros and give
 * a signed infinity, an infinity gives a signed zero, a NaN its quiet form,
 * RSQRT of a negative number the default NaN, and a reciprocal that would
 * be tiny (|x| > 2^126) is flushed to a signed zero. No flag is ever set.
 */
import { DEFAULT_NAN32, QUIET32, bitsOf32, fromBits32, isNan32, pow2 } from "./fp-format.js";

/** +∞ and the sign bit. */
const INF_POS = 0x7f800000;
const SIGN = 0x80000000;

/** `v` (positive, normal) rounded to nearest at 12 significant bits. */
export function round12(v: number): number {
  let e = Math.floor(Math.log2(v));
  if (pow2(e) > v) e--;
  else if (pow2(e + 1) <= v) e++;
  const unit = pow2(e - 11);
  return Math.round(v / unit) * unit;
}

/** Bits of the single with sign `s` (0 or SIGN) and magnitude `m`, tiny results flushed. */
function pack(s: number, m: number): number {
  if (m < pow2(-126)) return s >>> 0;
  return (bitsOf32(m) | s) >>> 0;
}

/** RCPSS of single `b` (bits in, bits out). */
export function rcp32(b: number): number {
  if (isNan32(b)) return (b | QUIET32) >>> 0;
  const s = b & SIGN;
  const mag = b & 0x7fffffff;
  if ((mag & 0x7f800000) === 0) return (INF_POS | s) >>> 0; // zero or denormal
  if (mag === INF_POS) return s >>> 0;
  return pack(s, round12(1 / Math.abs(fromBits32(b))));
}

/** RSQRTSS of single `b`. */
export function rsqrt32(b: number): number {
  if (isNan32(b)) return (b | QUIET32) >>> 0;
  const s = b & SIGN;
  const mag = b & 0x7fffffff;
  if ((mag & 0x7f800000) === 0) return (INF_POS | s) >>> 0;
  if (s !== 0) return DEFAULT_NAN32;
  if (mag === INF_POS) return 0;
  return pack(0, round12(1 / Math.sqrt(fromBits32(b))));
}

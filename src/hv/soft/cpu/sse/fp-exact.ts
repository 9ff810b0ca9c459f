/**
 * The exact (slow) path of SSE arithmetic: operands become integers times
 * powers of two (bigint significands), the operation is carried out exactly
 * (or, for division and square root, to three bits past the precision plus
 * a sticky bit), and `roundExact` rounds once to the destination format with
 * MXCSR's rounding control, detecting overflow, tininess *after* rounding
 * (SDM vol. 1, 4.9.1.5), masked underflow (tiny and inexact), FTZ and the
 * inexact result. Used whenever the fast path (fp-arith.ts) cannot vouch for
 * its result: results near or below the normal range, overflow, extreme
 * operands. A bigint step costs tens of nanoseconds, which is fine there.
 */
import { fp, MX_OE, MX_PE, MX_UE, RC_DOWN, RC_NEAREST, RC_UP } from "./fp-env.js";
import { type FloatFormat, pow2 } from "./fp-format.js";

const scratch = new ArrayBuffer(8);
const sf64 = new Float64Array(scratch);
const su32 = new Uint32Array(scratch);

/** Significand and exponent of the last `decompose`: |x| = mant * 2^exp. */
let mant = 0n;
let exp = 0;

/** Splits finite non-zero `x` into `mant` (bigint) and `exp`. */
function decompose(x: number): void {
  sf64[0] = x;
  const lo = su32[0];
  const hi = su32[1];
  const field = (hi >>> 20) & 0x7ff;
  const top = hi & 0xfffff;
  if (field === 0) {
    mant = (BigInt(top) << 32n) | BigInt(lo);
    exp = -1074;
  } else {
    mant = (BigInt(top | 0x100000) << 32n) | BigInt(lo);
    exp = field - 1075;
  }
}

/** Number of significant bits of `m` ≥ 0. */
export function bitLength(m: bigint): number {
  let n = 0;
  while (m >= 1n << 64n) {
    m >>= 64n;
    n += 64;
  }
  const hi = Number(m >> 32n);
  return n + (hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(m)));
}

/** Whether the last `roundBits` discarded non-zero bits. */
let lost = false;

/**
 * `m` shifted right by `shift` bits and rounded under the current rounding
 * control (sign `neg` for the directed modes); sets `lost`.
 */
function roundBits(neg: boolean, m: bigint, shift: number): bigint {
  if (shift <= 0) {
    lost = false;
    return m << BigInt(-shift);
  }
  const s = BigInt(shift);
  let q = m >> s;
  const rem = m - (q << s);
  lost = rem !== 0n;
  if (!lost) return q;
  let up: boolean;
  switch (fp.rc) {
    case RC_NEAREST: {
      const half = 1n << (s - 1n);
      up = rem > half || (rem === half && (q & 1n) === 1n);
      break;
    }
    case RC_UP:
      up = !neg;
      break;
    case RC_DOWN:
      up = neg;
      break;
    default:
      up = false;
  }
  if (up) q += 1n;
  return q;
}

/** ±q · 2^k as a number (q < 2^53, and the value representable). */
function scaled(neg: boolean, q: bigint, k: number): number {
  // Two steps keep every intermediate exact down to the smallest denormal.
  let v = Number(q);
  if (k < -1000) {
    v *= pow2(-1000);
    k += 1000;
  }
  v *= pow2(k);
  return neg ? -v : v;
}

/** The masked response to overflow (SDM vol. 1, table 4-10). */
function overflowResult(neg: boolean, f: FloatFormat): number {
  const rc = fp.rc;
  const toInfinity = rc === RC_NEAREST || (rc === RC_UP && !neg) || (rc === RC_DOWN && neg);
  const mag = toInfinity ? Infinity : f.maxFinite;
  return neg ? -mag : mag;
}

/**
 * Rounds the exact value ±m · 2^e (m > 0) to format `f`; with `sticky`, the
 * value lies strictly between m and m + 1 units (callers then supply at
 * least p + 2 bits). Raises OE/UE/PE in `fp.flags` as the SSE rules say and
 * returns the result (meaningless when an unmasked exception was raised).
 */
export function roundExact(
  neg: boolean,
  m: bigint,
  e: number,
  sticky: boolean,
  f: FloatFormat,
): number {
  if (sticky) {
    m = (m << 2n) | 1n;
    e -= 2;
  }
  const len = bitLength(m);
  let top = e + len - 1; // exponent of the leading bit
  let q = roundBits(neg, m, len - f.p);
  const inexact = lost;
  if (q === 1n << BigInt(f.p)) {
    q >>= 1n;
    top++;
  }
  if (top > f.emax) {
    fp.flags |= MX_OE;
    if ((fp.masks & MX_OE) === 0) {
      if (inexact) fp.flags |= MX_PE;
      return 0;
    }
    fp.flags |= MX_PE;
    return overflowResult(neg, f);
  }
  if (top < f.emin) {
    // Tiny after rounding with an unbounded exponent.
    if ((fp.masks & MX_UE) === 0) {
      fp.flags |= MX_UE | (inexact ? MX_PE : 0);
      return 0;
    }
    if (fp.ftz) {
      fp.flags |= MX_UE | MX_PE;
      return neg ? -0 : 0;
    }
    const quantum = f.emin - f.p + 1;
    const d = roundBits(neg, m, quantum - e);
    if (lost) fp.flags |= MX_UE | MX_PE;
    return scaled(neg, d, quantum);
  }
  if (inexact) fp.flags |= MX_PE;
  return scaled(neg, q, top - f.p + 1);
}

/** Rounds the finite non-zero double `x` (an exact intermediate) to format `f`. */
export function roundDouble(x: number, f: FloatFormat): number {
  decompose(x);
  return roundExact(x < 0, mant, exp, false, f);
}

/** Rounds the integer ±m (m > 0) to format `f`. */
export function roundInteger(neg: boolean, m: bigint, f: FloatFormat): number {
  return roundExact(neg, m, 0, false, f);
}

/** a + b, both finite and non-zero, exactly rounded. */
export function exactAdd(a: number, b: number, f: FloatFormat): number {
  decompose(a);
  const ma = mant;
  const ea = exp;
  decompose(b);
  const e = Math.min(ea, exp);
  let sa = ma << BigInt(ea - e);
  let sb = mant << BigInt(exp - e);
  if (a < 0) sa = -sa;
  if (b < 0) sb = -sb;
  const sum = sa + sb;
  if (sum === 0n) return fp.rc === RC_DOWN ? -0 : 0;
  return roundExact(sum < 0n, sum < 0n ? -sum : sum, e, false, f);
}

/** a × b, both finite and non-zero, exactly rounded. */
export function exactMul(a: number, b: number, f: FloatFormat): number {
  decompose(a);
  const ma = mant;
  const ea = exp;
  decompose(b);
  return roundExact(a < 0 !== b < 0, ma * mant, ea + exp, false, f);
}

/** a / b, both finite and non-zero, exactly rounded. */
export function exactDiv(a: number, b: number, f: FloatFormat): number {
  decompose(a);
  const ma = mant;
  const ea = exp;
  decompose(b);
  const mb = mant;
  const k = Math.max(0, f.p + 4 + bitLength(mb) - bitLength(ma));
  const n = ma << BigInt(k);
  const q = n / mb;
  return roundExact(a < 0 !== b < 0, q, ea - exp - k, q * mb !== n, f);
}

/** √a for finite a > 0, exactly rounded. */
export function exactSqrt(a: number, f: FloatFormat): number {
  decompose(a);
  let m = mant;
  let e = exp;
  if ((e & 1) !== 0) {
    m <<= 1n;
    e--;
  }
  const k = Math.max(0, Math.ceil((2 * (f.p + 4) - bitLength(m)) / 2));
  m <<= BigInt(2 * k);
  const r = isqrt(m);
  return roundExact(false, r, (e - 2 * k) / 2, r * r !== m, f);
}

/** ⌊√n⌋ for n ≥ 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) + 1) >> 1); // ≥ √n
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

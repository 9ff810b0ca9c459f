/**
 * The two IEEE 754 binary formats of SSE (SDM vol. 1, 4.2.2): parameters,
 * exact powers of two, neighbours (next up/down) and bit-level helpers.
 * Values are JS numbers: every single and double value (zeros, denormals,
 * infinities) is exactly a double, so arithmetic code works on numbers and
 * only NaNs, whose payload a number cannot carry, are handled as bits.
 */

/** A binary floating-point format. */
export class FloatFormat {
  /** Smallest positive normal number, 2^emin. */
  readonly minNormal: number;
  /** Largest finite number. */
  readonly maxFinite: number;
  /** Fast-path bound: results at least this large are never tiny, even after a directed step. */
  readonly safeLow: number;

  constructor(
    /** Significand bits, the implicit one included (24 or 53). */
    readonly p: number,
    /** Exponent of the smallest normal number. */
    readonly emin: number,
    /** Exponent of the largest finite number. */
    readonly emax: number,
  ) {
    this.minNormal = pow2(emin);
    this.maxFinite = (2 - pow2(1 - p)) * pow2(emax);
    this.safeLow = pow2(emin + 1);
  }
}

const POW2_MIN = -1074;
const POW2_MAX = 1023;
/** 2^k for k in [-1074, 1023], built by exact doublings. */
const POW2 = new Float64Array(POW2_MAX - POW2_MIN + 1);
{
  let v = 1;
  for (let k = 0; k <= POW2_MAX; k++, v *= 2) POW2[k - POW2_MIN] = v;
  v = 1;
  for (let k = 0; k >= POW2_MIN; k--, v /= 2) POW2[k - POW2_MIN] = v;
}

/** 2^k exactly (k in [-1074, 1023]; outside: 0 or Infinity). */
export function pow2(k: number): number {
  if (k < POW2_MIN) return 0;
  if (k > POW2_MAX) return Infinity;
  return POW2[k - POW2_MIN];
}

export const F32 = new FloatFormat(24, -126, 127);
export const F64 = new FloatFormat(53, -1022, 1023);

// ---- Bit views ----
const scratch = new ArrayBuffer(8);
const sf64 = new Float64Array(scratch);
const sf32 = new Float32Array(scratch);
const su32 = new Uint32Array(scratch);

/** The bits of single `x` (x must be representable). */
export function bitsOf32(x: number): number {
  sf32[0] = x;
  return su32[0];
}

/** The single whose bits are `b`. */
export function fromBits32(b: number): number {
  su32[0] = b;
  return sf32[0];
}

/** Low and high dwords of double `x`; the high one is also left in `hi64`. */
export let hi64 = 0;
export function bitsOf64(x: number): number {
  sf64[0] = x;
  hi64 = su32[1];
  return su32[0];
}

/** The double with bits hi:lo. */
export function fromBits64(lo: number, hi: number): number {
  su32[0] = lo;
  su32[1] = hi;
  return sf64[0];
}

/** The next value of format `f` above `x` (finite x; may return Infinity). */
export function nextUp(x: number, f: FloatFormat): number {
  if (x === 0) return pow2(f.emin - f.p + 1);
  if (f === F32) {
    sf32[0] = x;
    su32[0] += x > 0 ? 1 : -1;
    return sf32[0];
  }
  sf64[0] = x;
  if (x > 0) {
    if (su32[0] === 0xffffffff) su32[1]++;
    su32[0]++;
  } else {
    if (su32[0] === 0) su32[1]--;
    su32[0]--;
  }
  return sf64[0];
}

/** The next value of format `f` below `x`. */
export function nextDown(x: number, f: FloatFormat): number {
  return -nextUp(-x, f);
}

// ---- NaN tests on bits ----

/** Single `b` is a NaN. */
export function isNan32(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}

/** Double hi:lo is a NaN. */
export function isNan64(lo: number, hi: number): boolean {
  const h = hi & 0x7fffffff;
  return h > 0x7ff00000 || (h === 0x7ff00000 && lo !== 0);
}

/** Single `b` is a denormal (non-zero with a zero exponent field). */
export function isDenormal32(b: number): boolean {
  return (b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0;
}

/** Double hi:lo is a denormal. */
export function isDenormal64(lo: number, hi: number): boolean {
  return (hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | lo) !== 0;
}

/** The default NaN ("QNaN floating-point indefinite", SDM vol. 1, table 4-3). */
export const DEFAULT_NAN32 = 0xffc00000;
export const DEFAULT_NAN64_HI = 0xfff80000;
/** The quiet bit of a single NaN, and of a double NaN's high dword. */
export const QUIET32 = 0x400000;
export const QUIET64_HI = 0x80000;

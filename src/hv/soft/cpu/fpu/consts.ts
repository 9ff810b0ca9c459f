/**
 * High-precision mathematical constants, computed once at load with bigint
 * series (no hand-typed digits to get wrong), and the FLD1/FLDL2T/FLDL2E/
 * FLDPI/FLDLG2/FLDLN2/FLDZ constants. The SDM (vol. 1, 8.3.8) says the
 * processor keeps them with 66 significand bits and rounds to the
 * destination under RC; what comes out is the exact constant correctly
 * rounded. FLDLG2 under round-to-nearest is 0x9a209a84fbcff799: the bits of
 * log10 2 below the 64 kept are 1000 1…, above half an ulp (rounding the
 * 66-bit truncation "…798, 10" ties-to-even would give …798; the host CPU
 * in the differential tester gives …799).
 */
import { BIAS, F80, setOne, setZero } from "./f80.js";
import { Rc } from "./env.js";
import { BF, bitLen } from "./bigfloat.js";

/** Fixed-point fraction bits of the computed constants. */
const FIX = 640;
const ONE = 1n << BigInt(FIX);

/** atan(1/k) or atanh(1/k) scaled by 2^FIX. */
function arcSeries(k: bigint, hyperbolic: boolean): bigint {
  const k2 = k * k;
  let power = ONE / k; // 1/k^(2n+1)
  let sum = 0n;
  for (let n = 0n; power !== 0n; n++) {
    const term = power / (2n * n + 1n);
    sum += hyperbolic || (n & 1n) === 0n ? term : -term;
    power /= k2;
  }
  return sum;
}

/** π·2^FIX (Machin: π = 16·atan(1/5) - 4·atan(1/239)). */
const PI_FIX = 16n * arcSeries(5n, false) - 4n * arcSeries(239n, false);
/** ln 2·2^FIX (ln 2 = 2·atanh(1/3)). */
const LN2_FIX = 2n * arcSeries(3n, true);
/** ln 10·2^FIX (ln 10 = 3·ln 2 + ln 1.25 = 3·ln 2 + 2·atanh(1/9)). */
const LN10_FIX = 3n * LN2_FIX + 2n * arcSeries(9n, true);

/** π, ln 2 and friends as big floats (≈ FIX bits). */
export const PI = new BF(PI_FIX, -FIX);
export const LN2 = new BF(LN2_FIX, -FIX);
export const LN10 = new BF(LN10_FIX, -FIX);
/** π·2^FIX as an integer, for exact argument reduction. */
export const PI_FIXED = PI_FIX;
export const PI_FIXED_BITS = FIX;

/** A positive constant as the 66-bit truncation Intel stores: [sig66, exponent]. */
function intel66(num: bigint, den: bigint): [bigint, number] {
  // value = num/den; find e with 2^e ≤ value < 2^(e+1), then 66 bits of it.
  let e = bitLen(num) - bitLen(den);
  if (num << BigInt(Math.max(0, -e)) < den << BigInt(Math.max(0, e))) e--;
  const sig = e >= 65 ? num / (den << BigInt(e - 65)) : (num << BigInt(65 - e)) / den;
  return [sig, e];
}

const K_L2T = intel66(LN10_FIX, LN2_FIX);
const K_L2E = intel66(ONE, LN2_FIX);
const K_PI = intel66(PI_FIX, ONE);
const K_LG2 = intel66(LN2_FIX, LN10_FIX);
const K_LN2 = intel66(LN2_FIX, ONE);

/** Which constant FLDxx loads. */
export const FpConst = { ONE: 0, L2T: 1, L2E: 2, PI: 3, LG2: 4, LN2: 5, ZERO: 6 } as const;
export type FpConst = (typeof FpConst)[keyof typeof FpConst];

/**
 * Rounds a 66-bit truncated constant to 64 bits under rc (positive values
 * only). The constants are irrational, so the exact value is never exactly
 * half-way: the first dropped bit alone decides round-to-nearest, and the
 * nonzero tail always makes round-up go up.
 */
function round66(k: [bigint, number], rc: number, out: F80): void {
  let sig = k[0] >> 2n;
  const g = k[0] & 3n;
  let e = k[1];
  const up = rc === Rc.UP || (rc === Rc.NEAREST && g >= 2n);
  if (up) {
    sig += 1n;
    if (sig >> 64n !== 0n) {
      sig >>= 1n;
      e++;
    }
  }
  out.se = BIAS + e;
  out.hi = Number(sig >> 32n);
  out.lo = Number(sig & 0xffffffffn);
}

/** Writes constant `c` as FLDxx would load it under rounding control `rc`. */
export function loadConstant(c: FpConst, rc: number, out: F80): void {
  switch (c) {
    case FpConst.ONE:
      setOne(out);
      return;
    case FpConst.ZERO:
      setZero(out, 0);
      return;
    case FpConst.L2T:
      return round66(K_L2T, rc, out);
    case FpConst.L2E:
      return round66(K_L2E, rc, out);
    case FpConst.PI:
      return round66(K_PI, rc, out);
    case FpConst.LG2:
      return round66(K_LG2, rc, out);
    case FpConst.LN2:
      return round66(K_LN2, rc, out);
  }
}

/**
 * Elementary functions on big floats (see bigfloat.ts for the error model):
 * argument reduction by π/2, sin/cos series, atan, ln and 2^x - 1. Callers
 * handle special operands; these take finite values only.
 */
import {
  BF,
  BF_ZERO,
  bf,
  bfAdd,
  bfDiv,
  bfFromInt,
  bfMul,
  bfNeg,
  bfScaleInt,
  bfShift,
  bfSqrt,
  bfSub,
  bitLen,
  negligible,
  top,
} from "./bigfloat.js";
import { LN2, PI, PI_FIXED, PI_FIXED_BITS } from "./consts.js";

const ONE = bfFromInt(1);
const PI_2 = bfShift(PI, -1);
/** π/2 scaled by 2^PI_FIXED_BITS. */
const PIO2_FIXED = PI_FIXED >> 1n;

/**
 * Reduces x (|x| < 2^64) to r = x - k·π/2 with |r| ≤ π/4, exactly enough
 * for the 64-bit result (π is known to ~640 bits). Returns [r, k mod 4].
 */
export function reduceHalfPi(x: BF): [BF, number] {
  if (top(x) <= -1) return [x, 0]; // |x| < 1/2 < π/4
  const shift = x.e + PI_FIXED_BITS;
  const X = shift >= 0 ? x.m << BigInt(shift) : x.m >> BigInt(-shift);
  // k = round(X / PIO2): floor((2X + PIO2) / (2·PIO2)).
  let k = (2n * X + PIO2_FIXED) / (2n * PIO2_FIXED);
  if (2n * X + PIO2_FIXED < 0n && k * 2n * PIO2_FIXED !== 2n * X + PIO2_FIXED) k -= 1n; // floor for negatives
  const R = X - k * PIO2_FIXED;
  return [bf(R, -PI_FIXED_BITS), Number(((k % 4n) + 4n) % 4n)];
}

/** sin(r) for |r| ≤ π/4 (Taylor series). */
export function sinSeries(r: BF): BF {
  if (r.m === 0n) return BF_ZERO;
  const r2 = bfMul(r, r);
  let term = r;
  let sum = r;
  for (let n = 1; ; n++) {
    term = bfNeg(bfScaleInt(bfMul(term, r2), 1, 2 * n * (2 * n + 1)));
    if (negligible(term, sum)) return sum;
    sum = bfAdd(sum, term);
  }
}

/** cos(r) for |r| ≤ π/4. */
export function cosSeries(r: BF): BF {
  const r2 = bfMul(r, r);
  let term = ONE;
  let sum = ONE;
  for (let n = 1; ; n++) {
    term = bfNeg(bfScaleInt(bfMul(term, r2), 1, (2 * n - 1) * (2 * n)));
    if (negligible(term, sum)) return sum;
    sum = bfAdd(sum, term);
  }
}

/** [sin x, cos x] for |x| < 2^64. */
export function sinCos(x: BF): [BF, BF] {
  const [r, k] = reduceHalfPi(x);
  const s = sinSeries(r);
  const c = cosSeries(r);
  switch (k) {
    case 0:
      return [s, c];
    case 1:
      return [c, bfNeg(s)];
    case 2:
      return [bfNeg(s), bfNeg(c)];
    default:
      return [bfNeg(c), s];
  }
}

/** atan(t) for t ≥ 0. */
export function atanPos(t: BF): BF {
  if (t.m === 0n) return BF_ZERO;
  if (top(t) > 1) return bfSub(PI_2, atanPos(bfDiv(ONE, t))); // t ≥ 2: atan t = π/2 - atan(1/t)
  // Three halvings: atan t = 2·atan(t / (1 + √(1 + t²))), leaving t < 0.13.
  let halvings = 0;
  while (top(t) > -3) {
    t = bfDiv(t, bfAdd(ONE, bfSqrt(bfAdd(ONE, bfMul(t, t)))));
    halvings++;
  }
  const t2 = bfMul(t, t);
  let power = t;
  let sum = t;
  for (let n = 1; ; n++) {
    power = bfNeg(bfMul(power, t2));
    const term = bfScaleInt(power, 1, 2 * n + 1);
    if (negligible(term, sum)) break;
    sum = bfAdd(sum, term);
  }
  return bfShift(sum, halvings);
}

/** atanh(s) for |s| ≤ 1/2 (series s + s³/3 + …). */
function atanhSeries(s: BF): BF {
  if (s.m === 0n) return BF_ZERO;
  const s2 = bfMul(s, s);
  let power = s;
  let sum = s;
  for (let n = 1; ; n++) {
    power = bfMul(power, s2);
    const term = bfScaleInt(power, 1, 2 * n + 1);
    if (negligible(term, sum)) return sum;
    sum = bfAdd(sum, term);
  }
}

/** Splits v > 0 into e and m with v = m·2^e, m in [√½, √2); returns [e, 2·atanh((m-1)/(m+1)) = ln m]. */
function splitLn(v: BF): [number, BF] {
  const n = bitLen(v.m);
  let e = v.e + n; // v = (m / 2^n) · 2^e with m/2^n in [1/2, 1)
  let m = new BF(v.m, -n);
  // √½ ≈ 0.7071: below it, double m.
  if (m.m * 10000n < 7071n << BigInt(n)) {
    m = bfShift(m, 1);
    e -= 1;
  }
  const s = bfDiv(bfSub(m, ONE), bfAdd(m, ONE));
  return [e, bfShift(atanhSeries(s), 1)];
}

/** ln v for v > 0. */
export function ln(v: BF): BF {
  const [e, lnm] = splitLn(v);
  return bfAdd(bfMul(bfFromInt(e), LN2), lnm);
}

/** log2 v for v > 0, exact for powers of two. */
export function log2(v: BF): BF {
  const [e, lnm] = splitLn(v);
  return bfAdd(bfFromInt(e), bfDiv(lnm, LN2));
}

/** ln(1 + x) for x > -1, accurate for tiny x. */
export function ln1p(x: BF): BF {
  if (x.m === 0n) return BF_ZERO;
  if (top(x) <= -1) {
    // |x| < 1/2: ln(1+x) = 2·atanh(x / (2 + x)), no cancellation.
    return bfShift(atanhSeries(bfDiv(x, bfAdd(bfFromInt(2), x))), 1);
  }
  return ln(bfAdd(ONE, x));
}

/** 2^x - 1, accurate for tiny x (|x| < 2^16). */
export function exp2m1(x: BF): BF {
  if (x.m === 0n) return BF_ZERO;
  let y = bfMul(x, LN2);
  // Scale |y| below 2^-8, sum the series of e^y - 1, then undo by E ← E·(E + 2).
  const k = Math.max(0, top(y) + 8);
  y = bfShift(y, -k);
  let term = y;
  let sum = y;
  for (let n = 2; ; n++) {
    term = bfScaleInt(bfMul(term, y), 1, n);
    if (negligible(term, sum)) break;
    sum = bfAdd(sum, term);
  }
  for (let i = 0; i < k; i++) sum = bfMul(sum, bfAdd(sum, bfFromInt(2)));
  return sum;
}

/**
 * Deterministic generators of test operands: a small PRNG and float values
 * biased toward the interesting places (denormals, the edges of the normal
 * range, ties, powers of two).
 */
import type { Format } from "./ref-float.js";

/** xorshift32: deterministic, seedable. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** Uniform uint32. */
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const dv = new DataView(new ArrayBuffer(8));

/** A value of `fmt` with the given unbiased exponent (clamped to the format) and random significand. */
export function withExponent(rng: Rng, fmt: Format, e: number, negative: boolean): number {
  const p = fmt.p;
  let v: number;
  if (e < fmt.emin) {
    // Denormal: random significand below 2^(e - qe + 1) units of the smallest quantum.
    const shift = Math.max(0, Math.min(p - 1, e - (fmt.emin - p + 1) + 1));
    const m = shift >= 32 ? rng.u32() * 2 ** (shift - 32) + rng.u32() : rng.u32() % 2 ** shift;
    v = Math.floor(m) * 2 ** (fmt.emin - p + 1);
    if (v === 0) v = 2 ** (fmt.emin - p + 1);
  } else {
    e = Math.min(e, fmt.emax);
    const frac =
      p === 24 ? (rng.u32() >>> 9) / 2 ** 23 : (rng.u32() * 2 ** 20 + (rng.u32() >>> 12)) / 2 ** 52;
    v = (1 + frac) * 2 ** e;
  }
  if (fmt.bits === 32) v = Math.fround(v);
  return negative ? -v : v;
}

/** A random non-NaN value of `fmt`, often near an edge. */
export function randomValue(rng: Rng, fmt: Format): number {
  const negative = (rng.u32() & 1) === 1;
  switch (rng.int(8)) {
    case 0:
      return withExponent(rng, fmt, fmt.emin - 1 - rng.int(fmt.p), negative); // denormal
    case 1:
      return withExponent(rng, fmt, fmt.emin + rng.int(4), negative);
    case 2:
      return withExponent(rng, fmt, fmt.emax - rng.int(4), negative);
    case 3: {
      const specials = [0, Infinity, 2 ** fmt.emin, (2 - 2 ** (1 - fmt.p)) * 2 ** fmt.emax, 1];
      const v = rng.pick(specials);
      return negative ? -v : v;
    }
    case 4: {
      // Random bits (NaNs excluded).
      if (fmt.bits === 32) {
        dv.setUint32(0, rng.u32() & 0x7f7fffff);
        const v = dv.getFloat32(0);
        return negative ? -v : v;
      }
      dv.setUint32(0, rng.u32() & 0x7fefffff);
      dv.setUint32(4, rng.u32());
      const v = dv.getFloat64(0);
      return negative ? -v : v;
    }
    default:
      return withExponent(rng, fmt, rng.int(9) - 4, negative);
  }
}

/**
 * A second operand related to `a` so results land near ties, cancellation,
 * the underflow threshold or overflow (for op), or simply random.
 */
export function relatedValue(rng: Rng, fmt: Format, a: number, op: string): number {
  const negative = (rng.u32() & 1) === 1;
  if (a === 0 || !Number.isFinite(a) || rng.int(3) === 0) return randomValue(rng, fmt);
  const ea = Math.floor(Math.log2(Math.abs(a)));
  const round = (v: number) => (fmt.bits === 32 ? Math.fround(v) : v);
  switch (op) {
    case "add":
    case "sub":
      switch (rng.int(3)) {
        case 0: // half-ulp-ish: ties and sticky cases
          return withExponent(rng, fmt, ea - fmt.p - rng.int(3) + 1, negative);
        case 1: // near cancellation
          return round(-a * (1 + rng.int(8) * 2 ** (1 - fmt.p)));
        default:
          return withExponent(rng, fmt, ea - rng.int(fmt.p + 8), negative);
      }
    case "mul": {
      const target = rng.pick([fmt.emin - rng.int(fmt.p + 2), fmt.emin + 1, fmt.emax, rng.int(8)]);
      return withExponent(rng, fmt, target - ea, negative);
    }
    case "div": {
      const target = rng.pick([fmt.emin - rng.int(fmt.p + 2), fmt.emin + 1, fmt.emax, rng.int(8)]);
      return withExponent(rng, fmt, ea - target, negative);
    }
    default:
      return randomValue(rng, fmt);
  }
}

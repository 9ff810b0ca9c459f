/**
 * A small arbitrary-precision binary float (bigint mantissa × 2^exponent)
 * used only for the transcendental instructions and the constants. Every
 * operation truncates to PREC bits, so a chain of k operations has a relative
 * error below k·2^-PREC; with PREC = 160 the final rounding to 64 bits is
 * within 1 ulp and almost always correctly rounded.
 */
import { BIAS, F80 } from "./f80.js";
import { FpEnv } from "./env.js";
import { roundPack, RoundFormat } from "./round.js";

/** Working precision in bits. */
export const PREC = 160;

/** value = m · 2^e (m signed). */
export class BF {
  constructor(
    readonly m: bigint,
    readonly e: number,
  ) {}
}

export const BF_ZERO = new BF(0n, 0);

/** Bit length of |m| (0 for 0). */
export function bitLen(m: bigint): number {
  if (m < 0n) m = -m;
  if (m === 0n) return 0;
  // Fast path through a double estimate, fixed up exactly.
  let n = m.toString(16).length * 4;
  while (n > 0 && m >> BigInt(n - 1) === 0n) n--;
  return n;
}

/** Truncates to `prec` bits of mantissa. */
export function bf(m: bigint, e: number, prec = PREC): BF {
  const n = bitLen(m);
  if (n > prec) {
    const s = n - prec;
    return new BF(m >> BigInt(s), e + s); // arithmetic shift: rounds toward -∞, fine at PREC
  }
  return new BF(m, e);
}

/** Position of the top bit: |x| in [2^(t-1), 2^t). */
export function top(x: BF): number {
  return x.e + bitLen(x.m);
}

export function bfNeg(x: BF): BF {
  return new BF(-x.m, x.e);
}

export function bfAdd(a: BF, b: BF): BF {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  if (top(a) - top(b) > PREC + 8) return a;
  if (top(b) - top(a) > PREC + 8) return b;
  if (a.e >= b.e) return bf((a.m << BigInt(a.e - b.e)) + b.m, b.e);
  return bf(a.m + (b.m << BigInt(b.e - a.e)), a.e);
}

export function bfSub(a: BF, b: BF): BF {
  return bfAdd(a, bfNeg(b));
}

export function bfMul(a: BF, b: BF): BF {
  return bf(a.m * b.m, a.e + b.e);
}

export function bfDiv(a: BF, b: BF): BF {
  if (b.m === 0n) throw new RangeError("bigfloat division by zero");
  const s = PREC + 2 + bitLen(b.m) - bitLen(a.m);
  const sh = s > 0 ? s : 0;
  return bf((a.m << BigInt(sh)) / b.m, a.e - b.e - sh);
}

/** Multiplies by a small integer and/or divides by one. */
export function bfScaleInt(a: BF, mul: number, div: number): BF {
  const m = a.m * BigInt(mul);
  return bfDiv(new BF(m, a.e), new BF(BigInt(div), 0));
}

export function bfShift(a: BF, n: number): BF {
  return new BF(a.m, a.e + n);
}

export function bfFromInt(n: number): BF {
  return new BF(BigInt(n), 0);
}

/** Square root (a ≥ 0). */
export function bfSqrt(a: BF): BF {
  if (a.m <= 0n) return BF_ZERO;
  let m = a.m;
  let e = a.e;
  const want = 2 * PREC + 2 - bitLen(m);
  if (want > 0) {
    m <<= BigInt(want);
    e -= want;
  }
  if ((e & 1) !== 0) {
    m <<= 1n;
    e -= 1;
  }
  // Integer square root by Newton's method from above.
  let x = 1n << BigInt(Math.ceil(bitLen(m) / 2) + 1);
  for (;;) {
    const y = (x + m / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return bf(x, e / 2);
}

/** True if `term` no longer changes `sum` at working precision. */
export function negligible(term: BF, sum: BF): boolean {
  return term.m === 0n || (sum.m !== 0n && top(term) < top(sum) - PREC - 4);
}

/** The exact value of a finite F80 (sign included). */
export function bfFromF80(a: F80): BF {
  let e = a.se & 0x7fff;
  if (e === 0) e = 1;
  const m = (BigInt(a.hi) << 32n) | BigInt(a.lo);
  return new BF(a.se >>> 15 ? -m : m, e - BIAS - 63);
}

/**
 * Rounds x to `fmt` into out (sign of a zero from `zeroSign`). Bits beyond the
 * mantissa are treated as exact zeros, so results that are exact in the
 * working precision round without PE.
 */
export function bfToF80(env: FpEnv, fmt: RoundFormat, x: BF, out: F80, zeroSign = 0): void {
  const neg = x.m < 0n;
  const m = neg ? -x.m : x.m;
  if (m === 0n) {
    roundPack(env, fmt, zeroSign, 0, 0, 0, 0, false, out);
    return;
  }
  const n = bitLen(m);
  let w: bigint;
  let sticky = false;
  if (n > 96) {
    w = m >> BigInt(n - 96);
    sticky = w << BigInt(n - 96) !== m;
  } else {
    w = m << BigInt(96 - n);
  }
  roundPack(
    env,
    fmt,
    neg ? 1 : 0,
    x.e + n - 1 + BIAS,
    Number(w >> 64n),
    Number((w >> 32n) & 0xffffffffn),
    Number(w & 0xffffffffn),
    sticky,
    out,
  );
}

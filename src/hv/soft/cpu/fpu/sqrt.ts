/**
 * Exactly rounded square root (FSQRT). The integer square root is taken with
 * bigint: FSQRT is rare enough that the allocation is cheaper than a
 * hand-written 66-step digit recurrence on 32-bit words.
 */
import { BIAS, classify, Cls, F80, setZero } from "./f80.js";
import { Exc, FpEnv } from "./env.js";
import { invalid, specialOperand, unpack, Unpacked } from "./operand.js";
import { roundPack, RoundFormat } from "./round.js";

const u = new Unpacked();

/** Floor of the square root of n (n >= 0). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Start above the root (Newton's method then decreases monotonically).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** out = √a. */
export function f80Sqrt(env: FpEnv, fmt: RoundFormat, a: F80, out: F80): void {
  const ca = classify(a);
  if (specialOperand(env, a, ca, out)) return;
  const sign = a.se >>> 15;
  if (ca === Cls.ZERO) {
    setZero(out, sign); // √-0 = -0
    env.c1 = 0;
    return;
  }
  if (sign !== 0) return invalid(env, out);
  if (ca === Cls.INF) {
    out.copy(a);
    return;
  }
  if (ca === Cls.DENORMAL) env.flags |= Exc.DE;
  unpack(a, u);
  let k = u.exp - BIAS;
  let m = (BigInt(u.hi) << 32n) | BigInt(u.lo);
  if ((k & 1) !== 0) {
    m <<= 1n;
    k -= 1;
  }
  // value = m/2^63 · 2^k with k even; √ = √(m·2^67)/2^65 · 2^(k/2), 66-bit root.
  const n = m << 67n;
  const r = isqrt(n);
  const exact = r * r === n;
  const w = r << 30n; // left-align the 66-bit root in 96 bits
  roundPack(
    env,
    fmt,
    0,
    k / 2 + BIAS,
    Number(w >> 64n),
    Number((w >> 32n) & 0xffffffffn),
    Number(w & 0xffffffffn),
    !exact,
    out,
  );
}

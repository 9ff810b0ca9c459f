/**
 * Exactly rounded add, subtract, multiply and divide on 32-bit halves (no
 * allocation, no bigint). Results are rounded to `fmt` (normally the
 * precision-control format, see pcFormat).
 */
import { BIAS, classify, Cls, F80, setInf, setZero } from "./f80.js";
import { Exc, FpEnv, Rc } from "./env.js";
import { invalid, specialOperands, unpack, Unpacked } from "./operand.js";
import { roundPack, RoundFormat } from "./round.js";

const TWO32 = 4294967296;
const ua = new Unpacked();
const ub = new Unpacked();

/** out = a + b. */
export function f80Add(env: FpEnv, fmt: RoundFormat, a: F80, b: F80, out: F80): void {
  addSub(env, fmt, a, b, 0, out);
}

/** out = a - b. */
export function f80Sub(env: FpEnv, fmt: RoundFormat, a: F80, b: F80, out: F80): void {
  addSub(env, fmt, a, b, 1, out);
}

function addSub(env: FpEnv, fmt: RoundFormat, a: F80, b: F80, negB: number, out: F80): void {
  const ca = classify(a);
  const cb = classify(b);
  if (ca >= Cls.INF || cb >= Cls.INF) {
    if (specialOperands(env, a, ca, b, cb, out)) return;
    const sa = a.se >>> 15;
    const sb = (b.se >>> 15) ^ negB;
    if (ca === Cls.INF && cb === Cls.INF) {
      if (sa !== sb) invalid(env, out);
      else setInf(out, sa);
      return;
    }
    if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
    if (ca === Cls.INF) setInf(out, sa);
    else setInf(out, sb);
    return;
  }
  if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
  unpack(a, ua);
  unpack(b, ub);
  ub.sign ^= negB;
  if (ca === Cls.ZERO || cb === Cls.ZERO) {
    if (ca === Cls.ZERO && cb === Cls.ZERO) {
      const s = ua.sign === ub.sign ? ua.sign : env.rc === Rc.DOWN ? 1 : 0;
      setZero(out, s);
      env.c1 = 0;
      return;
    }
    // x ± 0 is x, still rounded to the destination precision.
    const u = ca === Cls.ZERO ? ub : ua;
    roundPack(env, fmt, u.sign, u.exp, u.hi, u.lo, 0, false, out);
    return;
  }
  // Let x be the operand of larger magnitude.
  let x = ua;
  let y = ub;
  if (
    ub.exp > ua.exp ||
    (ub.exp === ua.exp && (ub.hi > ua.hi || (ub.hi === ua.hi && ub.lo > ua.lo)))
  ) {
    x = ub;
    y = ua;
  }
  // Align y: y2:y1:y0 (+ys) = y.sig >> d.
  const d = x.exp - y.exp;
  let y2 = y.hi;
  let y1 = y.lo;
  let y0 = 0;
  let ys = 0;
  if (d >= 96) {
    y2 = y1 = 0;
    ys = 1;
  } else if (d > 0) {
    let n = d;
    while (n >= 32) {
      if (y0 !== 0) ys = 1;
      y0 = y1;
      y1 = y2;
      y2 = 0;
      n -= 32;
    }
    if (n > 0) {
      if (y0 << (32 - n) !== 0) ys = 1;
      y0 = ((y0 >>> n) | (y1 << (32 - n))) >>> 0;
      y1 = ((y1 >>> n) | (y2 << (32 - n))) >>> 0;
      y2 = y2 >>> n;
    }
  }
  let exp = x.exp;
  let r2: number;
  let r1: number;
  let r0: number;
  let sticky = ys !== 0;
  if (x.sign === y.sign) {
    r0 = y0;
    let t = x.lo + y1;
    r1 = t >>> 0;
    t = x.hi + y2 + (t >= TWO32 ? 1 : 0);
    r2 = t >>> 0;
    if (t >= TWO32) {
      // Carry out: shift right one bit, bit 96 becomes the integer bit.
      if ((r0 & 1) !== 0) sticky = true;
      r0 = ((r0 >>> 1) | (r1 << 31)) >>> 0;
      r1 = ((r1 >>> 1) | (r2 << 31)) >>> 0;
      r2 = ((r2 >>> 1) | 0x80000000) >>> 0;
      exp++;
    }
  } else {
    // x - y - (ys ? ε : 0) = (x - y - 1 ulp) + (1 ulp - ε): borrow one and keep sticky.
    let t = 0 - y0 - ys;
    let borrow = t < 0 ? 1 : 0;
    r0 = (t + (borrow ? TWO32 : 0)) >>> 0;
    t = x.lo - y1 - borrow;
    borrow = t < 0 ? 1 : 0;
    r1 = (t + (borrow ? TWO32 : 0)) >>> 0;
    r2 = (x.hi - y2 - borrow) >>> 0;
    if ((r2 | r1 | r0) === 0 && !sticky) {
      // Exact cancellation: +0, or -0 when rounding down (IEEE 754, 6.3).
      setZero(out, env.rc === Rc.DOWN ? 1 : 0);
      env.c1 = 0;
      return;
    }
  }
  roundPack(env, fmt, x.sign, exp, r2, r1, r0, sticky, out);
}

// 32x32 -> 64-bit product, exact, in (mulHi, mulLo).
let mulHi = 0;
let mulLo = 0;
function mul32(a: number, b: number): void {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const mid = aL * bH + aH * bL; // < 2^33
  const low = aL * bL + (mid % 65536) * 65536; // < 2^33
  mulLo = low >>> 0;
  mulHi = aH * bH + Math.floor(mid / 65536) + Math.floor(low / TWO32);
}

/** out = a × b. */
export function f80Mul(env: FpEnv, fmt: RoundFormat, a: F80, b: F80, out: F80): void {
  const ca = classify(a);
  const cb = classify(b);
  const sign = (a.se ^ b.se) >>> 15;
  if (ca >= Cls.INF || cb >= Cls.INF) {
    if (specialOperands(env, a, ca, b, cb, out)) return;
    if (ca === Cls.ZERO || cb === Cls.ZERO) return invalid(env, out);
    if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
    setInf(out, sign);
    return;
  }
  if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
  if (ca === Cls.ZERO || cb === Cls.ZERO) {
    setZero(out, sign);
    env.c1 = 0;
    return;
  }
  unpack(a, ua);
  unpack(b, ub);
  // 128-bit product p3:p2:p1:p0 of the two 64-bit significands.
  mul32(ua.lo, ub.lo);
  const p0 = mulLo;
  const mulHi0 = mulHi;
  mul32(ua.lo, ub.hi);
  let t1 = mulHi0 + mulLo;
  let t2 = mulHi;
  mul32(ua.hi, ub.lo);
  t1 += mulLo;
  t2 += mulHi;
  const p1 = t1 % TWO32;
  t2 += Math.floor(t1 / TWO32);
  mul32(ua.hi, ub.hi);
  t2 += mulLo;
  const p2 = t2 % TWO32;
  const p3 = mulHi + Math.floor(t2 / TWO32);
  roundPack(env, fmt, sign, ua.exp + ub.exp - BIAS + 1, p3, p2, p1, p0 !== 0, out);
}

/** out = a ÷ b. */
export function f80Div(env: FpEnv, fmt: RoundFormat, a: F80, b: F80, out: F80): void {
  const ca = classify(a);
  const cb = classify(b);
  const sign = (a.se ^ b.se) >>> 15;
  if (ca >= Cls.INF || cb >= Cls.INF) {
    if (specialOperands(env, a, ca, b, cb, out)) return;
    if (ca === Cls.INF && cb === Cls.INF) return invalid(env, out);
    if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
    if (ca === Cls.INF) setInf(out, sign);
    else setZero(out, sign);
    env.c1 = 0;
    return;
  }
  if (cb === Cls.ZERO) {
    if (ca === Cls.ZERO) return invalid(env, out);
    if (ca === Cls.DENORMAL) env.flags |= Exc.DE;
    env.flags |= Exc.ZE;
    setInf(out, sign);
    return;
  }
  if (ca === Cls.DENORMAL || cb === Cls.DENORMAL) env.flags |= Exc.DE;
  if (ca === Cls.ZERO) {
    setZero(out, sign);
    env.c1 = 0;
    return;
  }
  unpack(a, ua);
  unpack(b, ub);
  divSignificands(ua.hi, ua.lo, ub.hi, ub.lo);
  roundPack(env, fmt, sign, ua.exp - ub.exp + BIAS, q2, q1, q0, remNonZero, out);
}

// Quotient of divSignificands: floor(A·2^66/B) left-aligned in q2:q1:q0 (bit 95 = 2^66).
let q2 = 0;
let q1 = 0;
let q0 = 0;
let remNonZero = false;

// Remainder scratch: r2:r1:r0, a two's-complement value mod 2^96 (|r| < 2^66).
let r2 = 0;
let r1 = 0;
let r0 = 0;

/** r ← (x2:x1:x0) - q·(bHi:bLo) mod 2^96, for q < 2^53. */
function subProduct(x2: number, x1: number, x0: number, q: number, bHi: number, bLo: number): void {
  const qh = Math.floor(q / TWO32);
  const ql = q - qh * TWO32;
  mul32(ql, bLo);
  const p0 = mulLo;
  let p1 = mulHi;
  mul32(ql, bHi);
  p1 += mulLo;
  let p2 = mulHi;
  mul32(qh, bLo);
  p1 += mulLo;
  p2 += mulHi + (Math.imul(qh, bHi) >>> 0);
  p2 += Math.floor(p1 / TWO32);
  p1 %= TWO32;
  p2 %= TWO32;
  // x - p, word by word with borrows.
  let t = x0 - p0;
  let borrow = t < 0 ? 1 : 0;
  r0 = t + borrow * TWO32;
  t = x1 - p1 - borrow;
  borrow = t < 0 ? 1 : 0;
  r1 = t + borrow * TWO32;
  r2 = (x2 - p2 - borrow + TWO32) % TWO32;
}

/** Brings r into [0, B) by adding or subtracting B; returns the quotient correction. */
function fixRemainder(bHi: number, bLo: number): number {
  let k = 0;
  while (r2 >= 0x80000000) {
    // r < 0: r += B.
    let t = r0 + bLo;
    r0 = t % TWO32;
    t = r1 + bHi + (t >= TWO32 ? 1 : 0);
    r1 = t % TWO32;
    r2 = (r2 + (t >= TWO32 ? 1 : 0)) % TWO32;
    k--;
  }
  while (r2 !== 0 || r1 > bHi || (r1 === bHi && r0 >= bLo)) {
    let t = r0 - bLo;
    const b1 = t < 0 ? 1 : 0;
    r0 = t + b1 * TWO32;
    t = r1 - bHi - b1;
    const b2 = t < 0 ? 1 : 0;
    r1 = t + b2 * TWO32;
    r2 -= b2;
    k++;
  }
  return k;
}

/**
 * Divides two normalized 64-bit significands: floor(A·2^66 / B) (66-67 bits,
 * A/B in (1/2, 2)) and whether a remainder is left (the sticky bit). Two
 * quotient pieces (50 and 16 bits) are estimated with one double division
 * each and made exact by computing the remainder modulo 2^96 (it is known to
 * be small, so the high product bits cancel) and correcting by ±B.
 */
function divSignificands(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const bd = bHi * TWO32 + bLo;
  // Piece 1: q = floor(A·2^50 / B) < 2^51, estimate within ±1.
  let q = Math.floor(((aHi * TWO32 + aLo) / bd) * 1125899906842624);
  subProduct(((aHi << 18) | (aLo >>> 14)) >>> 0, (aLo << 18) >>> 0, 0, q, bHi, bLo);
  q += fixRemainder(bHi, bLo);
  // Piece 2: 16 more bits from R·2^16 (R < B < 2^64).
  let d = Math.floor(((r1 * TWO32 + r0) / bd) * 65536);
  if (d > 65535) d = 65535;
  subProduct(r1 >>> 16, ((r1 << 16) | (r0 >>> 16)) >>> 0, (r0 << 16) >>> 0, d, bHi, bLo);
  d += fixRemainder(bHi, bLo);
  remNonZero = (r1 | r0) !== 0;
  // Q = q·2^16 + d, left-aligned: Q << 29.
  const qHi = Math.floor(q / 65536);
  const qLo = (q % 65536) * 65536 + d;
  q2 = Math.floor(qHi / 8);
  q1 = (((qHi % 8) << 29) | (qLo >>> 3)) >>> 0;
  q0 = (qLo << 29) >>> 0;
}

/**
 * Transcendentals within 1 ulp of an independent fixed-point reference
 * (computed here with bigint, 320 fraction bits, with other series than the
 * library's), plus their special-operand tables.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { F80 } from "../../src/hv/soft/cpu/fpu/f80.js";
import { FpEnv } from "../../src/hv/soft/cpu/fpu/env.js";
import {
  f80Atan,
  f80Cos,
  f80Exp2m1,
  f80Sin,
  f80SinCos,
  f80Tan,
  f80Yl2x,
  f80Yl2xp1,
} from "../../src/hv/soft/cpu/fpu/trans.js";
import { exactOf, f80, IE, Rng, ZE } from "./ref.js";

const F = 320n;
const ONE = 1n << F;

function mul(a: bigint, b: bigint): bigint {
  return (a * b) >> F;
}
function div(a: bigint, b: bigint): bigint {
  return (a << F) / b;
}
function isqrt(n: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}
/** atan(t), |t| ≤ 1, fixed point: four halvings then the Taylor series. */
function atanFix(t: bigint): bigint {
  for (let i = 0; i < 4; i++) t = div(t, ONE + isqrt(ONE * ONE + t * t));
  const t2 = mul(t, t);
  let p = t;
  let s = t;
  for (let n = 1n; p !== 0n; n++) {
    p = -mul(p, t2);
    s += p / (2n * n + 1n);
  }
  return s * 16n;
}
/** π from Euler's π/4 = atan(1/2) + atan(1/3). */
const PI = 4n * (atanFix(ONE / 2n) + atanFix(ONE / 3n));
/** ln 2 = Σ 1/(k·2^k). */
const LN2 = (() => {
  let s = 0n;
  for (let k = 1n; k < F + 8n; k++) s += ONE / (k << k);
  return s;
})();
function sinFix(x: bigint): bigint {
  // Reduce modulo 2π, then Taylor.
  const twoPi = 2n * PI;
  x %= twoPi;
  const x2 = mul(x, x);
  let term = x;
  let s = x;
  for (let n = 1n; term !== 0n; n++) {
    term = -mul(term, x2) / (2n * n * (2n * n + 1n));
    s += term;
  }
  return s;
}
function cosFix(x: bigint): bigint {
  return sinFix(x + PI / 2n);
}
function expFix(y: bigint): bigint {
  let term = ONE;
  let s = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = mul(term, y) / n;
    s += term;
  }
  return s;
}
function lnFix(x: bigint): bigint {
  // x > 0: x = m·2^k, m in [1, 2); ln m = 2·atanh((m-1)/(m+1)).
  let k = 0n;
  while (x >= 2n * ONE) {
    x >>= 1n;
    k++;
  }
  while (x < ONE) {
    x <<= 1n;
    k--;
  }
  const s = div(x - ONE, x + ONE);
  const s2 = mul(s, s);
  let p = s;
  let sum = s;
  for (let n = 1n; p !== 0n; n++) {
    p = mul(p, s2);
    sum += p / (2n * n + 1n);
  }
  return k * LN2 + 2n * sum;
}

/** Value of a finite F80 in fixed point. */
function fix(a: F80): bigint {
  const x = exactOf(a);
  const sh = BigInt(x.s) + F;
  const v = sh >= 0n ? x.q << sh : x.q >> -sh;
  return x.sign ? -v : v;
}

/** Asserts |got - want| ≤ 1 ulp of got (want in fixed point). */
function within1ulp(got: F80, want: bigint, ctx: string): void {
  const e = (got.se & 0x7fff) - 16383;
  const ulp = 2n ** (BigInt(e - 63) + F);
  let d = fix(got) - want;
  if (d < 0n) d = -d;
  assert.ok(d <= ulp, `${ctx}: got ${got}, off by ${Number((d * 1000n) / (ulp || 1n)) / 1000} ulp`);
}

function rand(rng: Rng, expLo: number, expHi: number): F80 {
  const e = 16383 + expLo + rng.int(expHi - expLo + 1);
  return f80((rng.int(2) << 15) | e, (BigInt(rng.u32() | 0x80000000) << 32n) | BigInt(rng.u32()));
}

test("FSIN/FCOS/FSINCOS/FPTAN within 1 ulp", () => {
  const rng = new Rng(3);
  const env = new FpEnv();
  const s = new F80();
  const c = new F80();
  for (let i = 0; i < 150; i++) {
    const x = rand(rng, -8, i < 120 ? 4 : 40);
    const fx = fix(x);
    const ss = sinFix(fx);
    const cc = cosFix(fx);
    assert.ok(f80Sin(env, x, s));
    within1ulp(s, ss, `sin ${x}`);
    assert.ok(f80Cos(env, x, c));
    within1ulp(c, cc, `cos ${x}`);
    f80SinCos(env, x, s, c);
    within1ulp(s, ss, `sincos.sin ${x}`);
    within1ulp(c, cc, `sincos.cos ${x}`);
    f80Tan(env, x, s);
    within1ulp(s, div(ss, cc), `tan ${x}`);
  }
  // Out of range (|x| ≥ 2^63): not done, operand untouched.
  assert.equal(f80Sin(env, f80(16383 + 63, 1n << 63n), s), false);
  env.reset();
  f80Sin(env, f80(0x7fff, 1n << 63n), s);
  assert.equal(env.flags, IE);
  assert.equal(s.toString(), "ffff:c000000000000000");
  f80Cos(env, f80(0x8000, 0n), c);
  assert.equal(c.toString(), "3fff:8000000000000000");
});

test("FPATAN within 1 ulp, with atan2's special cases", () => {
  const rng = new Rng(4);
  const env = new FpEnv();
  const out = new F80();
  for (let i = 0; i < 150; i++) {
    const y = rand(rng, -6, 6);
    const x = rand(rng, -6, 6);
    f80Atan(env, y, x, out);
    const fy = fix(y);
    const fx = fix(x);
    const ay = fy < 0n ? -fy : fy;
    const ax = fx < 0n ? -fx : fx;
    let v = ay <= ax ? atanFix(div(ay, ax)) : PI / 2n - atanFix(div(ax, ay));
    if (fx < 0n) v = PI - v;
    within1ulp(out, fy < 0n ? -v : v, `atan2(${y}, ${x})`);
  }
  const pi = new F80();
  f80Atan(env, f80(0, 0n), f80(0x8000, 0n), pi); // atan2(+0, -0) = π
  within1ulp(pi, PI, "atan2(+0,-0)");
  f80Atan(env, f80(0xffff, 1n << 63n), f80(0x7fff, 1n << 63n), out); // atan2(-∞, +∞) = -π/4
  within1ulp(out, -PI / 4n, "atan2(-inf,inf)");
  f80Atan(env, f80(0x8000, 0n), f80(0x3fff, 1n << 63n), out);
  assert.equal(out.toString(), "8000:0000000000000000");
});

test("F2XM1, FYL2X, FYL2XP1 within 1 ulp", () => {
  const rng = new Rng(6);
  const env = new FpEnv();
  const out = new F80();
  for (let i = 0; i < 100; i++) {
    const x = rand(rng, -30, -1);
    f80Exp2m1(env, x, out);
    within1ulp(out, expFix(mul(fix(x), LN2)) - ONE, `f2xm1 ${x}`);
    const lx = rand(rng, -10, 20);
    lx.se &= 0x7fff;
    const y = rand(rng, -4, 4);
    f80Yl2x(env, lx, y, out);
    within1ulp(out, mul(fix(y), div(lnFix(fix(lx)), LN2)), `fyl2x ${lx} ${y}`);
    const sx = rand(rng, -30, -3);
    f80Yl2xp1(env, sx, y, out);
    within1ulp(out, mul(fix(y), div(lnFix(ONE + fix(sx)), LN2)), `fyl2xp1 ${sx} ${y}`);
  }
  // Exact cases and special operands.
  env.reset();
  f80Yl2x(env, f80(0x4002, 1n << 63n), f80(0x3fff, 1n << 63n), out); // log2(8) = 3
  assert.equal(out.toString(), "4000:c000000000000000");
  assert.equal(env.flags, 0);
  f80Yl2x(env, f80(0, 0n), f80(0x3fff, 1n << 63n), out); // 1·log2(0) = -∞, ZE
  assert.equal(out.toString(), "ffff:8000000000000000");
  assert.equal(env.flags, ZE);
  env.reset();
  f80Yl2x(env, f80(0xbfff, 1n << 63n), f80(0x3fff, 1n << 63n), out); // log2(-1): invalid
  assert.equal(env.flags, IE);
  f80Exp2m1(env, f80(0xffff, 1n << 63n), out); // 2^-∞ - 1 = -1
  assert.equal(out.toString(), "bfff:8000000000000000");
});

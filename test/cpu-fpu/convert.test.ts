/**
 * Memory-format conversions: m32fp/m64fp stores against the reference
 * rounding (their own precision and exponent range), loads (exact, SNaN and
 * denormal flags), integer stores in every rounding mode, FRNDINT and BCD.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { F80 } from "../../src/hv/soft/cpu/fpu/f80.js";
import { FpEnv } from "../../src/hv/soft/cpu/fpu/env.js";
import {
  f80FromF32,
  f80FromF64,
  f80ToF32,
  f80ToF64,
  U64,
} from "../../src/hv/soft/cpu/fpu/convert-float.js";
import {
  f80FromInt32,
  f80FromInt64,
  f80RoundInt,
  f80ToInt32,
  f80ToInt64,
} from "../../src/hv/soft/cpu/fpu/convert-int.js";
import { f80FromBcd, f80ToBcd } from "../../src/hv/soft/cpu/fpu/bcd.js";
import { exactOf, f80, IE, PE, randomOperand, refRound, Rng, sigOf, UE, OE, DE } from "./ref.js";

const dv = new DataView(new ArrayBuffer(8));

/** Decodes an m64fp/m32fp pattern through JS (independent of the library). */
function f64Bits(d: number): [number, number] {
  dv.setFloat64(0, d);
  return [dv.getUint32(0), dv.getUint32(4)];
}

test("m64fp/m32fp stores round like the reference (all RC, denormals, overflow)", () => {
  const rng = new Rng(7);
  const env = new FpEnv();
  const u = new U64();
  for (let i = 0; i < 4000; i++) {
    const a = randomOperand(rng, false);
    if ((a.hi | a.lo) === 0) continue;
    // Exponents around the double and single ranges' edges.
    const target = rng.pick([
      16383 - 1022,
      16383 - 1074,
      16383 + 1023,
      16383 - 126,
      16383 - 149,
      16383 + 127,
      16383,
    ]);
    a.se = (a.se & 0x8000) | (target - 3 + rng.int(7));
    a.hi = (a.hi | 0x80000000) >>> 0;
    const rc = rng.int(4);
    for (const p of [53, 24]) {
      env.reset();
      env.rc = rc;
      const eMin = p === 53 ? -1022 : -126;
      const eMax = p === 53 ? 1023 : 127;
      const exp = refRound(exactOf(a), p, rc, eMin, eMax, false);
      let got: number;
      if (p === 53) {
        f80ToF64(env, a, u);
        // Decode the double with JS and re-encode the expectation as a number.
        dv.setUint32(0, u.hi);
        dv.setUint32(4, u.lo);
        got = dv.getFloat64(0);
      } else {
        dv.setUint32(0, f80ToF32(env, a));
        got = dv.getFloat32(0);
      }
      const e = (exp.se & 0x7fff) - 16383;
      const mag = (exp.se & 0x7fff) === 0x7fff ? Infinity : Number(exp.sig) * 2 ** -63 * 2 ** e;
      const want = exp.se & 0x8000 ? -mag : mag;
      const ctx = `p=${p} rc=${rc} a=${a}`;
      assert.ok(Object.is(got, want), `${ctx}: got ${got} want ${want}`);
      assert.equal(env.flags & (UE | OE | PE), exp.flags, `${ctx} flags`);
    }
  }
});

test("m64fp/m32fp loads are exact; SNaN raises IE and is quieted; denormals raise DE", () => {
  const env = new FpEnv();
  const out = new F80();
  const u = new U64();
  for (const d of [1, -2.5, 0.1, 1e308, -4.9e-324, 2.2250738585072014e-308, 1 / 3]) {
    env.reset();
    const [hi, lo] = f64Bits(d);
    f80FromF64(env, hi, lo, out);
    f80ToF64(env, out, u);
    assert.deepEqual([u.hi, u.lo], [hi, lo], `${d}`);
    const denormal = Math.abs(d) < 2.2250738585072014e-308;
    assert.equal(env.flags, denormal ? DE : 0, `${d} flags`);
  }
  env.reset();
  f80FromF64(env, 0x7ff00000, 1, out); // SNaN with payload 1
  assert.equal(env.flags, IE);
  assert.equal(out.toString(), "7fff:c000000000000800");
  env.reset();
  f80FromF32(env, 0xff800001, out);
  assert.equal(env.flags, IE);
  assert.equal(out.toString(), "ffff:c000010000000000");
  env.reset();
  f80FromF32(env, 0x00000001, out); // smallest single denormal = 2^-149
  assert.equal(env.flags, DE);
  assert.equal(out.toString(), (16383 - 149).toString(16) + ":8000000000000000");
  // Unsupported (unnormal) operand stored: IE and the indefinite.
  env.reset();
  assert.equal(f80ToF32(env, new F80(0x4000, 0x40000000, 0)), 0xffc00000);
  assert.equal(env.flags, IE);
});

/** Reference integer rounding with bigint. */
function refInt(a: F80, rc: number): bigint {
  const x = exactOf(a);
  const v = x.s >= 0 ? x.q << BigInt(x.s) : x.q >> BigInt(-x.s);
  const rem = x.s >= 0 ? 0n : x.q - (v << BigInt(-x.s));
  const half = x.s >= 0 ? 0n : 1n << BigInt(-x.s - 1);
  let r = v;
  if (rem !== 0n) {
    if (rc === 0) r += rem > half || (rem === half && (v & 1n) === 1n) ? 1n : 0n;
    else if (rc === 1) r += x.sign ? 1n : 0n;
    else if (rc === 2) r += x.sign ? 0n : 1n;
  }
  return x.sign ? -r : r;
}

test("integer stores round by RC and give the integer indefinite on overflow", () => {
  const rng = new Rng(11);
  const env = new FpEnv();
  const u = new U64();
  for (let i = 0; i < 5000; i++) {
    const sign = rng.int(2);
    const exp = 16383 - 3 + rng.int(70);
    const a = new F80((sign << 15) | exp, rng.u32() | 0x80000000, rng.pick([0, rng.u32()]));
    const rc = rng.int(4);
    const want = refInt(a, rc);
    const inexact =
      want !== refInt(a, 3) ||
      (sigOf(a) !== 0n &&
        exactOf(a).s < 0 &&
        (exactOf(a).q & ((1n << BigInt(-exactOf(a).s)) - 1n)) !== 0n);
    for (const bits of [16, 32, 64] as const) {
      env.reset();
      env.rc = rc;
      const min = -(1n << BigInt(bits - 1));
      const fits = want >= min && want < -min;
      let got: bigint;
      if (bits === 64) {
        f80ToInt64(env, a, u);
        got = BigInt.asIntN(64, (BigInt(u.hi) << 32n) | BigInt(u.lo));
      } else got = BigInt(f80ToInt32(env, a, bits));
      const ctx = `a=${a} rc=${rc} bits=${bits}`;
      assert.equal(got, fits ? want : min, ctx);
      if (!fits) assert.ok((env.flags & IE) !== 0, `${ctx} IE`);
      else assert.equal(env.flags, inexact ? PE : 0, `${ctx} flags`);
    }
    // Truncation (FISTTP) ignores RC.
    env.reset();
    env.rc = rc;
    const t = refInt(a, 3);
    if (t >= -(1n << 31n) && t < 1n << 31n) assert.equal(BigInt(f80ToInt32(env, a, 32, true)), t);
    // FRNDINT gives the same integer as a value.
    env.reset();
    env.rc = rc;
    const r = new F80();
    f80RoundInt(env, a, r);
    const rv = exactOf(r);
    const asInt = rv.q === 0n ? 0n : rv.s >= 0 ? rv.q << BigInt(rv.s) : rv.q >> BigInt(-rv.s);
    assert.equal(rv.sign ? -asInt : asInt, want, `frndint ${a}`);
  }
  // Loads.
  const out = new F80();
  f80FromInt32(-32768, out);
  assert.equal(out.toString(), "c00e:8000000000000000");
  f80FromInt64(0x80000000, 0, out);
  assert.equal(out.toString(), "c03e:8000000000000000");
  f80FromInt64(0xffffffff, 0xfffffffd, out);
  assert.equal(out.toString(), "c000:c000000000000000");
  // NaN to integer: IE and indefinite.
  env.reset();
  assert.equal(f80ToInt32(env, f80(0x7fff, 0xc000000000000000n), 16), -32768);
  assert.equal(env.flags, IE);
});

test("packed BCD round trip, rounding and the BCD indefinite", () => {
  const env = new FpEnv();
  const b = new Uint8Array(10);
  const out = new F80();
  const enc = (digits: string, neg: boolean): Uint8Array => {
    const r = new Uint8Array(10);
    const s = digits.padStart(18, "0");
    for (let i = 0; i < 9; i++) r[i] = (Number(s[17 - 2 * i - 1]) << 4) | Number(s[17 - 2 * i]);
    r[9] = neg ? 0x80 : 0;
    return r;
  };
  for (const [d, neg] of [
    ["999999999999999999", false],
    ["123456789012345678", true],
    ["0", true],
    ["1", false],
  ] as const) {
    f80FromBcd(enc(d, neg), 0, out);
    env.reset();
    assert.ok(f80ToBcd(env, out, b, 0));
    assert.deepEqual(Array.from(b), Array.from(enc(d, neg)), d);
    assert.equal(env.flags, 0);
  }
  // 2.5 rounds to 2 (nearest-even) and sets PE; up gives 3.
  const twoAndHalf = f80(0x4000, 0xa000000000000000n);
  env.reset();
  f80ToBcd(env, twoAndHalf, b, 0);
  assert.equal(b[0], 2);
  assert.equal(env.flags, PE);
  env.reset();
  env.rc = 2;
  f80ToBcd(env, twoAndHalf, b, 0);
  assert.equal(b[0], 3);
  env.rc = 0;
  env.reset();
  f80ToBcd(env, f80(16383 + 60, 0x8000000000000000n), b, 0); // 2^60 > 10^18
  assert.equal(env.flags, IE);
  assert.deepEqual(Array.from(b), [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
});

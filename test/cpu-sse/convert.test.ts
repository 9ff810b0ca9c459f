/**
 * The CVT* instructions against the rational reference: float → integer
 * (rounding per MXCSR or truncation, the integer indefinite and IE for NaN
 * and out-of-range values, PE), integer → float (rounding), single ↔
 * double (NaN payloads, DE/DAZ, overflow/underflow/FTZ), packed and MMX
 * forms; the 64-bit integer paths (REX.W forms) through the lane helpers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SseEnv, rr } from "./env.js";
import { Rng, randomValue } from "./gen.js";
import { DOUBLE, type Format, type Rat, SINGLE, rat, ratOf, roundRat } from "./ref-float.js";
import { fp, fpBegin } from "../../src/hv/soft/cpu/sse/fp-env.js";
import { int2float, resultHi, toInteger } from "../../src/hv/soft/cpu/sse/fp-convert.js";
import { F32, F64 } from "../../src/hv/soft/cpu/sse/fp-format.js";

const IE = 1, DE = 2, PE = 32; // prettier-ignore
const INDEFINITE = 0x80000000;

/** floor(n/d) for bigints (d > 0). */
function floorDiv(r: Rat): bigint {
  const q = r.n / r.d;
  return r.n < 0n && q * r.d !== r.n ? q - 1n : q;
}

/** Reference float → integer: [value as bigint or null for indefinite, flags]. */
function toIntRef(x: number, rc: number, bits: number): [bigint | null, number] {
  if (Number.isNaN(x) || !Number.isFinite(x)) return [null, IE];
  const r = ratOf(x);
  const fl = floorDiv(r);
  const exact = fl * r.d === r.n;
  let v = fl;
  if (!exact) {
    const twice = 2n * (r.n - fl * r.d); // compare the fraction with 1/2
    switch (rc) {
      case 0:
        v = twice > r.d || (twice === r.d && (fl & 1n) === 1n) ? fl + 1n : fl;
        break;
      case 1:
        v = fl;
        break;
      case 2:
        v = fl + 1n;
        break;
      default:
        v = x < 0 ? fl + 1n : fl;
    }
  }
  const limit = 1n << BigInt(bits - 1);
  if (v < -limit || v >= limit) return [null, IE];
  return [v, exact ? 0 : PE];
}

function intCandidates(rng: Rng, fmt: Format): number[] {
  const out: number[] = [];
  for (let i = 0; i < 60; i++) out.push(randomValue(rng, fmt));
  for (const v of [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2147483647.5, 2147483648, -2147483648,
    -2147483648.5, -2147483649, 2147483520, 1e10, -0, NaN, Infinity, 3.999999]) out.push(v); // prettier-ignore
  for (let i = 0; i < 40; i++) out.push(((rng.u32() | 0) / 256) * (rng.int(2) ? 1 : 2 ** -20));
  return fmt.bits === 32 ? out.map(Math.fround) : out;
}

test("CVT(T)SS2SI / CVT(T)SD2SI: rounding, truncation, indefinite, flags", () => {
  const e = new SseEnv();
  const rng = new Rng(41);
  for (const fmt of [SINGLE, DOUBLE]) {
    for (const x of intCandidates(rng, fmt)) {
      for (const [truncate, rc] of [
        [false, 0],
        [false, 1],
        [false, 2],
        [false, 3],
        [true, 1],
      ] as const) {
        if (fmt.bits === 32) e.setF32(1, [x]);
        else e.setF64(1, [x]);
        e.mxcsr = 0x1f80 | (rc << 13);
        const prefix = fmt.bits === 32 ? 0xf3 : 0xf2;
        e.h.eax = 0x5555;
        e.exec([prefix, 0x0f, truncate ? 0x2c : 0x2d, ...rr(0, 1)]);
        const [v, flags] = toIntRef(x, truncate ? 3 : rc, 32);
        const what = `${fmt.bits} ${x} rc=${rc} t=${truncate}`;
        assert.equal(e.h.eax, v === null ? INDEFINITE : Number(BigInt.asUintN(32, v)), what);
        assert.equal(e.mxcsr & 0x3f, flags, what);
      }
    }
  }
});

test("64-bit integer conversions (the REX.W paths) match the reference", () => {
  const rng = new Rng(77);
  for (const fmt of [SINGLE, DOUBLE]) {
    for (const x of [
      ...intCandidates(rng, fmt),
      2 ** 63, // out of range
      -(2 ** 63), // the most negative int64: in range
      2 ** 63 - 1024, // the largest double below 2^63
      2 ** 52 + 0.5,
      -1e19,
    ]) {
      // prettier-ignore
      for (const rc of [0, 1, 2, 3]) {
        fpBegin(0x1f80 | (rc << 13));
        const lo = toInteger(x, false, 64);
        const got = (BigInt(resultHi >>> 0) << 32n) | BigInt(lo >>> 0);
        const [v, flags] = toIntRef(x, rc, 64);
        assert.equal(got, v === null ? 1n << 63n : BigInt.asUintN(64, v), `${x} rc=${rc}`);
        assert.equal(fp.flags, flags);
      }
    }
  }
  // int64 → float with rounding.
  for (let k = 0; k < 300; k++) {
    const v =
      BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32())) >> BigInt(rng.int(60));
    const rc = rng.int(4);
    for (const [fmt, f] of [
      [SINGLE, F32],
      [DOUBLE, F64],
    ] as const) {
      fpBegin(0x1f80 | (rc << 13));
      const lo = int2float(Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn), f);
      const ref = roundRat(rat(v), fmt, { rc, ftz: false, masks: 0x3f });
      if (fmt.bits === 32) {
        const buf = new DataView(new ArrayBuffer(4));
        buf.setUint32(0, lo);
        assert.equal(buf.getFloat32(0), ref.value, `cvtsi2ss ${v}`);
      } else {
        const buf = new DataView(new ArrayBuffer(8));
        buf.setUint32(0, resultHi);
        buf.setUint32(4, lo);
        assert.equal(buf.getFloat64(0), ref.value, `cvtsi2sd ${v}`);
      }
      assert.equal(fp.flags, ref.flags);
    }
  }
});

test("CVTSI2SS/SD, CVTDQ2PS/PD, CVTPI2PS/PD round per MXCSR", () => {
  const e = new SseEnv();
  const rng = new Rng(3);
  for (let k = 0; k < 200; k++) {
    const v = (rng.u32() | 0) >> rng.int(31);
    const rc = rng.int(4);
    const ref = roundRat(rat(BigInt(v)), SINGLE, { rc, ftz: false, masks: 0x3f });
    e.mxcsr = 0x1f80 | (rc << 13);
    e.h.ecx = v;
    e.setU32(2, [7, 7, 7, 7]);
    e.exec([0xf3, 0x0f, 0x2a, ...rr(2, 1)]);
    assert.equal(e.f32(2)[0], ref.value, `cvtsi2ss ${v}`);
    assert.equal(e.u32(2)[1], 7);
    assert.equal(e.mxcsr & 0x3f, ref.flags);
    e.exec([0xf2, 0x0f, 0x2a, ...rr(2, 1)]);
    assert.equal(e.f64(2)[0], v, "cvtsi2sd is exact");
    e.setU32(3, [v, -v, v >> 3, 1 << 30]);
    e.mxcsr = 0x1f80 | (rc << 13);
    e.exec([0x0f, 0x5b, ...rr(4, 3)]); // cvtdq2ps
    const want = [v, -v | 0, v >> 3, 1 << 30].map(
      (x) => roundRat(rat(BigInt(x)), SINGLE, { rc, ftz: false, masks: 0x3f }).value,
    );
    assert.deepEqual(e.f32(4), want);
    e.exec([0xf3, 0x0f, 0xe6, ...rr(4, 3)]); // cvtdq2pd
    assert.deepEqual(e.f64(4), [v, -v | 0]);
  }
  // CVTPI2PS from an MMX register: lanes 2-3 unchanged, MMX transition.
  const r = e.cpu.fpu.regs;
  r[3].lo = 16777217;
  r[3].hi = -5 >>> 0;
  e.setU32(5, [0, 0, 0x11, 0x22]);
  e.mxcsr = 0x1f80;
  e.cpu.fpu.top = 5;
  e.exec([0x0f, 0x2a, ...rr(5, 3)]);
  assert.deepEqual(e.u32(5).slice(2), [0x11, 0x22]);
  assert.deepEqual(e.f32(5).slice(0, 2), [16777216, -5]);
  assert.equal(e.mxcsr & 0x3f, PE);
  assert.equal(e.cpu.fpu.top, 0);
  e.exec([0x66, 0x0f, 0x2a, ...rr(5, 3)]);
  assert.deepEqual(e.f64(5), [16777217, -5]);
});

test("packed float → int: CVT(T)PS2DQ, CVT(T)PD2DQ, CVT(T)PS2PI, CVT(T)PD2PI", () => {
  const e = new SseEnv();
  const xs = [1.5, -2.5, 3e9, NaN];
  e.setF32(1, xs);
  e.mxcsr = 0x1f80;
  e.exec([0x66, 0x0f, 0x5b, ...rr(2, 1)]);
  assert.deepEqual(e.u32(2), [2, -2 >>> 0, INDEFINITE, INDEFINITE]);
  assert.equal(e.mxcsr & 0x3f, IE | PE);
  e.exec([0xf3, 0x0f, 0x5b, ...rr(2, 1)]);
  assert.deepEqual(e.u32(2), [1, -2 >>> 0, INDEFINITE, INDEFINITE]);
  e.setF64(3, [-7.5, 2 ** 31]);
  e.setU32(4, [9, 9, 9, 9]);
  e.exec([0xf2, 0x0f, 0xe6, ...rr(4, 3)]);
  assert.deepEqual(e.u32(4), [-8 >>> 0, INDEFINITE, 0, 0], "upper half zeroed");
  e.exec([0x66, 0x0f, 0xe6, ...rr(4, 3)]);
  assert.deepEqual(e.u32(4), [-7 >>> 0, INDEFINITE, 0, 0]);
  const r = e.cpu.fpu.regs;
  e.exec([0x0f, 0x2d, ...rr(6, 1)]); // cvtps2pi mm6, xmm1
  assert.deepEqual([r[6].lo, r[6].hi], [2, -2 >>> 0]);
  e.exec([0x0f, 0x2c, ...rr(6, 1)]);
  assert.deepEqual([r[6].lo, r[6].hi], [1, -2 >>> 0]);
  e.exec([0x66, 0x0f, 0x2d, ...rr(6, 3)]);
  assert.deepEqual([r[6].lo, r[6].hi], [-8 >>> 0, INDEFINITE]);
  e.exec([0x66, 0x0f, 0x2c, ...rr(6, 3)]);
  assert.deepEqual([r[6].lo, r[6].hi], [-7 >>> 0, INDEFINITE]);
});

test("CVTSS2SD/CVTPS2PD and CVTSD2SS/CVTPD2PS: exact widening, rounding, NaNs, DE/DAZ/FTZ", () => {
  const e = new SseEnv();
  const rng = new Rng(17);
  for (let k = 0; k < 800; k++) {
    const x = randomValue(rng, DOUBLE);
    const rc = rng.int(4);
    const ftz = rng.int(3) === 0;
    const daz = rng.int(3) === 0;
    const denormal = x !== 0 && Math.abs(x) < 2 ** -1022;
    const env = { rc, ftz, masks: 0x3f };
    const ref =
      daz && denormal
        ? { value: x < 0 ? -0 : 0, flags: 0 }
        : Number.isFinite(x)
          ? roundRat(ratOf(x), SINGLE, env, Object.is(x, -0) || x < 0)
          : { value: x, flags: 0 };
    const flags = ref.flags | (denormal && !daz ? DE : 0);
    e.setF64(1, [x, 5]);
    e.setU32(2, [1, 2, 3, 4]);
    e.mxcsr = 0x1f80 | (rc << 13) | (ftz ? 0x8000 : 0) | (daz ? 0x40 : 0);
    e.exec([0xf2, 0x0f, 0x5a, ...rr(2, 1)]);
    assert.ok(Object.is(e.f32(2)[0], Math.fround(ref.value)), `cvtsd2ss ${x}`);
    assert.deepEqual(e.u32(2).slice(1), [2, 3, 4]);
    assert.equal(e.mxcsr & 0x3f, flags, `cvtsd2ss ${x} flags`);
  }
  for (let k = 0; k < 300; k++) {
    const x = randomValue(rng, SINGLE);
    const daz = rng.int(2) === 0;
    const denormal = x !== 0 && Math.abs(x) < 2 ** -126;
    e.setF32(1, [x, -x, 0, 0]);
    e.mxcsr = 0x1f80 | (daz ? 0x40 : 0);
    e.exec([0x0f, 0x5a, ...rr(2, 1)]);
    const want = daz && denormal ? [x < 0 ? -0 : 0, x < 0 ? 0 : -0] : [x, -x];
    assert.ok(Object.is(e.f64(2)[0], want[0]) && Object.is(e.f64(2)[1], want[1]), `cvtps2pd ${x}`);
    assert.equal(e.mxcsr & 0x3f, denormal && !daz ? DE : 0);
  }
  // NaN payloads: an SNaN is quieted (IE), the payload's top bits kept.
  e.mxcsr = 0x1f80;
  e.setU32(1, [0x7f812345, 0xffc00001, 0, 0]);
  e.exec([0x0f, 0x5a, ...rr(2, 1)]);
  assert.deepEqual(e.u32(2), [0xa0000000, 0x7ff82468, 0x20000000, 0xfff80000]);
  assert.equal(e.mxcsr & 0x3f, IE);
  e.mxcsr = 0x1f80;
  e.setU32(3, [0xa0000000, 0x7ff10246, 0xffffffff, 0xfff7ffff]);
  e.exec([0x66, 0x0f, 0x5a, ...rr(4, 3)]); // cvtpd2ps
  assert.deepEqual(e.u32(4), [0x7fc81235, 0xffffffff, 0, 0]);
  assert.equal(e.mxcsr & 0x3f, IE);
  // Overflow to ∞ / max by RC.
  e.setF64(3, [1e300, -1e300]);
  e.mxcsr = 0x1f80 | (3 << 13);
  e.exec([0x66, 0x0f, 0x5a, ...rr(4, 3)]);
  assert.deepEqual(e.f32(4), [3.4028234663852886e38, -3.4028234663852886e38, 0, 0]);
  assert.equal(e.mxcsr & 0x3f, 8 | PE);
});

/**
 * CMPPS/PD/SS/SD predicates, COMISS/UCOMISS/COMISD/UCOMISD flags, MINPS/
 * MAXPS/MINPD/MAXPD operand rules, and NaN propagation of arithmetic
 * (first source operand, quieted; SNaN → IE; the default NaN for invalid
 * operations), against references written from the SDM tables.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_FAULT, SseEnv, rr } from "./env.js";
import { Rng } from "./gen.js";

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800; // prettier-ignore
const IE = 1;
const DE = 2;

const dv = new DataView(new ArrayBuffer(4));
const f32 = (bits: number) => {
  dv.setUint32(0, bits);
  return dv.getFloat32(0);
};
const isNan = (b: number) => (b & 0x7fffffff) > 0x7f800000;
const isSnan = (b: number) => isNan(b) && (b & 0x400000) === 0;
const isDenormal = (b: number) => (b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0;

/** Interesting single bit patterns. */
const SPECIALS = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x00000001,
  0x80400000, 0x7fc00000, 0xffc12345, 0x7f800001, 0xff812345, 0x7f7fffff, 0x00800000,
]; // prettier-ignore

function pickBits(rng: Rng): number {
  return rng.int(3) === 0 ? rng.u32() >>> 0 : rng.pick(SPECIALS);
}

/** The SDM's predicate table (CMPPS, table 3-1) on the real values. */
function predicateRef(p: number, a: number, b: number): boolean {
  const x = f32(a);
  const y = f32(b);
  const unordered = isNan(a) || isNan(b);
  const tests = [
    !unordered && x === y,
    !unordered && x < y,
    !unordered && x <= y,
    unordered,
    unordered || x !== y,
    unordered || !(x < y),
    unordered || !(x <= y),
    !unordered,
  ];
  return tests[p];
}

test("CMPPS/CMPSS: all eight predicates, IE for SNaN (or QNaN with LT/LE/NLT/NLE), DE", () => {
  const e = new SseEnv();
  const rng = new Rng(31);
  for (let k = 0; k < 400; k++) {
    const a = [0, 1, 2, 3].map(() => pickBits(rng));
    const b = [0, 1, 2, 3].map(() => pickBits(rng));
    const p = k & 7;
    const daz = rng.int(3) === 0;
    e.setU32(1, a);
    e.setU32(2, b);
    e.mxcsr = 0x1f80 | (daz ? 0x40 : 0);
    e.exec([0x0f, 0xc2, ...rr(1, 2), p | (rng.int(32) << 3)]); // imm8[7:3] ignored
    let flags = 0;
    const want = a.map((x, i) => {
      const y = b[i];
      const nan = isNan(x) || isNan(y);
      if (isSnan(x) || isSnan(y) || (nan && [1, 2, 5, 6].includes(p))) flags |= IE;
      if (!nan && !daz && (isDenormal(x) || isDenormal(y))) flags |= DE;
      const ax = daz && isDenormal(x) ? x & 0x80000000 : x;
      const by = daz && isDenormal(y) ? y & 0x80000000 : y;
      return predicateRef(p, ax, by) ? 0xffffffff : 0;
    });
    assert.deepEqual(e.u32(1), want, `cmpps p=${p} ${a} ${b}`);
    assert.equal(e.mxcsr & 0x3f, flags, `cmpps flags p=${p}`);
  }
  // CMPSS changes only lane 0.
  e.setU32(1, [0x3f800000, 5, 6, 7]);
  e.setU32(2, [0x40000000, 0, 0, 0]);
  e.exec([0xf3, 0x0f, 0xc2, ...rr(1, 2), 1]); // 1 < 2
  assert.deepEqual(e.u32(1), [0xffffffff, 5, 6, 7]);
  // CMPPD / CMPSD lanes are 64 bits.
  e.setF64(3, [1, NaN]);
  e.setF64(4, [1, 2]);
  e.mxcsr = 0x1f80;
  e.exec([0x66, 0x0f, 0xc2, ...rr(3, 4), 0]);
  assert.deepEqual(e.u32(3), [0xffffffff, 0xffffffff, 0, 0]);
  e.setF64(3, [3, 9]);
  e.exec([0xf2, 0x0f, 0xc2, ...rr(3, 4), 6]); // NLE: 3 > 1
  assert.deepEqual(e.u32(3).slice(0, 2), [0xffffffff, 0xffffffff]);
  assert.equal(e.f64(3)[1], 9);
  // An unmasked IE suppresses the write.
  e.setU32(1, [0x7fc00000, 0, 0, 0]);
  e.mxcsr = 0x1f80 & ~0x80;
  assert.equal(e.run([0x0f, 0xc2, ...rr(1, 2), 1]), 19);
  assert.equal(e.u32(1)[0], 0x7fc00000);
});

test("COMISS/UCOMISS/COMISD/UCOMISD set ZF PF CF and clear OF SF AF", () => {
  const e = new SseEnv();
  const rng = new Rng(8);
  for (let k = 0; k < 300; k++) {
    const a = pickBits(rng);
    const b = pickBits(rng);
    const ordered = (k & 1) === 0;
    e.setU32(1, [a, 0, 0, 0]);
    e.setU32(2, [b, 0, 0, 0]);
    e.mxcsr = 0x1f80;
    e.h.eflags = 0x2 | OF | SF | AF | CF | ZF | PF;
    e.exec([0x0f, ordered ? 0x2f : 0x2e, ...rr(1, 2)]);
    const x = f32(a);
    const y = f32(b);
    const want = isNan(a) || isNan(b) ? ZF | PF | CF : x < y ? CF : x === y ? ZF : 0;
    assert.equal(e.h.eflags & (ZF | PF | CF | OF | SF | AF), want, `comiss ${a} ${b}`);
    const ie = isSnan(a) || isSnan(b) || (ordered && (isNan(a) || isNan(b)));
    const de = !isNan(a) && !isNan(b) && (isDenormal(a) || isDenormal(b));
    assert.equal(e.mxcsr & 0x3f, (ie ? IE : 0) | (de ? DE : 0));
  }
  e.setF64(1, [-0, 0]);
  e.setF64(2, [0, 0]);
  e.exec([0x66, 0x0f, 0x2f, ...rr(1, 2)]);
  assert.equal(e.h.eflags & (ZF | PF | CF), ZF, "-0 equals +0");
  e.setF64(2, [NaN, 0]);
  e.mxcsr = 0x1f80 & ~0x80; // IE unmasked: #XM, EFLAGS unchanged
  e.h.eflags = 0x2;
  assert.equal(e.run([0x66, 0x0f, 0x2f, ...rr(1, 2)]), 19);
  assert.equal(e.h.eflags & (ZF | PF | CF), 0);
  assert.equal(e.run([0x66, 0x0f, 0x2e, ...rr(1, 2)]), NO_FAULT, "UCOMISD: a QNaN is quiet");
});

test("MIN/MAX: second operand for NaNs, equal values and zeros; IE for any NaN", () => {
  const e = new SseEnv();
  const rng = new Rng(12);
  for (let k = 0; k < 300; k++) {
    const a = [0, 1, 2, 3].map(() => pickBits(rng));
    const b = [0, 1, 2, 3].map(() => pickBits(rng));
    const max = (k & 1) === 1;
    e.setU32(1, a);
    e.setU32(2, b);
    e.mxcsr = 0x1f80;
    e.exec([0x0f, max ? 0x5f : 0x5d, ...rr(1, 2)]);
    let flags = 0;
    const want = a.map((x, i) => {
      const y = b[i];
      if (isNan(x) || isNan(y)) {
        flags |= IE;
        return y;
      }
      if (isDenormal(x) || isDenormal(y)) flags |= DE;
      const pickFirst = max ? f32(x) > f32(y) : f32(x) < f32(y);
      return pickFirst ? x : y;
    });
    assert.deepEqual(e.u32(1), want, `${max ? "max" : "min"}ps ${a} ${b}`);
    assert.equal(e.mxcsr & 0x3f, flags);
  }
  e.setF64(1, [0, NaN]);
  e.setF64(2, [-0, 5]);
  e.exec([0x66, 0x0f, 0x5f, ...rr(1, 2)]);
  assert.ok(Object.is(e.f64(1)[0], -0), "MAXPD(+0, -0) = -0 (the second operand)");
  assert.equal(e.f64(1)[1], 5);
  // DAZ applies to the returned second operand even when the first is a NaN
  // (found by the differential tester on an AMD host).
  e.setU32(1, [0x7fffffff, 0x3f800000, 0, 0]);
  e.setU32(2, [0x807fffff, 0x00000001, 0, 0]);
  e.mxcsr = 0x1f80 | 0x40;
  e.exec([0x0f, 0x5d, ...rr(1, 2)]);
  assert.deepEqual(e.u32(1).slice(0, 2), [0x80000000, 0]);
  assert.equal(e.mxcsr & 0x3f, IE, "IE, no DE under DAZ");
});

test("NaN propagation: first source NaN wins, SNaNs are quieted, invalid gives the default NaN", () => {
  const e = new SseEnv();
  e.mxcsr = 0x1f80;
  e.setU32(1, [0x7f812345, 0x3f800000, 0xffc00abc, 0x7f800000]);
  e.setU32(2, [0xffc00001, 0x7f800007, 0x7f812345, 0xff800000]);
  e.exec([0x0f, 0x58, ...rr(1, 2)]); // addps
  assert.deepEqual(e.u32(1), [0x7fc12345, 0x7fc00007, 0xffc00abc, 0xffc00000]);
  assert.equal(e.mxcsr & 0x3f, IE);
  e.mxcsr = 0x1f80;
  e.setU32(3, [1, 0x3ff00000, 0, 0x7ff40000]); // 1 + 2^-52; 0x7ff40000_00000000 is an SNaN
  e.setU32(4, [0, 0x3ff00000, 5, 0xfff80000]); // 1.0; a QNaN
  e.exec([0x66, 0x0f, 0x59, ...rr(3, 4)]); // mulpd
  assert.deepEqual(e.u32(3), [1, 0x3ff00000, 0, 0x7ffc0000]);
  assert.equal(e.mxcsr & 0x3f, IE);
  e.setF64(5, [0, Infinity]);
  e.setF64(6, [0, 0]);
  e.exec([0x66, 0x0f, 0x5e, ...rr(5, 6)]); // 0/0, ∞/0
  assert.deepEqual(e.u32(5).slice(0, 2), [0, 0xfff80000]);
  assert.equal(e.f64(5)[1], Infinity);
});

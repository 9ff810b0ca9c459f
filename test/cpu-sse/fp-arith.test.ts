/**
 * ADD/SUB/MUL/DIV/SQRT SS/SD against the rational reference (ref-float.ts)
 * over operands near every edge, in all four rounding modes, with FTZ and
 * DAZ, all exceptions masked: result bits and MXCSR flags must match.
 * Then unmasked exceptions (#XM/#UD, destination unchanged, the pre/post
 * computation flag rule) and the packed forms.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DATA, NO_FAULT, SseEnv, mem, rr } from "./env.js";
import { Rng, randomValue, relatedValue } from "./gen.js";
import { DOUBLE, type Format, IE, PE, type RefOp, SINGLE, ZE, refArith } from "./ref-float.js";
import { CR4_OSXMMEXCPT } from "../../src/hv/soft/cpu/constants.js";

const OPCODE: Record<RefOp, number> = { add: 0x58, mul: 0x59, sub: 0x5c, div: 0x5e, sqrt: 0x51 };
const OPS: RefOp[] = ["add", "sub", "mul", "div", "sqrt"];

function mxcsrOf(rc: number, ftz: boolean, daz: boolean, masks = 0x3f): number {
  return (masks << 7) | (rc << 13) | (ftz ? 0x8000 : 0) | (daz ? 0x40 : 0);
}

/** Describes a case for assertion messages. */
function describe(op: string, fmt: Format, a: number, b: number, mx: number): string {
  return `${op}${fmt.bits === 32 ? "ss" : "sd"}(${a}, ${b}) mxcsr=${mx.toString(16)}`;
}

/** Runs one scalar op on lanes 0 of xmm1, xmm2; returns [result, flags]. */
function runScalar(e: SseEnv, op: RefOp, fmt: Format, a: number, b: number, mx: number): number {
  const prefix = fmt.bits === 32 ? 0xf3 : 0xf2;
  if (op === "sqrt") b = a; // SQRTSx takes its operand from the source
  if (fmt.bits === 32) {
    e.setF32(1, [a, 7, 7, 7]);
    e.setF32(2, [b, 9, 9, 9]);
  } else {
    e.setF64(1, [a, 7]);
    e.setF64(2, [b, 9]);
  }
  e.mxcsr = mx;
  return e.run([prefix, 0x0f, OPCODE[op], ...rr(1, 2)]);
}

function checkAgainstReference(fmt: Format, seed: number, count: number): void {
  const e = new SseEnv();
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const op = OPS[i % OPS.length];
    const a = randomValue(rng, fmt);
    const b = relatedValue(rng, fmt, a, op);
    const rc = rng.int(4);
    const ftz = rng.int(4) === 0;
    const daz = rng.int(4) === 0;
    const mx = mxcsrOf(rc, ftz, daz);
    const ref = refArith(op, a, b, fmt, { rc, ftz, masks: 0x3f }, daz);
    const what = describe(op, fmt, a, b, mx);
    assert.equal(runScalar(e, op, fmt, a, b, mx), NO_FAULT, what);
    const got = fmt.bits === 32 ? e.f32(1)[0] : e.f64(1)[0];
    if (Number.isNaN(ref.value)) {
      const hi = fmt.bits === 32 ? e.u32(1)[0] : e.u32(1)[1];
      assert.equal(hi, fmt.bits === 32 ? 0xffc00000 : 0xfff80000, `${what}: default NaN`);
    } else {
      assert.ok(Object.is(got, ref.value), `${what}: got ${got}, want ${ref.value}`);
    }
    assert.equal(e.mxcsr & 0x3f, ref.flags, `${what}: flags`);
    // The other lanes are untouched by scalar forms.
    if (fmt.bits === 32) assert.deepEqual(e.f32(1).slice(1), [7, 7, 7]);
    else assert.equal(e.f64(1)[1], 7);
  }
}

// SEED and COUNT in the environment rerun these with other operands, or many more
// (COUNT=40000 takes a few seconds per test).
test("scalar single arithmetic matches the rational reference (all RC, FTZ, DAZ)", () => {
  checkAgainstReference(
    SINGLE,
    Number(process.env.SEED ?? 0x5eed1),
    Number(process.env.COUNT ?? 2500),
  );
});

test("scalar double arithmetic matches the rational reference (all RC, FTZ, DAZ)", () => {
  checkAgainstReference(
    DOUBLE,
    Number(process.env.SEED ?? 0x5eed2),
    Number(process.env.COUNT ?? 2500),
  );
});

test("hand-picked rounding cases: ties to even, directed rounding, overflow, underflow", () => {
  const e = new SseEnv();
  const cases: [RefOp, Format, number, number, number][] = [
    ["add", SINGLE, 1, 2 ** -24, 0], // exact tie: stays at 1 (even)
    ["add", SINGLE, 1 + 2 ** -23, 2 ** -24, 0], // tie: rounds up to even
    ["add", DOUBLE, 1, 2 ** -53, 2], // RU: next up
    ["sub", DOUBLE, 1, 2 ** -60, 3], // RZ: just below 1
    ["mul", SINGLE, 2 ** 127, 2, 3], // overflow, RZ: max finite
    ["mul", DOUBLE, 2 ** 1023, -2, 2], // overflow negative, RU: -max
    ["div", SINGLE, 2 ** -126, 3, 0], // tiny and inexact: UE|PE
    ["mul", DOUBLE, 2 ** -1000, 2 ** -74, 0], // exact denormal: no flags
    ["sqrt", DOUBLE, 2, 0, 1],
    ["sub", SINGLE, 5, 5, 1], // exact zero, RD: -0
  ];
  for (const [op, fmt, a, b, rc] of cases) {
    for (const ftz of [false, true]) {
      const mx = mxcsrOf(rc, ftz, false);
      const ref = refArith(op, a, b, fmt, { rc, ftz, masks: 0x3f }, false);
      runScalar(e, op, fmt, a, b, mx);
      const got = fmt.bits === 32 ? e.f32(1)[0] : e.f64(1)[0];
      const what = describe(op, fmt, a, b, mx);
      assert.ok(Object.is(got, ref.value), `${what}: ${got} vs ${ref.value}`);
      assert.equal(e.mxcsr & 0x3f, ref.flags, what);
    }
  }
  // Spot values that do not depend on the reference.
  runScalar(e, "add", SINGLE, 1, 2 ** -24, mxcsrOf(2, false, false));
  assert.equal(e.f32(1)[0], 1 + 2 ** -23);
  assert.equal(e.mxcsr & 0x3f, PE);
  runScalar(e, "mul", DOUBLE, 2 ** -1022, 0.5, mxcsrOf(0, true, false));
  assert.ok(Object.is(e.f64(1)[0], 0), "FTZ flushes the exact denormal 2^-1023");
  assert.equal(e.mxcsr & 0x3f, 0x30);
  runScalar(e, "mul", DOUBLE, 2 ** -1022, 0.5, mxcsrOf(0, false, true));
  assert.equal(e.f64(1)[0], 2 ** -1023, "DAZ does not flush results");
  runScalar(e, "add", SINGLE, 1e-45, 0, mxcsrOf(0, false, true));
  assert.ok(Object.is(e.f32(1)[0], 0), "DAZ reads the denormal as zero");
  assert.equal(e.mxcsr & 0x3f, 0, "no DE with DAZ");
});

test("unmasked exceptions: #XM with OSXMMEXCPT, #UD without, destination unchanged", () => {
  const e = new SseEnv();
  // 1/0 with ZE unmasked: #XM, only ZE recorded.
  assert.equal(runScalar(e, "div", DOUBLE, 1, 0, mxcsrOf(0, false, false, 0x3f & ~ZE)), 19);
  assert.equal(e.f64(1)[0], 1);
  assert.equal(e.mxcsr & 0x3f, ZE);
  // Without CR4.OSXMMEXCPT the same is #UD.
  e.cpu.cr4 &= ~CR4_OSXMMEXCPT;
  assert.equal(runScalar(e, "div", DOUBLE, 1, 0, mxcsrOf(0, false, false, 0x3f & ~ZE)), 6);
  e.cpu.cr4 |= CR4_OSXMMEXCPT;
  // Unmasked PE: the inexact result is not written.
  assert.equal(runScalar(e, "div", SINGLE, 1, 3, mxcsrOf(0, false, false, 0x3f & ~PE)), 19);
  assert.equal(e.f32(1)[0], 1);
  assert.equal(e.mxcsr & 0x3f, PE);
  // Unmasked UE: raised even for an exact tiny result.
  assert.equal(runScalar(e, "mul", SINGLE, 2 ** -126, 0.5, mxcsrOf(0, false, false, 0x2f)), 19);
  assert.equal(e.mxcsr & 0x3f, 0x10);
  // Packed: an unmasked pre-computation exception in one lane stops all lanes;
  // masked pre-computation flags of other lanes are recorded, post ones are not.
  e.setF32(1, [1, 1, 0, 2 ** -140]);
  e.setF32(2, [3, 0, 0, 1]);
  e.mxcsr = mxcsrOf(0, false, false, 0x3f & ~ZE);
  assert.equal(e.run([0x0f, 0x5e, ...rr(1, 2)]), 19);
  assert.equal(e.mxcsr & 0x3f, ZE | IE | 2, "ZE, IE (0/0) and DE; no PE from 1/3");
  assert.deepEqual(e.f32(1), [1, 1, 0, Math.fround(2 ** -140)]);
  // Random masks against the reference and the pre/post rule.
  const rng = new Rng(77);
  for (let i = 0; i < 600; i++) {
    const fmt = i % 2 === 0 ? SINGLE : DOUBLE;
    const op = OPS[rng.int(OPS.length)];
    const a = randomValue(rng, fmt);
    const b = relatedValue(rng, fmt, a, op);
    const masks = rng.u32() & 0x3f;
    const rc = rng.int(4);
    const ref = refArith(op, a, b, fmt, { rc, ftz: false, masks }, false);
    const pre = ref.flags & 7;
    const expectFault = (ref.flags & ~masks & 0x3f) !== 0;
    const expectFlags = (pre & ~masks) !== 0 ? pre : ref.flags;
    const v = runScalar(e, op, fmt, a, b, mxcsrOf(rc, false, false, masks));
    const what = describe(op, fmt, a, b, masks);
    assert.equal(v, expectFault ? 19 : NO_FAULT, what);
    assert.equal(e.mxcsr & 0x3f, expectFlags, what);
    if (expectFault && op !== "sqrt") {
      assert.equal(fmt.bits === 32 ? e.f32(1)[0] : e.f64(1)[0], a, what);
    }
  }
});

test("packed forms compute every lane; aligned m128 required", () => {
  const e = new SseEnv();
  e.setF32(1, [1, 2, 3, 4]);
  e.setF32(2, [10, 20, 30, 40]);
  e.mxcsr = 0x1f80;
  e.exec([0x0f, 0x59, ...rr(1, 2)]); // mulps
  assert.deepEqual(e.f32(1), [10, 40, 90, 160]);
  e.setF64(3, [1, -8]);
  e.exec([0x66, 0x0f, 0x51, ...rr(3, 3)]); // sqrtpd of itself
  assert.equal(e.f64(3)[0], 1);
  assert.equal(e.u32(3)[3], 0xfff80000, "sqrt(-8) is the default NaN");
  assert.equal(e.mxcsr & 0x3f, IE);
  // Memory operand: aligned works, misaligned is #GP(0).
  const data = new Float64Array([0.5, 0.25]);
  e.poke(DATA, Array.from(new Uint8Array(data.buffer)));
  e.setF64(4, [1, 1]);
  e.exec([0x66, 0x0f, 0x58, ...mem(4, DATA)]); // addpd xmm4, [DATA]
  assert.deepEqual(e.f64(4), [1.5, 1.25]);
  assert.equal(e.run([0x66, 0x0f, 0x58, ...mem(4, DATA + 8)]), 13);
  // Scalar memory operands have no alignment requirement.
  e.exec([0xf2, 0x0f, 0x58, ...mem(4, DATA + 8)]); // addsd xmm4, [DATA+8]
  assert.equal(e.f64(4)[0], 1.75);
});

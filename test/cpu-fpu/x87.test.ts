/**
 * x87 instructions run through the CPU harness (hand-assembled code in flat
 * 32-bit mode, absolute [disp32] operands): arithmetic in every encoding,
 * loads/stores of each format, compares, stack faults, control words,
 * FSTENV/FSAVE/FRSTOR/FXSAVE layouts, and the state-register hooks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CpuHarness } from "../cpu/harness.js";
import { MP_RUNNABLE, RegSet, X87 } from "../../src/hv/registers.js";
import { readFpuRegister } from "../../src/hv/soft/cpu/fpu/registers.js";

const CODE = 0x10000;
const DATA = 0x2000;
const HLT = 0xf4;
let lastCode = CODE;

/** ModRM for [disp32] with the given /reg, followed by the address. */
function mem(reg: number, addr: number): number[] {
  return [(reg << 3) | 5, addr & 0xff, (addr >>> 8) & 0xff, (addr >>> 16) & 0xff, addr >>> 24];
}

function f64(h: CpuHarness, addr: number, v: number): void {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v, true);
  h.poke(addr, new Uint8Array(dv.buffer));
}
function readF64(h: CpuHarness, addr: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 8; i++) dv.setUint8(i, h.read8(addr + i));
  return dv.getFloat64(0, true);
}

let page = 0;
/** Runs `code` + HLT; each run gets a fresh code page (no stale translated blocks). */
function run(h: CpuHarness, code: number[]): void {
  lastCode = CODE + 0x1000 * (page++ % 8);
  h.load(lastCode, [...code, HLT]);
  h.cpu.mpState = MP_RUNNABLE; // wake from the previous run's HLT
  const exit = h.run();
  assert.equal(exit.kind, "hlt", JSON.stringify(exit));
}

const FLD_M64 = (a: number): number[] => [0xdd, ...mem(0, a)];
const FSTP_M64 = (a: number): number[] => [0xdd, ...mem(3, a)];
const FNSTSW_AX = [0xdf, 0xe0];

test("arithmetic: memory, register, reversed and popping encodings", () => {
  const h = CpuHarness.flat32();
  f64(h, DATA, 10);
  f64(h, DATA + 8, 4);
  // Each case: load 10 then 4 (ST0 = 4, ST1 = 10), apply, store ST0.
  const cases: [number[], number][] = [
    [[0xde, 0xc1], 14], // FADDP ST1, ST0
    [[0xde, 0xe9], 6], // FSUBP ST1, ST0: ST1 - ST0 = 10 - 4
    [[0xde, 0xe1], -6], // FSUBRP: ST0 - ST1
    [[0xde, 0xf9], 2.5], // FDIVP: ST1 / ST0
    [[0xde, 0xf1], 0.4], // FDIVRP
    [[0xd8, 0xe1, 0xdd, 0xd9], -6], // FSUB ST0, ST1 (4 - 10); FSTP ST1
    [[0xdc, 0xe9, 0xdd, 0xd8], 6], // FSUB ST1, ST0 (DC E8+i = 10 - 4); FSTP ST0 (pop 4)
    [[0xd8, 0xc9, 0xdd, 0xd9], 40], // FMUL ST0, ST1
    [[0xdc, 0x35, ...mem(0, DATA + 8).slice(1), 0xdd, 0xd9], 1], // FDIV m64 (4/4)
  ];
  for (const [ops, want] of cases) {
    run(h, [0xdb, 0xe3, ...FLD_M64(DATA), ...FLD_M64(DATA + 8), ...ops, ...FSTP_M64(DATA + 16)]);
    assert.equal(readF64(h, DATA + 16), want, ops.map((b) => b.toString(16)).join(" "));
    assert.equal(h.cpu.fpu.top, 0, "stack balanced");
  }
  // Integer memory operands: FIADD m32int, FISUBR m16int.
  h.write32(DATA + 24, 1000);
  h.write16(DATA + 28, 0xfffe); // -2
  run(h, [
    0xdb,
    0xe3,
    ...FLD_M64(DATA),
    0xda,
    ...mem(0, DATA + 24),
    0xde,
    ...mem(5, DATA + 28),
    ...FSTP_M64(DATA + 16),
  ]);
  assert.equal(readF64(h, DATA + 16), -2 - 1010);
});

test("loads and stores of every format, rounding control through FLDCW", () => {
  const h = CpuHarness.flat32();
  f64(h, DATA, 2.5);
  h.write16(DATA + 8, 0x0f7f); // RC = zero? 0x0c00 | masks: use RC=up (0x0800)
  h.write16(DATA + 8, 0x0b7f); // RC = up, PC = 64
  // FLD m64; FIST m16 (nearest: 2); FLDCW; FISTP m32 (up: 3); FLD m64; FCHS; FISTP m64 (up: -2)
  run(h, [
    0xdb, 0xe3,
    ...FLD_M64(DATA), 0xdf, ...mem(2, DATA + 16),
    0xd9, ...mem(5, DATA + 8), 0xdb, ...mem(3, DATA + 20),
    ...FLD_M64(DATA), 0xd9, 0xe0, 0xdf, ...mem(7, DATA + 24),
  ]); // prettier-ignore
  assert.equal(h.read16(DATA + 16), 2);
  assert.equal(h.read32(DATA + 20), 3);
  assert.equal(h.read32(DATA + 24), 0xfffffffe);
  assert.equal(h.read32(DATA + 28), 0xffffffff);
  // m32fp and m80 round trip; FBSTP.
  h.write32(DATA + 32, 0x3fc00000); // 1.5f
  run(h, [
    0xdb, 0xe3,
    0xd9, ...mem(0, DATA + 32), 0xdb, ...mem(7, DATA + 40), // FLD m32; FSTP m80
    0xdb, ...mem(5, DATA + 40), 0xd9, ...mem(3, DATA + 52), // FLD m80; FSTP m32
    0xdf, ...mem(0, DATA + 16), 0xdf, ...mem(6, DATA + 56), // FILD m16 (2); FBSTP
  ]); // prettier-ignore
  assert.equal(h.read32(DATA + 40), 0);
  assert.equal(h.read32(DATA + 44), 0xc0000000);
  assert.equal(h.read16(DATA + 48), 0x3fff);
  assert.equal(h.read32(DATA + 52), 0x3fc00000);
  assert.equal(h.read8(DATA + 56), 2);
  assert.equal(h.cpu.fpu.top, 0);
});

test("compares set C3/C2/C0, FCOMI sets EFLAGS, FXAM classifies", () => {
  const h = CpuHarness.flat32();
  f64(h, DATA, 1);
  f64(h, DATA + 8, 2);
  f64(h, DATA + 16, NaN);
  // ST0 = 1, compare with m64 2: less → C0.
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA), 0xdc, ...mem(2, DATA + 8), ...FNSTSW_AX]);
  assert.equal(h.eax & 0x4500, 0x0100);
  // Equal → C3; FCOMP pops.
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA), 0xdc, ...mem(3, DATA), ...FNSTSW_AX]);
  assert.equal(h.eax & 0x4500, 0x4000);
  assert.equal(h.cpu.fpu.top, 0);
  // FUCOMPP with a NaN: unordered, no IE; FCOMPP: IE.
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA + 16), ...FLD_M64(DATA), 0xda, 0xe9, ...FNSTSW_AX]);
  assert.equal(h.eax & 0x4501, 0x4500);
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA + 16), ...FLD_M64(DATA), 0xde, 0xd9, ...FNSTSW_AX]);
  assert.equal(h.eax & 0x4501, 0x4501);
  // FCOMI ST0(2), ST1(1): greater → ZF=PF=CF=0; FUCOMIP ST0(1),ST1(2): CF.
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA), ...FLD_M64(DATA + 8), 0xdb, 0xf1]);
  assert.equal(h.eflags & 0x45, 0);
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA + 8), ...FLD_M64(DATA), 0xdf, 0xe9]);
  assert.equal(h.eflags & 0x45, 0x01);
  // FXAM: empty (C3|C0), then -0 (C3, C1 = sign), then NaN (C0).
  run(h, [0xdb, 0xe3, 0xd9, 0xe5, ...FNSTSW_AX]);
  assert.equal(h.eax & 0x4700, 0x4100);
  run(h, [0xdb, 0xe3, 0xd9, 0xee, 0xd9, 0xe0, 0xd9, 0xe5, ...FNSTSW_AX]);
  assert.equal(h.eax & 0x4700, 0x4200);
  // FCMOVB: CF from FCOMI (1 < 2) → move.
  run(h, [
    0xdb,
    0xe3,
    ...FLD_M64(DATA + 8),
    ...FLD_M64(DATA),
    0xdb,
    0xf1,
    0xda,
    0xc1,
    ...FSTP_M64(DATA + 24),
  ]);
  assert.equal(readF64(h, DATA + 24), 2);
});

test("stack faults: overflow pushes the indefinite with C1=1, underflow with C1=0", () => {
  const h = CpuHarness.flat32();
  const nine = Array<number[]>(9).fill([0xd9, 0xe8]).flat(); // 9 × FLD1
  run(h, [0xdb, 0xe3, ...nine, ...FNSTSW_AX, ...FSTP_M64(DATA)]);
  assert.equal(h.eax & 0x0241, 0x0241); // C1, SF, IE
  assert.ok(Number.isNaN(readF64(h, DATA)));
  assert.equal(h.read32(DATA + 4), 0xfff80000); // indefinite stored as a double
  run(h, [0xdb, 0xe3, 0xd9, 0xe1, ...FNSTSW_AX]); // FABS on an empty stack
  assert.equal(h.eax & 0x0241, 0x0041);
  // Unmasked IE: the destination is left alone and ES/B are set.
  h.write16(DATA + 8, 0x037e);
  run(h, [0xdb, 0xe3, 0xd9, ...mem(5, DATA + 8), 0xd9, 0xe1, 0xdf, 0xe0]);
  assert.equal(h.eax & 0x80c1, 0x80c1);
});

test("FNSTENV/FLDENV, FNSAVE/FRSTOR and FXSAVE/FXRSTOR images", () => {
  const h = CpuHarness.flat32();
  f64(h, DATA, 3);
  // FLD1; FLD m64 (3); FLDZ; FNSAVE [DATA+0x100]
  run(h, [0xdb, 0xe3, 0xd9, 0xe8, ...FLD_M64(DATA), 0xd9, 0xee, 0xdd, ...mem(6, DATA + 0x100)]);
  const s = DATA + 0x100;
  assert.equal(h.read16(s), 0x037f); // FCW
  assert.equal((h.read16(s + 4) >> 11) & 7, 5); // TOP
  // Tags: R5 = 0 (zero), R6 = 3.0 (valid), R7 = 1.0 (valid), others empty.
  assert.equal(h.read16(s + 8), 0x07ff);
  assert.equal(h.read32(s + 12), lastCode + 10); // FIP: the FLDZ
  assert.equal(h.read16(s + 16), 0x08); // FCS
  assert.equal(h.read16(s + 18), 0x1ee); // FOP of FLDZ (D9 EE): low 3 bits of D9, then EE
  assert.equal(h.read32(s + 20), DATA); // FDP of the FLD m64
  assert.equal(h.read16(s + 24), 0x10); // FDS
  assert.equal(h.read16(s + 28 + 8), 0); // ST0 = +0
  assert.equal(h.read16(s + 38 + 8), 0x4000); // ST1 = 3.0
  assert.equal(h.read16(s + 48 + 8), 0x3fff); // ST2 = 1.0
  assert.equal(h.cpu.fpu.emptyMask, 0xff, "FNSAVE reinitializes");
  // FRSTOR brings it all back; FADDP twice gives 4.
  run(h, [0xdd, ...mem(4, s), 0xde, 0xc1, 0xde, 0xc1, ...FSTP_M64(DATA + 8)]);
  assert.equal(readF64(h, DATA + 8), 4);
  // FXSAVE: abridged tag byte and ST(i) at 32 + 16i.
  run(h, [0xdb, 0xe3, 0xd9, 0xe8, 0x0f, 0xae, ...mem(0, DATA + 0x200)]);
  const x = DATA + 0x200;
  assert.equal(h.read16(x), 0x037f);
  assert.equal(h.read8(x + 4), 0x80); // R7 valid
  assert.equal(h.read32(x + 24), 0x1f80); // MXCSR
  assert.equal(h.read16(x + 32 + 8), 0x3fff);
  run(h, [0xdb, 0xe3, 0x0f, 0xae, ...mem(1, x), ...FSTP_M64(DATA + 8)]);
  assert.equal(readF64(h, DATA + 8), 1);
  // Misaligned FXSAVE is #GP: not a hlt (protected-mode delivery belongs to the sys code).
  h.load(CODE, [0x0f, 0xae, ...mem(0, DATA + 0x208), HLT]);
  h.cpu.mpState = MP_RUNNABLE;
  assert.notEqual(h.run().kind, "hlt");
});

test("16-bit protected-mode FNSTENV (operand-size prefix) and FLDENV", () => {
  const h = CpuHarness.flat32();
  f64(h, DATA, 5);
  // FNINIT; FLD m64; o16 FNSTENV [DATA+0x40]
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA), 0x66, 0xd9, ...mem(6, DATA + 0x40)]);
  const e = DATA + 0x40;
  assert.equal(h.read16(e), 0x037f);
  assert.equal(h.read16(e + 2), 0x3800); // TOP = 7
  assert.equal(h.read16(e + 4), 0x3fff); // R7 valid
  assert.equal(h.read16(e + 6), (lastCode + 2) & 0xffff); // FIP of the FLD
  assert.equal(h.read16(e + 8), 0x08); // FCS
  assert.equal(h.read16(e + 10), DATA); // FDP
  assert.equal(h.read16(e + 12), 0x10); // FDS
  assert.equal(h.read32(e + 14), 0, "only 14 bytes written");
  // o16 FLDENV restores TOP and tags: FSTP then gives back 5.
  run(h, [0xdb, 0xe3, 0x66, 0xd9, ...mem(4, e), ...FSTP_M64(DATA + 8)]);
  assert.equal(readF64(h, DATA + 8), 5); // FNINIT only emptied the tags; R7 still holds 5
  assert.equal(h.cpu.fpu.top, 0);
});

test("transcendentals and FSQRT through the instructions", () => {
  const h = CpuHarness.flat32();
  f64(h, DATA, 2);
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA), 0xd9, 0xfa, ...FSTP_M64(DATA + 8)]);
  assert.equal(readF64(h, DATA + 8), Math.SQRT2);
  run(h, [0xdb, 0xe3, 0xd9, 0xeb, 0xd9, 0xfe, ...FSTP_M64(DATA + 8)]); // sin(π80)
  assert.ok(Math.abs(readF64(h, DATA + 8)) < 1e-18);
  run(h, [0xdb, 0xe3, ...FLD_M64(DATA), 0xd9, 0xfb, ...FSTP_M64(DATA + 8), ...FSTP_M64(DATA + 16)]);
  assert.equal(readF64(h, DATA + 8), Math.cos(2));
  assert.equal(readF64(h, DATA + 16), Math.sin(2));
  // FLD1; FLD m64 (2); FYL2X: 1·log2(2) = 1. FPTAN pushes 1.0.
  run(h, [0xdb, 0xe3, 0xd9, 0xe8, ...FLD_M64(DATA), 0xd9, 0xf1, ...FSTP_M64(DATA + 8)]);
  assert.equal(readF64(h, DATA + 8), 1);
  run(h, [0xdb, 0xe3, 0xd9, 0xee, 0xd9, 0xf2, ...FSTP_M64(DATA + 8), ...FSTP_M64(DATA + 16)]);
  assert.equal(readF64(h, DATA + 8), 1);
  assert.equal(readF64(h, DATA + 16), 0);
  // FPREM: 10 rem 4 = 2, quotient 2 → C3 (Q1).
  f64(h, DATA + 24, 10);
  f64(h, DATA + 32, 4);
  run(h, [
    0xdb,
    0xe3,
    ...FLD_M64(DATA + 32),
    ...FLD_M64(DATA + 24),
    0xd9,
    0xf8,
    ...FNSTSW_AX,
    ...FSTP_M64(DATA + 8),
  ]);
  assert.equal(readF64(h, DATA + 8), 2);
  assert.equal(h.eax & 0x4700, 0x4000);
});

test("register hooks expose the x87 state", () => {
  const h = CpuHarness.flat32();
  run(h, [0xdb, 0xe3, 0xd9, 0xe8]);
  const f = h.cpu.fpu;
  assert.equal(readFpuRegister(f, RegSet.X87, X87.FCW), 0x037fn);
  assert.equal(readFpuRegister(f, RegSet.X87, X87.FSW), 0x3800n); // TOP = 7
  assert.equal(readFpuRegister(f, RegSet.X87, X87.FTW), 0x3fffn); // R7 valid, others empty
  assert.deepEqual(
    Array.from(readFpuRegister(f, RegSet.X87, 7) as Uint8Array),
    [0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f],
  );
});

/**
 * Availability and error reporting (#NM for CR0.EM/TS, #UD for MMX under
 * EM, #MF with CR0.NE = 1, the FERR# callback with NE = 0), the 16-bit
 * real-mode environment layout, and the MMX instructions with their x87
 * aliasing. Real mode, so exceptions go through the IVT to small handlers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CpuHarness } from "../cpu/harness.js";
import { MP_RUNNABLE } from "../../src/hv/registers.js";
import { CR0_EM, CR0_MP, CR0_NE, CR0_TS } from "../../src/hv/soft/cpu/constants.js";
import type { CpuFault } from "../../src/hv/soft/cpu/fault.js";
import { fpuWait } from "../../src/hv/soft/cpu/fpu/index.js";

const HLT = 0xf4;
const DATA = 0x2000;
let page = 0;

/** ModRM for [disp16] with /reg. */
function mem(reg: number, addr: number): number[] {
  return [(reg << 3) | 6, addr & 0xff, addr >>> 8];
}

/** Real-mode harness whose vectors 6, 7 and 16 land on `mov dx, vector; hlt`. */
function realWithHandlers(): CpuHarness {
  const h = CpuHarness.real();
  for (const v of [6, 7, 16]) {
    const at = 0x500 + v * 8;
    h.poke(at, [0xba, v, 0, HLT]);
    h.setIvt(v, 0, at);
  }
  return h;
}

/** Runs code + HLT at a fresh address; returns DX (the vector caught, or what the code left). */
function run(h: CpuHarness, code: number[], dx = 0xffff): number {
  h.edx = dx;
  h.esp = 0x7000;
  h.load(0x8000 + 0x100 * (page++ % 64), [...code, HLT]);
  h.cpu.mpState = MP_RUNNABLE;
  assert.equal(h.run().kind, "hlt");
  return h.edx & 0xffff;
}

test("CR0.EM and CR0.TS: #NM for x87, #UD/#NM for MMX, WAIT only with MP+TS", () => {
  const h = realWithHandlers();
  h.cpu.cr0 |= CR0_TS;
  assert.equal(run(h, [0xd9, 0xe8]), 7); // FLD1
  assert.equal(run(h, [0xdb, 0xe3]), 7); // even FNINIT
  assert.equal(run(h, [0x0f, 0x77]), 7); // EMMS under TS
  h.cpu.cr0 = (h.cpu.cr0 & ~CR0_TS) | CR0_EM;
  assert.equal(run(h, [0xd9, 0xe8]), 7);
  assert.equal(run(h, [0x0f, 0x77]), 6); // MMX under EM: #UD
  h.cpu.cr0 &= ~CR0_EM;
  assert.equal(run(h, [0xdb, 0xe3, 0xd9, 0xe8]), 0xffff);
  // WAIT/FWAIT (the 9B handler calls fpuWait): TS alone passes, TS with MP is #NM.
  const waitVector = (): number => {
    try {
      fpuWait(h.cpu);
      return -1;
    } catch (e) {
      return (e as CpuFault).vector;
    }
  };
  h.cpu.cr0 |= CR0_TS;
  assert.equal(waitVector(), -1);
  h.cpu.cr0 |= CR0_MP;
  assert.equal(waitVector(), 7);
  h.cpu.cr0 &= ~(CR0_TS | CR0_MP);
});

test("unmasked exceptions: #MF at the next waiting instruction (NE=1), FERR# callback (NE=0)", () => {
  const h = realWithHandlers();
  h.write16(DATA, 0x037b); // ZE unmasked
  const divByZero = [0xdb, 0xe3, 0xd9, ...mem(5, DATA), 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9]; // FLD1 FLDZ FDIVP
  h.cpu.cr0 |= CR0_NE;
  // The faulting FDIVP completes (ES set, ST unchanged); FNSTSW does not wait; FLD1 faults.
  assert.equal(run(h, [...divByZero, 0xdd, ...mem(7, DATA + 2), 0xd9, 0xe8]), 16);
  assert.equal(h.read16(DATA + 2) & 0x80ff, 0x8084); // B, ES, ZE
  assert.equal(h.cpu.fpu.top, 6, "no pop on an unmasked ZE");
  // FNCLEX clears it; then FLD1 runs.
  assert.equal(run(h, [0xdb, 0xe2, 0xd9, 0xe8]), 0xffff);
  // NE = 0: no #MF; the platform hears FERR# go up, and down on FNCLEX.
  h.cpu.cr0 &= ~CR0_NE;
  const ferr: boolean[] = [];
  h.cpu.fpu.ferr = (on) => ferr.push(on);
  assert.equal(run(h, [...divByZero, 0xd9, 0xe8, 0xdb, 0xe2]), 0xffff);
  assert.deepEqual(ferr, [true, false]);
  // FLDCW unmasking an already-set flag makes it pending.
  h.cpu.cr0 |= CR0_NE;
  h.write16(DATA + 4, 0x037f);
  const setZeMasked = [0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9]; // masked ZE: flag only
  assert.equal(run(h, [...setZeMasked, 0xd9, ...mem(5, DATA), 0xd9, 0xe8]), 16);
});

test("16-bit real-mode FNSTENV layout and FLDENV round trip", () => {
  const h = realWithHandlers();
  h.write16(DATA, 0x0001);
  h.write16(DATA + 2, 0x0000);
  // FNINIT; FILD m16 [DATA]; FNSTENV [DATA+0x10] (o16)
  const code = [0xdb, 0xe3, 0xdf, ...mem(0, DATA), 0xd9, ...mem(6, DATA + 0x10)];
  run(h, code);
  const e = DATA + 0x10;
  const codeAt = 0x8000 + 0x100 * (page - 1);
  assert.equal(h.read16(e), 0x037f);
  assert.equal((h.read16(e + 2) >> 11) & 7, 7);
  assert.equal(h.read16(e + 4), 0x3fff);
  assert.equal(h.read16(e + 6), (codeAt + 2) & 0xffff); // FIP[15:0] of FILD
  assert.equal(h.read16(e + 8), 0x706); // FOP: DF 06 → 7 06
  assert.equal(h.read16(e + 10), DATA); // FDP[15:0]
  assert.equal(h.cpu.fpu.fcw & 0x3f, 0x3f);
  // Change the control word, then FLDENV brings the old one back.
  h.write16(DATA + 4, 0x0c7f);
  run(h, [0xd9, ...mem(5, DATA + 4), 0xd9, ...mem(4, e)]);
  assert.equal(h.cpu.fpu.fcw, 0x037f);
  assert.equal(h.cpu.fpu.top, 7);
});

test("MMX arithmetic, shifts, packs, and the x87 aliasing", () => {
  const h = realWithHandlers();
  const q = (addr: number, lo: number, hi: number): void => {
    h.write32(addr, lo);
    h.write32(addr + 4, hi);
  };
  const mm = (n: number): [number, number] => [h.cpu.fpu.regs[n].lo, h.cpu.fpu.regs[n].hi];
  q(DATA, 0x80ff7f01, 0x0102fffe);
  q(DATA + 8, 0x80017f02, 0x01020003);
  const MOVQ_MM0 = [0x0f, 0x6f, ...mem(0, DATA)];
  const cases: [number[], [number, number]][] = [
    [
      [0x0f, 0xfc, ...mem(0, DATA + 8)],
      [0x0000fe03, 0x0204ff01],
    ], // PADDB (wraps)
    [
      [0x0f, 0xec, ...mem(0, DATA + 8)],
      [0x80007f03, 0x0204ff01],
    ], // PADDSB
    [
      [0x0f, 0xdc, ...mem(0, DATA + 8)],
      [0xfffffe03, 0x0204ffff],
    ], // PADDUSB
    [
      [0x0f, 0xd8, ...mem(0, DATA + 8)],
      [0x00fe0000, 0x0000fffb],
    ], // PSUBUSB
    [
      [0x0f, 0x75, ...mem(0, DATA + 8)],
      [0x00000000, 0xffff0000],
    ], // PCMPEQW
    [
      [0x0f, 0x65, ...mem(0, DATA + 8)],
      [0xffff0000, 0x00000000],
    ], // PCMPGTW (signed)
    [
      [0x0f, 0xd5, ...mem(0, DATA + 8)],
      [0x00ff7d02, 0x0404fffa],
    ], // PMULLW
    [
      [0x0f, 0xe5, ...mem(0, DATA + 8)],
      [0x3f803f02, 0x0001ffff],
    ], // PMULHW
    [
      [0x0f, 0xf5, ...mem(0, DATA + 8)],
      [0x7e827e01, 0x000103fe],
    ], // PMADDWD
    [
      [0x0f, 0xdf, ...mem(0, DATA + 8)],
      [0x00000002, 0x00000001],
    ], // PANDN
    [
      [0x0f, 0x71, 0xd0, 4],
      [0x080f07f0, 0x00100fff],
    ], // PSRLW mm0, 4
    [
      [0x0f, 0x72, 0xe0, 8],
      [0xff80ff7f, 0x000102ff],
    ], // PSRAD mm0, 8
    [
      [0x0f, 0x73, 0xf0, 12],
      [0xf7f01000, 0x2fffe80f],
    ], // PSLLQ mm0, 12
    [
      [0x0f, 0x63, ...mem(0, DATA + 8)],
      [0x7ffe807f, 0x7f03807f],
    ], // PACKSSWB
    [
      [0x0f, 0x60, ...mem(0, DATA + 8)],
      [0x7f7f0201, 0x808001ff],
    ], // PUNPCKLBW (m32)
    [
      [0x0f, 0x6a, ...mem(0, DATA + 8)],
      [0x0102fffe, 0x01020003],
    ], // PUNPCKHDQ
  ];
  // Expected lanes computed independently (a per-lane model outside this code base).
  for (const [ops, want] of cases) {
    run(h, [...MOVQ_MM0, ...ops]);
    assert.deepEqual(
      mm(0).map((v) => v >>> 0),
      want.map((v) => v >>> 0),
      ops.map((b) => b.toString(16)).join(" "),
    );
  }
  // Aliasing: after an MMX instruction TOP = 0, all tags valid, exponent all ones.
  run(h, [0xdb, 0xe3, 0xd9, 0xe8, ...MOVQ_MM0]);
  const f = h.cpu.fpu;
  assert.equal(f.top, 0);
  assert.equal(f.emptyMask, 0, "all registers valid");
  assert.equal(f.regs[0].se, 0xffff);
  // MOVD to a GPR and to memory; EMMS empties the tags.
  run(h, [...MOVQ_MM0, 0x0f, 0x7e, 0xc1, 0x0f, 0x7f, ...mem(0, DATA + 16), 0x0f, 0x77]);
  assert.equal(h.ecx, 0x80ff7f01);
  assert.equal(h.read32(DATA + 20), 0x0102fffe);
  assert.equal(f.emptyMask, 0xff);
});

test("EMMS empties every tag and sets TOP to 0 (SDM vol. 3, 12.2, table 12-2)", () => {
  const h = realWithHandlers();
  // FNINIT; FLD1; FLD1 (TOP = 6); then EMMS.
  run(h, [0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xe8]);
  assert.equal(h.cpu.fpu.top, 6);
  run(h, [0x0f, 0x77]);
  assert.equal(h.cpu.fpu.top, 0);
  assert.equal(h.cpu.fpu.statusWord() & 0x3800, 0, "TOP field of FSW");
  assert.equal(h.cpu.fpu.emptyMask, 0xff);
});

/**
 * The XSAVE feature set for x87 and SSE state: XGETBV/XSETBV (#UD without
 * CR4.OSXSAVE, #GP rules), XSAVE/XSAVEOPT (legacy region identical to
 * FXSAVE, XSTATE_BV = XINUSE), XRSTOR (round trip, initialisation of
 * components absent from XSTATE_BV, header and MXCSR checks, nothing
 * changed on a fault), XSAVEC and the compacted XRSTOR.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_FAULT, SseEnv, le32, mem, rr } from "./env.js";
import { Rng } from "./gen.js";
import { CR0_TS, CR4_OSXSAVE } from "../../src/hv/soft/cpu/constants.js";

const UD = 6;
const NM = 7;
const GP = 13;
const AREA = 0x9000; // 64-byte aligned
const AREA2 = 0xa000;
const XGETBV = [0x0f, 0x01, 0xd0];
const XSETBV = [0x0f, 0x01, 0xd1];
const xsave = (at: number) => [0x0f, 0xae, ...mem(4, at)];
const xsaveopt = (at: number) => [0x0f, 0xae, ...mem(6, at)];
const xrstor = (at: number) => [0x0f, 0xae, ...mem(5, at)];
const xsavec = (at: number) => [0x0f, 0xc7, ...mem(4, at)];
const fxsave = (at: number) => [0x0f, 0xae, ...mem(0, at)];

function env(): SseEnv {
  const e = new SseEnv();
  e.cpu.cr4 |= CR4_OSXSAVE;
  e.h.ecx = 0;
  e.h.edx = 0;
  e.h.eax = 3;
  e.exec(XSETBV);
  return e;
}

/** Puts recognisable non-initial state in the x87 and SSE registers. */
function scribble(e: SseEnv, rng: Rng): void {
  for (let n = 0; n < 8; n++) e.setU32(n, [rng.u32(), rng.u32(), rng.u32(), rng.u32()]);
  const f = e.cpu.fpu;
  f.setControlWord(0x027f);
  f.top = 5;
  f.emptyMask = 0x3c;
  for (const r of f.regs) r.set(0x3fff + rng.int(9), (rng.u32() | 0x80000000) >>> 0, rng.u32());
  f.fop = 0x123;
  f.fip = 0x4567;
  f.fcs = 8;
  f.fdp = 0x89ab;
  f.fds = 0x10;
  e.mxcsr = 0x9fc0 | (rng.int(4) << 13);
}

const rdEdxEax = (e: SseEnv, eax: number) => {
  e.h.eax = eax;
  e.h.edx = 0;
};

test("XGETBV/XSETBV: #UD without OSXSAVE, valid XCR0 values only, CPL 0 only", () => {
  const e = new SseEnv();
  assert.equal(e.run(XGETBV), UD);
  assert.equal(e.run(XSETBV), UD);
  assert.equal(e.run(xsave(AREA)), UD);
  e.cpu.cr4 |= CR4_OSXSAVE;
  e.h.ecx = 0;
  e.exec(XGETBV);
  assert.deepEqual([e.h.eax, e.h.edx], [1, 0], "XCR0 resets to x87 only");
  for (const [eax, edx, ecx] of [
    [0, 0, 0],
    [2, 0, 0],
    [5, 0, 0],
    [7, 0, 0],
    [3, 1, 0],
    [3, 0, 1],
  ]) {
    e.h.eax = eax;
    e.h.edx = edx;
    e.h.ecx = ecx;
    assert.equal(e.run(XSETBV), GP, `xsetbv ${eax} ${edx} ${ecx}`);
  }
  e.h.ecx = 1;
  assert.equal(e.run(XGETBV), GP, "XGETBV with ECX = 1 is not enumerated");
  e.h.eax = 3;
  e.h.edx = 0;
  e.h.ecx = 0;
  e.exec(XSETBV);
  assert.equal(e.cpu.xcr0, 3);
  const u = new SseEnv({ user: true });
  u.cpu.cr4 |= CR4_OSXSAVE;
  u.h.eax = 3;
  u.h.ecx = 0;
  u.h.edx = 0;
  assert.equal(u.run(XSETBV), GP, "CPL 3");
  u.h.ecx = 0;
  assert.equal(u.run(XGETBV), NO_FAULT, "XGETBV works at any CPL");
});

test("XSAVE writes the FXSAVE legacy layout and XSTATE_BV = XINUSE; XSAVEOPT too", () => {
  const e = env();
  const rng = new Rng(9);
  scribble(e, rng);
  e.poke(AREA, new Array(576).fill(0xcc));
  e.poke(AREA2, new Array(512).fill(0xcc));
  rdEdxEax(e, 0xffffffff);
  e.exec(xsave(AREA));
  e.exec(fxsave(AREA2));
  assert.deepEqual(e.peek(AREA, 288), e.peek(AREA2, 288), "x87 + MXCSR + XMM0-7 as FXSAVE");
  assert.deepEqual(
    e.peek(AREA + 288, 8),
    new Array(8).fill(0xcc),
    "XMM8-15 untouched outside 64-bit mode",
  );
  assert.deepEqual(
    e.peek(AREA + 512, 8),
    [0xcf, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc],
    "RFBM bits set",
  );
  assert.deepEqual(e.peek(AREA + 520, 8), new Array(8).fill(0xcc), "XCOMP_BV not written");
  // RFBM limits what is written; XSTATE_BV bits outside it keep their value.
  e.poke(AREA2, new Array(576).fill(0));
  e.write32(AREA2 + 512, 0xf0);
  rdEdxEax(e, 2);
  e.exec(xsaveopt(AREA2));
  assert.deepEqual(e.peek(AREA2, 24), new Array(24).fill(0), "x87 part not saved");
  assert.equal(e.read32(AREA2 + 24), e.mxcsr);
  assert.equal(e.read32(AREA2 + 28), 0xffff, "MXCSR_MASK");
  assert.deepEqual(e.peek(AREA2 + 160, 16), e.bytes(0));
  assert.equal(e.read32(AREA2 + 512), 0xf2);
  // Initial state: XINUSE = 0.
  const f = e.cpu.fpu;
  f.setControlWord(0x37f);
  f.setStatusWord(0);
  f.emptyMask = 0xff;
  f.fop = f.fip = f.fcs = f.fdp = f.fds = 0;
  for (const r of f.regs) r.set(0, 0, 0);
  for (let n = 0; n < 16; n++) e.setU32(n, [0, 0, 0, 0]);
  e.mxcsr = 0x1f80;
  rdEdxEax(e, 3);
  e.exec(xsave(AREA2));
  assert.equal(e.read32(AREA2 + 512), 0xf0);
});

test("XRSTOR restores what XSAVE saved and initialises components absent from XSTATE_BV", () => {
  const e = env();
  const rng = new Rng(10);
  scribble(e, rng);
  rdEdxEax(e, 3);
  e.poke(AREA, new Array(576).fill(0));
  e.exec(xsave(AREA));
  const saved = e.peek(AREA, 576);
  scribble(e, rng);
  e.exec(xrstor(AREA));
  e.poke(AREA2, new Array(576).fill(0));
  e.exec(xsave(AREA2));
  assert.deepEqual(e.peek(AREA2, 576), saved, "round trip");
  // XSTATE_BV = 0: both components initialised, MXCSR still loaded (standard form).
  e.write32(AREA + 512, 0);
  e.write32(AREA + 24, 0x3f80);
  e.exec(xrstor(AREA));
  const f = e.cpu.fpu;
  assert.deepEqual([f.fcw, f.statusWord(), f.emptyMask, f.fip], [0x37f, 0, 0xff, 0]);
  assert.deepEqual(e.u32(3), [0, 0, 0, 0]);
  assert.equal(e.mxcsr, 0x3f80);
  // RFBM = x87 only: the SSE state is left alone.
  scribble(e, rng);
  const xmm = e.u32(2);
  const mx = e.mxcsr;
  rdEdxEax(e, 1);
  e.exec(xrstor(AREA));
  assert.deepEqual(e.u32(2), xmm);
  assert.equal(e.mxcsr, mx);
  assert.equal(f.fcw, 0x37f);
});

test("XRSTOR faults (#GP) on bad headers, reserved MXCSR bits, misalignment; #NM with TS", () => {
  const e = env();
  const rng = new Rng(11);
  scribble(e, rng);
  rdEdxEax(e, 3);
  e.poke(AREA, new Array(576).fill(0));
  e.exec(xsave(AREA));
  const good = e.peek(AREA, 576);
  const state = () => [...e.u32(0), ...e.u32(7), e.mxcsr, e.cpu.fpu.fcw, e.cpu.fpu.top];
  const before = state();
  const corrupt = (off: number, bytes: number[]) => {
    e.poke(AREA, good);
    e.poke(AREA + off, bytes);
    return e.run(xrstor(AREA));
  };
  assert.equal(corrupt(512, [4]), GP, "XSTATE_BV bit not in XCR0");
  assert.equal(corrupt(520, [1]), GP, "XCOMP_BV non-zero in the standard form");
  assert.equal(corrupt(528, [1]), GP, "bytes 23:16 of the header");
  assert.equal(corrupt(24, le32(0x10000)), GP, "reserved MXCSR bit");
  assert.equal(
    corrupt(527, [0x80, 0, 0, 0, 0, 0, 0, 0, 0]),
    GP,
    "compacted, XCOMP_BV[62:0] = 0 but XSTATE_BV = 3",
  );
  assert.deepEqual(state(), before, "nothing changed by the faulting XRSTORs");
  e.poke(AREA, good);
  assert.equal(e.run(xrstor(AREA + 16)), GP, "alignment");
  assert.equal(e.run(xsave(AREA + 32)), GP);
  e.cpu.cr0 |= CR0_TS;
  assert.equal(e.run(xrstor(AREA)), NM);
  assert.equal(e.run(xsave(AREA)), NM);
  e.cpu.cr0 &= ~CR0_TS;
  assert.equal(e.run(xrstor(AREA)), NO_FAULT);
});

test("XSAVEC uses the compacted header and the init optimization; compacted XRSTOR", () => {
  const e = env();
  const rng = new Rng(12);
  scribble(e, rng);
  for (let n = 0; n < 8; n++) e.setU32(n, [0, 0, 0, 0]);
  e.mxcsr = 0x1f80; // SSE component in its initial configuration
  e.poke(AREA, new Array(576).fill(0xcc));
  rdEdxEax(e, 3);
  e.exec(xsavec(AREA));
  assert.deepEqual(e.peek(AREA + 512, 16), [1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0x80]);
  assert.deepEqual(e.peek(AREA + 24, 4), [0xcc, 0xcc, 0xcc, 0xcc], "SSE not saved");
  assert.deepEqual(e.peek(AREA + 160, 4), [0xcc, 0xcc, 0xcc, 0xcc]);
  const x87 = e.peek(AREA, 24);
  // Restore into scribbled state: x87 loaded, SSE initialised (MXCSR = 1F80h).
  e.poke(AREA + 528, new Array(48).fill(0));
  scribble(e, rng);
  e.exec(xrstor(AREA));
  assert.deepEqual(e.u32(5), [0, 0, 0, 0]);
  assert.equal(e.mxcsr, 0x1f80);
  e.exec(fxsave(AREA2));
  assert.deepEqual(e.peek(AREA2, 24), x87);
  // Compacted: XSTATE_BV must be a subset of XCOMP_BV.
  e.write32(AREA + 520, 1);
  e.write32(AREA + 512, 3);
  assert.equal(e.run(xrstor(AREA)), GP);
  // An MMX/SSE mix in use is saved by XSAVEC and restored.
  e.setU32(6, [1, 2, 3, 4]);
  e.exec(xsavec(AREA));
  assert.equal(e.read32(AREA + 512), 3);
  e.setU32(6, [0, 0, 0, 0]);
  e.exec(xrstor(AREA));
  assert.deepEqual(e.u32(6), [1, 2, 3, 4]);
  assert.equal(e.run([0x0f, 0xc7, ...rr(4, 0)]), UD, "register form of 0F C7 /4");
});

test("MOV CR4 enables OSFXSR/OSXMMEXCPT/OSXSAVE; CPUID.1:ECX.OSXSAVE follows CR4", () => {
  const e = new SseEnv();
  e.cpu.cr4 = 0;
  e.exec([
    ...[0x0f, 0x20, 0xe0], // mov eax, cr4
    ...[0x0d, ...le32(0x40600)], // or eax, OSFXSR | OSXMMEXCPT | OSXSAVE
    ...[0x0f, 0x22, 0xe0], // mov cr4, eax
    ...[0xb8, ...le32(1)], // mov eax, 1
    ...[0x0f, 0xa2], // cpuid
  ]);
  assert.equal(e.cpu.cr4 & 0x40600, 0x40600);
  assert.equal((e.h.ecx >>> 27) & 1, 1, "OSXSAVE mirrored");
  e.cpu.cr4 &= ~CR4_OSXSAVE;
  e.exec([0xb8, ...le32(1), 0x0f, 0xa2]);
  assert.equal((e.h.ecx >>> 27) & 1, 0);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CR0_MP,
  CR0_PE,
  CR0_TS,
  IF,
  SEG_CS,
  SEG_DS,
  SEG_LDTR,
  SEG_SS,
  SEG_TR,
  VEC_DB,
  VEC_GP,
  VEC_UD,
  ZF,
} from "../../src/hv/soft/cpu/constants.js";
import {
  ACC_DATA,
  ACC_TSS32,
  CODE,
  CODE0,
  CODE3,
  DATA0,
  DATA3,
  descriptor,
  gate,
  GDT,
  HLT,
  le32,
  marker,
  movAx,
  movEax,
  movEbx,
  movEcx,
  movEdx,
  movSregAx,
  PmEnv,
  TSS_SEL,
} from "./pm-env.js";

const MOV_CR4_EAX = [0x0f, 0x22, 0xe0];
const MOV_CR0_EAX = [0x0f, 0x22, 0xc0];
const PUSHFD_POP_ECX = [0x9c, 0x59];
const WRMSR = [0x0f, 0x30];

test("MOV CR4 accepts PSE/PAE/PGE and refuses VME (not advertised) with #GP(0)", () => {
  const env = new PmEnv();
  env.run([...movEax(0xb0), ...MOV_CR4_EAX, ...movEax(1), ...MOV_CR4_EAX]);
  assert.equal(env.h.cpu.cr4, 0xb0);
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0);
});

test("MOV CR0 with PG but no PE raises #GP(0); MOV CR1 is #UD; ring 3 gets #GP(0)", () => {
  let env = new PmEnv();
  env.run([...movEax(0x80000000), ...MOV_CR0_EAX]);
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.h.cpu.cr0 & CR0_PE, CR0_PE);
  env = new PmEnv();
  env.run([0x0f, 0x22, 0xc8]); // mov cr1, eax
  assert.equal(env.h.eax, marker(VEC_UD));
  env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(user, [0x0f, 0x20, 0xc0]); // mov eax, cr0
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), user);
});

test("MOV DR: DR4 aliases DR6 unless CR4.DE (#UD); DR7.GD raises #DB with DR6.BD", () => {
  let env = new PmEnv();
  env.run([0x0f, 0x21, 0xe3, ...movEax(8), ...MOV_CR4_EAX, 0x0f, 0x21, 0xe0]); // mov ebx, dr4; DE; mov eax, dr4
  assert.equal(env.h.ebx, 0xffff0ff0, "DR4 read DR6");
  assert.equal(env.h.eax, marker(VEC_UD));
  env = new PmEnv();
  // mov eax, 2000h; mov dr7, eax; mov eax, dr0 → #DB
  env.run([...movEax(0x2000), 0x0f, 0x23, 0xf8, 0x0f, 0x21, 0xc0]);
  assert.equal(env.h.eax, marker(VEC_DB));
  assert.equal(env.stack(0), CODE + 8, "#DB is a fault on the MOV DR");
  assert.equal(env.h.cpu.dr[6] & 0x2000, 0x2000, "DR6.BD");
  assert.equal(env.h.cpu.dr[7] & 0x2000, 0, "GD cleared for the handler");
});

test("LGDT/SGDT and LIDT/SIDT round-trip; LGDT at ring 3 raises #GP(0)", () => {
  let env = new PmEnv();
  env.h.poke(0x600, [0x57, 0x00, ...le32(0x123456)]);
  // sgdt [700h]; lidt [600h]; sidt [708h]; lgdt [700h]
  env.run([
    ...[0x0f, 0x01, 0x05, ...le32(0x700)],
    ...[0x0f, 0x01, 0x1d, ...le32(0x600)],
    ...[0x0f, 0x01, 0x0d, ...le32(0x708)],
    ...[0x0f, 0x01, 0x15, ...le32(0x700)],
    ...HLT,
  ]);
  assert.equal(env.h.read16(0x700), 0x3ff);
  assert.equal(env.h.read32(0x702), GDT);
  assert.equal(env.h.cpu.idtBase, 0x123456);
  assert.equal(env.h.cpu.idtLimit, 0x57);
  assert.equal(env.h.read16(0x708), 0x57);
  assert.equal(env.h.cpu.gdtBase, GDT);
  env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(user, [0x0f, 0x01, 0x15, ...le32(0x700)]);
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
});

test("LMSW sets MP/TS but cannot clear PE; SMSW reads them back", () => {
  const env = new PmEnv();
  // mov eax, 0Ah (MP | TS, PE clear); lmsw ax; smsw ebx
  env.run([...movEax(0xa), 0x0f, 0x01, 0xf0, 0x0f, 0x01, 0xe3, ...HLT]);
  const cr0 = env.h.cpu.cr0;
  assert.equal(cr0 & (CR0_PE | CR0_MP | CR0_TS), CR0_PE | CR0_MP | CR0_TS);
  assert.equal(env.h.ebx, cr0 >>> 0);
});

test("CLTS clears CR0.TS", () => {
  const env = new PmEnv();
  env.h.cpu.cr0 |= CR0_TS;
  env.run([0x0f, 0x06, ...HLT]);
  assert.equal(env.h.cpu.cr0 & CR0_TS, 0);
});

/** Runs `code` then `pushfd; pop ecx; hlt`; returns [eax, ZF]. */
function withZf(code: number[], env = new PmEnv()): [number, number] {
  env.run([...code, ...PUSHFD_POP_ECX, ...HLT]);
  return [env.h.eax, env.h.ecx & ZF];
}

test("LAR and LSL report access rights and limits; invalid selectors clear ZF", () => {
  const lar = (sel: number, env?: PmEnv) =>
    withZf([...movEax(0), ...movEbx(sel), 0x0f, 0x02, 0xc3], env);
  const lsl = (sel: number) => withZf([...movEax(0), ...movEbx(sel), 0x0f, 0x03, 0xc3]);
  assert.deepEqual(lar(DATA0), [0x00c09200, ZF]);
  assert.deepEqual(lsl(DATA0), [0xffffffff, ZF]);
  assert.deepEqual(lar(0), [0, 0], "null selector");
  assert.deepEqual(lar(0x800), [0, 0], "beyond the GDT");
  assert.deepEqual(lsl(TSS_SEL), [0x2068, ZF], "a TSS has a limit");
  const withGate = new PmEnv();
  withGate.setDescriptor(6, gate(CODE0, 0, 12, 0)); // call gate: LAR yes, LSL no
  assert.deepEqual(lar(0x30, withGate), [0x00008c00, ZF]);
  const withIntGate = new PmEnv();
  withIntGate.setDescriptor(6, gate(CODE0, 0, 14, 0)); // an interrupt gate in the GDT: invalid
  assert.deepEqual(lar(0x30, withIntGate), [0, 0]);
});

test("VERR/VERW check readability, writability and privilege", () => {
  const verr = (sel: number) => withZf([...movEbx(sel), 0x0f, 0x00, 0xe3])[1];
  const verw = (sel: number) => withZf([...movEbx(sel), 0x0f, 0x00, 0xeb])[1];
  assert.equal(verr(CODE0), ZF);
  assert.equal(verw(CODE0), 0);
  assert.equal(verw(DATA0), ZF);
  assert.equal(verw(DATA0 | 3), 0, "RPL 3 above DPL 0");
  assert.equal(verr(0), 0);
});

test("ARPL raises the destination RPL and sets ZF only when it changed", () => {
  // mov eax, 10h; mov ebx, 3; arpl ax, bx
  assert.deepEqual(withZf([...movEax(0x10), ...movEbx(3), 0x63, 0xd8]), [0x13, ZF]);
  assert.deepEqual(withZf([...movEax(0x13), ...movEbx(3), 0x63, 0xd8]), [0x13, 0]);
});

test("LLDT loads an LDT that TI=1 selectors then use; SLDT reads it back", () => {
  const env = new PmEnv();
  env.setDescriptor(7, descriptor(0x7000, 0xff, 0x82, 0)); // LDT, selector 0x38
  env.h.poke(0x7008, descriptor(0x12340, 0xffff, ACC_DATA, 0)); // LDT entry 1
  env.run([
    ...movAx(0x38),
    0x0f,
    0x00,
    0xd0, // lldt ax
    ...movAx(0x0c),
    ...movSregAx(3), // ds = LDT 1
    0x0f,
    0x00,
    0xc3, // sldt ebx
    ...HLT,
  ]);
  assert.equal(env.h.cpu.segSel[SEG_LDTR], 0x38);
  assert.equal(env.h.cpu.segBase[SEG_DS], 0x12340);
  assert.equal(env.h.ebx, 0x38);
});

test("LTR marks the TSS busy; LTR of a busy TSS raises #GP(selector)", () => {
  const env = new PmEnv();
  env.setDescriptor(6, descriptor(0x8000, 0x67, ACC_TSS32, 0));
  env.run([...movAx(0x30), 0x0f, 0x00, 0xd8, 0x0f, 0x00, 0xcb, 0x0f, 0x00, 0xd8]); // ltr; str ebx; ltr
  assert.equal(env.h.cpu.segSel[SEG_TR], 0x30);
  assert.equal(env.h.ebx, 0x30);
  assert.equal(env.h.read8(GDT + 6 * 8 + 5), 0x8b);
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0x30);
});

test("0F 00 instructions are #UD in real mode", async () => {
  const { CpuHarness } = await import("../cpu/harness.js");
  const h = CpuHarness.real();
  h.setIvt(VEC_UD, 0, 0x2000);
  h.poke(0x2000, HLT);
  h.load(0x1000, [0x0f, 0x00, 0xc0]); // sldt ax
  h.run();
  assert.equal(h.eip, 0x2001);
});

test("SYSENTER enters ring 0 with flat segments and IF clear; SYSEXIT returns to ring 3", () => {
  const env = new PmEnv();
  const user = CODE + 0x100;
  const kernel = CODE + 0x200;
  const back = CODE + 0x300;
  // WRMSR SYSENTER_CS/ESP/EIP from ring 0, then drop to ring 3.
  const setMsr = (index: number, value: number) => [
    ...movEcx(index),
    ...movEax(value),
    ...movEdx(0),
    ...WRMSR,
  ];
  const setup = [...setMsr(0x174, CODE0), ...setMsr(0x175, 0x7f000), ...setMsr(0x176, kernel)];
  env.h.poke(user, [0x0f, 0x34]); // sysenter
  // kernel: pushfd; pop ebx; mov ecx, 90000h; mov edx, back; sysexit
  env.h.poke(kernel, [0x9c, 0x5b, ...movEcx(0x90000), ...movEdx(back), 0x0f, 0x35]);
  env.h.poke(back, HLT); // HLT at ring 3: #GP, our probe
  env.run([...setup, ...PmEnv.toRing3(user)]);
  assert.equal(env.h.ebx & IF, 0, "SYSENTER cleared IF");
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), back);
  assert.equal(env.stack(2), CODE3, "SYSEXIT CS = SYSENTER_CS + 16, RPL 3");
  assert.equal(env.stack(4), 0x90000, "ESP = ECX");
  assert.equal(env.stack(5), DATA3, "SS = SYSENTER_CS + 24, RPL 3");
  assert.equal(env.h.cpu.segSel[SEG_CS], CODE0);
  assert.equal(env.h.cpu.segSel[SEG_SS], DATA0);
});

test("SYSENTER with SYSENTER_CS = 0 and SYSEXIT at ring 3 raise #GP(0)", () => {
  let env = new PmEnv();
  env.run([0x0f, 0x34]);
  assert.equal(env.h.eax, marker(VEC_GP));
  env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(user, [0x0f, 0x35]);
  env.run([...movEcx(0x174), ...movEax(CODE0), ...movEdx(0), ...WRMSR, ...PmEnv.toRing3(user)]);
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), user);
});

test("CLFLUSH checks the segment limit but never touches device memory", () => {
  let env = new PmEnv();
  env.run([0x0f, 0xae, 0x3d, ...le32(0xf0000000), ...movEax(1), ...HLT]); // clflush [F0000000h] (a hole)
  assert.equal(env.h.eax, 1);
  assert.equal(env.h.io.log.length, 0);
  env = new PmEnv();
  env.setDescriptor(6, descriptor(0, 0xfff, ACC_DATA, 0));
  env.run([...movAx(0x30), ...movSregAx(3), 0x0f, 0xae, 0x3d, ...le32(0x1000)]);
  assert.equal(env.h.eax, marker(VEC_GP));
});

test("LOCK on a system instruction raises #UD", () => {
  const env = new PmEnv();
  env.run([0xf0, 0x0f, 0x01, 0x15, ...le32(0x700)]); // lock lgdt [700h]
  assert.equal(env.h.eax, marker(VEC_UD));
});

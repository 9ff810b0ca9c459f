import assert from "node:assert/strict";
import { test } from "node:test";
import { CR0_TS, NT, SEG_FS, SEG_TR, VEC_DF, VEC_GP } from "../../src/hv/soft/cpu/constants.js";
import {
  ACC_TSS32,
  callFar,
  CODE,
  CODE0,
  DATA0,
  descriptor,
  gate,
  GDT,
  HLT,
  IRETD,
  jmpFar,
  le32,
  marker,
  movEcx,
  PmEnv,
  TSS,
  TSS_SEL,
} from "./pm-env.js";

/** The second task: a 32-bit TSS at 0x8000 (GDT 6, selector 0x30) starting at `entry`. */
const TSS2 = 0x8000;
const TSS2_SEL = 0x30;
const TASK2_STACK = 0x70000;

function twoTasks(entryCode: number[]): PmEnv {
  const env = new PmEnv();
  const entry = CODE + 0x400;
  env.setDescriptor(6, descriptor(TSS2, 0x67, ACC_TSS32, 0));
  const h = env.h;
  h.write32(TSS2 + 32, entry); // EIP
  h.write32(TSS2 + 36, 0x2); // EFLAGS
  h.write32(TSS2 + 40, 0x5555); // EAX
  h.write32(TSS2 + 56, TASK2_STACK); // ESP
  for (let s = 0; s < 6; s++) h.write16(TSS2 + 72 + s * 4, s === 1 ? CODE0 : DATA0);
  h.poke(entry, entryCode);
  return env;
}

/** Access byte (type and P/DPL) of GDT entry `index`. */
function accessByte(env: PmEnv, index: number): number {
  return env.h.read8(GDT + index * 8 + 5);
}

test("JMP to a TSS saves the old task, loads the new one and moves the busy bit", () => {
  const env = twoTasks([0x89, 0xc3, ...HLT]); // mov ebx, eax; hlt
  env.h.eax = 0x1111;
  env.run(jmpFar(TSS2_SEL, 0));
  const cpu = env.h.cpu;
  assert.equal(env.h.ebx, 0x5555, "EAX came from the new TSS");
  assert.equal(env.h.esp, TASK2_STACK);
  assert.equal(cpu.segSel[SEG_TR], TSS2_SEL);
  assert.equal(accessByte(env, 5), 0x89, "old TSS no longer busy");
  assert.equal(accessByte(env, 6), 0x8b, "new TSS busy");
  assert.equal(env.h.read32(TSS + 32), CODE + 7, "old EIP saved after the JMP");
  assert.equal(env.h.read32(TSS + 40), 0x1111, "old EAX saved");
  assert.equal(env.h.read16(TSS2), 0, "JMP writes no back link");
  assert.equal(cpu.cr0 & CR0_TS, CR0_TS, "task switch sets CR0.TS");
  assert.equal(env.h.eflags & NT, 0);
});

test("CALL to a TSS nests (back link, NT) and IRET returns to the caller", () => {
  // Task 2 records its EFLAGS in memory (registers are the caller's again after IRET).
  const env = twoTasks([0x9c, 0x5b, 0x89, 0x1d, ...le32(0x600), ...IRETD]); // pushfd; pop ebx; mov [600h], ebx
  env.run([...callFar(TSS2_SEL, 0), ...movEcx(0x99), ...HLT]);
  assert.equal(env.h.read32(0x600) & NT, NT, "NT set in the called task");
  assert.equal(env.h.read16(TSS2), TSS_SEL, "back link = caller's TSS");
  assert.equal(env.h.ecx, 0x99, "caller resumed after the CALL");
  assert.equal(env.h.cpu.segSel[SEG_TR], TSS_SEL);
  assert.equal(accessByte(env, 6), 0x89, "IRET cleared the returning task's busy bit");
  assert.equal(accessByte(env, 5), 0x8b, "caller's TSS busy throughout");
  assert.equal(env.h.read32(TSS2 + 36) & NT, 0, "IRET saved task 2's EFLAGS without NT");
});

test("a task gate for #DF switches to the handler task and pushes the error code there", () => {
  const env = twoTasks(HLT);
  env.setIdt(VEC_DF, gate(TSS2_SEL, 0, 5, 0));
  const bad = gate(CODE0, 0, 14, 0);
  bad[5] &= 0x7f;
  env.setIdt(VEC_GP, bad); // #GP → #NP while delivering → #DF
  env.run([0x0f, 0x00, 0xd8]); // ltr ax (ax = 0): #GP(0)
  assert.equal(env.h.cpu.segSel[SEG_TR], TSS2_SEL);
  assert.equal(env.h.esp, TASK2_STACK - 4);
  assert.equal(env.h.read32(env.h.esp), 0, "#DF error code on the new task's stack");
  assert.equal(env.h.read16(TSS2), TSS_SEL);
  assert.equal(env.h.eflags & NT, NT);
});

test("JMP to a busy TSS raises #GP(selector)", () => {
  const env = new PmEnv();
  env.run(jmpFar(TSS_SEL, 0));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), TSS_SEL);
});

test("JMP to a 16-bit TSS loads its 16-bit state and marks it busy (type 3)", () => {
  const env = new PmEnv();
  const tss16 = 0x9000;
  const entry = 0xa000; // a 16-bit TSS holds only IP: below 64 KiB
  env.setDescriptor(7, descriptor(tss16, 0x2b, 0x81, 0)); // available 16-bit TSS, selector 0x38
  const h = env.h;
  h.write16(tss16 + 14, entry); // IP
  h.write16(tss16 + 16, 0x2); // FLAGS
  h.write16(tss16 + 18, 0x4321); // AX
  h.write16(tss16 + 26, 0x6000); // SP
  for (let s = 0; s < 4; s++) h.write16(tss16 + 34 + s * 2, s === 1 ? CODE0 : DATA0);
  h.poke(entry, HLT);
  env.run(jmpFar(0x38, 0));
  assert.equal(h.cpu.segSel[SEG_TR], 0x38);
  assert.equal(h.eax & 0xffff, 0x4321);
  assert.equal(h.esp & 0xffff, 0x6000);
  assert.equal(h.eip, entry + 1);
  assert.equal(accessByte(env, 7), 0x83);
  assert.equal(h.cpu.segAttr[SEG_FS], 0, "a 16-bit TSS has no FS/GS: they are null");
});

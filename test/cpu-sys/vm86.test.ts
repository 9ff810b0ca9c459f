import assert from "node:assert/strict";
import { test } from "node:test";
import { IF, SEG_DS, SEG_ES, SEG_TR, VEC_GP, VM } from "../../src/hv/soft/cpu/constants.js";
import {
  CODE,
  CODE0,
  gate,
  HANDLERS,
  HLT,
  IRETD,
  marker,
  PmEnv,
  pushImm32,
  STACK0,
  TSS,
} from "./pm-env.js";

const VM_CS = 0x2000;
const VM_SS = 0x6000;
const VM_DS = 0x3000;
const VM_SP = 0xfffe;
const IOPL3 = 0x3000;

/** Ring-0 code that enters vm86 at VM_CS:0 through IRETD with `eflags` (VM added). */
function enterVm86(eflags: number): number[] {
  return [
    ...pushImm32(0), // GS
    ...pushImm32(0), // FS
    ...pushImm32(VM_DS),
    ...pushImm32(0), // ES
    ...pushImm32(VM_SS),
    ...pushImm32(VM_SP),
    ...pushImm32(eflags | VM | 2),
    ...pushImm32(VM_CS),
    ...pushImm32(0),
    ...IRETD,
  ];
}

/** Runs 16-bit `code` in vm86 (at linear VM_CS << 4) with `eflags`. */
function runVm86(code: number[], eflags: number, setup?: (env: PmEnv) => void): PmEnv {
  const env = new PmEnv();
  env.setIdt(0x85, gate(CODE0, HANDLERS + 0x200, 14, 3));
  env.h.poke(HANDLERS + 0x200, HLT);
  env.h.poke(VM_CS << 4, code);
  setup?.(env);
  env.run(enterVm86(eflags));
  return env;
}

test("vm86: segments are selector << 4; INT n at IOPL 3 leaves through a ring-0 gate", () => {
  const env = runVm86([0x8b, 0x1e, 0x10, 0x00, 0xcd, 0x85], IOPL3, (e) =>
    e.h.write16((VM_DS << 4) + 0x10, 0xbeef),
  ); // mov bx, [10h]; int 85h
  const cpu = env.h.cpu;
  assert.equal(env.h.ebx & 0xffff, 0xbeef);
  assert.equal(cpu.vm86, false);
  assert.equal(cpu.cpl, 0);
  assert.equal(env.h.esp, STACK0 - 36);
  assert.deepEqual(
    [0, 1, 3, 4, 5, 6, 7, 8].map((i) => env.stack(i)),
    [6, VM_CS, VM_SP, VM_SS, 0, VM_DS, 0, 0],
  );
  assert.equal(env.stack(2) & VM, VM, "pushed EFLAGS has VM");
  assert.equal(env.h.eflags & VM, 0);
  assert.equal(cpu.segSel[SEG_DS], 0, "DS nulled on the way out");
  assert.equal(cpu.segAttr[SEG_DS], 0);
  assert.equal(cpu.segAttr[SEG_ES], 0);
});

for (const [name, code] of [
  ["CLI", [0xfa]],
  ["STI", [0xfb]],
  ["PUSHF", [0x9c]],
  ["POPF", [0x9d]],
  ["INT n", [0xcd, 0x85]],
  ["IRET", [0xcf]],
] as const) {
  test(`vm86 at IOPL 0: ${name} raises #GP(0)`, () => {
    const env = runVm86([...code], 0);
    assert.equal(env.h.eax, marker(VEC_GP));
    assert.equal(env.stack(0), 0, "error code");
    assert.equal(env.stack(1), 0, "faulting IP");
    assert.equal(env.stack(2), VM_CS);
    assert.equal(env.stack(3) & VM, VM);
  });
}

test("vm86 at IOPL 3: IRET stays in vm86 and keeps IOPL", () => {
  // push 0202h; push cs; push 0010h; iret — then HLT at 0010h (a #GP in vm86).
  const code = [0x68, 0x02, 0x02, 0x0e, 0x68, 0x10, 0x00, 0xcf];
  const env = runVm86(code, IOPL3, (e) => e.h.poke((VM_CS << 4) + 0x10, HLT));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), 0x10);
  assert.equal(env.stack(3) & (VM | IF | IOPL3), VM | IF | IOPL3);
});

test("vm86 I/O goes through the TSS bitmap whatever IOPL is", () => {
  const deny = (port: number) => (e: PmEnv) => {
    const at = TSS + 0x68 + (port >> 3);
    e.h.poke(at, [e.h.read8(at) | (1 << (port & 7))]);
  };
  // out 80h, al; out 81h, al
  const env = runVm86([0xe6, 0x80, 0xe6, 0x81], IOPL3, deny(0x81));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), 2, "the second OUT faulted");
  const writes = env.h.io.log.filter((a) => a.space === "port" && a.write);
  assert.deepEqual(
    writes.map((a) => a.address),
    [0x80],
  );
});

test("protected mode: ring 3 with IOPL 0 uses the bitmap; a word checks both bits", () => {
  const env = new PmEnv();
  const user = CODE + 0x100;
  const at = TSS + 0x68 + (0x88 >> 3);
  env.h.poke(at, [1]); // deny port 0x88
  // in al, 87h (allowed); in ax, 87h (covers 87h-88h: denied)
  env.h.poke(user, [0xe4, 0x87, 0x66, 0xe5, 0x87]);
  env.run(PmEnv.toRing3(user, 0x2));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), user + 2);
});

test("protected mode: ring 3 at IOPL 3 ignores the bitmap; a short TSS denies everything", () => {
  let env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(TSS + 0x68 + (0x88 >> 3), [1]);
  env.h.poke(user, [0x66, 0xe5, 0x87, 0xf4]); // in ax, 87h; hlt (#GP: CPL 3)
  env.run(PmEnv.toRing3(user, 0x2 | IOPL3));
  assert.equal(env.stack(1), user + 3, "IN passed, HLT faulted");
  env = new PmEnv();
  env.h.cpu.segLimit[SEG_TR] = 0x68 + 0x10; // bitmap covers ports 0-0x87 only
  env.h.poke(user, [0xe4, 0x40, 0xe4, 0x90]); // in al, 40h; in al, 90h
  env.run(PmEnv.toRing3(user, 0x2));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), user + 2);
});

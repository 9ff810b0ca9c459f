import assert from "node:assert/strict";
import { test } from "node:test";
import { IF, SEG_CS, SEG_SS, VEC_DF, VEC_GP, VEC_NP } from "../../src/hv/soft/cpu/constants.js";
import {
  CODE,
  CODE0,
  CODE3,
  DATA0,
  DATA3,
  gate,
  HANDLERS,
  HLT,
  intN,
  IRETD,
  marker,
  movEax,
  movEbx,
  PmEnv,
  STACK0,
  STACK3,
} from "./pm-env.js";

test("INT n from ring 3 switches to the TSS ring-0 stack and pushes SS, ESP, EFLAGS, CS, EIP", () => {
  const env = new PmEnv();
  const user = CODE + 0x100;
  env.setIdt(0x80, gate(CODE0, HANDLERS + 0x200, 14, 3)); // interrupt gate, DPL 3
  env.h.poke(HANDLERS + 0x200, [...movEbx(0x1234), ...HLT]);
  env.h.poke(user, [...intN(0x80)]);
  const exit = env.run(PmEnv.toRing3(user));
  assert.equal(exit.kind, "hlt");
  assert.equal(env.h.ebx, 0x1234);
  assert.equal(env.h.cpu.cpl, 0);
  assert.equal(env.h.cpu.segSel[SEG_SS], DATA0);
  assert.equal(env.h.esp, STACK0 - 20);
  assert.equal(env.stack(0), user + 2, "EIP after INT");
  assert.equal(env.stack(1), CODE3);
  assert.equal(env.stack(2) & IF, IF, "pushed EFLAGS has IF");
  assert.equal(env.stack(3), STACK3);
  assert.equal(env.stack(4), DATA3);
  assert.equal(env.h.eflags & IF, 0, "interrupt gate clears IF");
});

test("a trap gate leaves IF set; IRETD returns to the same level", () => {
  const env = new PmEnv();
  env.setIdt(0x81, gate(CODE0, HANDLERS + 0x200, 15, 0)); // trap gate
  env.h.poke(HANDLERS + 0x200, [...movEbx(0), 0x9c, 0x5b, ...IRETD]); // pushfd; pop ebx; iretd
  const code = [0xfb, ...intN(0x81), ...movEax(7), ...HLT]; // sti; int 0x81; mov eax, 7; hlt
  assert.equal(env.run(code).kind, "hlt");
  assert.equal(env.h.ebx & IF, IF);
  assert.equal(env.h.eax, 7);
  assert.equal(env.h.esp, STACK0);
});

test("INT n through a DPL-0 gate from ring 3 raises #GP(vector * 8 + 2)", () => {
  const env = new PmEnv();
  const user = CODE + 0x100;
  env.setIdt(0x80, gate(CODE0, HANDLERS + 0x200, 14, 0));
  env.h.poke(user, [...intN(0x80)]);
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0x80 * 8 + 2, "error code: IDT bit, no EXT");
  assert.equal(env.stack(1), user, "the return address is the INT instruction");
  assert.equal(env.stack(2), CODE3);
});

test("a #GP in ring 3 pushes the error code on the ring-0 stack", () => {
  const env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(user, [0xfa]); // cli at CPL 3 with IOPL 0
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.h.esp, STACK0 - 24);
  assert.deepEqual(
    [0, 1, 2, 4, 5].map((i) => env.stack(i)),
    [0, user, CODE3, STACK3, DATA3],
  );
});

test("a 16-bit interrupt gate pushes a 16-bit frame", () => {
  const env = new PmEnv();
  env.setIdt(0x82, gate(CODE0, HANDLERS + 0x200, 6, 0)); // 16-bit interrupt gate
  env.h.poke(HANDLERS + 0x200, HLT);
  env.run([...intN(0x82)]);
  assert.equal(env.h.esp, STACK0 - 6);
  assert.equal(env.h.read16(env.h.esp), (CODE + 2) & 0xffff);
  assert.equal(env.h.read16(env.h.esp + 2), CODE0);
  assert.equal(env.h.eip, (HANDLERS + 0x201) & 0xffff);
});

test("a not-present #GP gate while delivering #GP escalates to #DF with error code 0", () => {
  const env = new PmEnv();
  const bytes = gate(CODE0, HANDLERS + VEC_GP * 16, 14, 0);
  bytes[5] &= 0x7f; // clear P
  env.setIdt(VEC_GP, bytes);
  env.run([0x0f, 0x00, 0xd8]); // ltr ax with ax = 0 → #GP(0)
  assert.equal(env.h.eax, marker(VEC_DF));
  assert.equal(env.stack(0), 0, "#DF error code");
});

test("an exception while delivering #DF shuts the machine down (triple fault)", () => {
  const env = new PmEnv();
  env.h.cpu.idtLimit = 0; // no gate is reachable
  const exit = env.run([0x0f, 0x0b]); // ud2
  assert.equal(exit.kind, "shutdown");
});

test("a not-present gate for INT n raises #NP(vector * 8 + 2)", () => {
  const env = new PmEnv();
  const bytes = gate(CODE0, HANDLERS + 0x200, 14, 0);
  bytes[5] &= 0x7f;
  env.setIdt(0x83, bytes);
  env.run([...intN(0x83)]);
  assert.equal(env.h.eax, marker(VEC_NP));
  assert.equal(env.stack(0), 0x83 * 8 + 2);
});

test("an external interrupt beyond the IDT limit raises #GP with the EXT bit", () => {
  const env = new PmEnv();
  env.h.cpu.idtLimit = 0x100 - 1; // vectors 0-31 only
  env.h.interrupts.queue.push(0x40);
  env.run([0xfb, 0x90, 0x90, ...HLT]); // sti; nop; nop; hlt
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0x40 * 8 + 2 + 1);
});

test("a handler in a conforming ring-0 segment runs at ring 3 on the same stack", () => {
  const env = new PmEnv();
  const user = CODE + 0x100;
  // GDT 6: conforming code DPL 0.
  env.setDescriptor(6, [0xff, 0xff, 0, 0, 0, 0x9e, 0xcf, 0]);
  env.setIdt(0x84, gate(0x30, HANDLERS + 0x200, 14, 3));
  env.h.poke(HANDLERS + 0x200, HLT);
  env.h.poke(user, [...intN(0x84)]);
  env.run(PmEnv.toRing3(user));
  // HLT at CPL 3 faults; the #GP goes to the ring-0 handler from the conforming frame.
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(2) & 0xffff, 0x33, "CS of the faulting HLT: conforming selector, RPL 3");
  assert.equal(env.stack(4), STACK3 - 12, "ESP of ring 3: one 3-dword frame below the top");
  assert.equal(env.h.cpu.segSel[SEG_CS], CODE0);
});

test("INT3 checks the gate DPL like INT n; INT1 (ICEBP) does not", () => {
  let env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(user, [0xcc]); // int3 through the DPL-0 gate of vector 3
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 3 * 8 + 2);
  env = new PmEnv();
  env.h.poke(user, [0xf1]); // int1 through the DPL-0 gate of vector 1
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(1));
  assert.equal(env.stack(0), user + 1, "a trap: returns after INT1");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { SEG_CS, SEG_DS, SEG_ES, VEC_GP, VEC_NP } from "../../src/hv/soft/cpu/constants.js";
import { CpuHarness } from "../cpu/harness.js";
import {
  ACC_CODE,
  callFar,
  CODE,
  CODE0,
  CODE3,
  DATA0,
  DATA3,
  descriptor,
  FLAGS_32,
  gate,
  HANDLERS,
  HLT,
  jmpFar,
  marker,
  movAx,
  movEax,
  movSregAx,
  PmEnv,
  pushImm32,
  retfImm,
  STACK0,
  STACK3,
} from "./pm-env.js";

test("far JMP to a ring-0 code segment loads CS:EIP", () => {
  const env = new PmEnv();
  env.setDescriptor(6, descriptor(0x10000, 0xffff, ACC_CODE, 0x4)); // base 0x10000, 32-bit
  env.h.poke(CODE + 0x80, [...movEax(0x42), ...HLT]);
  env.run(jmpFar(0x30, 0x80));
  assert.equal(env.h.eax, 0x42);
  assert.equal(env.h.cpu.segSel[SEG_CS], 0x30);
  assert.equal(env.h.eip, 0x86);
});

test("far JMP beyond the target's limit raises #GP(0); to a DPL-3 segment #GP(selector)", () => {
  let env = new PmEnv();
  env.setDescriptor(6, descriptor(0x10000, 0xff, ACC_CODE, 0x4));
  env.run(jmpFar(0x30, 0x100));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0);
  env = new PmEnv();
  env.run(jmpFar(CODE3, 0));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), CODE3 & ~3);
});

test("far CALL to a not-present code segment raises #NP(selector)", () => {
  const env = new PmEnv();
  env.setDescriptor(6, descriptor(0, 0xfffff, ACC_CODE & 0x7f, FLAGS_32));
  env.run(callFar(0x30, 0));
  assert.equal(env.h.eax, marker(VEC_NP));
  assert.equal(env.stack(0), 0x30);
});

/** GDT 7: a 32-bit call gate, DPL 3, to CODE0:HANDLERS+0x200 copying 2 dwords. Selector 0x3B. */
function callGateEnv(callee: number[]): PmEnv {
  const env = new PmEnv();
  env.setDescriptor(7, gate(CODE0, HANDLERS + 0x200, 12, 3, 2));
  env.h.poke(HANDLERS + 0x200, callee);
  return env;
}

const USER = CODE + 0x100;
const USER_CALL = [
  ...movAx(DATA3),
  ...movSregAx(3), // ds
  ...movSregAx(0), // es
  ...pushImm32(0x1111),
  ...pushImm32(0x2222),
  ...callFar(0x3b, 0),
];

test("CALL through a call gate to ring 0 switches stacks and copies the parameters", () => {
  const env = callGateEnv(HLT);
  env.h.poke(USER, [...USER_CALL, ...HLT]);
  env.run(PmEnv.toRing3(USER));
  assert.equal(env.h.cpu.cpl, 0);
  assert.equal(env.h.esp, STACK0 - 24);
  const returnEip = USER + USER_CALL.length;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => env.stack(i)),
    [returnEip, CODE3, 0x2222, 0x1111, STACK3 - 8, DATA3],
  );
});

test("RETF imm16 returns to ring 3, releases the parameters and nulls inner data segments", () => {
  // The callee loads ES with a ring-0 selector and returns with RETF 8.
  const env = callGateEnv([...movAx(DATA0), ...movSregAx(0), ...retfImm(8)]);
  env.h.poke(USER, [...USER_CALL, ...HLT]); // HLT at CPL 3: #GP, our probe
  env.run(PmEnv.toRing3(USER));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(1), USER + USER_CALL.length, "back after the CALL");
  assert.equal(env.stack(2), CODE3);
  assert.equal(env.stack(4), STACK3, "ring-3 ESP with the parameters released");
  assert.equal(env.h.cpu.segSel[SEG_DS], DATA3, "DS (DPL 3) kept");
  assert.equal(env.h.cpu.segSel[SEG_ES], 0, "ES (DPL 0) nulled");
  assert.equal(env.h.cpu.segAttr[SEG_ES], 0);
});

test("a call gate whose DPL is below CPL raises #GP(gate selector)", () => {
  const env = new PmEnv();
  env.setDescriptor(7, gate(CODE0, HANDLERS + 0x200, 12, 0));
  env.h.poke(USER, callFar(0x3b, 0));
  env.run(PmEnv.toRing3(USER));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0x38);
});

test("real mode: far CALL and RETF", () => {
  const h = CpuHarness.real();
  h.poke(0x1010, [0xcb]); // retf at 0100:0010
  h.load(0x1000, [0x9a, 0x10, 0x00, 0x00, 0x01, ...HLT]); // call 0100:0010; hlt
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.cpu.segSel[SEG_CS], 0);
  assert.equal(h.eip, 0x1006);
  assert.equal(h.esp, 0x7000);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { SEG_DS, SEG_SS, VEC_GP, VEC_NP, VEC_SS } from "../../src/hv/soft/cpu/constants.js";
import { CpuHarness } from "../cpu/harness.js";
import {
  ACC_DATA,
  CODE,
  DATA0,
  DATA3,
  descriptor,
  FLAGS_32,
  GDT,
  HLT,
  le32,
  loadEax,
  marker,
  movAx,
  movEax,
  movSregAx,
  PmEnv,
} from "./pm-env.js";

const DS = 3;
const SS = 2;

/** Runs `mov ax, sel; mov <seg>, ax; mov eax, 1; hlt` and returns the env. */
function loadSelector(seg: number, selector: number, setup?: (env: PmEnv) => void): PmEnv {
  const env = new PmEnv();
  setup?.(env);
  env.run([...movAx(selector), ...movSregAx(seg), ...movEax(1), ...HLT]);
  return env;
}

test("MOV DS with a selector beyond the GDT limit raises #GP(selector)", () => {
  const env = loadSelector(DS, 0x400);
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0x400);
});

test("MOV DS with a not-present segment raises #NP(selector); MOV SS raises #SS(selector)", () => {
  const notPresent = (env: PmEnv) =>
    env.setDescriptor(6, descriptor(0, 0xfffff, ACC_DATA & 0x7f, FLAGS_32));
  let env = loadSelector(DS, 0x30, notPresent);
  assert.equal(env.h.eax, marker(VEC_NP));
  assert.equal(env.stack(0), 0x30);
  env = loadSelector(SS, 0x30, notPresent);
  assert.equal(env.h.eax, marker(VEC_SS));
  assert.equal(env.stack(0), 0x30);
});

test("MOV SS rejects null and read-only selectors with #GP", () => {
  let env = loadSelector(SS, 0);
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0);
  env = loadSelector(SS, 0x30, (e) => e.setDescriptor(6, descriptor(0, 0xfffff, 0x90, FLAGS_32)));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0x30);
});

test("a null DS loads, and a later access through it raises #GP(0)", () => {
  const env = new PmEnv();
  env.run([...movAx(0), ...movSregAx(DS), ...movEax(2), ...loadEax(0x100), ...HLT]);
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), 0);
  assert.equal(env.stack(1), CODE + 4 + 2 + 5, "faulting instruction: the load");
});

test("loading a segment sets the accessed bit in its descriptor", () => {
  const env = loadSelector(DS, 0x30, (e) =>
    e.setDescriptor(6, descriptor(0x1000, 0xfff, ACC_DATA & ~1, 0x4)),
  );
  assert.equal(env.h.eax, 1);
  assert.equal(env.h.read8(GDT + 6 * 8 + 5), 0x93);
  assert.equal(env.h.cpu.segBase[SEG_DS], 0x1000);
  assert.equal(env.h.cpu.segLimit[SEG_DS], 0xfff);
});

test("an expand-down data segment allows offsets above the limit only", () => {
  const env = new PmEnv();
  env.setDescriptor(6, descriptor(0, 0xfff, 0x96, 0x4)); // expand-down, writable, B = 1
  env.h.write32(0x2000, 0xcafe);
  const load = [...movAx(0x30), ...movSregAx(DS)];
  env.run([...load, ...loadEax(0x2000), 0x89, 0xc3, ...loadEax(0x800), ...HLT]); // mov ebx, eax
  assert.equal(env.h.ebx, 0xcafe);
  assert.equal(env.h.eax, marker(VEC_GP));
});

test("ring 3 cannot load a DPL-0 data segment: #GP(selector)", () => {
  const env = new PmEnv();
  const user = CODE + 0x100;
  env.h.poke(user, [...movAx(DATA3), ...movSregAx(DS), ...movAx(DATA0), ...movSregAx(DS)]);
  env.run(PmEnv.toRing3(user));
  assert.equal(env.h.eax, marker(VEC_GP));
  assert.equal(env.stack(0), DATA0);
  assert.equal(env.stack(1), user + 10, "the second MOV DS faulted");
});

test("LSS loads SS and ESP from a far pointer through the descriptor checks", () => {
  const env = new PmEnv();
  env.setDescriptor(6, descriptor(0x40000, 0xffff, ACC_DATA, 0x4));
  env.h.poke(0x500, [...le32(0x1234), 0x30, 0]);
  env.run([0x0f, 0xb2, 0x25, ...le32(0x500), ...HLT]); // lss esp, [0x500]
  assert.equal(env.h.cpu.segSel[SEG_SS], 0x30);
  assert.equal(env.h.cpu.segBase[SEG_SS], 0x40000);
  assert.equal(env.h.esp, 0x1234);
});

test("real mode: MOV DS sets base = selector << 4 without descriptor checks", () => {
  const h = CpuHarness.real();
  h.load(0x1000, [0xb8, 0x34, 0x12, 0x8e, 0xd8, ...HLT]); // mov ax, 1234h; mov ds, ax
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.cpu.segSel[SEG_DS], 0x1234);
  assert.equal(h.cpu.segBase[SEG_DS], 0x12340);
});

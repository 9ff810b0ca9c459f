/**
 * REP string instructions restart at the iteration that faulted (SDM vol. 3,
 * 6.6), and long ones yield to the loop without losing progress.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { CR0_PG, ECX, PF_W, VEC_PF } from "../../src/hv/soft/cpu/constants.js";
import { systemHooks, type SystemHooks } from "../../src/hv/soft/cpu/hooks.js";
import { REP_CHUNK } from "../../src/hv/soft/cpu/insn/base-string.js";
import { CpuHarness } from "./harness.js";

const PD = 0x100000;
const PT_LOW = 0x101000;
const PT_TEST = 0x102000;

let saved: SystemHooks["deliverProtected"];
beforeEach(() => {
  saved = systemHooks.deliverProtected;
});
afterEach(() => {
  systemHooks.deliverProtected = saved;
});

test("REP MOVSD faulting on a missing page resumes at the faulting iteration", () => {
  const h = CpuHarness.flat32();
  for (let i = 0; i < 1024; i++) h.write32(PT_LOW + i * 4, (i << 12) | 7);
  h.write32(PD, PT_LOW | 7);
  h.write32(PD + 256 * 4, PT_TEST | 7);
  h.write32(PT_TEST + 1 * 4, 0x201000 | 3); // 0x40001000 present, 0x40002000 not
  h.cpu.writeCr(3, PD);
  h.cpu.writeCr(0, h.cpu.cr0 | CR0_PG);
  const source = new Uint8Array(0x2000).map((_, i) => (i * 7 + 3) & 0xff);
  h.poke(0x10000, source);

  // A "page-fault handler" outside the guest: records the state, maps the page, returns.
  const seen: number[][] = [];
  systemHooks.deliverProtected = (cpu, vector, _kind, _hasError, errorCode) => {
    seen.push([vector, errorCode, cpu.cr2, h.ecx, h.esi, h.edi, cpu.eip]);
    h.write32(PT_TEST + 2 * 4, 0x202000 | 3);
  };
  h.esi = 0x10000;
  h.edi = 0x40001000;
  h.ecx = 0x800;
  h.load(0x1000, [0xfc, 0xf3, 0xa5, 0xf4]); // cld; rep movsd; hlt
  assert.equal(h.run().kind, "hlt");
  assert.deepEqual(seen, [[VEC_PF, PF_W, 0x40002000, 0x400, 0x11000, 0x40002000, 0x1001]]);
  assert.equal(h.ecx, 0);
  assert.equal(h.esi, 0x12000);
  assert.equal(h.edi, 0x40003000);
  assert.deepEqual(h.memory.bytes.slice(0x201000, 0x203000), source);
});

test("a long REP STOSB yields after a chunk with the registers up to date", () => {
  const h = CpuHarness.flat32();
  const total = REP_CHUNK * 2 + 100;
  h.eax = 0xab;
  h.edi = 0x20000;
  h.ecx = total;
  h.load(0x1000, [0xf3, 0xaa, 0xf4]); // rep stosb; hlt
  assert.equal(h.runFor(1).kind, "budget");
  assert.equal(h.cpu.r32[ECX << 1], total - REP_CHUNK);
  assert.equal(h.eip, 0x1000, "EIP still at the REP instruction");
  assert.equal(h.edi, 0x20000 + REP_CHUNK);
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.ecx, 0);
  assert.equal(h.read8(0x20000 + total - 1), 0xab);
  assert.equal(h.read8(0x20000 + total), 0);
});

test("REPE CMPSB stops at the first difference; REPNE SCASB at the first match", () => {
  const h = CpuHarness.real();
  h.poke(0x3000, [1, 2, 3, 4, 5]);
  h.poke(0x4000, [1, 2, 9, 4, 5]);
  h.esi = 0x3000;
  h.edi = 0x4000;
  h.ecx = 5;
  h.load(0x1000, [0xfc, 0xf3, 0xa6, 0xf4]); // cld; repe cmpsb; hlt
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.ecx & 0xffff, 2);
  assert.equal(h.esi & 0xffff, 0x3003);
  assert.equal(h.eflags & 0x40, 0, "ZF clear: stopped on a difference");

  h.edi = 0x3000;
  h.ecx = 5;
  h.eax = 4;
  h.load(0x1100, [0xf2, 0xae, 0xf4]); // repne scasb; hlt
  assert.equal(h.run().kind, "hlt");
  assert.equal(h.edi & 0xffff, 0x3004);
  assert.equal(h.ecx & 0xffff, 1);
  assert.equal(h.eflags & 0x40, 0x40);
});

/**
 * INS and OUTS at CPL 3 with IOPL 0: the I/O permission check (CPL ≤ IOPL,
 * else the TSS I/O bitmap; SDM vol. 1, 19.5) comes before the memory
 * operand is touched (SDM vol. 2, INS/OUTS "Operation" tests it first), so
 * a denied port raises #GP(0) even when ES:EDI / DS:ESI lies on a
 * not-present page. With REP the check is made once before the count is
 * looked at: a denied REP INSD with ECX = 0 still faults (what the host CPU
 * does in the differential tester).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CR0_PG, VEC_GP, VEC_PF } from "../../src/hv/soft/cpu/constants.js";
import { CODE, DATA3, le32, marker, movEcx, movEdx, PmEnv, TSS } from "../cpu-sys/pm-env.js";

const PD = 0x100000;
const PT = 0x101000;
/** A linear page left not present (everything else in the low 4 MiB is identity, user, writable). */
const MISSING = 0x200000;
const PORT = 0x80;
const USER = CODE + 0x100;

/** Error-code bits of #PF (SDM vol. 3, 4.7). */
const PF_W = 2;
const PF_U = 4;

/** PmEnv with 32-bit paging on and the port either allowed or denied by the TSS bitmap. */
function pagedEnv(portAllowed: boolean): PmEnv {
  const env = new PmEnv();
  const h = env.h;
  for (let i = 0; i < 1024; i++) {
    const page = i << 12;
    h.write32(PT + i * 4, page === MISSING ? 0 : page | 7); // P | RW | US
  }
  h.write32(PD, PT | 7);
  h.cpu.writeCr(3, PD);
  h.cpu.writeCr(0, h.cpu.cr0 | CR0_PG);
  // The bitmap follows the TSS header (PmEnv); one set bit per denied port, 4 ports for INSD.
  h.poke(TSS + 0x68 + (PORT >>> 3), [portAllowed ? 0 : 0xff]);
  return env;
}

/**
 * Runs `insn` at CPL 3 (IOPL 0) with ES = DS = the ring-3 data segment,
 * EDI = ESI = MISSING, DX = PORT and ECX = `count`. Returns the vector the
 * ring-0 handler recorded, the faulting EIP and the error code.
 */
function runUser(
  env: PmEnv,
  insn: number[],
  count: number,
): { vector: number; eip: number; error: number } {
  const at = USER + 28; // after the 28 bytes of setup below
  env.h.poke(USER, [
    ...[0x66, 0xb8, DATA3, 0], // mov ax, DATA3
    ...[0x8e, 0xc0, 0x8e, 0xd8], // mov es, ax; mov ds, ax
    ...[0xbf, ...le32(MISSING)], // mov edi, MISSING
    ...[0xbe, ...le32(MISSING)], // mov esi, MISSING
    ...movEdx(PORT),
    ...movEcx(count),
    ...insn,
  ]);
  const exit = env.run(PmEnv.toRing3(USER));
  assert.equal(exit.kind, "hlt");
  const vector = env.h.eax - marker(0);
  return { vector, eip: env.stack(1) - at, error: env.stack(0) };
}

const INSB = [0x6c];
const OUTSB = [0x6e];
const REP_INSD = [0xf3, 0x6d];

test("a denied port raises #GP(0) before INS/OUTS touch a not-present page", () => {
  for (const [name, insn] of [
    ["INSB", INSB],
    ["OUTSB", OUTSB],
    ["REP INSD", REP_INSD],
  ] as const) {
    const r = runUser(pagedEnv(false), [...insn], 2);
    assert.deepEqual(r, { vector: VEC_GP, eip: 0, error: 0 }, name);
  }
});

test("a denied REP INSD with ECX = 0 still raises #GP(0)", () => {
  const r = runUser(pagedEnv(false), REP_INSD, 0);
  assert.deepEqual(r, { vector: VEC_GP, eip: 0, error: 0 });
});

test("an allowed port reaches the memory operand: #PF on the missing page", () => {
  for (const [name, insn, error] of [
    ["INSB", INSB, PF_U | PF_W],
    ["OUTSB", OUTSB, PF_U],
  ] as const) {
    const env = pagedEnv(true);
    const r = runUser(env, [...insn], 1);
    assert.deepEqual(r, { vector: VEC_PF, eip: 0, error }, name);
    assert.equal(env.h.cpu.cr2 >>> 0, MISSING, name);
  }
});

/**
 * IA-32e 4-level paging (SDM vol. 3, 4.5): 4 KiB, 2 MiB and 1 GiB pages,
 * #PF error codes and CR2 (including addresses in the upper canonical
 * half), NX, reserved bits, accessed/dirty bits at every level, INVLPG,
 * and canonical checks.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Ctl, RegSet } from "../../src/hv/registers.js";
import { imm64, LongEnv, RAX, RBX } from "./env.js";

const env = new LongEnv();
const h = env.h;
const ram = h.memory.bytes.length;
const PML4 = ram - 0x10000;
const PDPT = ram - 0xf000;
/** Extra tables for the 1-2 GiB window: one PD and one PT. */
const PD2 = 0x20000;
const PT = 0x21000;
const P = 1n;
const RW = 2n;
const US = 4n;
const A = 0x20n;
const D = 0x40n;
const PS = 0x80n;
const NX = 1n << 63n;
const WINDOW = 0x40000000; // linear 1 GiB: PDPT[1] → PD2[0] → PT

h.write64(PDPT + 8, BigInt(PD2) | P | RW | US);
h.write64(PD2, BigInt(PT) | P | RW | US);
// PDPT[2]: a 1 GiB page at linear 2 GiB → physical 0.
h.write64(PDPT + 16, P | RW | US | PS);
h.cpu.writeCr(0, h.cpu.cr0 | 0x10000); // CR0.WP

function pte(page: number, value: bigint): void {
  h.write64(PT + page * 8, value);
  h.cpu.invlpg(WINDOW + page * 4096);
}

/** `mov rax, [rbx]` at `addr`. */
function load(addr: bigint): void {
  env.run([0x48, 0x8b, 0x03], { [RBX]: addr });
}

/** `mov [rbx], rax` at `addr`. */
function store(addr: bigint, v: bigint): void {
  env.run([0x48, 0x89, 0x03], { [RBX]: addr, [RAX]: v });
}

const cr2 = (): bigint => h.core.registers.read(RegSet.CONTROL, Ctl.CR2) as bigint;

describe("4-level paging", () => {
  test("4 KiB pages translate; A and D are set at every level", () => {
    for (const at of [PML4, PDPT + 8, PD2]) h.write64(at, h.read64(at) & ~A);
    pte(0, 0x8000n | P | RW);
    h.write64(0x8010, 0xfeedfacecafebeefn);
    load(BigInt(WINDOW + 0x10));
    assert.equal(env.reg(RAX), 0xfeedfacecafebeefn);
    assert.equal(h.read64(PT) & (A | D), A, "read: accessed, not dirty");
    store(BigInt(WINDOW + 0x18), 7n);
    assert.equal(h.read64(0x8018), 7n);
    assert.equal(h.read64(PT) & (A | D), A | D, "write: dirty");
    for (const at of [PML4, PDPT + 8, PD2]) assert.equal(h.read64(at) & A, A);
  });

  test("a 1 GiB page and the 2 MiB identity pages", () => {
    h.write64(0x2340, 0x1122334455667788n);
    load(0x80002340n);
    assert.equal(env.reg(RAX), 0x1122334455667788n);
    load(0xffffff8000002340n); // PML4[511] alias of the 2 MiB identity map
    assert.equal(env.reg(RAX), 0x1122334455667788n);
  });

  test("#PF error codes: not present, write to read-only (WP), reserved bit, NX fetch", () => {
    pte(1, 0n);
    load(BigInt(WINDOW + 0x1000 + 8));
    assert.deepEqual(env.fault(), [14, 0, 0x1000n]);
    assert.equal(cr2(), BigInt(WINDOW + 0x1008));

    pte(2, 0x9000n | P);
    store(BigInt(WINDOW + 0x2000), 1n);
    assert.deepEqual(env.fault()?.slice(0, 2), [14, 0x3], "P | W");

    pte(3, 0x9000n | P | RW | (1n << 40n)); // bit 40 is above MAXPHYADDR (36)
    load(BigInt(WINDOW + 0x3000));
    assert.deepEqual(env.fault()?.slice(0, 2), [14, 0x9], "P | RSVD");

    pte(4, 0x9000n | P | RW | NX);
    h.poke(0x9000, [0xf4]);
    env.run([0xff, 0xe3], { [RBX]: BigInt(WINDOW + 0x4000) }); // jmp rbx
    assert.deepEqual(env.fault(), [14, 0x11, BigInt(WINDOW + 0x4000)], "P | I/D");
    load(BigInt(WINDOW + 0x4000));
    assert.equal(env.fault(), null, "NX pages are readable");
  });

  test("CR2 holds the full canonical address of a fault in the upper half", () => {
    load(0xffff960000000123n); // PML4[300] is not present
    assert.deepEqual(env.fault()?.slice(0, 2), [14, 0]);
    assert.equal(cr2(), 0xffff960000000123n);
  });

  test("INVLPG drops a cached translation", () => {
    pte(5, 0xa000n | P | RW);
    h.write64(0xa000, 1n);
    h.write64(0xb000, 2n);
    load(BigInt(WINDOW + 0x5000));
    assert.equal(env.reg(RAX), 1n);
    h.write64(PT + 5 * 8, 0xb000n | P | RW); // no INVLPG yet: the old translation may stay
    env.run([0x0f, 0x01, 0x3b, 0x48, 0x8b, 0x03], { [RBX]: BigInt(WINDOW + 0x5000) }); // invlpg [rbx]; mov rax, [rbx]
    assert.equal(env.reg(RAX), 2n);
  });

  test("MOV CR3 loads new tables; a non-canonical access is #GP(0), not #PF", () => {
    load(0x00007fffffffffffn);
    assert.equal(env.fault()?.[0], 14, "canonical but unmapped");
    load(0x0000800000000000n);
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0]);
    // mov rax, cr3; mov cr3, rax: flushes the non-global entries, same tables.
    env.run([0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8, 0x48, 0xa1, ...imm64(0x80002340n)]);
    assert.equal(env.reg(RAX), 0x1122334455667788n);
  });
});

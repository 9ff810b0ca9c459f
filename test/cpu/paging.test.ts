/**
 * The page walker and TLB (SDM vol. 3, ch. 4), driven through the CPU's own
 * linear-access API: translations, A/D bits in the guest tables, #PF error
 * codes and CR2, WP, U/S, PSE/PSE-36, PAE with NX, INVLPG, global pages.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  EFER_NXE,
  PF_I,
  PF_P,
  PF_RSVD,
  PF_U,
  PF_W,
  VEC_GP,
  VEC_PF,
} from "../../src/hv/soft/cpu/constants.js";
import { translateFetch } from "../../src/hv/soft/cpu/tlb.js";
import { CpuHarness } from "./harness.js";

const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
const G = 0x100;

const PD = 0x100000;
const PT_LOW = 0x101000; // maps 0-4 MiB identity
const PT_TEST = 0x102000; // maps 0x40000000-0x403FFFFF

interface Fault {
  vector: number;
  error: number;
  cr2: number;
}

/** Runs `fn`; returns the fault it raised, or null. */
function faultOf(h: CpuHarness, fn: () => void): Fault | null {
  try {
    fn();
  } catch (e) {
    if (e !== h.cpu.fault) throw e;
    return { vector: h.cpu.fault.vector, error: h.cpu.fault.errorCode, cr2: h.cpu.cr2 };
  }
  return null;
}

/** Flat32 CPU with 32-bit paging: low 4 MiB identity (user, rw), PDE 256 → PT_TEST. */
function paged32(cr4 = 0): CpuHarness {
  const h = CpuHarness.flat32();
  for (let i = 0; i < 1024; i++) h.write32(PT_LOW + i * 4, (i << 12) | P | RW | US);
  h.write32(PD, PT_LOW | P | RW | US);
  h.write32(PD + 256 * 4, PT_TEST | P | RW | US);
  h.cpu.writeCr(4, cr4);
  h.cpu.writeCr(3, PD);
  h.cpu.writeCr(0, h.cpu.cr0 | CR0_PG);
  return h;
}

describe("32-bit paging, 4 KiB pages", () => {
  test("translates, sets A on PDE and PTE at a read, D only at a write", () => {
    const h = paged32();
    h.write32(PT_TEST + 5 * 4, 0x300000 | P | RW | US);
    h.write32(0x300000 + 0x10, 0xcafebabe);
    assert.equal(h.cpu.read32(0x40005010) >>> 0, 0xcafebabe);
    assert.equal(h.read32(PD + 256 * 4) & A, A);
    assert.equal(h.read32(PT_TEST + 5 * 4) & (A | D), A);
    h.cpu.write32(0x40005020, 0x11223344);
    assert.equal(h.read32(0x300020), 0x11223344);
    assert.equal(h.read32(PT_TEST + 5 * 4) & (A | D), A | D);
    assert.equal(h.read32(PD + 256 * 4) & D, 0, "no D bit in a PDE that points to a table");
  });

  test("not-present pages: error code 0/W/U and CR2", () => {
    const h = paged32();
    assert.deepEqual(
      faultOf(h, () => h.cpu.read8(0x50001234)),
      { vector: VEC_PF, error: 0, cr2: 0x50001234 },
    );
    assert.deepEqual(
      faultOf(h, () => h.cpu.write8(0x40007001, 1)),
      { vector: VEC_PF, error: PF_W, cr2: 0x40007001 },
    );
    h.cpu.setCpl(3);
    assert.equal(faultOf(h, () => h.cpu.write16(0x40007000, 1))?.error, PF_W | PF_U);
  });

  test("U/S and R/W at user privilege", () => {
    const h = paged32();
    h.write32(PT_TEST + 1 * 4, 0x301000 | P | RW); // supervisor page
    h.write32(PT_TEST + 2 * 4, 0x302000 | P | US); // user, read-only
    h.cpu.setCpl(3);
    assert.equal(faultOf(h, () => h.cpu.read32(0x40001000))?.error, PF_P | PF_U);
    assert.equal(
      faultOf(h, () => h.cpu.read32(0x40002000)),
      null,
    );
    assert.equal(faultOf(h, () => h.cpu.write32(0x40002000, 5))?.error, PF_P | PF_W | PF_U);
    // A read-only PDE makes every page below it read-only for the user.
    h.write32(PT_TEST + 3 * 4, 0x303000 | P | RW | US);
    h.write32(PD + 256 * 4, PT_TEST | P | US);
    h.cpu.flushTlb(false);
    assert.equal(faultOf(h, () => h.cpu.write8(0x40003000, 5))?.error, PF_P | PF_W | PF_U);
    // Supervisor accesses (implicit ones too) reach the supervisor page.
    h.cpu.setCpl(0);
    assert.equal(
      faultOf(h, () => h.cpu.readSys32(0x40001000)),
      null,
    );
  });

  test("CR0.WP decides whether the supervisor may write read-only pages", () => {
    const h = paged32();
    h.write32(PT_TEST + 4 * 4, 0x304000 | P | US);
    assert.equal(
      faultOf(h, () => h.cpu.write32(0x40004000, 0x1234)),
      null,
    );
    assert.equal(h.read32(0x304000), 0x1234);
    h.cpu.writeCr(0, h.cpu.cr0 | CR0_WP);
    assert.deepEqual(
      faultOf(h, () => h.cpu.write32(0x40004004, 1)),
      {
        vector: VEC_PF,
        error: PF_P | PF_W,
        cr2: 0x40004004,
      },
    );
  });

  test("a store crossing into a missing page faults with CR2 on the second page and writes nothing", () => {
    const h = paged32();
    h.write32(PT_TEST + 8 * 4, 0x308000 | P | RW | US);
    h.write32(0x308ffc, 0xaaaaaaaa);
    const f = faultOf(h, () => h.cpu.write32(0x40008ffe, 0x12345678));
    assert.deepEqual(f, { vector: VEC_PF, error: PF_W, cr2: 0x40009000 });
    assert.equal(h.read32(0x308ffc), 0xaaaaaaaa);
    // Crossing reads assemble both pages.
    h.write32(PT_TEST + 9 * 4, 0x309000 | P | RW | US);
    h.write32(0x309000, 0x00ddccbb);
    assert.equal(h.cpu.read32(0x40008fff) >>> 0, 0xddccbbaa);
  });

  test("INVLPG drops a stale translation; CR3 reloads keep global pages only", () => {
    const h = paged32(CR4_PGE);
    h.write32(0x310000, 0x1111);
    h.write32(0x311000, 0x2222);
    h.write32(0x312000, 0x3333);
    h.write32(0x313000, 0x4444);
    h.write32(PT_TEST + 0x10 * 4, 0x310000 | P | RW | G); // global
    h.write32(PT_TEST + 0x11 * 4, 0x311000 | P | RW); // not global
    assert.equal(h.cpu.read32(0x40010000), 0x1111);
    assert.equal(h.cpu.read32(0x40011000), 0x2222);
    // Point both PTEs elsewhere: the TLB still has the old translations.
    h.write32(PT_TEST + 0x10 * 4, 0x312000 | P | RW | G);
    h.write32(PT_TEST + 0x11 * 4, 0x313000 | P | RW);
    assert.equal(h.cpu.read32(0x40011000), 0x2222, "stale until flushed");
    h.cpu.writeCr(3, PD);
    assert.equal(h.cpu.read32(0x40010000), 0x1111, "global page survives a CR3 write");
    assert.equal(h.cpu.read32(0x40011000), 0x4444, "non-global page re-walked");
    h.cpu.invlpg(0x40010abc);
    assert.equal(h.cpu.read32(0x40010000), 0x3333, "INVLPG drops the global page");
  });
});

describe("32-bit paging, 4 MiB pages (PSE, PSE-36)", () => {
  test("maps a 4 MiB page, sets A and D in the PDE", () => {
    const h = paged32(CR4_PSE);
    h.write32(PD + 512 * 4, 0x400000 | P | RW | PS); // 0x80000000 → 0x400000
    h.write32(0x400000 + 0x123454, 0x5a5a5a5a);
    assert.equal(h.cpu.read32(0x80123454), 0x5a5a5a5a);
    assert.equal(h.read32(PD + 512 * 4) & (A | D), A);
    h.cpu.write8(0x80000001, 7);
    assert.equal(h.read8(0x400001), 7);
    assert.equal(h.read32(PD + 512 * 4) & (A | D), A | D);
  });

  test("PSE-36 high bits reach above 4 GiB; bit 21 is reserved", () => {
    const h = paged32(CR4_PSE);
    h.write32(PD + 513 * 4, 0x400000 | (0x3 << 13) | P | RW | PS); // phys 3_0040_0000
    h.io.mmioValues.set(0x300400010, 0x77);
    assert.equal(h.cpu.read8(0x80400010), 0x77);
    assert.equal(h.io.log.at(-1)?.address, 0x300400010);
    h.write32(PD + 514 * 4, 0x400000 | 0x200000 | P | RW | PS);
    assert.equal(faultOf(h, () => h.cpu.read8(0x80800000))?.error, PF_P | PF_RSVD);
  });

  test("without CR4.PSE the PS bit is ignored (the PDE points to a table)", () => {
    const h = paged32(0);
    h.write32(PD + 515 * 4, PT_TEST | P | RW | PS);
    h.write32(PT_TEST, 0x320000 | P | RW);
    h.write32(0x320000, 0xbeef);
    assert.equal(h.cpu.read32(0x80c00000), 0xbeef);
  });
});

describe("PAE paging", () => {
  const PDPT = 0x110000;
  const PD0 = 0x111000;
  const PD2 = 0x112000;
  const PT = 0x113000;

  function paePaged(nxe: boolean): CpuHarness {
    const h = CpuHarness.flat32();
    h.write32(PDPT, PD0 | P);
    h.write32(PDPT + 16, PD2 | P);
    h.write32(PD0, 0x000000 | P | RW | US | PS); // 0-2 MiB identity (code, stack)
    h.write32(PD2, PT | P | RW | US); // 0x80000000: 4 KiB pages
    h.write32(PD2 + 8, 0x600000 | P | RW | US | PS); // 0x80200000: 2 MiB page
    h.cpu.writeEfer(nxe ? EFER_NXE : 0);
    h.cpu.writeCr(4, CR4_PAE);
    h.cpu.writeCr(3, PDPT);
    h.cpu.writeCr(0, h.cpu.cr0 | CR0_PG);
    return h;
  }

  test("4 KiB and 2 MiB pages, A/D in 64-bit entries", () => {
    const h = paePaged(false);
    h.write32(PT + 3 * 8, 0x330000 | P | RW | US);
    h.write32(0x330008, 0x99887766);
    assert.equal(h.cpu.read32(0x80003008) >>> 0, 0x99887766);
    h.write32(0x600000 + 0x1ffff0, 0x13579bdf);
    assert.equal(h.cpu.read32(0x803ffff0), 0x13579bdf);
    h.cpu.write32(0x803ffff4, 1);
    assert.equal(h.read32(PD2 + 8) & (A | D), A | D);
    assert.equal(h.read32(PT + 3 * 8) & (A | D), A);
  });

  test("XD with NXE: fetch faults with I/D set, data access works", () => {
    const h = paePaged(true);
    h.write32(PT + 4 * 8, 0x340000 | P | RW | US);
    h.write32(PT + 4 * 8 + 4, 0x80000000 | 0);
    assert.equal(
      faultOf(h, () => h.cpu.read32(0x80004000)),
      null,
    );
    assert.deepEqual(
      faultOf(h, () => translateFetch(h.cpu, 0x80004010)),
      { vector: VEC_PF, error: PF_P | PF_I, cr2: 0x80004010 },
    );
    // Not-present fetches also report I/D under PAE + NXE.
    assert.equal(faultOf(h, () => translateFetch(h.cpu, 0x80005000))?.error, PF_I);
  });

  test("XD without NXE is a reserved bit; so are bits above MAXPHYADDR", () => {
    const h = paePaged(false);
    h.write32(PT + 6 * 8, 0x360000 | P | RW);
    h.write32(PT + 6 * 8 + 4, 0x80000000 | 0);
    assert.equal(faultOf(h, () => h.cpu.read8(0x80006000))?.error, PF_P | PF_RSVD);
    h.write32(PT + 7 * 8, 0x370000 | P | RW);
    h.write32(PT + 7 * 8 + 4, 0x100); // physical bit 40
    assert.equal(faultOf(h, () => h.cpu.write8(0x80007000, 0))?.error, PF_P | PF_RSVD | PF_W);
    // Fetch at ring 0 without NXE: no I/D bit.
    assert.equal(faultOf(h, () => translateFetch(h.cpu, 0x80008000))?.error, 0);
  });

  test("PDPTEs are loaded at MOV CR3 and reserved bits there raise #GP", () => {
    const h = paePaged(false);
    h.write32(PDPT + 8, 0x200000 | P | 0x4); // bit 2 is reserved in a PDPTE
    assert.equal(faultOf(h, () => h.cpu.writeCr(3, PDPT))?.vector, VEC_GP);
    // The old PDPTEs stay in use: a change of the table in memory is not seen.
    h.write32(PDPT + 16, 0);
    assert.equal(
      faultOf(h, () => h.cpu.read8(0x80200000)),
      null,
    );
  });
});

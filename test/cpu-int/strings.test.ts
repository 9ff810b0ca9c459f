// String instructions with REP/REPE/REPNE: direction flag, address size
// (CX/SI/DI vs ECX/ESI/EDI), count 0, long counts, segment overrides,
// restart after a fault in the middle, INS/OUTS.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SEG_ES, SEG_FS } from "../../src/hv/soft/cpu/constants.js";
import { STATUS, ZF, sub } from "./ref.js";
import { CODE, faultIp, faultVector, flat, real, run } from "./exec.js";

const DF = 0x400;
const REP = 0xf3;
const REPNE = 0xf2;
const SRC = 0x4000;
const DST = 0x6000;

function pattern(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);
}

describe("MOVS/STOS/LODS (flat 32-bit)", () => {
  const h = flat();
  for (const [name, op, width, prefix] of [
    ["movsb", 0xa4, 1, []],
    ["movsw", 0xa5, 2, [0x66]],
    ["movsd", 0xa5, 4, []],
  ] as const) {
    it(`rep ${name} forward and backward`, () => {
      const n = 13;
      const bytes = pattern(n * width, width);
      h.poke(SRC, bytes);
      h.poke(DST, new Array<number>(n * width + 8).fill(0));
      run(h, [...prefix, REP, op], { esi: SRC, edi: DST, ecx: n });
      for (let i = 0; i < n * width; i++) assert.equal(h.read8(DST + i), bytes[i]);
      assert.equal(h.ecx, 0);
      assert.equal(h.esi, SRC + n * width);
      assert.equal(h.edi, DST + n * width);
      // Backward: ESI/EDI point at the last element and decrease.
      h.poke(DST, new Array<number>(n * width + 8).fill(0));
      const last = (n - 1) * width;
      run(h, [...prefix, REP, op], { esi: SRC + last, edi: DST + last, ecx: n, flags: DF });
      for (let i = 0; i < n * width; i++) assert.equal(h.read8(DST + i), bytes[i]);
      assert.equal(h.esi, SRC - width);
      assert.equal(h.edi, DST - width);
    });
  }

  it("a count of 0 does nothing", () => {
    h.poke(DST, [0x11]);
    run(h, [REP, 0xaa], { eax: 0x99, edi: DST, ecx: 0, flags: STATUS });
    assert.equal(h.read8(DST), 0x11);
    assert.equal(h.edi, DST);
    assert.equal(h.eflags & STATUS, STATUS);
    run(h, [REP, 0xa6], { esi: SRC, edi: DST, ecx: 0, flags: STATUS });
    assert.equal(h.eflags & STATUS, STATUS, "REPE CMPS with ECX=0 leaves the flags");
  });

  it("a long rep stosd (more than one execution chunk) completes", () => {
    const n = 10_000;
    run(h, [REP, 0xab], { eax: 0xa1b2c3d4, edi: 0x10000, ecx: n });
    assert.equal(h.ecx, 0);
    assert.equal(h.edi, 0x10000 + 4 * n);
    assert.equal(h.read32(0x10000), 0xa1b2c3d4);
    assert.equal(h.read32(0x10000 + 4 * (n - 1)), 0xa1b2c3d4);
  });

  it("lodsb/lodsw/lodsd load the accumulator and step ESI", () => {
    h.poke(SRC, [0x01, 0x02, 0x03, 0x04]);
    run(h, [0xac], { eax: 0xffff_ffff, esi: SRC });
    assert.equal(h.eax, 0xffff_ff01);
    run(h, [0x66, 0xad], { eax: 0xffff_ffff, esi: SRC });
    assert.equal(h.eax, 0xffff_0201);
    run(h, [0xad], { esi: SRC, flags: DF });
    assert.equal(h.eax, 0x0403_0201);
    assert.equal(h.esi, SRC - 4);
  });
});

describe("CMPS/SCAS", () => {
  const h = flat();
  it("repe cmpsb stops after the first difference with that compare's flags", () => {
    h.poke(SRC, [1, 2, 3, 4, 5, 6]);
    h.poke(DST, [1, 2, 3, 9, 5, 6]);
    run(h, [REP, 0xa6], { esi: SRC, edi: DST, ecx: 6 });
    assert.equal(h.ecx, 2);
    assert.equal(h.esi, SRC + 4);
    assert.equal(h.edi, DST + 4);
    assert.equal(h.eflags & STATUS, sub(8, 4, 9).flags);
  });

  it("repe cmpsd over equal data runs out the count with ZF = 1", () => {
    h.poke(SRC, [1, 2, 3, 4, 5, 6, 7, 8]);
    h.poke(DST, [1, 2, 3, 4, 5, 6, 7, 8]);
    run(h, [REP, 0xa7], { esi: SRC, edi: DST, ecx: 2 });
    assert.equal(h.ecx, 0);
    assert.equal(h.eflags & ZF, ZF);
  });

  it("repne scasb finds a byte (strlen); scasw/scasd compare the accumulator", () => {
    h.poke(DST, [...Array.from("hello, world", (c) => c.charCodeAt(0)), 0]);
    run(h, [REPNE, 0xae], { eax: 0, edi: DST, ecx: 0xffff_ffff });
    assert.equal(h.edi, DST + 13);
    assert.equal(0xffff_ffff - h.ecx - 1, 12, "the string length");
    assert.equal(h.eflags & ZF, ZF);
    h.poke(DST, [0x34, 0x12, 0x78, 0x56]);
    run(h, [0xaf], { eax: 0x5678_1234, edi: DST });
    assert.equal(h.eflags & STATUS, sub(32, 0x5678_1234, 0x5678_1234).flags);
    run(h, [0x66, 0xaf], { eax: 0x1235, edi: DST });
    assert.equal(h.eflags & STATUS, sub(16, 0x1235, 0x1234).flags);
  });
});

describe("address size, segments and restart (real mode)", () => {
  it("16-bit addressing uses CX/SI/DI: ECX's high half is ignored and SI/DI wrap", () => {
    const h = real();
    h.poke(0xfffe, [0xa1, 0xa2]);
    h.poke(0x0000, [0xa3]);
    run(h, [REP, 0xa4], { esi: 0xfffe, edi: 0x5000, ecx: 0x0001_0003 });
    assert.equal(h.ecx, 0x0001_0000);
    assert.equal(h.esi, 0x0001);
    assert.deepEqual([h.read8(0x5000), h.read8(0x5001), h.read8(0x5002)], [0xa1, 0xa2, 0xa3]);
  });

  it("a segment override changes the source segment only", () => {
    const h = real();
    h.cpu.loadSegment(SEG_FS, 0x0800); // base 0x8000
    h.cpu.loadSegment(SEG_ES, 0x0900); // base 0x9000
    h.poke(0x8010, [0x5a]);
    run(h, [0x64, 0xa4], { esi: 0x10, edi: 0x20 }); // fs: movsb
    assert.equal(h.read8(0x9020), 0x5a);
  });

  it("a fault in the middle of rep movsb leaves a restartable state", () => {
    const h = real();
    h.poke(SRC, pattern(10, 3));
    // 67: 32-bit addressing in real mode; EDI passes the 64 KiB limit after 5 bytes → #GP.
    run(h, [0x67, REP, 0xa4], { esi: SRC, edi: 0xfffb, ecx: 10 });
    assert.equal(faultVector(h), 13);
    assert.equal(faultIp(h), CODE, "the fault points at the instruction (prefixes included)");
    assert.equal(h.ecx, 5);
    assert.equal(h.esi, SRC + 5);
    assert.equal(h.edi, 0x10000);
    for (let i = 0; i < 5; i++) assert.equal(h.read8(0xfffb + i), pattern(10, 3)[i]);
  });
});

describe("INS/OUTS", () => {
  it("rep outsb writes each byte to DX; rep insw reads words into ES:DI", () => {
    const h = flat();
    h.poke(SRC, [7, 8, 9]);
    run(h, [REP, 0x6e], { esi: SRC, ecx: 3, edx: 0x80 });
    const outs = h.io.log.filter((a) => a.space === "port" && a.write);
    assert.deepEqual(
      outs.map((a) => [a.address, a.size, a.value]),
      [
        [0x80, 1, 7],
        [0x80, 1, 8],
        [0x80, 1, 9],
      ],
    );
    h.io.portValues.set(0x1f0, 0xbeef);
    run(h, [0x66, REP, 0x6d], { edi: DST, ecx: 2, edx: 0x1f0 });
    assert.equal(h.read16(DST), 0xbeef);
    assert.equal(h.read16(DST + 2), 0xbeef);
    assert.equal(h.edi, DST + 4);
  });
});

// ENTER/LEAVE (nesting levels), PUSHA/POPA, PUSHF/POPF, LAHF/SAHF,
// LOOP/LOOPE/LOOPNE/JCXZ (CX vs ECX), CBW/CWDE/CWD/CDQ and XLAT.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AF, CF, PF, SF, STATUS, ZF } from "./ref.js";
import { CODE, DATA, flat, real, run } from "./exec.js";

const ESP0 = 0x80000;

describe("ENTER/LEAVE", () => {
  const h = flat();
  it("ENTER size, 0 / 1 / 3 builds the frame and the display as the SDM describes", () => {
    const ebp0 = 0x90000;
    h.poke(ebp0 - 8, [0xd2, 0, 0, 0, 0xd1, 0, 0, 0]); // [ebp0-4] = D1, [ebp0-8] = D2
    for (const level of [0, 1, 3, 33]) {
      const nesting = level % 32;
      const size = 0x24;
      run(h, [0xc8, size, 0, level], { ebp: ebp0 });
      const frame = ESP0 - 4;
      assert.equal(h.read32(ESP0 - 4), ebp0, `level ${level}: old EBP pushed`);
      assert.equal(h.ebp, frame, `level ${level}: EBP = frame`);
      let pushed = 1;
      if (nesting > 0) {
        for (let i = 1; i < nesting; i++) {
          assert.equal(h.read32(ESP0 - 4 - 4 * i), h.read32(ebp0 - 4 * i), `display ${i}`);
          pushed++;
        }
        assert.equal(h.read32(ESP0 - 4 * (pushed + 1)), frame, "frame pointer pushed last");
        pushed++;
      }
      assert.equal(h.esp, ESP0 - 4 * pushed - size, `level ${level}: ESP`);
    }
  });

  it("16-bit ENTER pushes words and sets BP only", () => {
    run(h, [0x66, 0xc8, 8, 0, 1], { ebp: 0x1234_5678 });
    assert.equal(h.read16(ESP0 - 2), 0x5678);
    assert.equal(h.read16(ESP0 - 4), (ESP0 - 2) & 0xffff);
    assert.equal(h.ebp, (0x1234_0000 | ((ESP0 - 2) & 0xffff)) >>> 0);
    assert.equal(h.esp, ESP0 - 4 - 8);
  });

  it("LEAVE restores ESP from EBP and pops EBP", () => {
    h.poke(0x7000, [0x44, 0x33, 0x22, 0x11]);
    run(h, [0xc9], { ebp: 0x7000 });
    assert.equal(h.ebp, 0x1122_3344);
    assert.equal(h.esp, 0x7004);
  });
});

describe("PUSHA/POPA, PUSHF/POPF", () => {
  it("PUSHAD stores EAX..EDI with the original ESP; POPAD skips ESP", () => {
    const h = flat();
    const regs = { eax: 1, ecx: 2, edx: 3, ebx: 4, ebp: 6, esi: 7, edi: 8 };
    run(h, [0x60], regs);
    const order = [1, 2, 3, 4, ESP0, 6, 7, 8];
    for (let i = 0; i < 8; i++) assert.equal(h.read32(ESP0 - 4 * (i + 1)), order[i], `slot ${i}`);
    assert.equal(h.esp, ESP0 - 32);
    run(h, [0x61], { esp: ESP0 - 32 });
    assert.deepEqual([h.eax, h.ecx, h.edx, h.ebx, h.ebp, h.esi, h.edi], [1, 2, 3, 4, 6, 7, 8]);
    assert.equal(h.esp, ESP0);
  });

  it("PUSHFD clears VM/RF in the image; real-mode POPF may set IOPL and NT", () => {
    const h = flat();
    run(h, [0x9c], { flags: CF | ZF });
    assert.equal(h.read32(ESP0 - 4), CF | ZF | 2);
    const r = real();
    r.poke(0x6ffe, [0xd5, 0x70]); // IOPL 3, NT, and all status flags
    run(r, [0x9d], { esp: 0x6ffe });
    assert.equal(r.eflags & 0x7fff, 0x70d5 | 2);
  });
});

describe("LAHF/SAHF", () => {
  it("SAHF loads SF ZF AF PF CF from AH; LAHF stores them with bit 1 set", () => {
    const h = flat();
    run(h, [0x9e], { eax: 0xff00, flags: 0x800 });
    assert.equal(h.eflags & STATUS, SF | ZF | AF | PF | CF | 0x800);
    run(h, [0x9f], { eax: 0, flags: ZF | CF });
    assert.equal(h.eax, (ZF | CF | 2) << 8);
  });
});

describe("LOOP/LOOPE/LOOPNE/JCXZ", () => {
  // loopX +1; hlt; inc esi; (hlt) — ESI = 1 when the branch was taken.
  const snippet = (op: number, prefix: number[] = []): number[] => [
    ...prefix,
    op,
    0x01,
    0xf4,
    0x46,
  ];
  const h = flat();
  const cases: [string, number, number, number, boolean, number][] = [
    // name, opcode, ecx, flags, taken, ecx after
    ["loop ecx=2", 0xe2, 2, 0, true, 1],
    ["loop ecx=1", 0xe2, 1, 0, false, 0],
    ["loop ecx=0 wraps", 0xe2, 0, 0, true, 0xffff_ffff],
    ["loope zf=1", 0xe1, 5, ZF, true, 4],
    ["loope zf=0", 0xe1, 5, 0, false, 4],
    ["loope ecx=1", 0xe1, 1, ZF, false, 0],
    ["loopne zf=0", 0xe0, 5, 0, true, 4],
    ["loopne zf=1", 0xe0, 5, ZF, false, 4],
    ["jecxz ecx=0", 0xe3, 0, 0, true, 0],
    ["jecxz ecx=1", 0xe3, 1, 0, false, 1],
  ];
  for (const [name, op, ecx, flags, taken, after] of cases) {
    it(name, () => {
      run(h, snippet(op), { ecx, flags });
      assert.equal(h.esi, taken ? 1 : 0);
      assert.equal(h.ecx, after);
    });
  }

  it("with a 16-bit address size the count register is CX", () => {
    run(h, snippet(0xe2, [0x67]), { ecx: 0x0001_0000 });
    assert.equal(h.ecx, 0x0001_ffff, "CX wraps, ECX's high half stays");
    assert.equal(h.esi, 1);
    run(h, snippet(0xe3, [0x67]), { ecx: 0x0001_0000 });
    assert.equal(h.esi, 1, "jcxz tests CX only");
  });

  it("a real-mode loop runs its body CX times", () => {
    const r = real();
    // inc bx; loop -3
    run(r, [0x43, 0xe2, 0xfd], { ecx: 0x0003_0007 });
    assert.equal(r.ebx, 7);
    assert.equal(r.ecx, 0x0003_0000);
    assert.equal(r.eip, CODE + 4);
  });
});

describe("CBW/CWDE/CWD/CDQ, XLAT", () => {
  const h = flat();
  it("sign-extend the accumulator", () => {
    run(h, [0x66, 0x98], { eax: 0x1234_0080 });
    assert.equal(h.eax, 0x1234_ff80, "cbw");
    run(h, [0x98], { eax: 0x1234_8000 });
    assert.equal(h.eax, 0xffff_8000, "cwde");
    run(h, [0x66, 0x99], { eax: 0x8000, edx: 0x5555_5555 });
    assert.equal(h.edx, 0x5555_ffff, "cwd");
    run(h, [0x99], { eax: 0x7fff_ffff, edx: 5 });
    assert.equal(h.edx, 0, "cdq");
  });

  it("XLAT loads AL from [EBX + AL]", () => {
    h.poke(DATA + 0xf0, [0x42]);
    run(h, [0xd7], { eax: 0xaaaa_aaf0, ebx: DATA });
    assert.equal(h.eax, 0xaaaa_aa42);
  });
});

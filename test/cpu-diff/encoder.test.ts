import assert from "node:assert/strict";
import { test } from "node:test";
import { Asm, memText, type Mem16, type Mem32 } from "../../src/difftest/encoder.js";

const hex = (a: Asm): string => a.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");

function mem32(
  base: number | null,
  index: number | null,
  scale: number,
  disp: number,
  dispSize: 0 | 1 | 4,
): Mem32 {
  return { kind: "mem32", base, index, scale, disp, dispSize };
}

// Expected bytes from SDM vol. 2, tables 2-2 and 2-3 (as any assembler emits them).
test("32-bit ModRM/SIB forms encode like an assembler", () => {
  const cases: [Mem32, number, string, string][] = [
    [mem32(3, 6, 2, 0x10, 1), 1, "01 4c b3 10", "[ebx+esi*4+0x10]"], // add [ebx+esi*4+0x10], ecx
    [mem32(null, null, 0, 0x10000000, 4), 0, "01 05 00 00 00 10", "[0x10000000]"],
    [mem32(5, null, 0, 0, 0), 0, "01 45 00", "[ebp]"], // [ebp] needs a disp8
    [mem32(4, null, 0, 0, 0), 0, "01 04 24", "[esp]"], // ESP base needs a SIB
    [mem32(null, 7, 3, -4, 4), 2, "01 14 fd fc ff ff ff", "[edi*8-0x4]"],
    [mem32(0, null, 0, 0x12345678, 4), 3, "01 98 78 56 34 12", "[eax+0x12345678]"],
    [mem32(5, 1, 0, 0, 0), 0, "01 44 0d 00", "[ebp+ecx*1]"],
  ];
  for (const [m, reg, bytes, text] of cases) {
    const a = new Asm().memRm([0x01], reg, m);
    assert.equal(hex(a), bytes, text);
    assert.equal(memText(m), text);
  }
  const sib = new Asm().memRm([0x8b], 0, { ...mem32(3, null, 0, 0, 0), forceSib: true });
  assert.equal(hex(sib), "8b 04 23"); // mov eax, [ebx] with a redundant SIB
  assert.throws(() => new Asm().memRm([0x01], 0, mem32(0, 4, 0, 0, 0)), /ESP cannot be an index/);
});

test("16-bit addressing gets 67 after the other prefixes", () => {
  const bpSi: Mem16 = { kind: "mem16", rm: 2, disp: 0x7f, dispSize: 1 };
  assert.equal(hex(new Asm().memRm([0x66, 0x8d], 1, bpSi)), "66 67 8d 4a 7f"); // lea cx, [bp+si+0x7f]
  const abs: Mem16 = { kind: "mem16", rm: 6, disp: 0x1234, dispSize: 0 };
  assert.equal(hex(new Asm().memRm([0x8d], 0, abs)), "67 8d 06 34 12");
  assert.equal(memText(abs), "[0x1234]");
  const bx: Mem16 = { kind: "mem16", rm: 7, disp: 0xfffe, dispSize: 2 };
  assert.equal(hex(new Asm().memRm([0x8d], 3, bx)), "67 8d 9f fe ff");
  assert.equal(memText(bx), "[bx-0x2]");
});

test("register forms and immediates", () => {
  assert.equal(hex(new Asm().byte(0x66).regRm([0x81], 7, 2).imm(0x1234, 2)), "66 81 fa 34 12");
  assert.equal(hex(new Asm().regRm([0x0f, 0xaf], 0, 1)), "0f af c1");
  assert.equal(hex(new Asm().imm(0x80000000, 4)), "00 00 00 80");
});

// CMOVcc and SETcc over every condition and every combination of the flags
// the conditions read.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CF, OF, PF, SF, ZF, condition } from "./ref.js";
import { CODE, DATA, faultIp, faultVector, flat, modrm, real, run } from "./exec.js";

const FLAG_BITS = [CF, PF, ZF, SF, OF];

function flagCombinations(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 32; i++) {
    let f = 0;
    for (let b = 0; b < 5; b++) if (i & (1 << b)) f |= FLAG_BITS[b];
    out.push(f);
  }
  return out;
}

describe("SETcc / CMOVcc", () => {
  const h = flat();
  for (let cc = 0; cc < 16; cc++) {
    it(`condition ${cc.toString(16)}`, () => {
      for (const flags of flagCombinations()) {
        const want = condition(cc, flags);
        run(h, [0x0f, 0x90 + cc, modrm(3, 0, 0)], { eax: 0x1234_56aa, flags });
        assert.equal(h.eax, want ? 0x1234_5601 : 0x1234_5600, `set${cc} flags=${flags}`);
        assert.equal(h.eflags & 0x8d5, flags, "SETcc changes no flag");
        run(h, [0x0f, 0x40 + cc, modrm(3, 0, 3)], { eax: 0x1111_1111, ebx: 0x2222_2222, flags });
        assert.equal(h.eax, want ? 0x2222_2222 : 0x1111_1111, `cmov${cc} flags=${flags}`);
        run(h, [0x66, 0x0f, 0x40 + cc, modrm(3, 0, 3)], {
          eax: 0x1111_1111,
          ebx: 0x2222_3333,
          flags,
        });
        assert.equal(h.eax, want ? 0x1111_3333 : 0x1111_1111, `cmov16 ${cc} flags=${flags}`);
      }
    });
  }

  it("SETcc writes a byte to memory; CMOVcc loads from memory", () => {
    h.poke(DATA, [0xee, 0xee, 0x78, 0x56, 0x34, 0x12]);
    run(h, [0x0f, 0x94, modrm(0, 0, 6)], { esi: DATA, flags: ZF }); // sete [esi]
    assert.equal(h.read16(DATA), 0xee01);
    run(h, [0x0f, 0x44, modrm(0, 0, 6)], { esi: DATA + 2, flags: ZF }); // cmove eax, [esi]
    assert.equal(h.eax, 0x1234_5678);
  });

  it("CMOVcc reads (and faults on) its memory source even when the condition is false", () => {
    const h16 = real();
    // cmovz ax, [si] with SI = FFFF: the word crosses the 64 KiB limit → #GP.
    run(h16, [0x0f, 0x44, modrm(0, 0, 4)], { esi: 0xffff, eax: 7, flags: 0 });
    assert.equal(faultVector(h16), 13);
    assert.equal(faultIp(h16), CODE);
    assert.equal(h16.eax, 7);
  });
});

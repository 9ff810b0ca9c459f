// The table of SDM-undefined flags that the differential tester masks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { undefinedFlags } from "../../src/hv/soft/cpu/insn/int-undefined-flags.js";
import { AF, CF, OF, PF, SF, STATUS, ZF } from "./ref.js";

describe("undefinedFlags", () => {
  it("knows the SDM's undefined flags per instruction", () => {
    const cases: [number[], number | undefined, number][] = [
      [[0x01, 0xd8], undefined, 0], // add: all defined
      [[0x21, 0xd8], undefined, AF], // and
      [[0x66, 0x83, 0xf0, 1], undefined, AF], // xor ax, 1 (83 /6)
      [[0x83, 0xf8, 1], undefined, 0], // cmp eax, 1 (83 /7)
      [[0xf7, 0xe3], undefined, SF | ZF | AF | PF], // mul ebx
      [[0xf7, 0xf3], undefined, STATUS], // div ebx
      [[0x0f, 0xaf, 0xc3], undefined, SF | ZF | AF | PF], // imul eax, ebx
      [[0xd1, 0xe0], undefined, AF], // shl eax, 1: AF is undefined for any non-zero count
      [[0xc1, 0xe0, 5], 5, OF | AF], // shl eax, 5
      [[0xc0, 0xe8, 9], 9, OF | AF | CF], // shr al, 9
      [[0xd3, 0xc0], 3, OF], // rol eax, cl=3
      [[0xd3, 0xc0], 32, 0], // masked count 0
      [[0x0f, 0xa4, 0xd8, 1], 1, AF], // shld eax, ebx, 1
      [[0x66, 0x0f, 0xa5, 0xd8], 20, STATUS], // shld ax, bx, cl=20
      [[0x0f, 0xbc, 0xc3], undefined, CF | OF | SF | AF | PF], // bsf
      [[0xf0, 0x0f, 0xab, 0x18], undefined, OF | SF | AF | PF], // lock bts [eax], ebx
      [[0x27], undefined, OF], // daa
      [[0x37], undefined, OF | SF | ZF | PF], // aaa
      [[0xd4, 0x0a], undefined, OF | AF | CF], // aam
      [[0x90], undefined, 0], // nop
    ];
    for (const [code, count, want] of cases) {
      assert.equal(undefinedFlags(code, count), want, code.map((b) => b.toString(16)).join(" "));
    }
  });
});

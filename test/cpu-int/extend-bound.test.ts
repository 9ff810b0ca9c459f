// MOVZX/MOVSX and BOUND (#BR).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STATUS } from "./ref.js";
import { CODE, DATA, faultIp, faultVector, flat, modrm, real, run } from "./exec.js";

describe("MOVZX/MOVSX", () => {
  const h = flat();
  it("extend bytes and words into 16/32-bit registers, no flags", () => {
    const cases: [number[], number, number][] = [
      // [code, ebx (source), expected eax]; eax starts as 0xAAAAAAAA
      [[0x0f, 0xb6, modrm(3, 0, 3)], 0x1234_5680, 0x0000_0080], // movzx eax, bl
      [[0x0f, 0xbe, modrm(3, 0, 3)], 0x1234_5680, 0xffff_ff80], // movsx eax, bl
      [[0x0f, 0xbe, modrm(3, 0, 7)], 0x1234_7f00, 0x0000_007f], // movsx eax, bh
      [[0x0f, 0xb7, modrm(3, 0, 3)], 0x1234_8001, 0x0000_8001], // movzx eax, bx
      [[0x0f, 0xbf, modrm(3, 0, 3)], 0x1234_8001, 0xffff_8001], // movsx eax, bx
      [[0x66, 0x0f, 0xb6, modrm(3, 0, 3)], 0x90, 0xaaaa_0090], // movzx ax, bl
      [[0x66, 0x0f, 0xbe, modrm(3, 0, 3)], 0x90, 0xaaaa_ff90], // movsx ax, bl
      [[0x66, 0x0f, 0xbf, modrm(3, 0, 3)], 0x9876, 0xaaaa_9876], // movsx ax, bx (a copy)
    ];
    for (const [code, ebx, want] of cases) {
      run(h, code, { eax: 0xaaaa_aaaa, ebx, flags: STATUS });
      assert.equal(h.eax, want, code.map((b) => b.toString(16)).join(" "));
      assert.equal(h.eflags & STATUS, STATUS);
    }
  });

  it("reads memory sources", () => {
    h.poke(DATA, [0xfe, 0xff]);
    run(h, [0x0f, 0xbe, modrm(0, 1, 6)], { esi: DATA }); // movsx ecx, byte [esi]
    assert.equal(h.ecx, 0xffff_fffe);
    run(h, [0x0f, 0xb7, modrm(0, 1, 6)], { esi: DATA }); // movzx ecx, word [esi]
    assert.equal(h.ecx, 0xfffe);
  });
});

describe("BOUND", () => {
  const h = real();
  function bound16(index: number, lower: number, upper: number): number {
    h.poke(DATA, [lower & 0xff, (lower >> 8) & 0xff, upper & 0xff, (upper >> 8) & 0xff]);
    run(h, [0x62, modrm(0, 0, 4)], { eax: index & 0xffff, esi: DATA }); // bound ax, [si]
    return faultVector(h);
  }
  function bound32(index: number, lower: number, upper: number): number {
    const bytes: number[] = [];
    for (const v of [lower, upper]) for (let i = 0; i < 4; i++) bytes.push((v >>> (8 * i)) & 0xff);
    h.poke(DATA, bytes);
    run(h, [0x66, 0x62, modrm(0, 0, 4)], { eax: index >>> 0, esi: DATA }); // bound eax, [si]
    return faultVector(h);
  }

  it("passes inside the signed bounds (inclusive) and raises #BR outside", () => {
    for (const [index, lower, upper, inside] of [
      [5, 0, 10, true],
      [0, 0, 10, true],
      [10, 0, 10, true],
      [11, 0, 10, false],
      [-1, 0, 10, false],
      [-5, -10, -1, true],
      [0, -10, -1, false],
      [-32768, -32768, 32767, true],
      [32767, -32768, 32767, true],
    ] as const) {
      const msg = `${index} in [${lower}, ${upper}]`;
      assert.equal(bound16(index, lower, upper), inside ? -1 : 5, `16-bit ${msg}`);
      if (!inside) assert.equal(faultIp(h), CODE, "BOUND is a fault: IP points at it");
      assert.equal(bound32(index, lower, upper), inside ? -1 : 5, `32-bit ${msg}`);
    }
    assert.equal(bound32(-0x8000_0000, -0x8000_0000, 0x7fff_ffff), -1);
    assert.equal(bound32(0x7fff_ffff, 0, 0x7fff_fffe), 5);
  });

  it("a register operand is #UD", () => {
    run(h, [0x62, modrm(3, 0, 1)], {});
    assert.equal(faultVector(h), 6);
  });
});

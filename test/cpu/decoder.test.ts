import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  EBP,
  EBX,
  EDI,
  ESI,
  ESP,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  VEC_GP,
  VEC_UD,
  ZERO_REG,
} from "../../src/hv/soft/cpu/constants.js";
import { Decoded, REP_E, REP_NE, REP_NONE } from "../../src/hv/soft/cpu/decoded.js";
import { CodeReader, decode } from "../../src/hv/soft/cpu/decoder.js";
import "../../src/hv/soft/cpu/core.js"; // registers the instructions
import { CpuHarness } from "./harness.js";

/** Decodes `bytes` as one instruction (block mode over the bytes). */
function dec(bytes: number[], code32 = true): Decoded {
  const r = new CodeReader();
  r.setBlock(Uint8Array.from(bytes), 0, bytes.length);
  const d = new Decoded();
  decode(r, d, code32);
  return d;
}

/** Runs the decoded handler on a fresh CPU and returns the vector it raises, or -1. */
function faultOf(d: Decoded): number {
  const h = CpuHarness.flat32();
  try {
    d.handler(h.cpu, d);
  } catch (e) {
    if (e === h.cpu.fault) return h.cpu.fault.vector;
    throw e;
  }
  return -1;
}

describe("prefixes", () => {
  test("operand/address size overrides flip with the code size", () => {
    assert.equal(dec([0x89, 0xc0]).opSize, 32);
    assert.equal(dec([0x66, 0x89, 0xc0]).opSize, 16);
    assert.equal(dec([0x89, 0xc0], false).opSize, 16);
    assert.equal(dec([0x66, 0x89, 0xc0], false).opSize, 32);
    assert.equal(dec([0x67, 0x8b, 0x07]).addrSize, 16);
    assert.equal(dec([0x67, 0x8b, 0x07], false).addrSize, 32);
    const both = dec([0x66, 0x67, 0x8b, 0x07]);
    assert.equal(both.opSize, 16);
    assert.equal(both.addrSize, 16);
    assert.equal(both.length, 4);
  });

  test("segment overrides, last one wins", () => {
    const table: [number, number][] = [
      [0x26, SEG_ES],
      [0x2e, SEG_CS],
      [0x36, SEG_SS],
      [0x3e, SEG_DS],
      [0x64, SEG_FS],
      [0x65, SEG_GS],
    ];
    for (const [prefix, seg] of table) {
      const d = dec([prefix, 0x8b, 0x45, 0x00]); // mov eax, [ebp+0] — default SS
      assert.equal(d.seg, seg);
      assert.equal(d.segOverride, seg);
    }
    assert.equal(dec([0x26, 0x64, 0x8b, 0x00]).seg, SEG_FS);
    assert.equal(dec([0x8b, 0x00]).segOverride, -1);
  });

  test("REP kinds and LOCK", () => {
    assert.equal(dec([0xa4]).rep, REP_NONE);
    assert.equal(dec([0xf3, 0xa4]).rep, REP_E);
    assert.equal(dec([0xf2, 0xa4]).rep, REP_NE);
    assert.equal(dec([0xf2, 0xf3, 0xa4]).rep, REP_E);
    const xchg = dec([0xf0, 0x87, 0x03]); // lock xchg [ebx], eax
    assert.equal(xchg.lock, true);
    assert.equal(faultOf(xchg) === VEC_UD, false);
  });

  test("LOCK is #UD on a register form and on instructions that do not allow it", () => {
    assert.equal(faultOf(dec([0xf0, 0x87, 0xc3])), VEC_UD); // lock xchg ebx, eax
    assert.equal(faultOf(dec([0xf0, 0x89, 0x03])), VEC_UD); // lock mov [ebx], eax
    assert.equal(faultOf(dec([0xf0, 0x90])), VEC_UD); // lock nop
  });
});

describe("ModRM and SIB, 32-bit addressing", () => {
  /** Expected bytes after the ModRM byte, from SDM vol. 2 tables 2-2 and 2-3. */
  function tailLength(mod: number, rm: number, sibBase: number): number {
    let n = rm === 4 ? 1 : 0;
    if (mod === 1) n += 1;
    else if (mod === 2) n += 4;
    else if (rm === 5 || (rm === 4 && sibBase === 5)) n += 4;
    return n;
  }

  test("every ModRM/SIB combination has the right length, parts and segment", () => {
    for (let modrm = 0; modrm < 0xc0; modrm++) {
      const mod = modrm >> 6;
      const rm = modrm & 7;
      const sibs = rm === 4 ? 256 : 1;
      for (let sib = 0; sib < sibs; sib++) {
        const sibBase = sib & 7;
        const tail = tailLength(mod, rm, sibBase);
        const bytes = [0x8b, modrm];
        if (rm === 4) bytes.push(sib);
        const dispBytes = tail - (rm === 4 ? 1 : 0);
        const disp = [0x11, 0x22, 0x83, 0x94].slice(0, dispBytes);
        bytes.push(...disp);
        const d = dec(bytes);
        const what = `modrm ${modrm.toString(16)} sib ${sib.toString(16)}`;
        assert.equal(d.length, 2 + tail, what);
        // Expected parts.
        let base: number = rm;
        let index: number = ZERO_REG;
        let scale = 0;
        if (rm === 4) {
          base = sibBase;
          index = ((sib >> 3) & 7) === 4 ? ZERO_REG : (sib >> 3) & 7;
          scale = sib >> 6;
          if (sibBase === 5 && mod === 0) base = ZERO_REG;
        } else if (rm === 5 && mod === 0) {
          base = ZERO_REG;
        }
        assert.equal(d.base, base, what);
        assert.equal(d.index, index, what);
        assert.equal(d.scale, scale, what);
        const expectDisp = dispBytes === 0 ? 0 : dispBytes === 1 ? 0x11 : 0x94832211 | 0;
        assert.equal(d.disp, expectDisp, what);
        const ss = base === ESP || base === EBP;
        assert.equal(d.seg, ss ? SEG_SS : SEG_DS, what);
        assert.equal(d.reg, (modrm >> 3) & 7, what);
      }
    }
  });

  test("effective addresses evaluate base + index << scale + disp, wrapping at 4 GiB", () => {
    const h = CpuHarness.flat32();
    const values = [0x1000, 0xfffffff0, 0x20, 0x300, 0x40000, 0x5, 0x6000000, 0x70];
    values.forEach((v, i) => (h.cpu.r32[i * 2] = v));
    // [ebx + esi*4 + 0x10]
    let d = dec([0x8b, 0x44, 0xb3, 0x10]);
    assert.equal(h.cpu.eaOffset(d), (0x300 + 0x6000000 * 4 + 0x10) >>> 0);
    // [ecx + edx*8 - 0x100] wraps
    d = dec([0x8b, 0x84, 0xd1, 0x00, 0xff, 0xff, 0xff]);
    assert.equal(h.cpu.eaOffset(d), (0xfffffff0 + 0x20 * 8 - 0x100) >>> 0);
    // [disp32] with no base
    d = dec([0x8b, 0x05, 0x78, 0x56, 0x34, 0x12]);
    assert.equal(h.cpu.eaOffset(d), 0x12345678);
    // [esp] with SIB index 4 = none
    d = dec([0x8b, 0x04, 0x24]);
    assert.equal(h.cpu.eaOffset(d), 0x40000);
  });
});

describe("ModRM, 16-bit addressing", () => {
  const parts: [number, number, number][] = [
    [EBX, ESI, SEG_DS],
    [EBX, EDI, SEG_DS],
    [EBP, ESI, SEG_SS],
    [EBP, EDI, SEG_SS],
    [ZERO_REG, ESI, SEG_DS],
    [ZERO_REG, EDI, SEG_DS],
    [EBP, ZERO_REG, SEG_SS],
    [EBX, ZERO_REG, SEG_DS],
  ];

  test("all 192 memory forms: length, base/index, default segment", () => {
    for (let modrm = 0; modrm < 0xc0; modrm++) {
      const mod = modrm >> 6;
      const rm = modrm & 7;
      const direct = mod === 0 && rm === 6;
      const dispLen = direct ? 2 : mod === 1 ? 1 : mod === 2 ? 2 : 0;
      const d = dec([0x8b, modrm, 0xfe, 0x7f].slice(0, 2 + dispLen), false);
      const what = `modrm ${modrm.toString(16)}`;
      assert.equal(d.length, 2 + dispLen, what);
      assert.equal(d.addrSize, 16);
      if (direct) {
        assert.equal(d.base, ZERO_REG, what);
        assert.equal(d.index, ZERO_REG, what);
        assert.equal(d.seg, SEG_DS, what);
        assert.equal(d.disp, 0x7ffe, what);
      } else {
        assert.equal(d.base, parts[rm][0], what);
        assert.equal(d.index, parts[rm][1], what);
        assert.equal(d.seg, parts[rm][2], what);
        assert.equal(d.disp, dispLen === 0 ? 0 : dispLen === 1 ? -2 : 0x7ffe, what);
      }
    }
  });

  test("16-bit effective addresses wrap at 64 KiB", () => {
    const h = CpuHarness.real();
    h.cpu.r16[EBX << 2] = 0xfff0;
    h.cpu.r16[ESI << 2] = 0x0020;
    const d = dec([0x8b, 0x40, 0x05], false); // [bx+si+5]
    assert.equal(h.cpu.eaOffset(d), 0x0015);
    const neg = dec([0x8b, 0x47, 0xf0], false); // [bx-0x10]
    assert.equal(h.cpu.eaOffset(neg), 0xffe0);
  });
});

describe("immediates and lengths", () => {
  test("immediate kinds", () => {
    assert.equal(dec([0xb0, 0xff]).imm, 0xff); // mov al, ib
    assert.equal(dec([0x6a, 0xff]).imm, -1); // push ibs
    const iz32 = dec([0x68, 0x78, 0x56, 0x34, 0x92]);
    assert.equal(iz32.imm, 0x92345678 | 0);
    assert.equal(iz32.length, 5);
    const iz16 = dec([0x66, 0x68, 0x34, 0x92]);
    assert.equal(iz16.imm, 0x9234);
    assert.equal(iz16.length, 4);
    const ret = dec([0xc2, 0x08, 0x00]);
    assert.equal(ret.imm, 8);
    const enter = dec([0xc8, 0x10, 0x00, 0x03]);
    assert.deepEqual([enter.imm, enter.imm2, enter.length], [0x10, 3, 4]);
    const movImm = dec([0xc7, 0x44, 0x24, 0x08, 1, 2, 3, 4]); // mov dword [esp+8], imm32
    assert.equal(movImm.length, 8);
    assert.equal(movImm.imm, 0x04030201);
  });

  test("moffs takes the address size and becomes the operand's displacement", () => {
    const d32 = dec([0xa1, 0x44, 0x33, 0x22, 0x11]);
    assert.equal(d32.length, 5);
    assert.equal(d32.disp, 0x11223344);
    assert.equal(d32.base, ZERO_REG);
    const d16 = dec([0x67, 0xa1, 0x44, 0x33]);
    assert.equal(d16.length, 4);
    assert.equal(d16.disp, 0x3344);
    const seg = dec([0x65, 0xa2, 0, 0, 0, 0]);
    assert.equal(seg.seg, SEG_GS);
  });

  test("0F map and Jcc rel32", () => {
    const d = dec([0x0f, 0x84, 0xfa, 0xff, 0xff, 0xff]);
    assert.equal(d.opcode, 0x100 + 0x84);
    assert.equal(d.imm, -6);
    assert.equal(d.length, 6);
  });

  test("unregistered opcodes raise #UD when executed", () => {
    assert.equal(faultOf(dec([0x0f, 0x0b])), VEC_UD); // UD2
    assert.equal(faultOf(dec([0x0f, 0xff])), VEC_UD);
    assert.equal(faultOf(dec([0x8d, 0xc0])), VEC_UD); // LEA with a register operand
    assert.equal(faultOf(dec([0x8e, 0xc8])), VEC_UD); // MOV CS, ax
    assert.equal(faultOf(dec([0xc6, 0xc8, 0x00])), VEC_UD); // C6 /1
  });

  test("15 bytes decode; 16 raise #GP(0)", () => {
    const fifteen = [...new Array<number>(14).fill(0x66), 0x90];
    const ok = dec(fifteen);
    assert.equal(ok.length, 15);
    assert.equal(faultOf(ok), -1);
    const sixteen = [...new Array<number>(15).fill(0x66), 0x90];
    assert.equal(faultOf(dec(sixteen)), VEC_GP);
    // Prefixes + opcode + ModRM + SIB + disp32 + imm32 past 15 bytes.
    const prefixes = [0x2e, 0x3e, 0x26, 0x64, 0x65, 0x2e, 0x3e];
    const long = [...prefixes, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8];
    assert.equal(faultOf(dec(long)), VEC_GP);
    assert.equal(faultOf(dec(long.slice(3))), -1); // 15 bytes: fine
  });

  test("an invalid instruction in real mode is delivered through IVT vector 6 at its address", () => {
    const h = CpuHarness.real();
    h.setIvt(6, 0, 0x2000);
    h.poke(0x2000, [0xf4]); // handler: hlt
    h.load(0x1000, [0x90, 0x0f, 0x0b]); // nop; ud2
    assert.equal(h.run().kind, "hlt");
    assert.equal(h.eip, 0x2001);
    assert.equal(h.read16(0x7000 - 6), 0x1001); // pushed IP = the UD2
  });
});

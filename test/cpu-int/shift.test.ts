// Group 2 shifts/rotates (C0/C1/D0-D3) and SHLD/SHRD against the SDM's
// bit-by-bit loop pseudo-code (ref.ts shift / shiftDouble).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CF,
  OF,
  STATUS,
  edgeValues,
  mask,
  randomWords,
  shift,
  shiftDouble,
  toUnsigned,
  type ShiftOp,
  type Size,
} from "./ref.js";
import { DATA, flat, hex, modrm, osize, peek, poke, run } from "./exec.js";

const OPS: ShiftOp[] = ["rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar"];
const SIZES: Size[] = [8, 16, 32];
const COUNTS = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 18, 24, 31, 32, 33, 63, 0xff];
const HIGH = 0x69f0_3c00;

function values(size: Size): number[] {
  return [
    ...edgeValues(size),
    0x5a & mask(size),
    ...randomWords(size, 4).map((v) => toUnsigned(size, v)),
  ];
}

describe("shifts and rotates (group 2)", () => {
  const h = flat();
  for (let op = 0; op < 8; op++) {
    for (const size of SIZES) {
      const name = `${op === 6 ? "sal(/6)" : OPS[op]} ${size}-bit`;
      it(`${name} by CL, imm8 and 1, flags in both CF/OF states`, () => {
        const keep = size === 32 ? 0 : HIGH & ~mask(size);
        const byCl = [...osize(size), size === 8 ? 0xd2 : 0xd3, modrm(3, op, 0)];
        const by1 = [...osize(size), size === 8 ? 0xd0 : 0xd1, modrm(3, op, 0)];
        for (const a of values(size)) {
          for (const flagsIn of [0, STATUS]) {
            for (const count of COUNTS) {
              const e = shift(size, OPS[op], a, count, flagsIn);
              const msg = `${name} ${hex(a)} by ${count} flags=${hex(flagsIn)}`;
              run(h, byCl, { eax: (keep | a) >>> 0, ecx: count, flags: flagsIn });
              assert.equal(h.eax, (keep | e.result) >>> 0, `CL: ${msg}`);
              assert.equal(h.eflags & STATUS, e.flags, `CL: ${msg}`);
              if (count > 33) continue; // imm8 forms: enough to check a few counts
              const byImm = [...osize(size), size === 8 ? 0xc0 : 0xc1, modrm(3, op, 0), count];
              run(h, byImm, { eax: (keep | a) >>> 0, flags: flagsIn });
              assert.equal(h.eax, (keep | e.result) >>> 0, `imm8: ${msg}`);
              assert.equal(h.eflags & STATUS, e.flags, `imm8: ${msg}`);
            }
            const e1 = shift(size, OPS[op], a, 1, flagsIn);
            run(h, by1, { eax: (keep | a) >>> 0, flags: flagsIn });
            assert.equal(h.eax, (keep | e1.result) >>> 0, `by 1: ${name} ${hex(a)}`);
            assert.equal(h.eflags & STATUS, e1.flags, `by 1: ${name} ${hex(a)}`);
          }
        }
      });
    }
  }

  it("memory operands; a zero count does not write (or change flags)", () => {
    for (const size of SIZES) {
      const a = 0x81 & mask(size);
      poke(h, DATA, size, a);
      run(h, [...osize(size), size === 8 ? 0xd2 : 0xd3, modrm(0, 4, 6)], { esi: DATA, ecx: 3 });
      assert.equal(peek(h, DATA, size), shift(size, "shl", a, 3, 0).result);
      // Count 32 masks to 0: neither the operand nor the flags change.
      poke(h, DATA, size, a);
      run(h, [...osize(size), size === 8 ? 0xd2 : 0xd3, modrm(0, 4, 6)], {
        esi: DATA,
        ecx: 32,
        flags: CF | OF,
      });
      assert.equal(peek(h, DATA, size), a);
      assert.equal(h.eflags & STATUS, CF | OF);
    }
  });
});

describe("SHLD/SHRD", () => {
  const h = flat();
  for (const size of [16, 32] as const) {
    for (const left of [true, false]) {
      const name = `${left ? "SHLD" : "SHRD"} ${size}-bit`;
      it(`${name} by imm8 and CL, counts 0-31 (16-bit counts above 16 included)`, () => {
        const keep = size === 32 ? 0 : HIGH & ~mask(size);
        const byCl = [...osize(size), 0x0f, left ? 0xa5 : 0xad, modrm(3, 3, 0)];
        const dests = [
          0,
          1,
          mask(size),
          0x8000_0001 & mask(size),
          ...randomWords(size + 1, 3).map((v) => toUnsigned(size, v)),
        ];
        const srcs = [
          0,
          mask(size),
          0x1234_5678 & mask(size),
          ...randomWords(size + 9, 2).map((v) => toUnsigned(size, v)),
        ];
        for (const dest of dests) {
          for (const src of srcs) {
            for (let count = 0; count < 34; count++) {
              const flagsIn = count & 1 ? STATUS : 0;
              const e = shiftDouble(size, left, dest, src, count, flagsIn);
              const msg = `${name} dest=${hex(dest)} src=${hex(src)} count=${count}`;
              run(h, byCl, { eax: (keep | dest) >>> 0, ebx: src, ecx: count, flags: flagsIn });
              assert.equal(h.eax, (keep | e.result) >>> 0, `CL: ${msg}`);
              assert.equal(h.eflags & STATUS, e.flags, `CL: ${msg}`);
              assert.equal(h.ebx, src, "the source is unchanged");
              if (count % 5 !== 1) continue;
              const byImm = [...osize(size), 0x0f, left ? 0xa4 : 0xac, modrm(3, 3, 0), count];
              run(h, byImm, { eax: (keep | dest) >>> 0, ebx: src, flags: flagsIn });
              assert.equal(h.eax, (keep | e.result) >>> 0, `imm8: ${msg}`);
              assert.equal(h.eflags & STATUS, e.flags, `imm8: ${msg}`);
            }
          }
        }
      });
    }
  }
});

// INC/DEC (40-4F, FE/FF /0-1), NOT and NEG (F6/F7 /2-3) against ref.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CF, STATUS, edgeValues, incdec, mask, neg, type Size } from "./ref.js";
import { DATA, flat, hex, modrm, osize, peek, poke, run } from "./exec.js";

const SIZES: Size[] = [8, 16, 32];
const HIGH = 0x5a3c_9600;

describe("INC/DEC", () => {
  const h = flat();
  for (const size of SIZES) {
    for (const dec of [false, true]) {
      const name = `${dec ? "DEC" : "INC"} ${size}-bit`;
      it(`${name} keeps CF and sets the other flags like ADD/SUB 1`, () => {
        const keep = size === 32 ? 0 : HIGH & ~mask(size);
        const group = [...osize(size), size === 8 ? 0xfe : 0xff, modrm(3, dec ? 1 : 0, 0)];
        const forms: { code: number[]; inEcx: boolean }[] = [{ code: group, inEcx: false }];
        // The one-byte 40+r / 48+r forms exist for 16/32 bits only (here: ECX).
        if (size !== 8)
          forms.push({ code: [...osize(size), (dec ? 0x48 : 0x40) + 1], inEcx: true });
        for (const a of edgeValues(size)) {
          for (const cf of [0, 1]) {
            const oldFlags = cf ? CF : 0;
            const e = incdec(size, dec, a, oldFlags);
            for (const { code, inEcx } of forms) {
              const v = (keep | a) >>> 0;
              run(h, code, { eax: v, ecx: v, flags: oldFlags });
              const got = inEcx ? h.ecx : h.eax;
              const msg = `${name} a=${hex(a)} cf=${cf} code=${code.map(hex)}`;
              assert.equal(got, (keep | e.result) >>> 0, msg);
              assert.equal(h.eflags & STATUS, e.flags, msg);
            }
          }
        }
      });
    }
    it(`INC/DEC ${size}-bit memory operands`, () => {
      for (const a of edgeValues(size)) {
        poke(h, DATA, size, a);
        run(h, [...osize(size), size === 8 ? 0xfe : 0xff, modrm(0, 0, 3)], { ebx: DATA });
        assert.equal(peek(h, DATA, size), incdec(size, false, a, 0).result);
        run(h, [...osize(size), size === 8 ? 0xfe : 0xff, modrm(0, 1, 3)], {
          ebx: DATA,
          flags: CF,
        });
        assert.equal(peek(h, DATA, size), a);
        assert.equal(
          h.eflags & STATUS,
          incdec(size, true, incdec(size, false, a, 0).result, CF).flags,
        );
      }
    });
  }
});

describe("NOT/NEG", () => {
  const h = flat();
  for (const size of SIZES) {
    it(`NEG ${size}-bit: flags of 0 - x, CF = (x != 0)`, () => {
      const keep = size === 32 ? 0 : HIGH & ~mask(size);
      for (const a of edgeValues(size)) {
        const e = neg(size, a);
        run(h, [...osize(size), size === 8 ? 0xf6 : 0xf7, modrm(3, 3, 0)], {
          eax: (keep | a) >>> 0,
        });
        assert.equal(h.eax, (keep | e.result) >>> 0, `neg ${hex(a)}`);
        assert.equal(h.eflags & STATUS, e.flags, `neg ${hex(a)}`);
        poke(h, DATA, size, a);
        run(h, [...osize(size), size === 8 ? 0xf6 : 0xf7, modrm(0, 3, 6)], { esi: DATA });
        assert.equal(peek(h, DATA, size), e.result);
      }
    });
    it(`NOT ${size}-bit: inverts, changes no flag`, () => {
      const keep = size === 32 ? 0 : HIGH & ~mask(size);
      for (const a of edgeValues(size)) {
        for (const flags of [0, STATUS]) {
          run(h, [...osize(size), size === 8 ? 0xf6 : 0xf7, modrm(3, 2, 0)], {
            eax: (keep | a) >>> 0,
            flags,
          });
          assert.equal(h.eax, (keep | (mask(size) - a)) >>> 0, `not ${hex(a)}`);
          assert.equal(h.eflags & STATUS, flags);
        }
      }
    });
  }
});

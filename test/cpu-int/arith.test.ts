// ADD OR ADC SBB AND SUB XOR CMP in every encoding form and size, against
// the BigInt reference model (ref.ts). Also TEST (84/85/A8/A9).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CF,
  STATUS,
  add,
  edgeValues,
  logic,
  mask,
  randomWords,
  sub,
  toUnsigned,
  type Outcome,
  type Size,
} from "./ref.js";
import { DATA, flat, hex, imm, modrm, osize, peek, poke, run } from "./exec.js";

const OPS = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"] as const;
const SIZES: Size[] = [8, 16, 32];

function reference(op: number, size: Size, a: number, b: number, cf: number): Outcome {
  switch (OPS[op]) {
    case "add":
      return add(size, a, b);
    case "adc":
      return add(size, a, b, cf);
    case "sbb":
      return sub(size, a, b, cf);
    case "sub":
    case "cmp":
      return sub(size, a, b);
    case "and":
    case "or":
    case "xor":
      return logic(size, OPS[op] as "and" | "or" | "xor", a, b);
  }
}

function pairs(size: Size, randomCount: number, seed: number): [number, number][] {
  const out: [number, number][] = [];
  for (const a of edgeValues(size)) for (const b of edgeValues(size)) out.push([a, b]);
  const r = randomWords(seed, randomCount * 2);
  for (let i = 0; i < randomCount; i++)
    out.push([toUnsigned(size, r[2 * i]), toUnsigned(size, r[2 * i + 1])]);
  return out;
}

/** Upper register bits that an 8/16-bit operation must preserve. */
const HIGH = 0xa5c3e100;

describe("ADD/OR/ADC/SBB/AND/SUB/XOR/CMP", () => {
  const h = flat();
  for (let op = 0; op < 8; op++) {
    for (const size of SIZES) {
      const name = `${OPS[op]} ${size}-bit`;
      const m = mask(size);
      const keep = size === 32 ? 0 : HIGH & ~m;
      const stores = OPS[op] !== "cmp";

      it(`${name}: register, register (op r/m, r)`, () => {
        const code = [...osize(size), (op << 3) | (size === 8 ? 0 : 1), modrm(3, 3, 0)];
        for (const [a, b] of pairs(size, 40, 11 + op * 3 + size)) {
          for (const cf of [0, 1]) {
            run(h, code, { eax: (keep | a) >>> 0, ebx: (keep | b) >>> 0, flags: cf ? CF : 0 });
            const e = reference(op, size, a, b, cf);
            const want = stores ? (keep | e.result) >>> 0 : (keep | a) >>> 0;
            const msg = `${name} a=${hex(a)} b=${hex(b)} cf=${cf}`;
            assert.equal(h.eax, want, msg);
            assert.equal(h.eflags & STATUS, e.flags, msg);
          }
        }
      });

      it(`${name}: memory destination and register destination`, () => {
        const memDest = [...osize(size), (op << 3) | (size === 8 ? 0 : 1), modrm(0, 3, 6)];
        const regDest = [...osize(size), (op << 3) | (size === 8 ? 2 : 3), modrm(0, 0, 6)];
        for (const [a, b] of pairs(size, 10, 97 + op + size)) {
          const cf = (a ^ b) & 1;
          const e = reference(op, size, a, b, cf);
          const msg = `${name} a=${hex(a)} b=${hex(b)} cf=${cf}`;
          poke(h, DATA, size, a);
          run(h, memDest, { ebx: b, esi: DATA, flags: cf ? CF : 0 });
          assert.equal(peek(h, DATA, size), stores ? e.result : a, `[mem] ${msg}`);
          assert.equal(h.eflags & STATUS, e.flags, `[mem] ${msg}`);
          poke(h, DATA, size, b);
          run(h, regDest, { eax: (keep | a) >>> 0, esi: DATA, flags: cf ? CF : 0 });
          assert.equal(h.eax, (keep | (stores ? e.result : a)) >>> 0, `reg ${msg}`);
          assert.equal(h.eflags & STATUS, e.flags, `reg ${msg}`);
        }
      });

      it(`${name}: immediate forms (accumulator, 80/81, 82, 83)`, () => {
        for (const a of edgeValues(size)) {
          for (const b of edgeValues(size)) {
            const cf = (a >>> 1) & 1;
            const e = reference(op, size, a, b, cf);
            const want = (keep | (stores ? e.result : a)) >>> 0;
            const msg = `${name} a=${hex(a)} imm=${hex(b)} cf=${cf}`;
            const forms: number[][] = [
              [...osize(size), (op << 3) | (size === 8 ? 4 : 5), ...imm(size, b)],
              [...osize(size), size === 8 ? 0x80 : 0x81, modrm(3, op, 0), ...imm(size, b)],
            ];
            if (size === 8) forms.push([0x82, modrm(3, op, 0), b]);
            for (const code of forms) {
              run(h, code, { eax: (keep | a) >>> 0, flags: cf ? CF : 0 });
              assert.equal(h.eax, want, `${msg} code=${code.map(hex)}`);
              assert.equal(h.eflags & STATUS, e.flags, `${msg} code=${code.map(hex)}`);
            }
          }
          if (size === 8) continue;
          // 83: the imm8 is sign-extended to the operand size.
          for (const ib of [0, 1, 0x7f, 0x80, 0xff]) {
            const b = ((ib << 24) >> 24) & m;
            const cf = a & 1;
            const e = reference(op, size, a, b, cf);
            run(h, [...osize(size), 0x83, modrm(3, op, 0), ib], {
              eax: (keep | a) >>> 0,
              flags: cf ? CF : 0,
            });
            const msg = `${name} 83 a=${hex(a)} ib=${hex(ib)}`;
            assert.equal(h.eax, (keep | (stores ? e.result : a)) >>> 0, msg);
            assert.equal(h.eflags & STATUS, e.flags, msg);
          }
        }
      });
    }
  }

  it("8-bit forms address AH..BH through ModRM", () => {
    // add ah, bh (00 /r, rm = 4 AH, reg = 7 BH)
    run(h, [0x00, modrm(3, 7, 4)], { eax: 0x1234_7f05, ebx: 0x0000_0100 });
    assert.equal(h.eax, 0x1234_8005);
    assert.equal(h.eflags & STATUS, add(8, 0x7f, 1).flags);
    // sub bh, [esi] (2A /r, reg = 7 BH)
    poke(h, DATA, 8, 0x30);
    run(h, [0x2a, modrm(0, 7, 6)], { ebx: 0x2000, esi: DATA });
    assert.equal(h.ebx, 0xf000);
  });

  it("CMP and TEST never write their memory operand", () => {
    // A read-only (ROM) page sends stores to MMIO, where the I/O log sees them.
    h.memory.readOnly.add(DATA >> 12);
    h.memory.mapChanged();
    try {
      poke(h, DATA, 32, 5);
      h.io.log.length = 0;
      run(h, [0x39, modrm(0, 0, 6)], { eax: 5, esi: DATA });
      assert.equal(h.eflags & STATUS, sub(32, 5, 5).flags);
      run(h, [0x85, modrm(0, 0, 6)], { eax: 4, esi: DATA });
      assert.equal(h.eflags & STATUS, logic(32, "and", 5, 4).flags);
      run(h, [0x80, modrm(0, 7, 6), 5], { esi: DATA });
      assert.equal(h.eflags & STATUS, sub(8, 5, 5).flags);
      assert.deepEqual(
        h.io.log.filter((a) => a.write),
        [],
      );
      // ...while ADD does store (so the check above can fail).
      run(h, [0x01, modrm(0, 0, 6)], { eax: 1, esi: DATA });
      assert.equal(h.io.log.filter((a) => a.write).length, 1);
    } finally {
      h.memory.readOnly.delete(DATA >> 12);
      h.memory.mapChanged();
    }
  });
});

describe("TEST", () => {
  const h = flat();
  for (const size of SIZES) {
    it(`${size}-bit: 84/85, A8/A9 and F6/F7 /0 (and the /1 alias)`, () => {
      const keep = size === 32 ? 0 : HIGH & ~mask(size);
      for (const [a, b] of pairs(size, 20, 5 + size)) {
        const e = logic(size, "and", a, b);
        const forms: number[][] = [
          [...osize(size), size === 8 ? 0x84 : 0x85, modrm(3, 3, 0)],
          [...osize(size), size === 8 ? 0xa8 : 0xa9, ...imm(size, b)],
          [...osize(size), size === 8 ? 0xf6 : 0xf7, modrm(3, 0, 0), ...imm(size, b)],
          [...osize(size), size === 8 ? 0xf6 : 0xf7, modrm(3, 1, 0), ...imm(size, b)],
        ];
        for (const code of forms) {
          run(h, code, { eax: (keep | a) >>> 0, ebx: b, flags: STATUS });
          const msg = `test a=${hex(a)} b=${hex(b)} code=${code.map(hex)}`;
          assert.equal(h.eax, (keep | a) >>> 0, msg);
          assert.equal(h.eflags & STATUS, e.flags, msg);
        }
      }
    });
  }
});

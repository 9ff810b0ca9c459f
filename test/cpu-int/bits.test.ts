// BT/BTS/BTR/BTC (register, memory with register offsets far outside the
// operand, imm8), BSF/BSR and BSWAP.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CF, PF, STATUS, ZF, parityFlag, randomWords, toUnsigned } from "./ref.js";
import { flat, hex, modrm, osize, run } from "./exec.js";

const KINDS = ["bt", "bts", "btr", "btc"] as const;
/** 0F xx opcode of each kind's Ev,Gv form. */
const EVGV = [0xa3, 0xab, 0xb3, 0xbb];
/** The bit string's base address: room on both sides for negative offsets. */
const BITS = 0x40000;
const AREA = 0x12000;

/** `value` after BT* `kind` on bit `bit` (BT leaves it). */
function applyBit(kind: number, byte: number, bit: number): number {
  switch (KINDS[kind]) {
    case "bts":
      return byte | (1 << bit);
    case "btr":
      return byte & ~(1 << bit);
    case "btc":
      return byte ^ (1 << bit);
    default:
      return byte;
  }
}

describe("BT/BTS/BTR/BTC", () => {
  const h = flat();
  const fill = new Uint8Array(new Uint32Array(randomWords(99, AREA / 4)).buffer);

  function resetArea(): void {
    h.poke(BITS - AREA / 2, fill);
  }

  for (const size of [16, 32] as const) {
    for (let kind = 0; kind < 4; kind++) {
      const name = `${KINDS[kind]} ${size}-bit`;
      it(`${name} [mem], reg: the signed bit offset selects a byte anywhere around the operand`, () => {
        const offsets =
          size === 16
            ? [0, 1, 15, 16, 17, 100, 0x7fff, -1, -16, -17, -0x8000, -1234]
            : [0, 31, 32, 33, 1000, 0x3ffff, -1, -32, -33, -0x40000, -99999];
        const code = [...osize(size), 0x0f, EVGV[kind], modrm(0, 3, 6)];
        for (const offset of offsets) {
          const byteAt = BITS + Math.floor(offset / 8);
          const bit = ((offset % 8) + 8) % 8;
          const before = fill[byteAt - (BITS - AREA / 2)];
          for (const flagsIn of [0, STATUS & ~CF]) {
            resetArea();
            run(h, code, { esi: BITS, ebx: toUnsigned(size, offset), flags: flagsIn });
            const msg = `${name} offset=${offset}`;
            assert.equal(h.eflags & CF, (before >> bit) & 1, msg);
            assert.equal(h.eflags & (STATUS & ~CF), flagsIn, `${msg}: other flags kept`);
            assert.equal(h.read8(byteAt), applyBit(kind, before, bit), msg);
          }
        }
      });

      it(`${name} reg, reg and imm8 forms take the offset modulo the size`, () => {
        const v = 0x9234_5a6b >>> (32 - size);
        for (const offset of [0, 1, 5, size - 1, size, size + 3, 200]) {
          const bit = offset % size;
          const want = toUnsigned(size, applyBit(kind, v, bit));
          run(h, [...osize(size), 0x0f, EVGV[kind], modrm(3, 3, 0)], { eax: v, ebx: offset });
          assert.equal(h.eflags & CF, (v >>> bit) & 1, `${name} reg offset ${offset}`);
          assert.equal(toUnsigned(size, h.eax), want, `${name} reg offset ${offset}`);
          run(h, [...osize(size), 0x0f, 0xba, modrm(3, 4 + kind, 0), offset & 0xff], { eax: v });
          assert.equal(h.eflags & CF, (v >>> bit) & 1, `${name} imm ${offset}`);
          assert.equal(toUnsigned(size, h.eax), want, `${name} imm ${offset}`);
        }
      });

      it(`${name} [mem], imm8 stays inside the operand`, () => {
        resetArea();
        const code = (ib: number): number[] => [
          ...osize(size),
          0x0f,
          0xba,
          modrm(0, 4 + kind, 6),
          ib,
        ];
        for (const ib of [0, 9, size - 1, size + 1, 0xff]) {
          const bit = ib % size;
          const byteAt = BITS + (bit >> 3);
          const before = h.read8(byteAt);
          run(h, code(ib), { esi: BITS });
          assert.equal(h.eflags & CF, (before >> (bit & 7)) & 1, `${name} imm ${ib}`);
          assert.equal(h.read8(byteAt), applyBit(kind, before, bit & 7), `${name} imm ${ib}`);
        }
      });
    }
  }
});

describe("BSF/BSR", () => {
  const h = flat();
  for (const size of [16, 32] as const) {
    for (const reverse of [false, true]) {
      const name = `${reverse ? "BSR" : "BSF"} ${size}-bit`;
      it(`${name}: index of the lowest/highest set bit; zero source sets ZF and keeps the destination`, () => {
        const code = [...osize(size), 0x0f, reverse ? 0xbd : 0xbc, modrm(3, 0, 3)];
        const sources = [1, 2, 0x80, 0x8000, 0x8001, 0x0ff0, ...randomWords(size, 10)].map((v) =>
          toUnsigned(size, v),
        );
        if (size === 32) sources.push(0x80000000, 0x00010000, 0xffffffff);
        for (const src of sources) {
          if (src === 0) continue;
          let index = 0;
          if (reverse) while (src >= 2 ** (index + 1)) index++;
          else while (Math.floor(src / 2 ** index) % 2 === 0) index++;
          run(h, code, { eax: 0xdead_beef, ebx: src, flags: STATUS });
          const msg = `${name} ${hex(src)}`;
          assert.equal(toUnsigned(size, h.eax), index, msg);
          assert.equal(h.eflags & STATUS, parityFlag(index), msg);
        }
        for (const flagsIn of [0, STATUS & ~ZF, PF | CF]) {
          run(h, code, { eax: 0xdead_beef, ebx: size === 16 ? 0xffff_0000 : 0, flags: flagsIn });
          assert.equal(h.eax, 0xdead_beef, `${name} zero source: destination unchanged`);
          assert.equal(h.eflags & STATUS, flagsIn | ZF, `${name} zero source flags`);
        }
      });
    }
  }
});

describe("BSWAP", () => {
  const h = flat();
  it("reverses the bytes of each 32-bit register; the 16-bit form clears the word", () => {
    for (let r = 0; r < 8; r++) {
      if (r === 4) continue; // ESP holds the stack
      const regs = { eax: 0, ecx: 0, edx: 0, ebx: 0, ebp: 0, esi: 0, edi: 0 };
      const names = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] as const;
      const name = names[r] as keyof typeof regs;
      regs[name] = 0x1234_56f8;
      run(h, [0x0f, 0xc8 + r], regs);
      assert.equal(h[name], 0xf856_3412, `bswap ${name}`);
      run(h, [0x66, 0x0f, 0xc8 + r], regs);
      assert.equal(h[name], 0x1234_0000, `bswap ${name} (16-bit)`);
    }
  });
});

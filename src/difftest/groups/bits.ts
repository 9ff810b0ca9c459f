/**
 * Bit instructions: BT/BTS/BTR/BTC with a register bit offset (0F A3/AB/B3/BB;
 * with a memory operand the offset is a signed bit string index that can
 * reach far outside the operand, SDM vol. 2 "BT") and with an immediate
 * (0F BA /4-7), BSF/BSR (0F BC/BD; zero source leaves the destination
 * undefined) and BSWAP (0F C8+r).
 */
import type { CaseBuilder } from "../builder.js";
import { type Mem32, memText } from "../encoder.js";
import { DATA_ADDR } from "../layout.js";
import { UNDEFINED_FLAGS } from "../undefined-flags.js";
import { type Form, type Group, hx, m, maskOf, osz, r } from "./group.js";

const BT_NAMES = ["bt", "bts", "btr", "btc"] as const;

/**
 * A memory bit string around data offset 0x1000 with a register bit index
 * of at most ±1000 bits; fills the reachable bytes.
 */
function bitStringOperand(b: CaseBuilder, size: number, indexReg: number): Mem32 {
  const rng = b.rng;
  const window = 160;
  const center = 0x1000 - rng.int(0x200) + 0x100;
  const bytes = new Uint8Array(2 * window);
  rng.fill(bytes);
  b.poke(center - window, bytes);
  const index = rng.chance(0.3) ? rng.range(-64, 64) : rng.range(-1000, 1000);
  const value = size === 16 ? (b.gpr[indexReg] & ~0xffff) | (index & 0xffff) : index >>> 0;
  b.set(indexReg, value);
  return b.address32((DATA_ADDR + center) >>> 0, 1 << indexReg);
}

function btForms(): Form[] {
  const forms: Form[] = [];
  for (let op = 0; op < 4; op++) {
    const mn = BT_NAMES[op];
    const opcode = 0xa3 + 8 * op;
    for (const size of [16, 32]) {
      forms.push({
        name: `${mn.toUpperCase()} r/m${size}, r${size} (reg)`,
        gen: (b) => {
          const src = b.reg();
          const dst = b.reg();
          b.asm.byte(...osz(size)).regRm([0x0f, opcode], src, dst);
          b.undefined(UNDEFINED_FLAGS.BT);
          return `${mn} ${r(dst, size)}, ${r(src, size)}`;
        },
      });
      forms.push({
        name: `${mn.toUpperCase()} r/m${size}, r${size} (mem, bit string)`,
        gen: (b) => {
          const src = b.reg();
          const mem = bitStringOperand(b, size, src);
          const lock = op !== 0 && b.rng.chance(0.3);
          if (lock) b.asm.byte(0xf0);
          b.asm.byte(...osz(size)).memRm([0x0f, opcode], src, mem);
          b.undefined(UNDEFINED_FLAGS.BT);
          return `${lock ? "lock " : ""}${mn} ${m(memText(mem), size)}, ${r(src, size)}`;
        },
      });
      for (const memForm of [false, true]) {
        forms.push({
          name: `${mn.toUpperCase()} r/m${size}, imm8 (${memForm ? "mem" : "reg"})`,
          gen: (b) => {
            const imm = b.rng.chance(0.5) ? b.rng.int(size) : b.rng.int(256);
            b.asm.byte(...osz(size));
            let text: string;
            if (memForm) {
              const { mem } = b.mem(size / 8);
              b.asm.memRm([0x0f, 0xba], 4 + op, mem);
              text = m(memText(mem), size);
            } else {
              const reg = b.reg();
              b.asm.regRm([0x0f, 0xba], 4 + op, reg);
              text = r(reg, size);
            }
            b.asm.imm(imm, 1);
            b.undefined(UNDEFINED_FLAGS.BT);
            return `${mn} ${text}, ${hx(imm)}`;
          },
        });
      }
    }
  }
  return forms;
}

function bsfForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, opcode] of [
    ["bsf", 0xbc],
    ["bsr", 0xbd],
  ] as const) {
    for (const size of [16, 32]) {
      for (const memForm of [false, true]) {
        forms.push({
          name: `${mn.toUpperCase()} r${size}, r/m${size} (${memForm ? "mem" : "reg"})`,
          gen: (b) => {
            const dst = b.reg();
            const zero = b.rng.chance(0.15);
            let source: number;
            let text: string;
            b.asm.byte(...osz(size));
            if (memForm) {
              const init = zero ? new Uint8Array(size / 8) : undefined;
              const { mem } = b.mem(size / 8, { exclude: 1 << dst, init });
              b.asm.memRm([0x0f, opcode], dst, mem);
              const span = b.spans[b.spans.length - 1];
              source = span.bytes.reduce((acc, x, i) => acc | (x << (8 * i)), 0) >>> 0;
              text = m(memText(mem), size);
            } else {
              const src = b.reg();
              if (zero) b.set(src, b.gpr[src] & ~maskOf(size));
              source = b.gpr[src] & maskOf(size);
              b.asm.regRm([0x0f, opcode], dst, src);
              text = r(src, size);
            }
            // Source 0: the destination is undefined (SDM vol. 2, BSF/BSR), ZF = 1.
            if ((source & maskOf(size)) === 0) b.undefinedRegs |= 1 << dst;
            b.undefined(UNDEFINED_FLAGS.BSF);
            return `${mn} ${r(dst, size)}, ${text}`;
          },
        });
      }
    }
  }
  forms.push({
    name: "BSWAP r32",
    gen: (b) => {
      const reg = b.reg();
      b.asm.byte(0x0f, 0xc8 + reg);
      return `bswap ${r(reg, 32)}`;
    },
  });
  return forms;
}

export const BIT_GROUPS: readonly Group[] = [
  {
    name: "bt",
    title: "BT/BTS/BTR/BTC with register (incl. bit strings) and imm8",
    forms: btForms(),
  },
  { name: "bsf", title: "BSF/BSR (zero source too), BSWAP", forms: bsfForms() },
];

/**
 * MMX: the packed integer operations of the original MMX set (0F 60-7F,
 * 0F D1-FE), shifts by register and by immediate (0F 71-73), MOVD/MOVQ in
 * every direction and EMMS. Register and memory sources. An MMX instruction
 * sets TOP to 0 and tags every register valid; its destination's exponent
 * field becomes all ones (SDM vol. 1, 9.5.1) — the comparison checks the
 * whole x87 state for all of it.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { FX_FCW, FX_FSW, FX_FTW, FX_ST, writeU16 } from "../fxsave.js";
import { type Form, type Group, hx, m, r } from "./group.js";

const BINARY: readonly [string, number][] = [
  ["punpcklbw", 0x60], ["punpcklwd", 0x61], ["punpckldq", 0x62], ["packsswb", 0x63],
  ["pcmpgtb", 0x64], ["pcmpgtw", 0x65], ["pcmpgtd", 0x66], ["packuswb", 0x67],
  ["punpckhbw", 0x68], ["punpckhwd", 0x69], ["punpckhdq", 0x6a], ["packssdw", 0x6b],
  ["pcmpeqb", 0x74], ["pcmpeqw", 0x75], ["pcmpeqd", 0x76],
  ["psrlw", 0xd1], ["psrld", 0xd2], ["psrlq", 0xd3], ["pmullw", 0xd5],
  ["psubusb", 0xd8], ["psubusw", 0xd9], ["pand", 0xdb], ["paddusb", 0xdc], ["paddusw", 0xdd],
  ["pandn", 0xdf], ["psraw", 0xe1], ["psrad", 0xe2], ["pmulhw", 0xe5],
  ["psubsb", 0xe8], ["psubsw", 0xe9], ["por", 0xeb], ["paddsb", 0xec], ["paddsw", 0xed],
  ["pxor", 0xef], ["psllw", 0xf1], ["pslld", 0xf2], ["psllq", 0xf3], ["pmaddwd", 0xf5],
  ["psubb", 0xf8], ["psubw", 0xf9], ["psubd", 0xfa], ["paddb", 0xfc], ["paddw", 0xfd], ["paddd", 0xfe],
]; // prettier-ignore

const SHIFT_IMM: readonly [string, number, number][] = [
  ["psrlw", 0x71, 2], ["psraw", 0x71, 4], ["psllw", 0x71, 6],
  ["psrld", 0x72, 2], ["psrad", 0x72, 4], ["pslld", 0x72, 6],
  ["psrlq", 0x73, 2], ["psllq", 0x73, 6],
]; // prettier-ignore

/** Shift counts around the element widths. */
const COUNTS = [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255];

/** Random MMX registers: 64-bit values with random exponent fields, TOP and tags random too. */
function mmxState(b: CaseBuilder): void {
  const rng = b.rng;
  const fx = b.fxsave;
  for (let i = 0; i < 8; i++) {
    const bytes = new Uint8Array(10);
    rng.fill(bytes);
    if (rng.chance(0.5)) bytes[8] = bytes[9] = 0xff;
    fx.set(bytes, FX_ST + 16 * i);
  }
  fx[FX_FTW] = rng.chance(0.5) ? 0 : rng.int(256);
  writeU16(fx, FX_FCW, 0x037f);
  writeU16(fx, FX_FSW, rng.chance(0.7) ? 0 : rng.int(8) << 11);
  b.compareFpu = true;
}

/** Writes a shift count into MMX register `i` of the image sometimes, for the register-count shifts. */
function countIntoRegister(b: CaseBuilder, mmIndex: number): void {
  const top = (b.fxsave[FX_FSW + 1] >> 3) & 7;
  const st = (mmIndex - top) & 7; // MMi is physical register i = ST((i - TOP) mod 8)
  const off = FX_ST + 16 * st;
  const count = b.rng.pick(COUNTS);
  b.fxsave.fill(0, off, off + 8);
  b.fxsave[off] = count;
  if (b.rng.chance(0.2)) b.fxsave[off + 4] = 1; // a huge count: all bits shifted out
}

function binaryForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, opcode] of BINARY) {
    const shift = /^ps[rl]/.test(mn);
    for (const memForm of [false, true]) {
      forms.push({
        name: `${mn.toUpperCase()} mm, ${memForm ? "m64" : "mm"}`,
        gen: (b) => {
          mmxState(b);
          const dst = b.rng.int(8);
          if (memForm) {
            const init = new Uint8Array(8);
            b.rng.fill(init);
            if (shift) {
              init.fill(0);
              init[0] = b.rng.pick(COUNTS);
            }
            const { mem } = b.mem(8, { init });
            b.asm.memRm([0x0f, opcode], dst, mem);
            return `${mn} mm${dst}, ${m(memText(mem), 64)}`;
          }
          const src = b.rng.int(8);
          if (shift && src !== dst) countIntoRegister(b, src);
          b.asm.regRm([0x0f, opcode], dst, src);
          return `${mn} mm${dst}, mm${src}`;
        },
      });
    }
  }
  for (const [mn, opcode, ext] of SHIFT_IMM) {
    forms.push({
      name: `${mn.toUpperCase()} mm, imm8`,
      gen: (b) => {
        mmxState(b);
        const reg = b.rng.int(8);
        const count = b.rng.pick(COUNTS);
        b.asm.regRm([0x0f, opcode], ext, reg).imm(count, 1);
        return `${mn} mm${reg}, ${hx(count)}`;
      },
    });
  }
  return forms;
}

function moveForms(): Form[] {
  const forms: Form[] = [];
  for (const memForm of [false, true]) {
    const kind = memForm ? "mem" : "reg";
    forms.push({
      name: `MOVD mm, r/m32 (${kind})`,
      gen: (b) => {
        mmxState(b);
        const mm = b.rng.int(8);
        if (memForm) {
          const { mem } = b.mem(4);
          b.asm.memRm([0x0f, 0x6e], mm, mem);
          return `movd mm${mm}, ${m(memText(mem), 32)}`;
        }
        const reg = b.reg();
        b.asm.regRm([0x0f, 0x6e], mm, reg);
        return `movd mm${mm}, ${r(reg, 32)}`;
      },
    });
    forms.push({
      name: `MOVD r/m32, mm (${kind})`,
      gen: (b) => {
        mmxState(b);
        const mm = b.rng.int(8);
        if (memForm) {
          const { mem } = b.mem(4);
          b.asm.memRm([0x0f, 0x7e], mm, mem);
          return `movd ${m(memText(mem), 32)}, mm${mm}`;
        }
        const reg = b.reg();
        b.asm.regRm([0x0f, 0x7e], mm, reg);
        return `movd ${r(reg, 32)}, mm${mm}`;
      },
    });
    for (const [dir, opcode] of [
      ["load", 0x6f],
      ["store", 0x7f],
    ] as const) {
      forms.push({
        name: `MOVQ (${dir}, ${kind})`,
        gen: (b) => {
          mmxState(b);
          const mm = b.rng.int(8);
          if (memForm) {
            const { mem } = b.mem(8);
            b.asm.memRm([0x0f, opcode], mm, mem);
            const t = m(memText(mem), 64);
            return dir === "load" ? `movq mm${mm}, ${t}` : `movq ${t}, mm${mm}`;
          }
          const other = b.rng.int(8);
          b.asm.regRm([0x0f, opcode], mm, other);
          return dir === "load" ? `movq mm${mm}, mm${other}` : `movq mm${other}, mm${mm}`;
        },
      });
    }
  }
  forms.push({
    name: "EMMS",
    gen: (b) => {
      mmxState(b);
      b.asm.byte(0x0f, 0x77);
      return "emms";
    },
  });
  return forms;
}

export const MMX_GROUPS: readonly Group[] = [
  {
    name: "mmx",
    title: "MMX packed arithmetic, compares, packs/unpacks, shifts, MOVD/MOVQ, EMMS",
    forms: [...binaryForms(), ...moveForms()],
  },
];

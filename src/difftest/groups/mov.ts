/**
 * Data movement: MOV in all its integer forms (88-8C, A0-A3 moffs, B0-BF,
 * C6/C7), MOVZX/MOVSX (0F B6/B7/BE/BF), and LEA (8D) with every 32-bit
 * ModRM/SIB shape and every 16-bit addressing form (67 prefix).
 */
import type { CaseBuilder } from "../builder.js";
import { type Mem32, memText } from "../encoder.js";
import { DATA_ADDR, ESP } from "../layout.js";
import { type Form, type Group, hx, immBytes, m, osz, r, regMask, SIZES, w } from "./group.js";

const SREG_NAMES = ["es", "cs", "ss", "ds", "fs", "gs"] as const;

function movForms(): Form[] {
  const forms: Form[] = [];
  for (const size of SIZES) {
    for (const memForm of [false, true]) {
      const kind = memForm ? "mem" : "reg";
      forms.push({
        name: `MOV r/m${size}, r${size} (${kind})`,
        gen: (b) => {
          const reg = b.reg();
          b.asm.byte(...osz(size));
          if (!memForm) {
            const dst = b.reg();
            b.asm.regRm([w(size, 0x88)], reg, dst);
            return `mov ${r(dst, size)}, ${r(reg, size)}`;
          }
          const { mem } = b.mem(size / 8, { exclude: regMask(reg, size) });
          b.asm.memRm([w(size, 0x88)], reg, mem);
          return `mov ${m(memText(mem), size)}, ${r(reg, size)}`;
        },
      });
      forms.push({
        name: `MOV r${size}, r/m${size} (${kind})`,
        gen: (b) => {
          const reg = b.reg();
          b.asm.byte(...osz(size));
          if (!memForm) {
            const src = b.reg();
            b.asm.regRm([w(size, 0x8a)], reg, src);
            return `mov ${r(reg, size)}, ${r(src, size)}`;
          }
          const { mem } = b.mem(size / 8, { exclude: regMask(reg, size) });
          b.asm.memRm([w(size, 0x8a)], reg, mem);
          return `mov ${r(reg, size)}, ${m(memText(mem), size)}`;
        },
      });
      forms.push({
        name: `MOV r/m${size}, imm${size} (${kind})`,
        gen: (b) => {
          const imm = b.rng.value(size);
          b.asm.byte(...osz(size));
          let text: string;
          if (memForm) {
            const { mem } = b.mem(size / 8);
            b.asm.memRm([w(size, 0xc6)], 0, mem);
            text = m(memText(mem), size);
          } else {
            const dst = b.reg();
            b.asm.regRm([w(size, 0xc6)], 0, dst);
            text = r(dst, size);
          }
          b.asm.imm(imm, immBytes(size));
          return `mov ${text}, ${hx(imm)}`;
        },
      });
    }
    forms.push({
      name: `MOV r${size}, imm${size} (${size === 8 ? "B0" : "B8"}+r)`,
      gen: (b) => {
        const reg = b.reg();
        const imm = b.rng.value(size);
        b.asm.byte(...osz(size), (size === 8 ? 0xb0 : 0xb8) + reg).imm(imm, immBytes(size));
        return `mov ${r(reg, size)}, ${hx(imm)}`;
      },
    });
    for (const store of [false, true]) {
      forms.push({
        name: store ? `MOV moffs${size}, ${r(0, size)}` : `MOV ${r(0, size)}, moffs${size}`,
        gen: (b) => {
          const offset = b.dataOffset(size / 8);
          b.poke(offset, b.randomBytes(size / 8));
          const addr = (DATA_ADDR + offset) >>> 0;
          b.asm.byte(...osz(size), w(size, store ? 0xa2 : 0xa0)).imm(addr, 4);
          const mem = `${m(`[${hx(addr)}]`, size)}`;
          return store ? `mov ${mem}, ${r(0, size)}` : `mov ${r(0, size)}, ${mem}`;
        },
      });
    }
  }
  for (let s = 0; s < 6; s++) {
    for (const size of [16, 32]) {
      forms.push({
        name: `MOV r${size}, ${SREG_NAMES[s]}`,
        gen: (b) => {
          const reg = b.reg();
          b.asm.byte(...osz(size)).regRm([0x8c], s, reg);
          return `mov ${r(reg, size)}, ${SREG_NAMES[s]}`;
        },
      });
    }
    forms.push({
      name: `MOV m16, ${SREG_NAMES[s]}`,
      gen: (b) => {
        const { mem } = b.mem(2);
        b.asm.memRm([0x8c], s, mem);
        return `mov ${m(memText(mem), 16)}, ${SREG_NAMES[s]}`;
      },
    });
  }
  return forms;
}

function movxForms(): Form[] {
  const forms: Form[] = [];
  const shapes = [
    { mn: "movzx", opcode: 0xb6, dst: 16, src: 8 },
    { mn: "movzx", opcode: 0xb6, dst: 32, src: 8 },
    { mn: "movzx", opcode: 0xb7, dst: 32, src: 16 },
    { mn: "movzx", opcode: 0xb7, dst: 16, src: 16 },
    { mn: "movsx", opcode: 0xbe, dst: 16, src: 8 },
    { mn: "movsx", opcode: 0xbe, dst: 32, src: 8 },
    { mn: "movsx", opcode: 0xbf, dst: 32, src: 16 },
    { mn: "movsx", opcode: 0xbf, dst: 16, src: 16 },
  ];
  for (const { mn, opcode, dst, src } of shapes) {
    for (const memForm of [false, true]) {
      forms.push({
        name: `${mn.toUpperCase()} r${dst}, r/m${src} (${memForm ? "mem" : "reg"})`,
        gen: (b) => {
          const reg = b.reg();
          b.asm.byte(...osz(dst));
          if (!memForm) {
            const from = b.reg();
            b.asm.regRm([0x0f, opcode], reg, from);
            return `${mn} ${r(reg, dst)}, ${r(from, src)}`;
          }
          const { mem } = b.mem(src / 8, { exclude: 1 << reg });
          b.asm.memRm([0x0f, opcode], reg, mem);
          return `${mn} ${r(reg, dst)}, ${m(memText(mem), src)}`;
        },
      });
    }
  }
  return forms;
}

/** A 32-bit addressing form with random registers and displacement (LEA computes, never accesses). */
function randomMem32(b: CaseBuilder, shape: number): Mem32 {
  const rng = b.rng;
  const dispSize = rng.pick([0, 1, 4] as const);
  const disp = dispSize === 1 ? rng.range(-128, 127) : dispSize === 4 ? rng.u32() | 0 : 0;
  const index = b.reg(1 << ESP);
  const base = b.reg();
  const scale = rng.int(4);
  switch (shape) {
    case 0:
      return { kind: "mem32", base: null, index: null, scale: 0, disp: rng.u32() | 0, dispSize: 4 };
    case 1:
      return { kind: "mem32", base, index: null, scale: 0, disp, dispSize };
    case 2:
      return { kind: "mem32", base, index: null, scale: 0, disp, dispSize, forceSib: true };
    case 3:
      return { kind: "mem32", base: null, index, scale, disp: rng.u32() | 0, dispSize: 4 };
    default:
      return { kind: "mem32", base, index, scale, disp, dispSize };
  }
}

function leaForms(): Form[] {
  const forms: Form[] = [];
  const shapes = [
    "[disp32]",
    "[base+disp]",
    "[base+disp] (SIB)",
    "[index*s+disp32]",
    "[base+index*s+disp]",
  ];
  for (const size of [16, 32]) {
    shapes.forEach((shape, k) => {
      forms.push({
        name: `LEA r${size}, ${shape}`,
        gen: (b) => {
          const mem = randomMem32(b, k);
          const dst = b.reg();
          b.asm.byte(...osz(size)).memRm([0x8d], dst, mem);
          return `lea ${r(dst, size)}, ${memText(mem)}`;
        },
      });
    });
    for (let rm = 0; rm < 8; rm++) {
      forms.push({
        name: `LEA r${size}, 16-bit addressing rm=${rm} (67)`,
        gen: (b) => {
          const rng = b.rng;
          const dispSize = rng.pick([0, 1, 2] as const);
          const disp = dispSize === 1 ? rng.range(-128, 127) : rng.int(0x10000);
          const dst = b.reg();
          const mem = {
            kind: "mem16",
            rm,
            disp: dispSize === 0 && rm !== 6 ? 0 : disp,
            dispSize,
          } as const;
          b.asm.byte(...osz(size)).memRm([0x8d], dst, mem);
          return `lea ${r(dst, size)}, ${memText(mem)}`;
        },
      });
    }
  }
  forms.push({
    name: "LEA with a register operand (#UD)",
    gen: (b) => {
      b.asm.regRm([0x8d], b.reg(), b.reg());
      return "lea <register>, <register> (invalid)";
    },
  });
  return forms;
}

export const MOV_GROUPS: readonly Group[] = [
  { name: "mov", title: "MOV: r/m, r; r, r/m; imm; moffs; from Sreg", forms: movForms() },
  { name: "movx", title: "MOVZX/MOVSX, 8 and 16-bit sources", forms: movxForms() },
  {
    name: "lea",
    title: "LEA: every 32-bit ModRM/SIB shape and 16-bit addressing (67)",
    forms: leaForms(),
  },
];

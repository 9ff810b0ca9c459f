/**
 * Integer ALU groups: the eight classic binary operations (ADD OR ADC SBB
 * AND SUB XOR CMP) and TEST with register, memory and immediate operands at
 * 8/16/32 bits, INC/DEC, NEG/NOT. Memory destinations sometimes carry LOCK.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { UNDEFINED_FLAGS } from "../undefined-flags.js";
import { type Form, type Group, hx, immBytes, m, osz, r, regMask, SIZES, w } from "./group.js";

const ALU_NAMES = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"] as const;
/** OR, AND, XOR: logical operations (AF undefined). */
const isLogic = (op: number): boolean => op === 1 || op === 4 || op === 6;

function undefinedFor(b: CaseBuilder, op: number): void {
  if (isLogic(op)) b.undefined(UNDEFINED_FLAGS.LOGIC);
}

/** LOCK on a read-modify-write memory destination (not CMP/TEST), some of the time. */
function maybeLock(b: CaseBuilder, lockable: boolean): { bytes: number[]; text: string } {
  return lockable && b.rng.chance(0.3) ? { bytes: [0xf0], text: "lock " } : { bytes: [], text: "" };
}

/** A register operand, and memory-address exclusion so it keeps a random value (usually). */
function regAndExclusion(b: CaseBuilder, size: number): { reg: number; exclude: number } {
  const reg = b.reg();
  return { reg, exclude: b.rng.chance(0.9) ? regMask(reg, size) : 0 };
}

function aluRegForms(): Form[] {
  const forms: Form[] = [];
  for (let op = 0; op < 8; op++) {
    const mn = ALU_NAMES[op];
    for (const size of SIZES) {
      forms.push({
        name: `${mn.toUpperCase()} r/m${size}, r${size} (reg)`,
        gen: (b) => {
          const src = b.reg();
          const dst = b.reg();
          b.asm.byte(...osz(size)).regRm([w(size, op * 8)], src, dst);
          undefinedFor(b, op);
          return `${mn} ${r(dst, size)}, ${r(src, size)}`;
        },
      });
      forms.push({
        name: `${mn.toUpperCase()} r${size}, r/m${size} (reg)`,
        gen: (b) => {
          const src = b.reg();
          const dst = b.reg();
          b.asm.byte(...osz(size)).regRm([w(size, op * 8 + 2)], dst, src);
          undefinedFor(b, op);
          return `${mn} ${r(dst, size)}, ${r(src, size)}`;
        },
      });
    }
  }
  for (const size of SIZES) {
    forms.push({
      name: `TEST r/m${size}, r${size} (reg)`,
      gen: (b) => {
        const a = b.reg();
        const c = b.reg();
        b.asm.byte(...osz(size)).regRm([w(size, 0x84)], a, c);
        b.undefined(UNDEFINED_FLAGS.LOGIC);
        return `test ${r(c, size)}, ${r(a, size)}`;
      },
    });
  }
  return forms;
}

function aluMemForms(): Form[] {
  const forms: Form[] = [];
  for (let op = 0; op < 8; op++) {
    const mn = ALU_NAMES[op];
    for (const size of SIZES) {
      forms.push({
        name: `${mn.toUpperCase()} r/m${size}, r${size} (mem)`,
        gen: (b) => {
          const { reg, exclude } = regAndExclusion(b, size);
          const { mem } = b.mem(size / 8, { exclude });
          const lock = maybeLock(b, op !== 7);
          b.asm.byte(...lock.bytes, ...osz(size)).memRm([w(size, op * 8)], reg, mem);
          undefinedFor(b, op);
          return `${lock.text}${mn} ${m(memText(mem), size)}, ${r(reg, size)}`;
        },
      });
      forms.push({
        name: `${mn.toUpperCase()} r${size}, r/m${size} (mem)`,
        gen: (b) => {
          const { reg, exclude } = regAndExclusion(b, size);
          const { mem } = b.mem(size / 8, { exclude });
          b.asm.byte(...osz(size)).memRm([w(size, op * 8 + 2)], reg, mem);
          undefinedFor(b, op);
          return `${mn} ${r(reg, size)}, ${m(memText(mem), size)}`;
        },
      });
    }
  }
  for (const size of SIZES) {
    forms.push({
      name: `TEST r/m${size}, r${size} (mem)`,
      gen: (b) => {
        const { reg, exclude } = regAndExclusion(b, size);
        const { mem } = b.mem(size / 8, { exclude });
        b.asm.byte(...osz(size)).memRm([w(size, 0x84)], reg, mem);
        b.undefined(UNDEFINED_FLAGS.LOGIC);
        return `test ${m(memText(mem), size)}, ${r(reg, size)}`;
      },
    });
  }
  return forms;
}

/** Group-1 immediates: 80 (r/m8, imm8), 81 (r/m, imm), 83 (r/m, imm8 sign-extended), 82 (alias of 80). */
function aluImmForms(): Form[] {
  const forms: Form[] = [];
  const shapes = [
    { opcode: 0x80, sizes: [8], immSize: (_s: number) => 8, tag: "imm8" },
    { opcode: 0x82, sizes: [8], immSize: (_s: number) => 8, tag: "imm8 (82)" },
    { opcode: 0x81, sizes: [16, 32], immSize: (s: number) => s, tag: "imm" },
    { opcode: 0x83, sizes: [16, 32], immSize: (_s: number) => 8, tag: "imm8 (sign-extended)" },
  ];
  for (let op = 0; op < 8; op++) {
    const mn = ALU_NAMES[op];
    for (const shape of shapes) {
      for (const size of shape.sizes) {
        for (const memForm of [false, true]) {
          forms.push({
            name: `${mn.toUpperCase()} r/m${size}, ${shape.tag} (${memForm ? "mem" : "reg"})`,
            gen: (b) => {
              const immSize = shape.immSize(size);
              const imm = b.rng.value(immSize);
              let dst: string;
              if (memForm) {
                const { mem } = b.mem(size / 8);
                const lock = maybeLock(b, op !== 7);
                b.asm.byte(...lock.bytes, ...osz(size)).memRm([shape.opcode], op, mem);
                dst = `${lock.text}${mn} ${m(memText(mem), size)}`;
              } else {
                const reg = b.reg();
                b.asm.byte(...osz(size)).regRm([shape.opcode], op, reg);
                dst = `${mn} ${r(reg, size)}`;
              }
              b.asm.imm(imm, immBytes(immSize));
              undefinedFor(b, op);
              return `${dst}, ${hx(imm)}`;
            },
          });
        }
      }
    }
    for (const size of SIZES) {
      forms.push({
        name: `${mn.toUpperCase()} ${r(0, size)}, imm${size}`,
        gen: (b) => {
          const imm = b.rng.value(size);
          b.asm.byte(...osz(size), w(size, op * 8 + 4)).imm(imm, immBytes(size));
          undefinedFor(b, op);
          return `${mn} ${r(0, size)}, ${hx(imm)}`;
        },
      });
    }
  }
  for (const size of SIZES) {
    forms.push({
      name: `TEST ${r(0, size)}, imm${size}`,
      gen: (b) => {
        const imm = b.rng.value(size);
        b.asm.byte(...osz(size), w(size, 0xa8)).imm(imm, immBytes(size));
        b.undefined(UNDEFINED_FLAGS.LOGIC);
        return `test ${r(0, size)}, ${hx(imm)}`;
      },
    });
    for (const memForm of [false, true]) {
      forms.push({
        name: `TEST r/m${size}, imm${size} (${memForm ? "mem" : "reg"})`,
        gen: (b) => {
          const imm = b.rng.value(size);
          let dst: string;
          if (memForm) {
            const { mem } = b.mem(size / 8);
            b.asm.byte(...osz(size)).memRm([w(size, 0xf6)], 0, mem);
            dst = m(memText(mem), size);
          } else {
            const reg = b.reg();
            b.asm.byte(...osz(size)).regRm([w(size, 0xf6)], 0, reg);
            dst = r(reg, size);
          }
          b.asm.imm(imm, immBytes(size));
          b.undefined(UNDEFINED_FLAGS.LOGIC);
          return `test ${dst}, ${hx(imm)}`;
        },
      });
    }
  }
  return forms;
}

/** INC/DEC (40-4F, FE /0-1, FF /0-1) and NOT/NEG (F6/F7 /2-3). */
function unaryForms(ops: readonly { mn: string; reg: number; group: number }[]): Form[] {
  const forms: Form[] = [];
  for (const { mn, reg: ext, group } of ops) {
    for (const size of SIZES) {
      for (const memForm of [false, true]) {
        forms.push({
          name: `${mn.toUpperCase()} r/m${size} (${memForm ? "mem" : "reg"})`,
          gen: (b) => {
            const opcode = w(size, group);
            if (!memForm) {
              const reg = b.reg();
              b.asm.byte(...osz(size)).regRm([opcode], ext, reg);
              return `${mn} ${r(reg, size)}`;
            }
            const { mem } = b.mem(size / 8);
            const lock = maybeLock(b, true);
            b.asm.byte(...lock.bytes, ...osz(size)).memRm([opcode], ext, mem);
            return `${lock.text}${mn} ${m(memText(mem), size)}`;
          },
        });
      }
    }
  }
  return forms;
}

function incDecShortForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, base] of [
    ["inc", 0x40],
    ["dec", 0x48],
  ] as const) {
    for (const size of [16, 32]) {
      forms.push({
        name: `${mn.toUpperCase()} r${size} (${hx(base)}+r)`,
        gen: (b) => {
          const reg = b.reg();
          b.asm.byte(...osz(size), base + reg);
          return `${mn} ${r(reg, size)}`;
        },
      });
    }
  }
  return forms;
}

export const ALU_GROUPS: readonly Group[] = [
  { name: "alu-rr", title: "ADD..CMP, TEST register-register, 8/16/32", forms: aluRegForms() },
  {
    name: "alu-rm",
    title: "ADD..CMP, TEST with a memory operand (LOCK sometimes)",
    forms: aluMemForms(),
  },
  {
    name: "alu-imm",
    title: "ADD..CMP, TEST with immediates (80/81/82/83, short forms)",
    forms: aluImmForms(),
  },
  {
    name: "incdec",
    title: "INC/DEC, all forms",
    forms: [
      ...incDecShortForms(),
      ...unaryForms([
        { mn: "inc", reg: 0, group: 0xfe },
        { mn: "dec", reg: 1, group: 0xfe },
      ]),
    ],
  },
  {
    name: "negnot",
    title: "NEG/NOT register and memory",
    forms: unaryForms([
      { mn: "not", reg: 2, group: 0xf6 },
      { mn: "neg", reg: 3, group: 0xf6 },
    ]),
  },
];

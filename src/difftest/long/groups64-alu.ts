/**
 * 64-bit-mode integer arithmetic: ALU ops, INC/DEC/NEG/NOT, shifts and
 * rotates, MUL/IMUL/DIV/IDIV, at 8/16/32/64 bits with r8-r15. 32-bit
 * destinations zero-extend into the full register (SDM vol. 1, 3.4.1.1).
 */
import { UNDEFINED_FLAGS, rotateUndefined, shiftUndefined } from "../undefined-flags.js";
import {
  type Form64,
  type Group64,
  immOf,
  opText,
  regOrMem,
  SIZES64,
  sized,
  wop,
} from "./group64.js";
import { type CaseBuilder64, reg64Name } from "./builder64.js";

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
const isLogic = (op: number): boolean => op === 1 || op === 4 || op === 6;

function aluForms(mem: boolean): Form64[] {
  const forms: Form64[] = [];
  const where = mem ? "mem" : "reg";
  for (let op = 0; op < 8; op++) {
    for (const size of SIZES64) {
      forms.push({
        name: `${ALU[op].toUpperCase()} r/m${size}, r${size} (${where})`,
        gen: (b) => {
          const rm = regOrMem(b, mem, size);
          const src = b.reg();
          b.insn({ ...sized(size), opcode: [wop(size, op * 8)], reg: src, rm });
          if (isLogic(op)) b.undefinedFlags = UNDEFINED_FLAGS.LOGIC;
          return `${ALU[op]} ${opText(rm, size)}, ${reg64Name(src, size)}`;
        },
      });
      forms.push({
        name: `${ALU[op].toUpperCase()} r${size}, r/m${size} (${where})`,
        gen: (b) => {
          const dst = b.reg();
          const rm = regOrMem(b, mem, size);
          b.insn({ ...sized(size), opcode: [wop(size, op * 8 + 2)], reg: dst, rm });
          if (isLogic(op)) b.undefinedFlags = UNDEFINED_FLAGS.LOGIC;
          return `${ALU[op]} ${reg64Name(dst, size)}, ${opText(rm, size)}`;
        },
      });
    }
  }
  for (const size of SIZES64) {
    forms.push({
      name: `TEST r/m${size}, r${size} (${where})`,
      gen: (b) => {
        const rm = regOrMem(b, mem, size);
        const src = b.reg();
        b.insn({ ...sized(size), opcode: [wop(size, 0x84)], reg: src, rm });
        b.undefinedFlags = UNDEFINED_FLAGS.LOGIC;
        return `test ${opText(rm, size)}, ${reg64Name(src, size)}`;
      },
    });
  }
  return forms;
}

function immForms(): Form64[] {
  const forms: Form64[] = [];
  for (let op = 0; op < 8; op++) {
    for (const size of SIZES64) {
      for (const mem of [false, true]) {
        forms.push({
          name: `${ALU[op].toUpperCase()} r/m${size}, imm${size === 64 ? 32 : size} (${mem ? "mem" : "reg"})`,
          gen: (b) => {
            const rm = regOrMem(b, mem, size);
            const imm = immOf(b, size);
            b.insn({
              ...sized(size),
              opcode: [size === 8 ? 0x80 : 0x81],
              reg: op,
              rm,
              imm: imm.bytes,
            });
            if (isLogic(op)) b.undefinedFlags = UNDEFINED_FLAGS.LOGIC;
            return `${ALU[op]} ${opText(rm, size)}, ${imm.text}`;
          },
        });
      }
      if (size !== 8) {
        forms.push({
          name: `${ALU[op].toUpperCase()} r/m${size}, imm8 (sign-extended)`,
          gen: (b) => {
            const rm = regOrMem(b, b.rng.chance(0.3), size);
            const imm = b.rng.value(8);
            b.insn({ ...sized(size), opcode: [0x83], reg: op, rm, imm: [imm] });
            if (isLogic(op)) b.undefinedFlags = UNDEFINED_FLAGS.LOGIC;
            return `${ALU[op]} ${opText(rm, size)}, byte 0x${imm.toString(16)}`;
          },
        });
      }
    }
    forms.push({
      name: `${ALU[op].toUpperCase()} RAX, imm32`,
      gen: (b) => {
        b.take(0);
        const imm = immOf(b, 64);
        b.raw(0x48, op * 8 + 5, ...imm.bytes);
        if (isLogic(op)) b.undefinedFlags = UNDEFINED_FLAGS.LOGIC;
        return `${ALU[op]} rax, ${imm.text}`;
      },
    });
  }
  return forms;
}

function unaryForms(): Form64[] {
  const ops = [
    ["inc", 0xfe, 0],
    ["dec", 0xfe, 1],
    ["not", 0xf6, 2],
    ["neg", 0xf6, 3],
  ] as const;
  const forms: Form64[] = [];
  for (const [name, opcode, ext] of ops) {
    for (const size of SIZES64) {
      for (const mem of [false, true]) {
        forms.push({
          name: `${name.toUpperCase()} r/m${size} (${mem ? "mem" : "reg"})`,
          gen: (b) => {
            const rm = regOrMem(b, mem, size);
            const lock = mem && ext !== 2 && b.rng.chance(0.3) ? [0xf0] : [];
            const s = sized(size);
            b.insn({
              ...s,
              prefix: [...lock, ...s.prefix],
              opcode: [wop(size, opcode)],
              reg: ext,
              rm,
            });
            return `${lock.length > 0 ? "lock " : ""}${name} ${opText(rm, size)}`;
          },
        });
      }
    }
  }
  return forms;
}

const SHIFTS = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"];

function shiftCount(b: CaseBuilder64, size: number): number {
  return b.rng.pick([0, 1, size - 1, size, size + 1, 31, 32, 33, 63, 64, b.rng.int(256)]) & 0xff;
}

function shiftForms(): Form64[] {
  const forms: Form64[] = [];
  for (const op of [0, 1, 2, 3, 4, 5, 7]) {
    for (const size of SIZES64) {
      for (const how of ["1", "CL", "imm8"] as const) {
        forms.push({
          name: `${SHIFTS[op].toUpperCase()} r/m${size}, ${how}`,
          gen: (b) => {
            if (how === "CL") b.take(1);
            const rm = regOrMem(b, b.rng.chance(0.3), size);
            let count = 1;
            let text: string;
            if (how === "1") {
              b.insn({ ...sized(size), opcode: [wop(size, 0xd0)], reg: op, rm });
              text = "1";
            } else if (how === "CL") {
              count = shiftCount(b, size);
              b.gpr[1] = (b.gpr[1] & ~0xffn) | BigInt(count);
              b.insn({ ...sized(size), opcode: [wop(size, 0xd2)], reg: op, rm });
              text = "cl";
            } else {
              count = shiftCount(b, size);
              b.insn({ ...sized(size), opcode: [wop(size, 0xc0)], reg: op, rm, imm: [count] });
              text = `${count}`;
            }
            const masked = count & (size === 64 ? 63 : 31);
            b.undefinedFlags =
              op < 4 ? rotateUndefined(masked, op >= 2) : shiftUndefined(masked, size, op === 7);
            return `${SHIFTS[op]} ${opText(rm, size)}, ${text}`;
          },
        });
      }
    }
  }
  return forms;
}

function mulDivForms(): Form64[] {
  const forms: Form64[] = [];
  const names = ["mul", "imul", "div", "idiv"];
  for (const size of [8, 16, 32, 64]) {
    for (let k = 0; k < 4; k++) {
      for (const mem of [false, true]) {
        forms.push({
          name: `${names[k].toUpperCase()} r/m${size} (${mem ? "mem" : "reg"})`,
          gen: (b) => {
            b.take(0);
            b.take(2);
            const rm = regOrMem(b, mem, size);
            if (k >= 2 && b.rng.chance(0.5)) {
              // A clean division half the time: the high half below the divisor.
              const divisor = b.value(size) | 1n;
              const mask = (1n << BigInt(size)) - 1n;
              if (rm.kind === "reg") b.gpr[rm.n] = divisor;
              if (size === 8) b.gpr[0] = (b.gpr[0] & ~0xff00n) | (BigInt(b.rng.int(2)) << 8n);
              else b.gpr[2] = (b.gpr[2] & ~mask) | (BigInt(b.rng.int(2)) & mask);
            }
            b.insn({ ...sized(size), opcode: [wop(size, 0xf6)], reg: 4 + k, rm });
            b.undefinedFlags = k < 2 ? UNDEFINED_FLAGS.MUL : UNDEFINED_FLAGS.DIV;
            return `${names[k]} ${opText(rm, size)}`;
          },
        });
      }
    }
  }
  for (const size of [16, 32, 64]) {
    forms.push({
      name: `IMUL r${size}, r/m${size}`,
      gen: (b) => {
        const dst = b.reg();
        const rm = regOrMem(b, b.rng.chance(0.4), size);
        b.insn({ ...sized(size), opcode: [0x0f, 0xaf], reg: dst, rm });
        b.undefinedFlags = UNDEFINED_FLAGS.MUL;
        return `imul ${reg64Name(dst, size)}, ${opText(rm, size)}`;
      },
    });
    for (const wide of [false, true]) {
      forms.push({
        name: `IMUL r${size}, r/m${size}, imm${wide ? (size === 16 ? 16 : 32) : 8}`,
        gen: (b) => {
          const dst = b.reg();
          const rm = regOrMem(b, b.rng.chance(0.4), size);
          const imm = wide ? immOf(b, size) : { bytes: [b.rng.value(8)], text: "" };
          b.insn({ ...sized(size), opcode: [wide ? 0x69 : 0x6b], reg: dst, rm, imm: imm.bytes });
          b.undefinedFlags = UNDEFINED_FLAGS.MUL;
          return `imul ${reg64Name(dst, size)}, ${opText(rm, size)}, ${imm.text || imm.bytes[0]}`;
        },
      });
    }
  }
  return forms;
}

export const ALU64_GROUPS: readonly Group64[] = [
  {
    name: "alu64-rr",
    title: "64-bit mode: ALU ops reg/reg, 8-64 bits, r8-r15",
    forms: aluForms(false),
  },
  {
    name: "alu64-rm",
    title: "64-bit mode: ALU ops with memory operands (SIB, RIP-relative)",
    forms: aluForms(true),
  },
  {
    name: "alu64-imm",
    title: "64-bit mode: ALU ops with immediates (imm32 sign-extended)",
    forms: immForms(),
  },
  { name: "unary64", title: "64-bit mode: INC/DEC/NOT/NEG (LOCK on memory)", forms: unaryForms() },
  { name: "shift64", title: "64-bit mode: shifts and rotates by 1, CL, imm8", forms: shiftForms() },
  {
    name: "muldiv64",
    title: "64-bit mode: MUL/IMUL/DIV/IDIV (#DE), IMUL 2/3-operand",
    forms: mulDivForms(),
  },
];

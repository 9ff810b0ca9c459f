/**
 * 64-bit-mode stack and string groups: PUSH/POP of 64-bit registers and
 * memory (r8-r15 through REX.B), PUSH imm, PUSHFQ/POPFQ, CALL/RET, LEAVE
 * (SDM vol. 1, 6.2.5: 64-bit stack operations), and MOVS/STOS/LODS/SCAS/
 * CMPS at 8-64 bits with RSI/RDI/RCX and REP prefixes.
 */
import { DATA_ADDR } from "../layout.js";
import { type CaseBuilder64, hex, leBytes, reg64Name } from "./builder64.js";
import { type Form64, type Group64, opText } from "./group64.js";

const RSP = 4;

/** Points RSP into the data area (8-aligned mostly) and fills the bytes around it. */
function stackInData(b: CaseBuilder64): void {
  const at = 0x800 + 8 * b.rng.int(0x100) + (b.rng.chance(0.1) ? b.rng.int(8) : 0);
  b.gpr[RSP] = BigInt(DATA_ADDR + at);
  b.fillData(at - 64, 128);
}

function stackForms(): Form64[] {
  return [
    {
      name: "PUSH r64 (50+r)",
      gen: (b) => {
        stackInData(b);
        const n = b.reg();
        b.raw(...(n >= 8 ? [0x41] : []), 0x50 + (n & 7));
        return `push ${reg64Name(n, 64)}`;
      },
    },
    {
      name: "POP r64 (58+r)",
      gen: (b) => {
        stackInData(b);
        const n = b.reg();
        b.raw(...(n >= 8 ? [0x41] : []), 0x58 + (n & 7));
        return `pop ${reg64Name(n, 64)}`;
      },
    },
    {
      name: "PUSH r16 (66 50+r)",
      gen: (b) => {
        stackInData(b);
        const n = b.reg();
        b.raw(0x66, ...(n >= 8 ? [0x41] : []), 0x50 + (n & 7));
        return `push ${reg64Name(n, 16)}`;
      },
    },
    {
      name: "PUSH imm8/imm32 (sign-extended)",
      gen: (b) => {
        stackInData(b);
        const wide = b.rng.chance(0.5);
        const v = b.rng.value(wide ? 32 : 8);
        b.raw(wide ? 0x68 : 0x6a, ...leBytes(v, wide ? 4 : 1));
        return `push ${hex(v)}`;
      },
    },
    {
      name: "PUSH m64 (FF /6)",
      gen: (b) => {
        stackInData(b);
        const m = b.mem(8);
        b.insn({ opcode: [0xff], reg: 6, rm: m });
        return `push ${opText(m, 64)}`;
      },
    },
    {
      name: "POP m64 (8F /0)",
      gen: (b) => {
        stackInData(b);
        const m = b.mem(8);
        b.insn({ opcode: [0x8f], reg: 0, rm: m });
        return `pop ${opText(m, 64)}`;
      },
    },
    {
      name: "PUSHFQ; POP r64",
      gen: (b) => {
        stackInData(b);
        const n = b.reg();
        b.raw(0x9c, ...(n >= 8 ? [0x41] : []), 0x58 + (n & 7));
        return `pushfq; pop ${reg64Name(n, 64)}`;
      },
    },
    {
      name: "PUSH r64; POPFQ",
      gen: (b) => {
        stackInData(b);
        const n = b.reg();
        // Only flags a CPL-3 POPFQ may change matter; AC/TF/NT stay clear (no #AC, #DB).
        b.gpr[n] &= ~0x44100n;
        b.raw(...(n >= 8 ? [0x41] : []), 0x50 + (n & 7), 0x9d);
        return `push ${reg64Name(n, 64)}; popfq`;
      },
    },
    {
      name: "CALL rel32; POP r64",
      gen: (b) => {
        stackInData(b);
        const n = b.reg();
        b.raw(0xe8, 0, 0, 0, 0, ...(n >= 8 ? [0x41] : []), 0x58 + (n & 7));
        return `call $+5; pop ${reg64Name(n, 64)}`;
      },
    },
    {
      name: "PUSH imm32; RET",
      gen: (b) => {
        stackInData(b);
        // Returns to the INT3 right after the RET: its address is CODE_ADDR + 6.
        b.raw(0x68, 0x06, 0x00, 0x00, 0x20, 0xc3);
        return "push 0x20000006; ret";
      },
    },
    {
      name: "LEAVE",
      gen: (b) => {
        b.take(5);
        const at = 0x800 + 8 * b.rng.int(0x100);
        b.gpr[5] = BigInt(DATA_ADDR + at);
        b.fillData(at - 16, 32);
        b.raw(0xc9);
        return "leave";
      },
    },
  ];
}

const STRINGS = [
  ["movs", 0xa4, true, true],
  ["cmps", 0xa6, true, true],
  ["stos", 0xaa, false, true],
  ["lods", 0xac, true, false],
  ["scas", 0xae, false, true],
] as const;

function stringForms(): Form64[] {
  const forms: Form64[] = [];
  for (const [name, op, usesSi, usesDi] of STRINGS) {
    for (const size of [8, 16, 32, 64]) {
      for (const rep of ["", "rep ", "repne "] as const) {
        if (rep === "repne " && name !== "cmps" && name !== "scas") continue;
        forms.push({
          name: `${rep.toUpperCase()}${name.toUpperCase()} ${size}`,
          gen: (b) => {
            for (const r of [0, 1, 6, 7]) b.take(r);
            const bytes = size / 8;
            const src = 0x400 + b.rng.int(0x800);
            const dst = b.rng.chance(0.3) ? src + b.rng.int(16) - 8 : 0x1000 + b.rng.int(0x800);
            if (usesSi) b.gpr[6] = BigInt(DATA_ADDR + src);
            if (usesDi) b.gpr[7] = BigInt(DATA_ADDR + dst);
            b.fillData(src - 64, 128);
            b.fillData(dst - 64, 128);
            if (rep !== "") b.gpr[1] = BigInt(b.rng.int(6));
            const prefix = [
              ...(size === 16 ? [0x66] : []),
              ...(rep === "rep " ? [0xf3] : rep === "repne " ? [0xf2] : []),
            ];
            b.raw(...prefix, ...(size === 64 ? [0x48] : []), size === 8 ? op : op + 1);
            return `${rep}${name}${"bwdq"[Math.log2(bytes)]}`;
          },
        });
      }
    }
  }
  return forms;
}

export const STACK64_GROUPS: readonly Group64[] = [
  {
    name: "stack64",
    title: "64-bit mode: PUSH/POP r64/m64/imm, PUSHFQ/POPFQ, CALL/RET, LEAVE",
    forms: stackForms(),
  },
  {
    name: "string64",
    title: "64-bit mode: string ops 8-64 bits with RSI/RDI/RCX, REP/REPNE",
    forms: stringForms(),
  },
];

/**
 * BCD adjustments (DAA DAS AAA AAS, AAM/AAD with any base incl. AAM 0 → #DE),
 * and the small flag and conversion instructions: LAHF/SAHF, CBW/CWDE/CWD/CDQ,
 * XLAT, CLC/STC/CMC/CLD/STD, NOP; plus encodings that must raise #UD.
 */
import { DATA_ADDR, EAX, EBX } from "../layout.js";
import { UNDEFINED_FLAGS } from "../undefined-flags.js";
import type { CaseBuilder } from "../builder.js";
import { type Form, type Group, hx } from "./group.js";

/** AL (and AH) values favouring valid and barely invalid BCD digits. */
function bcdAccumulator(b: CaseBuilder): void {
  const rng = b.rng;
  const digit = (): number => rng.pick([0, 1, 5, 8, 9, 10, 15, rng.int(16)]);
  const al = rng.chance(0.6) ? (digit() << 4) | digit() : rng.int(256);
  const ah = rng.chance(0.5) ? rng.int(10) : rng.int(256);
  b.set(EAX, (b.gpr[EAX] & 0xffff0000) | (ah << 8) | al);
}

function bcdForms(): Form[] {
  const forms: Form[] = [];
  for (const [mn, opcode, undefinedFlags] of [
    ["daa", 0x27, UNDEFINED_FLAGS.DAA],
    ["das", 0x2f, UNDEFINED_FLAGS.DAA],
    ["aaa", 0x37, UNDEFINED_FLAGS.AAA],
    ["aas", 0x3f, UNDEFINED_FLAGS.AAA],
  ] as const) {
    forms.push({
      name: mn.toUpperCase(),
      gen: (b) => {
        bcdAccumulator(b);
        b.asm.byte(opcode);
        b.undefined(undefinedFlags);
        return mn;
      },
    });
  }
  for (const [mn, opcode] of [
    ["aam", 0xd4],
    ["aad", 0xd5],
  ] as const) {
    forms.push({
      name: `${mn.toUpperCase()} imm8`,
      gen: (b) => {
        bcdAccumulator(b);
        const base = b.rng.chance(0.6) ? 10 : b.rng.pick([0, 1, 2, 16, 0xff, b.rng.int(256)]);
        b.asm.byte(opcode, base);
        b.undefined(UNDEFINED_FLAGS.AAM);
        return base === 10 ? mn : `${mn} ${hx(base)}`;
      },
    });
  }
  return forms;
}

function miscForms(): Form[] {
  const simple: [string, number[]][] = [
    ["LAHF", [0x9f]],
    ["SAHF", [0x9e]],
    ["CBW", [0x66, 0x98]],
    ["CWDE", [0x98]],
    ["CWD", [0x66, 0x99]],
    ["CDQ", [0x99]],
    ["CLC", [0xf8]],
    ["STC", [0xf9]],
    ["CMC", [0xf5]],
    ["CLD", [0xfc]],
    ["STD", [0xfd]],
    ["NOP", [0x90]],
    ["NOP r/m32 (0F 1F)", [0x0f, 0x1f, 0xc0]],
  ];
  const forms: Form[] = simple.map(([name, bytes]) => ({
    name,
    gen: (b) => {
      b.asm.byte(...bytes);
      return name.toLowerCase();
    },
  }));
  forms.push({
    name: "XLAT",
    gen: (b) => {
      const rng = b.rng;
      const off = rng.range(0x10, 0x1e00);
      const table = new Uint8Array(256);
      rng.fill(table);
      b.poke(off, table);
      b.set(EBX, DATA_ADDR + off);
      b.set(EAX, b.gpr[EAX]);
      b.asm.byte(0xd7);
      return "xlatb";
    },
  });
  return forms;
}

/** Encodings the SDM defines as #UD in this mode. */
function invalidForms(): Form[] {
  const cases: [string, number[]][] = [
    ["UD2", [0x0f, 0x0b]],
    ["LOCK on a register destination", [0xf0, 0x01, 0xc0]],
    ["LOCK NOP", [0xf0, 0x90]],
    ["LOCK MOV", [0xf0, 0x89, 0x00]],
    ["LOCK CMP (not lockable)", [0xf0, 0x39, 0x00]],
    ["MOV to CS (8E /1)", [0x8e, 0xc8]],
    ["MOV Sreg 6 (8E /6)", [0x8e, 0xf0]],
  ];
  return cases.map(([name, bytes]) => ({
    name,
    gen: (b) => {
      b.asm.byte(...bytes);
      return name;
    },
  }));
}

export const MISC_GROUPS: readonly Group[] = [
  { name: "bcd", title: "DAA/DAS/AAA/AAS, AAM/AAD with any base (AAM 0: #DE)", forms: bcdForms() },
  {
    name: "misc",
    title: "LAHF/SAHF, CBW..CDQ, XLAT, CLC/STC/CMC/CLD/STD, NOP",
    forms: miscForms(),
  },
  {
    name: "invalid",
    title: "encodings that must raise #UD (UD2, misplaced LOCK, bad Sreg)",
    forms: invalidForms(),
  },
];

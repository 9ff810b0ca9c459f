/**
 * Condition codes: CMOVcc (0F 40+cc), SETcc (0F 90+cc), Jcc rel8/rel32
 * (70+cc, 0F 80+cc), JMP rel8/rel32, JCXZ/JECXZ and LOOP/LOOPE/LOOPNE.
 * Branches jump forward over a marker (`mov eax, 0x1badcafe`), so a taken
 * branch leaves EAX alone and a fall-through overwrites it.
 *
 * Half of the cases compute their flags with an ALU instruction just before
 * (so the condition is evaluated from the soft CPU's lazy flags), the other
 * half take them straight from the random initial EFLAGS.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { EAX, ECX } from "../layout.js";
import { UNDEFINED_FLAGS } from "../undefined-flags.js";
import { type Form, type Group, m, osz, r } from "./group.js";

export const CC_NAMES = [
  "o",
  "no",
  "b",
  "ae",
  "e",
  "ne",
  "be",
  "a",
  "s",
  "ns",
  "p",
  "np",
  "l",
  "ge",
  "le",
  "g",
] as const;

/** The marker a not-taken branch executes: mov eax, 0x1badcafe. */
const MARKER = [0xb8, 0xfe, 0xca, 0xad, 0x1b];
const MARKER_TEXT = "mov eax, 0x1badcafe";

/**
 * Sometimes emits an instruction that sets the flags (CMP/SUB/ADD/TEST/INC/
 * DEC/NEG/SHL of random registers); returns its text or "" (none).
 */
export function flagProducer(b: CaseBuilder, exclude = 0): string {
  const rng = b.rng;
  if (rng.chance(0.5)) return "";
  const size = rng.pick([8, 16, 32]);
  const a = b.reg(exclude);
  const c = b.reg(exclude);
  // The producer changes `a`: later memory operands must not address through it.
  b.set(a & (size === 8 ? 3 : 7), b.gpr[a & (size === 8 ? 3 : 7)]);
  const ops: [number[], string][] = [
    [[size === 8 ? 0x38 : 0x39], "cmp"],
    [[size === 8 ? 0x28 : 0x29], "sub"],
    [[size === 8 ? 0x00 : 0x01], "add"],
    [[size === 8 ? 0x10 : 0x11], "adc"],
    [[size === 8 ? 0x18 : 0x19], "sbb"],
    [[size === 8 ? 0x84 : 0x85], "test"],
  ];
  const k = rng.int(ops.length + 3);
  b.asm.byte(...osz(size));
  if (k < ops.length) {
    const [op, mn] = ops[k];
    b.asm.regRm(op, c, a);
    if (mn === "test") b.undefined(UNDEFINED_FLAGS.LOGIC);
    return `${mn} ${r(a, size)}, ${r(c, size)}; `;
  }
  const unary = [
    { ext: 0, mn: "inc" },
    { ext: 1, mn: "dec" },
    { ext: 3, mn: "neg" },
  ][k - ops.length];
  b.asm.regRm(
    [size === 8 ? (unary.ext <= 1 ? 0xfe : 0xf6) : unary.ext <= 1 ? 0xff : 0xf7],
    unary.ext,
    a,
  );
  return `${unary.mn} ${r(a, size)}; `;
}

function cmovSetForms(): Form[] {
  const forms: Form[] = [];
  for (let cc = 0; cc < 16; cc++) {
    for (const size of [16, 32]) {
      for (const memForm of [false, true]) {
        forms.push({
          name: `CMOV${CC_NAMES[cc].toUpperCase()} r${size}, r/m${size} (${memForm ? "mem" : "reg"})`,
          gen: (b) => {
            const pre = flagProducer(b);
            const dst = b.reg();
            b.asm.byte(...osz(size));
            let text: string;
            if (memForm) {
              const { mem } = b.mem(size / 8, { exclude: 1 << dst });
              b.asm.memRm([0x0f, 0x40 + cc], dst, mem);
              text = m(memText(mem), size);
            } else {
              const src = b.reg();
              b.asm.regRm([0x0f, 0x40 + cc], dst, src);
              text = r(src, size);
            }
            return `${pre}cmov${CC_NAMES[cc]} ${r(dst, size)}, ${text}`;
          },
        });
      }
    }
    for (const memForm of [false, true]) {
      forms.push({
        name: `SET${CC_NAMES[cc].toUpperCase()} r/m8 (${memForm ? "mem" : "reg"})`,
        gen: (b) => {
          const pre = flagProducer(b);
          if (memForm) {
            const { mem } = b.mem(1);
            b.asm.memRm([0x0f, 0x90 + cc], 0, mem);
            return `${pre}set${CC_NAMES[cc]} ${m(memText(mem), 8)}`;
          }
          const reg = b.reg();
          b.asm.regRm([0x0f, 0x90 + cc], 0, reg);
          return `${pre}set${CC_NAMES[cc]} ${r(reg, 8)}`;
        },
      });
    }
  }
  return forms;
}

function branchForms(): Form[] {
  const forms: Form[] = [];
  for (let cc = 0; cc < 16; cc++) {
    for (const near of [false, true]) {
      forms.push({
        name: `J${CC_NAMES[cc].toUpperCase()} rel${near ? 32 : 8}`,
        gen: (b) => {
          const pre = flagProducer(b, 1 << EAX);
          if (near) b.asm.byte(0x0f, 0x80 + cc).imm(MARKER.length, 4);
          else b.asm.byte(0x70 + cc, MARKER.length);
          b.asm.byte(...MARKER);
          return `${pre}j${CC_NAMES[cc]} +${MARKER.length}; ${MARKER_TEXT}`;
        },
      });
    }
  }
  for (const [name, bytes] of [
    ["JMP rel8", [0xeb, MARKER.length]],
    ["JMP rel32", [0xe9, MARKER.length, 0, 0, 0]],
  ] as const) {
    forms.push({
      name,
      gen: (b) => {
        b.asm.byte(...bytes, ...MARKER);
        return `jmp +${MARKER.length}; ${MARKER_TEXT}`;
      },
    });
  }
  const counted = [
    { name: "JECXZ rel8", bytes: [0xe3], mn: "jecxz" },
    { name: "JCXZ rel8 (67)", bytes: [0x67, 0xe3], mn: "jcxz" },
    { name: "LOOP rel8", bytes: [0xe2], mn: "loop" },
    { name: "LOOPE rel8", bytes: [0xe1], mn: "loope" },
    { name: "LOOPNE rel8", bytes: [0xe0], mn: "loopne" },
    { name: "LOOP rel8 (67, CX)", bytes: [0x67, 0xe2], mn: "a16 loop" },
  ];
  for (const { name, bytes, mn } of counted) {
    forms.push({
      name,
      gen: (b) => {
        const rng = b.rng;
        const pre = flagProducer(b, (1 << EAX) | (1 << ECX));
        const ecx = rng.pick([0, 1, 2, 0x10000, 0x10001, 0xffffffff, rng.u32()]);
        b.set(ECX, ecx);
        b.asm.byte(...bytes, MARKER.length, ...MARKER);
        return `${pre}${mn} +${MARKER.length}; ${MARKER_TEXT}`;
      },
    });
  }
  return forms;
}

export const COND_GROUPS: readonly Group[] = [
  {
    name: "cmov-setcc",
    title: "CMOVcc and SETcc, flags from EFLAGS or a preceding ALU op",
    forms: cmovSetForms(),
  },
  {
    name: "jcc",
    title: "Jcc rel8/rel32, JMP, JECXZ/JCXZ, LOOP/LOOPE/LOOPNE (taken and not)",
    forms: branchForms(),
  },
];

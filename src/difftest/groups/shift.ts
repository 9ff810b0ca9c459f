/**
 * Shifts and rotates (C0/C1 ib, D0/D1 by 1, D2/D3 by CL; ROL ROR RCL RCR
 * SHL SHR SAR) and the double-precision shifts SHLD/SHRD (0F A4/A5/AC/AD),
 * register and memory destinations. Counts favour the edges where the
 * masking and flag rules change: 0, 1, size - 1, size, size + 1, 31, 32+.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { ECX } from "../layout.js";
import { rotateUndefined, shiftDoubleUndefined, shiftUndefined } from "../undefined-flags.js";
import { type Form, type Group, hx, m, osz, r, SIZES, w } from "./group.js";

const SHIFT_NAMES = ["rol", "ror", "rcl", "rcr", "shl", "shr", "", "sar"] as const;
const SHIFT_OPS = [0, 1, 2, 3, 4, 5, 7];

/** A count biased to the interesting edges. */
function edgeCount(b: CaseBuilder): number {
  return b.rng.chance(0.75)
    ? b.rng.pick([0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 127, 128, 255])
    : b.rng.int(256);
}

function shiftMaskFor(op: number, count: number, size: number): number {
  const masked = count & 31;
  if (op <= 1) return rotateUndefined(masked, false);
  if (op <= 3) return rotateUndefined(masked, true);
  return shiftUndefined(masked, size, op === 7);
}

type CountKind = "1" | "cl" | "imm8";

function shiftForms(): Form[] {
  const forms: Form[] = [];
  for (const op of SHIFT_OPS) {
    const mn = SHIFT_NAMES[op];
    for (const size of SIZES) {
      for (const kind of ["1", "cl", "imm8"] as CountKind[]) {
        for (const memForm of [false, true]) {
          forms.push({
            name: `${mn.toUpperCase()} r/m${size}, ${kind === "1" ? "1" : kind === "cl" ? "CL" : "imm8"} (${memForm ? "mem" : "reg"})`,
            gen: (b) => {
              const opcode =
                kind === "1" ? w(size, 0xd0) : kind === "cl" ? w(size, 0xd2) : w(size, 0xc0);
              let count = 1;
              if (kind === "cl") {
                count = edgeCount(b);
                b.set(ECX, (b.gpr[ECX] & ~0xff) | count);
              } else if (kind === "imm8") {
                count = edgeCount(b);
              }
              let dst: string;
              if (memForm) {
                const { mem } = b.mem(size / 8, { exclude: kind === "cl" ? 1 << ECX : 0 });
                b.asm.byte(...osz(size)).memRm([opcode], op, mem);
                dst = m(memText(mem), size);
              } else {
                const reg = b.reg();
                b.asm.byte(...osz(size)).regRm([opcode], op, reg);
                dst = r(reg, size);
              }
              if (kind === "imm8") b.asm.imm(count, 1);
              b.undefined(shiftMaskFor(op, count, size));
              return `${mn} ${dst}, ${kind === "1" ? "1" : kind === "cl" ? "cl" : hx(count)}`;
            },
          });
        }
      }
    }
  }
  return forms;
}

function shiftDoubleForms(): Form[] {
  const forms: Form[] = [];
  const shapes = [
    { mn: "shld", opcode: 0xa4, cl: false },
    { mn: "shld", opcode: 0xa5, cl: true },
    { mn: "shrd", opcode: 0xac, cl: false },
    { mn: "shrd", opcode: 0xad, cl: true },
  ];
  for (const { mn, opcode, cl } of shapes) {
    for (const size of [16, 32]) {
      for (const memForm of [false, true]) {
        forms.push({
          name: `${mn.toUpperCase()} r/m${size}, r${size}, ${cl ? "CL" : "imm8"} (${memForm ? "mem" : "reg"})`,
          gen: (b) => {
            let count = edgeCount(b);
            // A 16-bit memory destination shifted by 17-31 is undefined: keep counts in range there.
            if (memForm && size === 16 && (count & 31) > 16) count &= 15;
            const exclude = cl ? 1 << ECX : 0;
            const src = cl ? b.reg(exclude) : b.reg();
            if (cl) b.set(ECX, (b.gpr[ECX] & ~0xff) | count);
            let dst: string;
            if (memForm) {
              const { mem } = b.mem(size / 8, { exclude: exclude | (1 << src) });
              b.asm.byte(...osz(size)).memRm([0x0f, opcode], src, mem);
              dst = m(memText(mem), size);
            } else {
              const reg = b.reg();
              b.asm.byte(...osz(size)).regRm([0x0f, opcode], src, reg);
              dst = r(reg, size);
              if ((count & 31) > size) b.undefinedRegs |= 1 << reg;
            }
            if (!cl) b.asm.imm(count, 1);
            b.undefined(shiftDoubleUndefined(count & 31, size));
            return `${mn} ${dst}, ${r(src, size)}, ${cl ? "cl" : hx(count)}`;
          },
        });
      }
    }
  }
  return forms;
}

export const SHIFT_GROUPS: readonly Group[] = [
  { name: "shift", title: "ROL/ROR/RCL/RCR/SHL/SHR/SAR by 1, CL, imm8", forms: shiftForms() },
  { name: "shiftd", title: "SHLD/SHRD by CL and imm8", forms: shiftDoubleForms() },
];

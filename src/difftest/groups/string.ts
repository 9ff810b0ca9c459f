/**
 * String instructions MOVS, CMPS, STOS, LODS, SCAS at 8/16/32 bits, without
 * a prefix and with REP/REPE/REPNE, ECX 0-5, DF clear and set. ESI/EDI
 * point into the data area (sometimes overlapping, for MOVS); for CMPS and
 * SCAS the compared data is made equal often enough that REPE runs on.
 */
import type { CaseBuilder } from "../builder.js";
import { DATA_ADDR, DF, ECX, EDI, ESI, EAX } from "../layout.js";
import { type Form, type Group, osz, SIZES, w } from "./group.js";

interface StringOp {
  readonly mn: string;
  readonly opcode: number;
  readonly usesSource: boolean;
  readonly usesDest: boolean;
  /** Compares (REPE/REPNE meaningful). */
  readonly compares: boolean;
}

const OPS: readonly StringOp[] = [
  { mn: "movs", opcode: 0xa4, usesSource: true, usesDest: true, compares: false },
  { mn: "cmps", opcode: 0xa6, usesSource: true, usesDest: true, compares: true },
  { mn: "stos", opcode: 0xaa, usesSource: false, usesDest: true, compares: false },
  { mn: "lods", opcode: 0xac, usesSource: true, usesDest: false, compares: false },
  { mn: "scas", opcode: 0xae, usesSource: false, usesDest: true, compares: true },
];

const SUFFIX: Record<number, string> = { 8: "b", 16: "w", 32: "d" };
const WINDOW = 48;

/** Pointer offsets in the data area with room for WINDOW bytes either way. */
function pointerOffset(b: CaseBuilder): number {
  return b.rng.range(WINDOW + 8, 0x2000 - WINDOW - 8);
}

function stringForm(op: StringOp, size: number, rep: "" | "rep" | "repe" | "repne"): Form {
  const prefix = rep === "" ? [] : rep === "repne" ? [0xf2] : [0xf3];
  const name = `${rep === "" ? "" : rep.toUpperCase() + " "}${op.mn.toUpperCase()}${SUFFIX[size].toUpperCase()}`;
  return {
    name,
    gen: (b) => {
      const rng = b.rng;
      const step = size / 8;
      if (rng.chance(0.5)) b.eflags ^= DF;
      const count = rep === "" ? b.gpr[ECX] : rng.int(6);
      b.set(ECX, count);
      const srcOff = pointerOffset(b);
      // MOVS: sometimes overlapping by one element either way.
      const dstOff =
        op.mn === "movs" && rng.chance(0.3) ? srcOff + rng.pick([-step, step]) : pointerOffset(b);
      const srcBytes = new Uint8Array(2 * WINDOW);
      rng.fill(srcBytes);
      if (op.usesSource) {
        b.set(ESI, DATA_ADDR + srcOff);
        b.poke(srcOff - WINDOW, srcBytes);
      }
      if (op.usesDest) {
        b.set(EDI, DATA_ADDR + dstOff);
        const dstBytes = new Uint8Array(2 * WINDOW);
        rng.fill(dstBytes);
        if (op.mn === "cmps" && rng.chance(0.6)) {
          // Equal strings with maybe one difference: REPE runs until it.
          dstBytes.set(srcBytes);
          if (rng.chance(0.5)) dstBytes[rng.int(dstBytes.length)] ^= 1 << rng.int(8);
        }
        if (op.mn === "scas" && rng.chance(0.6)) {
          // Memory full of the accumulator's value (maybe one difference).
          const acc = b.gpr[EAX];
          for (let i = 0; i < dstBytes.length; i++) dstBytes[i] = acc >>> (8 * (i % step));
          if (rng.chance(0.5)) dstBytes[rng.int(dstBytes.length)] ^= 1;
        }
        b.poke(dstOff - WINDOW, dstBytes);
      }
      b.set(EAX, b.gpr[EAX]);
      b.asm.byte(...prefix, ...osz(size), w(size, op.opcode));
      const dir = (b.eflags & DF) !== 0 ? "std" : "cld";
      return `(${dir}, ecx=${count}) ${rep === "" ? "" : rep + " "}${op.mn}${SUFFIX[size]}`;
    },
  };
}

function stringForms(): Form[] {
  const forms: Form[] = [];
  for (const op of OPS) {
    const reps: ("" | "rep" | "repe" | "repne")[] = op.compares
      ? ["", "repe", "repne"]
      : ["", "rep"];
    for (const size of SIZES) for (const rep of reps) forms.push(stringForm(op, size, rep));
  }
  return forms;
}

export const STRING_GROUPS: readonly Group[] = [
  {
    name: "string",
    title: "MOVS/CMPS/STOS/LODS/SCAS with REP/REPE/REPNE, ECX 0-5, DF 0/1",
    forms: stringForms(),
  },
];

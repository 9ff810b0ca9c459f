/**
 * Building blocks of the x87 groups: the per-case x87 setup, memory operand
 * kinds and their initial contents, and form makers for the three encoding
 * shapes (memory operand, ST(i) operand, fixed bytes).
 *
 * Status-word bits left undefined per instruction (SDM vol. 2, each
 * instruction's "FPU Flags Affected"): C0/C2/C3 for most arithmetic,
 * loads and stores; all four for FNSTSW/FNSTCW/FLDCW/FNCLEX/FFREE/FNOP;
 * C0/C3 for FPTAN/FSIN/FCOS/FSINCOS (C2 reports range); none for the
 * compares, FXAM and FPREM/FPREM1.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { type Form, m } from "./group.js";
import { randomBcd, randomF32, randomF64, randomF80, randomX87State } from "./fp-values.js";

export const CC_023 = 0x4500;
export const CC_ALL = 0x4700;
export const CC_03 = 0x4100;
/**
 * FCOMI/FUCOMI(P): the SDM sets C1 to 0, AMD's manual and AMD hosts leave
 * it unchanged — a vendor difference, so C1 is not compared.
 */
export const FCOMI_C1 = 0x0200;

/** Prepares an x87 case: random state, FPU comparison, undefined C bits. */
export function x87(b: CaseBuilder, undefinedFsw: number, depth?: number, unmasked = false): void {
  randomX87State(b, { depth, exceptions: unmasked });
  b.compareFpu = true;
  b.undefinedFsw = undefinedFsw;
}

export type MemKind =
  "m16int" | "m32int" | "m64int" | "m32fp" | "m64fp" | "m80fp" | "m80bcd" | "m16";

export const MEM_SIZE: Record<MemKind, number> = {
  m16int: 2,
  m32int: 4,
  m64int: 8,
  m32fp: 4,
  m64fp: 8,
  m80fp: 10,
  m80bcd: 10,
  m16: 2,
};

/** Initial bytes of a memory operand of `kind`. */
function memInit(b: CaseBuilder, kind: MemKind): Uint8Array {
  const rng = b.rng;
  const out = new Uint8Array(MEM_SIZE[kind]);
  const put32 = (v: number, at: number): void => {
    for (let i = 0; i < 4; i++) out[at + i] = v >>> (8 * i);
  };
  switch (kind) {
    case "m32fp":
      put32(randomF32(rng), 0);
      break;
    case "m64fp": {
      const [lo, hi] = randomF64(rng);
      put32(lo, 0);
      put32(hi, 4);
      break;
    }
    case "m80fp":
      out.set(randomF80(rng));
      break;
    case "m80bcd":
      out.set(randomBcd(rng));
      break;
    case "m64int":
      put32(rng.value(32), 0);
      put32(rng.chance(0.5) ? rng.pick([0, 0xffffffff, 0x80000000, 0x7fffffff]) : rng.u32(), 4);
      break;
    default:
      out.set(b.randomBytes(out.length));
  }
  return out;
}

/** An x87 instruction with a memory operand: `opcode /ext`. */
export function memForm(
  name: string,
  mn: string,
  opcode: number,
  ext: number,
  kind: MemKind,
  fsw: number,
  unmasked = false,
): Form {
  return {
    name: `${name} ${kind}`,
    gen: (b) => {
      x87(b, fsw, undefined, unmasked);
      const { mem } = b.mem(MEM_SIZE[kind], { init: memInit(b, kind) });
      b.asm.memRm([opcode], ext, mem);
      return `${mn} ${m(memText(mem), MEM_SIZE[kind] * 8)}`;
    },
  };
}

/** An x87 register instruction `opcode, base + i` over ST(i). */
export function regForm(
  name: string,
  mn: (i: number) => string,
  opcode: number,
  base: number,
  fsw: number,
  unmasked = false,
): Form {
  return {
    name,
    gen: (b) => {
      x87(b, fsw, undefined, unmasked);
      const i = b.rng.int(8);
      b.asm.byte(opcode, base + i);
      return mn(i);
    },
  };
}

/** A fixed x87 encoding. */
export function fixedForm(
  name: string,
  bytes: readonly number[],
  fsw: number,
  unmasked = false,
): Form {
  return {
    name,
    gen: (b) => {
      x87(b, fsw, undefined, unmasked);
      b.asm.byte(...bytes);
      return name.toLowerCase();
    },
  };
}

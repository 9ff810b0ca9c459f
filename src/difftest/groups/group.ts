/**
 * Instruction groups and forms. A *form* is one encoding shape (e.g.
 * "ADD r/m32, r32 (mem)") with a generator that fills a CaseBuilder with a
 * random instance; a *group* is a list of forms run together. Case `i` of a
 * group uses form `i mod forms.length`, with its own PRNG stream derived
 * from (seed, group, i), so any single case can be regenerated alone.
 */
import { CaseBuilder } from "../builder.js";
import type { DiffCase } from "../case.js";
import { regName, sizeWord } from "../encoder.js";
import { deriveSeed, Rng } from "../rng.js";

/** One encoding shape and its case generator (returns the case's assembly text). */
export interface Form {
  readonly name: string;
  readonly gen: (b: CaseBuilder) => string;
}

export interface Group {
  /** Short id, e.g. "alu-rr". */
  readonly name: string;
  /** One line: what the group covers. */
  readonly title: string;
  readonly forms: readonly Form[];
}

/** Case `index` of `group` for `seed`. */
export function generateCase(group: Group, seed: number, index: number): DiffCase {
  const form = group.forms[index % group.forms.length];
  const rng = new Rng(deriveSeed(seed, `${group.name}#${index}`));
  const b = new CaseBuilder(rng);
  const text = form.gen(b);
  return b.finish(group.name, form.name, text, index);
}

/** The three integer operand sizes. */
export const SIZES = [8, 16, 32] as const;
export type Size = (typeof SIZES)[number];

/** Operand-size prefix for `size` (66 for 16-bit in 32-bit code). */
export function osz(size: number): number[] {
  return size === 16 ? [0x66] : [];
}

/** The byte form's opcode for 8-bit operands, the next opcode (w = 1) otherwise. */
export function w(size: number, opcode: number): number {
  return size === 8 ? opcode : opcode + 1;
}

/** Bytes of an immediate of `size` bits. */
export function immBytes(size: number): number {
  return size / 8;
}

/** Register text at `size`. */
export function r(n: number, size: number): string {
  return regName(n, size);
}

/** Memory operand text with its size keyword. */
export function m(text: string, size: number): string {
  return `${sizeWord(size)} ${text}`;
}

/** Hex text of an immediate. */
export function hx(v: number): string {
  return "0x" + (v >>> 0).toString(16);
}

/** Mask of a `size`-bit value. */
export function maskOf(size: number): number {
  return size === 32 ? 0xffffffff : (1 << size) - 1;
}

/**
 * The register-number mask of the 32-bit register(s) an 8-bit register
 * number touches: AL/AH are both EAX (for exclusions).
 */
export function reg8Owner(n: number): number {
  return 1 << (n & 3);
}

/** Exclusion mask for register `n` at `size`. */
export function regMask(n: number, size: number): number {
  return size === 8 ? reg8Owner(n) : 1 << n;
}

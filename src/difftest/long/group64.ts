/**
 * 64-bit groups and forms (the 64-bit twin of groups/group.ts): case `i` of
 * a group uses form `i mod forms` with its own PRNG stream derived from
 * (seed, group, i), so any case can be regenerated alone.
 */
import { deriveSeed, Rng } from "../rng.js";
import { CaseBuilder64, type Operand, reg64Name } from "./builder64.js";
import type { DiffCase64 } from "./case64.js";

export interface Form64 {
  readonly name: string;
  /** Fills the builder; returns the case's assembly text. */
  readonly gen: (b: CaseBuilder64) => string;
}

export interface Group64 {
  readonly name: string;
  readonly title: string;
  readonly forms: readonly Form64[];
}

/** Case `index` of `group` for `seed`. */
export function generateCase64(group: Group64, seed: number, index: number): DiffCase64 {
  const form = group.forms[index % group.forms.length];
  const b = new CaseBuilder64(new Rng(deriveSeed(seed, `${group.name}#${index}`)));
  const text = form.gen(b);
  return b.finish(group.name, form.name, text, index);
}

export const SIZES64 = [8, 16, 32, 64] as const;

/** Prefix and REX.W for an operand size; byte registers always get a REX (SPL..DIL, no AH..BH). */
export function sized(size: number): { prefix: number[]; w: boolean; rex: boolean } {
  return { prefix: size === 16 ? [0x66] : [], w: size === 64, rex: size === 8 };
}

/** The byte opcode for 8-bit operands, the next one otherwise. */
export function wop(size: number, opcode: number): number {
  return size === 8 ? opcode : opcode + 1;
}

/** Operand text. */
export function opText(o: Operand, size: number): string {
  if (o.kind === "reg") return reg64Name(o.n, size);
  const word = { 8: "byte", 16: "word", 32: "dword", 64: "qword", 128: "xmmword" }[size] ?? "";
  return `${word} ${o.text}`;
}

/** A register or a memory operand of `size` bits. */
export function regOrMem(b: CaseBuilder64, mem: boolean, size: number): Operand {
  return mem ? b.mem(size / 8) : { kind: "reg", n: b.reg() };
}

/** Immediate bytes of an operand of `size` (imm32 for 64-bit, sign-extended). */
export function immOf(b: CaseBuilder64, size: number): { bytes: number[]; text: string } {
  const bits = size === 64 ? 32 : size;
  const v = b.rng.value(bits);
  const bytes: number[] = [];
  for (let i = 0; i < bits / 8; i++) bytes.push((v >>> (8 * i)) & 0xff);
  return { bytes, text: "0x" + v.toString(16) };
}

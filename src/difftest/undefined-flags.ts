/**
 * Which EFLAGS bits the Intel SDM (vol. 2, each instruction's "Flags
 * Affected" section; vol. 1 appendix A, table A-2) leaves *undefined* after
 * an instruction. The comparison ignores exactly these bits; every other
 * flag — AF and PF included — must match the host. Hosts differ here (this
 * is where Intel and AMD parts disagree), so a soft CPU may pick any value.
 *
 * Flags an instruction leaves *unaffected* are not in these masks: they must
 * keep their input value on both sides.
 */
import { AF, CF, OF, PF, SF, ZF } from "./layout.js";

/** Flags left undefined, by mnemonic, where the rule does not depend on operands. */
export const UNDEFINED_FLAGS = {
  /** AND/OR/XOR/TEST: "The state of the AF flag is undefined." */
  LOGIC: AF,
  /** MUL, IMUL (all forms): "The SF, ZF, AF, and PF flags are undefined." */
  MUL: SF | ZF | AF | PF,
  /** DIV, IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined." */
  DIV: CF | OF | SF | ZF | AF | PF,
  /** BT, BTS, BTR, BTC: "The ZF flag is unaffected. The OF, SF, AF, and PF flags are undefined." */
  BT: OF | SF | AF | PF,
  /** BSF, BSR: "The CF, OF, SF, AF, and PF flags are undefined." (ZF is defined.) */
  BSF: CF | OF | SF | AF | PF,
  /** DAA, DAS: "The OF flag is undefined." */
  DAA: OF,
  /** AAA, AAS: "The OF, SF, ZF, and PF flags are undefined." */
  AAA: OF | SF | ZF | PF,
  /** AAM, AAD: "The OF, AF, and CF flags are undefined." */
  AAM: OF | AF | CF,
  /** Nothing undefined (ADD/SUB family, INC/DEC, NEG, CMPXCHG, XADD, SAHF...). */
  NONE: 0,
} as const;

/**
 * SHL/SAL/SHR/SAR by `count` (already masked to 5 bits) of a `size`-bit
 * operand (SDM vol. 2, "SAL/SAR/SHL/SHR", Flags Affected): count 0 affects
 * no flags; otherwise AF is undefined, OF is undefined unless count is 1,
 * and for SHL/SHR CF is undefined when count >= size.
 */
export function shiftUndefined(count: number, size: number, isSar: boolean): number {
  if (count === 0) return 0;
  let mask = AF;
  if (count !== 1) mask |= OF;
  if (!isSar && count >= size) mask |= CF;
  return mask;
}

/**
 * ROL/ROR/RCL/RCR by `count` (masked to 5 bits) (SDM vol. 2, "RCL/RCR/ROL/ROR",
 * Flags Affected and Operation): OF is defined only for a masked count of 1
 * (RCL/RCR with count 0 change nothing; ROL/ROR's pseudo-code leaves OF
 * undefined for any count other than 1, 0 included).
 */
export function rotateUndefined(count: number, throughCarry: boolean): number {
  if (count === 1) return 0;
  if (count === 0 && throughCarry) return 0;
  return OF;
}

/**
 * SHLD/SHRD by `count` (masked to 5 bits) of a `size`-bit operand (SDM vol. 2,
 * "SHLD"/"SHRD"): count 0 affects nothing; otherwise AF is undefined and OF
 * is undefined unless count is 1; a count greater than the operand size
 * (16-bit forms only) leaves the result and every flag undefined.
 */
export function shiftDoubleUndefined(count: number, size: number): number {
  if (count === 0) return 0;
  if (count > size) return CF | OF | SF | ZF | AF | PF;
  return count === 1 ? AF : AF | OF;
}

/**
 * The lazy-flags record (flags.ts): what an arithmetic handler stores in
 * `cpu.lf` instead of computing CF/PF/AF/ZF/SF/OF — its layout and the
 * operation kinds. Shared by flags.ts (32-bit and smaller) and flags64.ts.
 */

/** What flags.ts needs of the CPU: the concrete class is `Cpu` (cpu.ts). */
export interface FlagHolder {
  /** EFLAGS; the six arithmetic bits are only valid when `lf[LF_OP] === OP_NONE` (CF also for INC/DEC). */
  flags: number;
  /** The lazy-flags record, indexed by LF_*. */
  readonly lf: Int32Array;
}

// ---- Indices into `cpu.lf` ----
/** Operation kind (OP_*). */
export const LF_OP = 0;
/** The result (low `size` bits significant). */
export const LF_RES = 1;
/** First operand (destination before the operation). */
export const LF_A = 2;
/** Second operand. */
export const LF_B = 3;
/** ADC/SBB: carry/borrow in (0/1). OP_RESULT: explicit CF/AF/OF bits. */
export const LF_C = 4;
/** Operand size in bits (8, 16, 32, 64). */
export const LF_SIZE = 5;
/** 64-bit records: high dwords of the result and the operands. */
export const LF_RES_HI = 6;
export const LF_A_HI = 7;
export const LF_B_HI = 8;
/** Length of the record. */
export const LF_LENGTH = 9;

// ---- Operation kinds ----
/** All six flags are in `cpu.flags`. */
export const OP_NONE = 0;
export const OP_ADD = 1;
export const OP_ADC = 2;
export const OP_SUB = 3;
export const OP_SBB = 4;
/** AND/OR/XOR/TEST: CF=OF=0, AF=0 (undefined in the SDM; 0 like real hardware mostly). */
export const OP_LOGIC = 5;
/** INC: like ADD with b=1, but CF comes from `cpu.flags`. */
export const OP_INC = 6;
/** DEC: like SUB with b=1, but CF comes from `cpu.flags`. */
export const OP_DEC = 7;
/** SF/ZF/PF from the result; CF/AF/OF are the bits stored in LF_C. */
export const OP_RESULT = 8;

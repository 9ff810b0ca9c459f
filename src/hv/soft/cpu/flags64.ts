/**
 * The 64-bit side of the lazy flags (flags.ts): recorders that keep the high
 * dwords of result and operands (LF_*_HI), and the CF/OF computations that
 * need them. SF/ZF/PF/AF of a 64-bit record are computed in flags.ts from
 * LF_RES_HI and the low dwords. Every flag is exact: no BigInt, no doubles.
 */
import { AF, CF, OF } from "./constants.js";
import {
  type FlagHolder,
  LF_A,
  LF_A_HI,
  LF_B,
  LF_B_HI,
  LF_C,
  LF_OP,
  LF_RES,
  LF_RES_HI,
  LF_SIZE,
  OP_ADC,
  OP_ADD,
  OP_DEC,
  OP_INC,
  OP_LOGIC,
  OP_RESULT,
  OP_SBB,
  OP_SUB,
} from "./flags-record.js";

// ---- 64-bit recorders: results and operands as (lo, hi) int32 halves ----

export function record64(
  cpu: FlagHolder,
  op: number,
  rLo: number,
  rHi: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): void {
  const lf = cpu.lf;
  lf[LF_OP] = op;
  lf[LF_RES] = rLo;
  lf[LF_RES_HI] = rHi;
  lf[LF_A] = aLo;
  lf[LF_A_HI] = aHi;
  lf[LF_B] = bLo;
  lf[LF_B_HI] = bHi;
  lf[LF_SIZE] = 64;
}

/** 64-bit ADD: r = a + b. */
export function setLazyAdd64(
  cpu: FlagHolder,
  rLo: number,
  rHi: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): void {
  record64(cpu, OP_ADD, rLo, rHi, aLo, aHi, bLo, bHi);
}

/** 64-bit ADC: r = a + b + carryIn. */
export function setLazyAdc64(
  cpu: FlagHolder,
  rLo: number,
  rHi: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  carryIn: number,
): void {
  record64(cpu, OP_ADC, rLo, rHi, aLo, aHi, bLo, bHi);
  cpu.lf[LF_C] = carryIn;
}

/** 64-bit SUB/CMP/NEG: r = a - b. */
export function setLazySub64(
  cpu: FlagHolder,
  rLo: number,
  rHi: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): void {
  record64(cpu, OP_SUB, rLo, rHi, aLo, aHi, bLo, bHi);
}

/** 64-bit SBB: r = a - b - borrowIn. */
export function setLazySbb64(
  cpu: FlagHolder,
  rLo: number,
  rHi: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  borrowIn: number,
): void {
  record64(cpu, OP_SBB, rLo, rHi, aLo, aHi, bLo, bHi);
  cpu.lf[LF_C] = borrowIn;
}

/** 64-bit AND/OR/XOR/TEST. */
export function setLazyLogic64(cpu: FlagHolder, rLo: number, rHi: number): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_LOGIC;
  lf[LF_RES] = rLo;
  lf[LF_RES_HI] = rHi;
  lf[LF_SIZE] = 64;
}

/** 64-bit `setLazyResult`: SF/ZF/PF from (rLo, rHi), CF/AF/OF from `explicit`. */
export function setLazyResult64(cpu: FlagHolder, rLo: number, rHi: number, explicit: number): void {
  const lf = cpu.lf;
  lf[LF_OP] = OP_RESULT;
  lf[LF_RES] = rLo;
  lf[LF_RES_HI] = rHi;
  lf[LF_C] = explicit & (CF | AF | OF);
  lf[LF_SIZE] = 64;
}

/** Unsigned 64-bit a < b (`orEqual`: a <= b) on int32 halves. */
function below64(aLo: number, aHi: number, bLo: number, bHi: number, orEqual: boolean): boolean {
  if (aHi !== bHi) return aHi >>> 0 < bHi >>> 0;
  return orEqual ? aLo >>> 0 <= bLo >>> 0 : aLo >>> 0 < bLo >>> 0;
}

/** CF of a 64-bit record. */
export function getCF64(cpu: FlagHolder): number {
  const lf = cpu.lf;
  switch (lf[LF_OP]) {
    case OP_ADD:
      return below64(lf[LF_RES], lf[LF_RES_HI], lf[LF_A], lf[LF_A_HI], false) ? 1 : 0;
    case OP_ADC:
      return below64(lf[LF_RES], lf[LF_RES_HI], lf[LF_A], lf[LF_A_HI], lf[LF_C] !== 0) ? 1 : 0;
    case OP_SUB:
      return below64(lf[LF_A], lf[LF_A_HI], lf[LF_B], lf[LF_B_HI], false) ? 1 : 0;
    case OP_SBB:
      return below64(lf[LF_A], lf[LF_A_HI], lf[LF_B], lf[LF_B_HI], lf[LF_C] !== 0) ? 1 : 0;
    case OP_LOGIC:
      return 0;
    case OP_RESULT:
      return lf[LF_C] & CF;
    default:
      return cpu.flags & CF;
  }
}

/** OF of a 64-bit record: the same sign rules on the high dwords. */
export function getOF64(cpu: FlagHolder): number {
  const lf = cpu.lf;
  switch (lf[LF_OP]) {
    case OP_ADD:
    case OP_ADC:
    case OP_INC: {
      const r = lf[LF_RES_HI];
      return ((lf[LF_A_HI] ^ r) & (lf[LF_B_HI] ^ r)) < 0 ? OF : 0;
    }
    case OP_SUB:
    case OP_SBB:
    case OP_DEC: {
      const a = lf[LF_A_HI];
      return ((a ^ lf[LF_B_HI]) & (a ^ lf[LF_RES_HI])) < 0 ? OF : 0;
    }
    case OP_LOGIC:
      return 0;
    case OP_RESULT:
      return lf[LF_C] & OF;
    default:
      return cpu.flags & OF;
  }
}

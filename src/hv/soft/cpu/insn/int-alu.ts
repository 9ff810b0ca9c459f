/**
 * The eight "group 1" integer operations (ADD OR ADC SBB AND SUB XOR CMP),
 * shared by the 00-3F forms and by 80-83 (int-arith.ts), numbered as in the
 * opcode (bits 5:3 of 00-3F, ModRM.reg of 80-83; SDM vol. 2, appendix A.4).
 *
 * Each function computes the result of one operand size, records the flags
 * lazily (flags.ts) and returns the result masked to the size. Operands may
 * carry bits above the size (sign-extended immediates): only the low bits
 * matter. Flags per SDM vol. 2 (ADD, ADC, SUB, SBB, CMP, AND, OR, XOR): all
 * six defined; AF after AND/OR/XOR is undefined and recorded as 0 (OP_LOGIC),
 * as Bochs and QEMU do.
 */
import type { Cpu } from "../cpu.js";
import {
  getCF,
  setLazyAdc,
  setLazyAdc64,
  setLazyAdd,
  setLazyAdd64,
  setLazyLogic,
  setLazyLogic64,
  setLazySbb,
  setLazySbb64,
  setLazySub,
  setLazySub64,
} from "../flags.js";
import { hi64 } from "../int64.js";

export const ALU_ADD = 0;
export const ALU_OR = 1;
export const ALU_ADC = 2;
export const ALU_SBB = 3;
export const ALU_AND = 4;
export const ALU_SUB = 5;
export const ALU_XOR = 6;
export const ALU_CMP = 7;

/** `size`-bit mask as an int32 (-1 for 32 bits, so `& mask` also wraps to int32). */
function sizeMask(size: number): number {
  return size === 32 ? -1 : (1 << size) - 1;
}

/**
 * Runs operation `op` (ALU_*) on `a` (destination) and `b` (source) of
 * `size` bits (8, 16, 32); records the flags; returns the masked result.
 * For CMP the result is the difference (the caller does not store it).
 */
export function alu(cpu: Cpu, op: number, a: number, b: number, size: number): number {
  const m = sizeMask(size);
  let r: number;
  switch (op) {
    case ALU_ADD:
      r = (a + b) & m;
      setLazyAdd(cpu, r, a, b, size);
      return r;
    case ALU_OR:
      r = (a | b) & m;
      setLazyLogic(cpu, r, size);
      return r;
    case ALU_ADC: {
      const c = getCF(cpu);
      r = (a + b + c) & m;
      setLazyAdc(cpu, r, a, b, c, size);
      return r;
    }
    case ALU_SBB: {
      const c = getCF(cpu);
      r = (a - b - c) & m;
      setLazySbb(cpu, r, a, b, c, size);
      return r;
    }
    case ALU_AND:
      r = a & b & m;
      setLazyLogic(cpu, r, size);
      return r;
    case ALU_XOR:
      r = (a ^ b) & m;
      setLazyLogic(cpu, r, size);
      return r;
    default: // ALU_SUB, ALU_CMP
      r = (a - b) & m;
      setLazySub(cpu, r, a, b, size);
      return r;
  }
}

/**
 * `alu` on 64-bit operands (aLo, aHi) and (bLo, bHi), exact on int32
 * halves: returns the result's low dword, its high dword in `hi64[0]`.
 */
export function alu64(
  cpu: Cpu,
  op: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): number {
  let lo: number;
  let hi: number;
  switch (op) {
    case ALU_ADD: {
      lo = (aLo + bLo) | 0;
      hi = (aHi + bHi + (lo >>> 0 < aLo >>> 0 ? 1 : 0)) | 0;
      setLazyAdd64(cpu, lo, hi, aLo, aHi, bLo, bHi);
      break;
    }
    case ALU_OR:
      lo = aLo | bLo;
      hi = aHi | bHi;
      setLazyLogic64(cpu, lo, hi);
      break;
    case ALU_ADC: {
      const c = getCF(cpu);
      const t = (aLo >>> 0) + (bLo >>> 0) + c;
      lo = t | 0;
      hi = (aHi + bHi + (t > 0xffffffff ? 1 : 0)) | 0;
      setLazyAdc64(cpu, lo, hi, aLo, aHi, bLo, bHi, c);
      break;
    }
    case ALU_SBB: {
      const c = getCF(cpu);
      const t = (aLo >>> 0) - (bLo >>> 0) - c;
      lo = t | 0;
      hi = (aHi - bHi - (t < 0 ? 1 : 0)) | 0;
      setLazySbb64(cpu, lo, hi, aLo, aHi, bLo, bHi, c);
      break;
    }
    case ALU_AND:
      lo = aLo & bLo;
      hi = aHi & bHi;
      setLazyLogic64(cpu, lo, hi);
      break;
    case ALU_XOR:
      lo = aLo ^ bLo;
      hi = aHi ^ bHi;
      setLazyLogic64(cpu, lo, hi);
      break;
    default: {
      // ALU_SUB, ALU_CMP
      lo = (aLo - bLo) | 0;
      hi = (aHi - bHi - (aLo >>> 0 < bLo >>> 0 ? 1 : 0)) | 0;
      setLazySub64(cpu, lo, hi, aLo, aHi, bLo, bHi);
      break;
    }
  }
  hi64[0] = hi;
  return lo;
}

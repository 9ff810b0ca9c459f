/**
 * MXCSR (SDM vol. 1, 10.2.3) and the floating-point context of the SSE
 * instruction being executed: rounding control, DAZ/FTZ, the exception
 * masks, and the flags its lanes raise. The context is module-level scratch
 * (instructions never nest), filled by `fpBegin` and settled by `fpCommit`,
 * which applies the SIMD exception rules (SDM vol. 1, 11.5.3):
 *
 *   - pre-computation exceptions (IE, DE, ZE) of every lane are detected
 *     first; if any of them is unmasked, only those flags are recorded, no
 *     result is written and #XM (#UD when CR4.OSXMMEXCPT = 0) is raised;
 *   - otherwise every lane's flags (post-computation OE, UE, PE included)
 *     are OR-ed into MXCSR; an unmasked one raises the exception and again
 *     no result is written (the destination keeps its value).
 *
 * Handlers therefore compute into scratch, call `fpCommit`, then write.
 */
import type { Cpu } from "../cpu.js";
import { CR4_OSXMMEXCPT, VEC_XM } from "../constants.js";
import { raiseFault, raiseUD } from "../fault.js";

// ---- MXCSR bits ----
export const MX_IE = 0x1;
export const MX_DE = 0x2;
export const MX_ZE = 0x4;
export const MX_OE = 0x8;
export const MX_UE = 0x10;
export const MX_PE = 0x20;
/** Denormals are zeros: denormal source operands read as signed zeros, without DE. */
export const MX_DAZ = 0x40;
/** The six exception flags; their masks are the same bits shifted left by 7. */
export const MX_FLAGS = 0x3f;
export const MX_MASK_SHIFT = 7;
export const MX_RC_SHIFT = 13;
/** Flush to zero: masked underflow returns a signed zero (with UE and PE). */
export const MX_FTZ = 0x8000;
/** Power-on and INIT value: all exceptions masked, round to nearest. */
export const MXCSR_DEFAULT = 0x1f80;
/** Bits software may set (what FXSAVE reports as MXCSR_MASK; DAZ included). */
export const MXCSR_WRITABLE = 0xffff;

/** Pre-computation exceptions (SDM vol. 1, 11.5.3). */
export const MX_PRE = MX_IE | MX_DE | MX_ZE;

// ---- Rounding control (MXCSR.RC, and ROUNDPS's imm8[1:0]) ----
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

/** The floating-point context of the instruction being executed. */
export class FpContext {
  /** RC_* of the operation. */
  rc = RC_NEAREST;
  daz = false;
  ftz = false;
  /** Masked exceptions (bit set = masked), in flag positions. */
  masks = MX_FLAGS;
  /** Flags raised so far by this instruction. */
  flags = 0;
}

/** The one context (the CPU is single-threaded per worker and instructions never nest). */
export const fp = new FpContext();

/** Starts an SSE floating-point instruction under `mxcsr`. */
export function fpBegin(mxcsr: number): void {
  fp.rc = (mxcsr >>> MX_RC_SHIFT) & 3;
  fp.daz = (mxcsr & MX_DAZ) !== 0;
  fp.ftz = (mxcsr & MX_FTZ) !== 0;
  fp.masks = (mxcsr >>> MX_MASK_SHIFT) & MX_FLAGS;
  fp.flags = 0;
}

/**
 * Ends the instruction: records the flags in MXCSR and raises the SIMD
 * floating-point exception if one is unmasked (the caller has not written
 * its destination yet and must not if this throws).
 */
export function fpCommit(cpu: Cpu): void {
  const flags = fp.flags;
  if (flags === 0) return;
  const f = cpu.fpu;
  const pre = flags & MX_PRE;
  if ((pre & ~fp.masks) !== 0) {
    f.mxcsr |= pre;
    raiseSimdException(cpu);
  }
  f.mxcsr |= flags;
  if ((flags & ~fp.masks) !== 0) raiseSimdException(cpu);
}

/** #XM (vector 19) when CR4.OSXMMEXCPT = 1, else #UD (SDM vol. 3, 6.15, interrupt 19). */
export function raiseSimdException(cpu: Cpu): never {
  if ((cpu.cr4 & CR4_OSXMMEXCPT) !== 0) raiseFault(cpu, VEC_XM, false, 0);
  return raiseUD(cpu);
}

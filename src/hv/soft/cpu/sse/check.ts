/**
 * Availability checks of the SSE instructions (SDM vol. 3, table 2-2 and
 * 13.1; vol. 2, the "Exception Conditions for Legacy SIMD" tables 23-x):
 *
 *   - XMM instructions: #UD when CR0.EM = 1 or CR4.OSFXSR = 0, #NM when CR0.TS = 1.
 *   - SSE/SSE2 instructions on MMX registers (PAVGB mm, PSHUFW, PADDQ mm...):
 *     the MMX rules (#UD for EM, #NM for TS, #MF for a pending x87 exception)
 *     and the transition to MMX state (TOP = 0, all tags valid); SSSE3's MMX
 *     forms also need CR4.OSFXSR (exception type 4).
 *   - Mixed XMM/MMX conversions (CVTPI2PS, CVTPS2PI, MOVQ2DQ, ...): both.
 */
import type { Cpu } from "../cpu.js";
import { CR0_EM, CR0_NE, CR0_TS, CR4_OSFXSR, VEC_MF } from "../constants.js";
import { raiseFault, raiseNM, raiseUD } from "../fault.js";
import { SW_ES } from "../fpu/x87-state.js";

/** Checks before any instruction that touches XMM registers or MXCSR. */
export function sseCheck(cpu: Cpu): void {
  if (((cpu.cr0 & (CR0_EM | CR0_TS)) | (~cpu.cr4 & CR4_OSFXSR)) !== 0) sseCheckSlow(cpu);
}

function sseCheckSlow(cpu: Cpu): void {
  if ((cpu.cr0 & CR0_EM) !== 0 || (cpu.cr4 & CR4_OSFXSR) === 0) raiseUD(cpu);
  raiseNM(cpu);
}

/** #UD when CR4.OSFXSR = 0 (SSSE3's MMX forms, before the MMX checks). */
export function requireOsfxsr(cpu: Cpu): void {
  if ((cpu.cr4 & CR4_OSFXSR) === 0) raiseUD(cpu);
}

/** Checks of an MMX-register instruction: #UD (EM), #NM (TS), #MF (pending x87 exception, NE = 1). */
export function mmxCheck(cpu: Cpu): void {
  const cr0 = cpu.cr0;
  if ((cr0 & CR0_EM) !== 0) raiseUD(cpu);
  if ((cr0 & CR0_TS) !== 0) raiseNM(cpu);
  pendingX87Check(cpu);
}

/** #MF when an unmasked x87 exception is pending and CR0.NE = 1 (SDM vol. 1, 8.7). */
export function pendingX87Check(cpu: Cpu): void {
  if ((cpu.fpu.sw & SW_ES) !== 0 && (cpu.cr0 & CR0_NE) !== 0) raiseFault(cpu, VEC_MF, false, 0);
}

/** The x87 side effect of an instruction that uses MMX registers: TOP = 0, all tags valid. */
export function enterMmx(cpu: Cpu): void {
  cpu.fpu.top = 0;
  cpu.fpu.emptyMask = 0;
}

/**
 * Processor state after RESET / INIT (Intel SDM vol. 3, 10.1.1, table 10-1):
 * real mode, CS = F000h with base FFFF0000h, EIP = FFF0h, EDX = the
 * processor signature, caches and paging off.
 */
import { MP_RUNNABLE, MP_WAIT_FOR_SIPI } from "../../registers.js";
import {
  ATTR_REAL_CODE,
  ATTR_REAL_DATA,
  CR0_CD,
  CR0_ET,
  CR0_NW,
  DR6_FIXED1,
  DR7_FIXED1,
  EDX,
  FLAGS_FIXED1,
  SEG_CS,
  SEG_LDTR,
  SEG_TR,
} from "./constants.js";
import type { Cpu } from "./cpu.js";
import { writeEflags } from "./flags.js";
import { flushTlb } from "./tlb.js";

/** Default processor signature in EDX after reset (family 6, model 0Fh, stepping 1). */
export const RESET_SIGNATURE = 0x000006f1;

/**
 * Puts `cpu` in its power-on state. `init`: an INIT (keeps caches-related
 * CR0 bits as reset does not matter here, and an application processor
 * then waits for a SIPI when `waitForSipi`).
 */
export function resetCpu(
  cpu: Cpu,
  options: { waitForSipi?: boolean; signature?: number } = {},
): void {
  cpu.r32.fill(0);
  cpu.r32[EDX << 1] = options.signature ?? RESET_SIGNATURE;
  cpu.cr0 = (CR0_ET | CR0_CD | CR0_NW) >>> 0;
  cpu.cr2 = 0;
  cpu.cr3 = 0;
  cpu.cr4 = 0;
  cpu.cr8 = 0;
  cpu.efer = 0;
  cpu.xcr0 = 1;
  cpu.dr.fill(0);
  cpu.dr[6] = DR6_FIXED1;
  cpu.dr[7] = DR7_FIXED1;
  writeEflags(cpu, FLAGS_FIXED1);
  cpu.updateMode();
  for (let s = 0; s < 6; s++) {
    cpu.setSegment(s, 0, 0, 0xffff, s === SEG_CS ? ATTR_REAL_CODE : ATTR_REAL_DATA);
  }
  cpu.setSegment(SEG_CS, 0xf000, 0xffff0000 | 0, 0xffff, ATTR_REAL_CODE);
  cpu.setSegment(SEG_LDTR, 0, 0, 0xffff, 0x82);
  cpu.setSegment(SEG_TR, 0, 0, 0xffff, 0x8b);
  cpu.gdtBase = 0;
  cpu.gdtLimit = 0xffff;
  cpu.idtBase = 0;
  cpu.idtLimit = 0xffff;
  cpu.eip = 0xfff0;
  cpu.shadow = 0;
  cpu.exceptionPending = false;
  cpu.interruptPendingFlag = false;
  cpu.nmiPending = false;
  cpu.nmiMasked = false;
  cpu.inSmm = false;
  cpu.smbase = 0x30000;
  cpu.mpState = options.waitForSipi === true ? MP_WAIT_FOR_SIPI : MP_RUNNABLE;
  cpu.pendingExit = null;
  cpu.a20Mask = -1;
  flushTlb(cpu, false);
}

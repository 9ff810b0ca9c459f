/**
 * Event delivery: exceptions, external interrupts, NMI, INT n.
 *
 *   - Real mode (SDM vol. 3, 21.1.4): through the IVT at IDTR.base, pushing
 *     FLAGS, CS, IP; IF, TF, AC and RF are cleared. No error codes.
 *   - Protected mode and vm86: `systemHooks.deliverProtected` (sys module).
 *
 * Double and triple faults (SDM vol. 3, 6.15 "Interrupt 8", table 6-5) are
 * applied here for every mode: if delivering an exception raises another,
 * contributory+contributory or page-fault+(contributory or page fault)
 * becomes #DF(0); a fault while delivering #DF shuts the machine down;
 * otherwise the second exception is delivered instead.
 *
 * The return address pushed is `cpu.eip`: callers set it to the faulting
 * instruction (faults) or the next one (traps, INT n) before delivering.
 */
import { MP_HALTED, MP_RUNNABLE } from "../../registers.js";
import type { Cpu } from "./cpu.js";
import {
  AC,
  IF,
  RF,
  SEG_CS,
  TF,
  VEC_DE,
  VEC_DF,
  VEC_GP,
  VEC_NP,
  VEC_PF,
  VEC_SS,
  VEC_TS,
} from "./constants.js";
import { raiseGP, raiseShutdown } from "./fault.js";
import { EVENT_EXCEPTION, systemHooks } from "./hooks.js";
import { SEG_ACCESS_WRITE } from "./state.js";

/**
 * Delivers one event in the current mode. Any fault it raises propagates
 * (with the CPU unchanged); use `deliverException` for exceptions so the
 * double-fault rules apply.
 */
export function deliverEvent(
  cpu: Cpu,
  vector: number,
  kind: number,
  hasError: boolean,
  errorCode: number,
): void {
  cpu.debugTrapArmed = false; // traps of the interrupted context are discarded (resume on return)
  if (cpu.protectedMode) {
    systemHooks.deliverProtected(cpu, vector, kind, hasError, errorCode);
  } else {
    deliverReal(cpu, vector);
  }
  if (cpu.mpState === MP_HALTED) cpu.mpState = MP_RUNNABLE;
}

/** Real-address-mode interrupt: IVT entry `vector` (SDM vol. 2, INT n, real-address mode). */
export function deliverReal(cpu: Cpu, vector: number): void {
  const entry = vector * 4;
  if (entry + 3 > cpu.idtLimit) raiseGP(cpu, 0);
  const ip = cpu.readSys16(cpu.idtBase + entry);
  const cs = cpu.readSys16(cpu.idtBase + entry + 2);
  const flags = cpu.getEflags() & 0xffff;
  // Write the frame below SP first, then commit SP and the new state.
  cpu.write16(cpu.stackLinear(-2, 2, SEG_ACCESS_WRITE), flags);
  cpu.write16(cpu.stackLinear(-4, 2, SEG_ACCESS_WRITE), cpu.segSel[SEG_CS]);
  cpu.write16(cpu.stackLinear(-6, 2, SEG_ACCESS_WRITE), cpu.eip & 0xffff);
  cpu.adjustSp(-6);
  cpu.setEflags(cpu.getEflags() & ~(IF | TF | AC | RF));
  cpu.loadSegment(SEG_CS, cs);
  cpu.eip = ip;
  cpu.blockStop = 1;
}

/** Contributory exceptions (SDM vol. 3, table 6-4). */
function isContributory(vector: number): boolean {
  return (
    vector === VEC_DE ||
    vector === VEC_TS ||
    vector === VEC_NP ||
    vector === VEC_SS ||
    vector === VEC_GP
  );
}

/** Whether a second exception during delivery of the first makes a #DF (table 6-5). */
export function makesDoubleFault(first: number, second: number): boolean {
  if (first === VEC_PF) return second === VEC_PF || isContributory(second);
  return isContributory(first) && isContributory(second);
}

/**
 * Delivers an exception raised by the CPU with the double/triple-fault
 * rules. `cpu.eip` must already be the address to return to.
 */
export function deliverException(
  cpu: Cpu,
  vector: number,
  hasError: boolean,
  errorCode: number,
): void {
  deliverWithFaultRules(cpu, vector, EVENT_EXCEPTION, hasError, errorCode);
}

/**
 * Delivers any event (`kind` from hooks.ts); if the delivery raises an
 * exception, that exception is delivered next, with the double/triple-fault
 * rules (an interrupt that is not an exception counts as benign).
 */
export function deliverWithFaultRules(
  cpu: Cpu,
  vector: number,
  kind: number,
  hasError: boolean,
  errorCode: number,
): void {
  let v = vector;
  let k = kind;
  let has = hasError;
  let code = errorCode;
  // Each round either succeeds, escalates (→ #DF → shutdown) or replaces the
  // exception by a benign follow-up; bound the chain for a hostile guest.
  for (let round = 0; round < 8; round++) {
    try {
      deliverEvent(cpu, v, k, has, code);
      return;
    } catch (e) {
      if (e !== cpu.fault) throw e;
    }
    const second = cpu.fault.vector;
    const wasException = k === EVENT_EXCEPTION;
    k = EVENT_EXCEPTION;
    if (wasException && v === VEC_DF) raiseShutdown(cpu, "triple fault");
    if (wasException && makesDoubleFault(v, second)) {
      v = VEC_DF;
      has = true;
      code = 0;
    } else {
      v = second;
      has = cpu.fault.hasError;
      code = cpu.fault.errorCode;
    }
  }
  raiseShutdown(cpu, "exception delivery did not converge (triple fault)");
}

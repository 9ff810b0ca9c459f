/**
 * Interrupt and exception delivery in protected mode and vm86 (SDM vol. 3,
 * 6.10-6.13 and 20.3.1; vol. 2, "INT n/INTO/INT3/INT1" pseudo-code; IA-32e
 * mode is interrupts-long.ts):
 * IDT gate checks, the privilege change with a stack switch from the TSS,
 * the frame (with the vm86 segment registers), the flags the gate clears,
 * and task gates.
 *
 * Every check and every store to the new stack happens before any register
 * changes, so a fault leaves the CPU as it was and the core (events.ts)
 * can apply the double-fault rules.
 */
import type { Cpu } from "../cpu.js";
import {
  ESP,
  IF,
  NT,
  RF,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  TF,
  VEC_TS,
  VM,
} from "../constants.js";
import { raiseGP, raiseNP } from "../fault.js";
import {
  EVENT_EXCEPTION,
  EVENT_EXTERNAL,
  EVENT_NMI,
  EVENT_PRIVILEGED_SOFTWARE,
  EVENT_SOFTWARE_EXCEPTION,
  EVENT_SOFTWARE_INT,
} from "../hooks.js";
import {
  fetchDescriptor,
  fetchGdtDescriptor,
  loadFromDescriptor,
  loadNull,
  markAccessed,
  TYPE_INT_GATE16,
  TYPE_INT_GATE32,
  TYPE_TASK_GATE,
  TYPE_TRAP_GATE16,
  TYPE_TRAP_GATE32,
} from "./descriptor.js";
import { deliverLong } from "./interrupts-long.js";
import { checkStackSegment, selectorError } from "./segments.js";
import { readInnerStack } from "./tss.js";
import { isBusyTss, isTss, SWITCH_INT, taskSwitch } from "./task-switch.js";

/** The segment registers an exit from vm86 saves and nulls (SDM vol. 3, 20.3.1.1). */
const VM86_DATA_SEGMENTS: readonly number[] = [SEG_GS, SEG_FS, SEG_DS, SEG_ES];

/**
 * The EXT bit of error codes raised while delivering an event of `kind`:
 * set for events external to the program — hardware interrupts, NMI,
 * exceptions and INT1 (SDM vol. 3, 6.13) — clear for INT n, INT3, INTO.
 */
export function extBit(kind: number): number {
  return kind === EVENT_EXCEPTION ||
    kind === EVENT_EXTERNAL ||
    kind === EVENT_NMI ||
    kind === EVENT_PRIVILEGED_SOFTWARE
    ? 1
    : 0;
}

function isSoftware(kind: number): boolean {
  return kind === EVENT_SOFTWARE_INT || kind === EVENT_SOFTWARE_EXCEPTION;
}

/**
 * `SystemHooks.deliverProtected`. A fault while delivering INT n/INT3/INTO
 * is a fault of that instruction, so the return address becomes the
 * instruction itself (events.ts delivers the follow-up exception with
 * `cpu.eip`).
 */
export function deliverProtected(
  cpu: Cpu,
  vector: number,
  kind: number,
  hasError: boolean,
  errorCode: number,
): void {
  if (!isSoftware(kind)) {
    deliver(cpu, vector, kind, hasError, errorCode);
    return;
  }
  try {
    deliver(cpu, vector, kind, hasError, errorCode);
  } catch (e) {
    if (e === cpu.fault) cpu.eip = cpu.insnStart;
    throw e;
  }
}

function deliver(cpu: Cpu, vector: number, kind: number, hasError: boolean, code: number): void {
  const ext = extBit(kind);
  if (cpu.longMode) {
    deliverLong(cpu, vector, kind, ext, hasError, code);
    return;
  }
  // vm86 without VME: INT n is IOPL-sensitive (SDM vol. 3, 20.2.7 and table 20-2).
  if (cpu.vm86 && kind === EVENT_SOFTWARE_INT && cpu.iopl < 3) raiseGP(cpu, 0);
  const idtError = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtLimit) raiseGP(cpu, idtError);
  const gate = cpu.sys.gate;
  const at = (cpu.idtBase + vector * 8) >>> 0;
  gate.lo = cpu.readSys32(at);
  gate.hi = cpu.readSys32(at + 4);
  gate.address = at;
  const type = gate.type;
  const validType =
    type === TYPE_TASK_GATE ||
    type === TYPE_INT_GATE16 ||
    type === TYPE_TRAP_GATE16 ||
    type === TYPE_INT_GATE32 ||
    type === TYPE_TRAP_GATE32;
  if (gate.isSegment || !validType) raiseGP(cpu, idtError);
  if (isSoftware(kind) && gate.dpl < cpu.cpl) raiseGP(cpu, vector * 8 + 2);
  if (!gate.present) raiseNP(cpu, idtError);
  if (type === TYPE_TASK_GATE) {
    deliverThroughTaskGate(cpu, ext, hasError, code);
    return;
  }
  deliverThroughGate(cpu, ext, hasError, code);
}

/** Interrupt and trap gates (SDM vol. 2, INT n: TRAP-OR-INTERRUPT-GATE and the levels below). */
function deliverThroughGate(cpu: Cpu, ext: number, hasError: boolean, code: number): void {
  const s = cpu.sys;
  const gate = s.gate;
  const sel = gate.gateSelector;
  if ((sel & 0xfffc) === 0) raiseGP(cpu, ext);
  const selErr = selectorError(sel, ext);
  const cs = s.code;
  if (!fetchDescriptor(cpu, sel, cs)) raiseGP(cpu, selErr);
  if (!cs.isCode || cs.dpl > cpu.cpl) raiseGP(cpu, selErr);
  if (!cs.present) raiseNP(cpu, selErr);
  const size = gate.is32 ? 4 : 2;
  const offset = gate.gateOffset;
  const oldFlags = cpu.getEflags();
  const frame = s.frame;
  const fromVm86 = cpu.vm86;
  const innerLevel = !cs.isConforming && cs.dpl < cpu.cpl;
  const newCpl = innerLevel ? cs.dpl : cpu.cpl;
  if (innerLevel) {
    if (fromVm86 && cs.dpl !== 0) raiseGP(cpu, selErr);
    readInnerStack(cpu, newCpl, ext);
    const ss = s.innerSs;
    checkStackSegment(cpu, ss, newCpl, s.stack, VEC_TS, ext);
    frame.fromDescriptor(s.stack, s.innerSp, newCpl, selectorError(ss, ext));
    frame.reserve(cpu, size * (fromVm86 ? 9 : 5) + (hasError ? size : 0));
    if (offset > cs.limit) raiseGP(cpu, ext);
    if (fromVm86) {
      frame.push(cpu, size, cpu.segSel[SEG_GS]);
      frame.push(cpu, size, cpu.segSel[SEG_FS]);
      frame.push(cpu, size, cpu.segSel[SEG_DS]);
      frame.push(cpu, size, cpu.segSel[SEG_ES]);
    }
    frame.push(cpu, size, cpu.segSel[SEG_SS]);
    frame.push(cpu, size, cpu.r32[ESP << 1]);
  } else {
    // Same privilege: a conforming handler, or DPL = CPL. Never from vm86.
    if (fromVm86) raiseGP(cpu, selErr);
    frame.fromCurrent(cpu, ext);
    frame.reserve(cpu, size * 3 + (hasError ? size : 0));
    if (offset > cs.limit) raiseGP(cpu, ext);
  }
  frame.push(cpu, size, oldFlags);
  frame.push(cpu, size, cpu.segSel[SEG_CS]);
  frame.push(cpu, size, cpu.eip);
  if (hasError) frame.push(cpu, size, code);
  markAccessed(cpu, cs);
  if (innerLevel) markAccessed(cpu, s.stack);

  // Commit. Interrupt gates also clear IF (SDM vol. 3, 6.12.1.3).
  const isInterruptGate = (gate.type & 1) === 0;
  cpu.setEflags(oldFlags & ~(TF | NT | RF | VM | (isInterruptGate ? IF : 0)));
  if (fromVm86) {
    for (const seg of VM86_DATA_SEGMENTS) loadNull(cpu, seg, 0);
  }
  if (innerLevel) {
    loadFromDescriptor(cpu, SEG_SS, s.innerSs, s.stack);
  }
  frame.commit(cpu);
  loadFromDescriptor(cpu, SEG_CS, (sel & 0xfffc) | newCpl, cs);
  cpu.eip = offset;
  cpu.blockStop = 1;
}

/** Task gates in the IDT (SDM vol. 2, INT n: TASK-GATE; vol. 3, 7.3). */
function deliverThroughTaskGate(cpu: Cpu, ext: number, hasError: boolean, code: number): void {
  const s = cpu.sys;
  const tssSel = s.gate.gateSelector;
  const err = selectorError(tssSel, ext);
  const tss = s.tss;
  if (!fetchGdtDescriptor(cpu, tssSel, tss) || !isTss(tss) || isBusyTss(tss)) {
    raiseGP(cpu, err);
  }
  taskSwitch(cpu, tssSel, tss, SWITCH_INT, ext);
  if (hasError) {
    // Pushed on the new task's stack, sized by the new TSS (SDM vol. 3, 6.12.2).
    const size = tss.is32 ? 4 : 2;
    const frame = s.frame.fromCurrent(cpu, ext);
    frame.reserve(cpu, size);
    frame.push(cpu, size, code);
    frame.commit(cpu);
  }
}

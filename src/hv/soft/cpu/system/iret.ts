/**
 * IRET/IRETD in protected mode and vm86 (SDM vol. 2, IRET pseudo-code):
 * return from vm86 (IOPL 3 only), nested-task return (NT = 1), return to
 * vm86 (VM in the popped EFLAGS at CPL 0), and returns to the same or an
 * outer privilege level. Everything is read and checked before anything
 * changes.
 */
import type { Cpu } from "../cpu.js";
import {
  AC,
  AF,
  CF,
  DF,
  ESP,
  ID,
  IF,
  IOPL_MASK,
  NT,
  OF,
  PF,
  RF,
  SEG_CS,
  SEG_DS,
  SEG_ES,
  SEG_FS,
  SEG_GS,
  SEG_SS,
  SEG_TR,
  SF,
  TF,
  VEC_GP,
  VEC_TS,
  VIF,
  VIP,
  VM,
  ZF,
} from "../constants.js";
import { raiseFault, raiseGP, raiseNP } from "../fault.js";
import {
  fetchDescriptor,
  fetchGdtDescriptor,
  loadFromDescriptor,
  markAccessed,
} from "./descriptor.js";
import { iretLong } from "./iret-long.js";
import { checkStackSegment, nullInaccessibleDataSegments } from "./segments.js";
import { isBusyTss, SWITCH_IRET, taskSwitch } from "./task-switch.js";

/** Flags any IRET restores (SDM vol. 2, IRET: "EFLAGS (CF, PF, AF, ZF, SF, TF, DF, OF, NT)"). */
const IRET_BASE_FLAGS = CF | PF | AF | ZF | SF | TF | DF | OF | NT;

/** Reads the stack at SP + `delta` with the operand size. */
function stackRead(cpu: Cpu, delta: number, size: number): number {
  return size === 4 ? cpu.stackRead32(delta) : cpu.stackRead16(delta);
}

/** `SystemHooks.iretProtected`. */
export function iretProtected(cpu: Cpu, opSize: number): void {
  if (cpu.vm86) {
    iretFromVm86(cpu, opSize);
  } else if (cpu.longMode) {
    iretLong(cpu, opSize);
  } else if ((cpu.flags & NT) !== 0) {
    taskReturn(cpu);
  } else {
    iretProtectedMode(cpu, opSize);
  }
  cpu.nmiMasked = false; // IRET ends NMI blocking (SDM vol. 3, 6.7.1)
  cpu.blockStop = 1;
}

/** IRET in vm86: real-mode style, only at IOPL 3 (SDM vol. 3, 20.2.7); VM and IOPL stay. */
function iretFromVm86(cpu: Cpu, opSize: number): void {
  if (cpu.iopl < 3) raiseGP(cpu, 0);
  const size = opSize >> 3;
  const eip = stackRead(cpu, 0, size) >>> 0;
  const cs = stackRead(cpu, size, size) & 0xffff;
  const flags = stackRead(cpu, size * 2, size);
  if (eip > 0xffff) raiseGP(cpu, 0);
  const old = cpu.getEflags();
  const keep = opSize === 32 ? VM | IOPL_MASK | VIP | VIF : ~0xffff | IOPL_MASK;
  cpu.adjustSp(size * 3);
  cpu.loadSegment(SEG_CS, cs);
  cpu.eip = eip;
  cpu.setEflags((old & keep) | (flags & ~keep));
}

/** IRET with NT = 1: back to the task in the current TSS's link field (SDM vol. 3, 7.3). */
function taskReturn(cpu: Cpu): void {
  const link = cpu.readSys16(cpu.segBase[SEG_TR] >>> 0);
  const tss = cpu.sys.tss;
  if (!fetchGdtDescriptor(cpu, link, tss) || !isBusyTss(tss)) {
    raiseFault(cpu, VEC_TS, true, link & 0xfffc);
  }
  if (!tss.present) raiseNP(cpu, link & 0xfffc);
  taskSwitch(cpu, link, tss, SWITCH_IRET, 0);
}

function iretProtectedMode(cpu: Cpu, opSize: number): void {
  const size = opSize >> 3;
  const eip = size === 4 ? stackRead(cpu, 0, 4) >>> 0 : stackRead(cpu, 0, 2);
  const cs = stackRead(cpu, size, size) & 0xffff;
  const tempFlags = stackRead(cpu, size * 2, size);
  if (size === 4 && (tempFlags & VM) !== 0 && cpu.cpl === 0) {
    returnToVm86(cpu, eip, cs, tempFlags);
    return;
  }
  // The return CS (SDM vol. 2, IRET: PROTECTED-MODE-RETURN).
  if ((cs & 0xfffc) === 0) raiseGP(cpu, 0);
  const d = cpu.sys.code;
  if (!fetchDescriptor(cpu, cs, d) || !d.isCode) raiseGP(cpu, cs & 0xfffc);
  const rpl = cs & 3;
  const cpl = cpu.cpl;
  if (rpl < cpl) raiseGP(cpu, cs & 0xfffc);
  if (d.isConforming ? d.dpl > rpl : d.dpl !== rpl) raiseGP(cpu, cs & 0xfffc);
  if (!d.present) raiseNP(cpu, cs & 0xfffc);
  const outer = rpl > cpl;
  let newSp = 0;
  let ss = 0;
  if (outer) {
    newSp = stackRead(cpu, size * 3, size) >>> 0;
    ss = stackRead(cpu, size * 4, size) & 0xffff;
    checkStackSegment(cpu, ss, rpl, cpu.sys.stack, VEC_GP, 0);
  }
  if (eip > d.limit) raiseGP(cpu, 0);
  markAccessed(cpu, d);
  if (outer) markAccessed(cpu, cpu.sys.stack);

  // EFLAGS: what may change depends on the old CPL and IOPL.
  let mask = IRET_BASE_FLAGS;
  if (size === 4) mask |= RF | AC | ID;
  if (cpl <= cpu.iopl) mask |= IF;
  if (cpl === 0) mask |= IOPL_MASK | (size === 4 ? VIF | VIP : 0);
  if (size === 2) mask &= 0xffff;
  const flags = (cpu.getEflags() & ~mask) | (tempFlags & mask);

  cpu.setEflags(flags);
  loadFromDescriptor(cpu, SEG_CS, cs, d);
  cpu.eip = eip;
  if (outer) {
    const stack = cpu.sys.stack;
    loadFromDescriptor(cpu, SEG_SS, ss, stack);
    if (stack.big) cpu.r32[ESP << 1] = newSp;
    else cpu.r16[ESP << 2] = newSp;
    nullInaccessibleDataSegments(cpu);
  } else {
    cpu.adjustSp(size * 3);
  }
}

/** IRETD at CPL 0 with VM set in the popped EFLAGS (SDM vol. 2, IRET: RETURN-TO-VIRTUAL-8086-MODE). */
function returnToVm86(cpu: Cpu, eip: number, cs: number, tempFlags: number): void {
  const esp = cpu.stackRead32(12);
  const ss = cpu.stackRead32(16) & 0xffff;
  const es = cpu.stackRead32(20) & 0xffff;
  const ds = cpu.stackRead32(24) & 0xffff;
  const fs = cpu.stackRead32(28) & 0xffff;
  const gs = cpu.stackRead32(32) & 0xffff;
  if ((eip & 0xffff) !== eip) raiseGP(cpu, 0);
  cpu.setEflags(tempFlags); // VM = 1: the CPU is in vm86 from here, CPL 3
  cpu.loadSegment(SEG_CS, cs);
  cpu.loadSegment(SEG_SS, ss);
  cpu.loadSegment(SEG_ES, es);
  cpu.loadSegment(SEG_DS, ds);
  cpu.loadSegment(SEG_FS, fs);
  cpu.loadSegment(SEG_GS, gs);
  cpu.r32[ESP << 1] = esp;
  cpu.eip = eip;
}

/**
 * Far JMP, CALL and RET in every mode (SDM vol. 2, JMP/CALL/RET pseudo-code;
 * vol. 3, 5.8 privilege rules for code segments and call gates, 7.3 for
 * task gates and TSS targets). Real mode and vm86 load CS as selector << 4.
 * IA-32e mode has its own rules (far-long.ts).
 * In protected mode every check comes before the first register change;
 * frames are written before SS:ESP and CS:EIP are committed.
 */
import type { Cpu } from "../cpu.js";
import { ESP, SEG_CS, SEG_SS, VEC_GP, VEC_TS } from "../constants.js";
import { raiseGP, raiseNP } from "../fault.js";
import {
  type Descriptor,
  fetchDescriptor,
  loadFromDescriptor,
  markAccessed,
  SELECTOR_TI,
  TYPE_CALL_GATE16,
  TYPE_CALL_GATE32,
  TYPE_TASK_GATE,
} from "./descriptor.js";
import { callFarLong, jumpFarLong, returnFarLong } from "./far-long.js";
import { checkStackSegment, nullInaccessibleDataSegments } from "./segments.js";
import { isBusyTss, isTss, SWITCH_CALL, SWITCH_JMP, taskSwitch } from "./task-switch.js";
import { readInnerStack } from "./tss.js";

/** A far pointer's offset by operand size: 16/32-bit unsigned, 64-bit a signed number. */
function sizedOffset(offset: number, opSize: number): number {
  return opSize === 16 ? offset & 0xffff : opSize === 32 ? offset >>> 0 : offset;
}

function stackRead(cpu: Cpu, delta: number, size: number): number {
  return size === 4 ? cpu.stackRead32(delta) >>> 0 : cpu.stackRead16(delta);
}

/** JMP ptr16:16/32 and JMP m16:16/32 (`opSize` 16 or 32). */
export function jumpFar(cpu: Cpu, selector: number, offset: number, opSize: number): void {
  selector &= 0xffff;
  if (cpu.longMode) {
    jumpFarLong(cpu, selector, sizedOffset(offset, opSize));
    return;
  }
  const target = opSize === 16 ? offset & 0xffff : offset >>> 0;
  if (!cpu.protectedMode || cpu.vm86) {
    if (target > cpu.segLimit[SEG_CS]) raiseGP(cpu, 0);
    cpu.loadSegment(SEG_CS, selector);
    cpu.eip = target;
    return;
  }
  const d = fetchTarget(cpu, selector);
  if (d.isCode) {
    checkDirectCode(cpu, selector, d);
    if (target > d.limit) raiseGP(cpu, 0);
    markAccessed(cpu, d);
    loadFromDescriptor(cpu, SEG_CS, (selector & 0xfffc) | cpu.cpl, d);
    cpu.eip = target;
    return;
  }
  const type = d.type;
  if (type === TYPE_CALL_GATE16 || type === TYPE_CALL_GATE32) {
    const code = gateTarget(cpu, selector, d);
    if (code.dpl !== cpu.cpl && !code.isConforming) raiseGP(cpu, code.selector & 0xfffc);
    const gateOffset = d.gateOffset;
    if (gateOffset > code.limit) raiseGP(cpu, 0);
    markAccessed(cpu, code);
    loadFromDescriptor(cpu, SEG_CS, (code.selector & 0xfffc) | cpu.cpl, code);
    cpu.eip = gateOffset;
    return;
  }
  switchToTask(cpu, selector, d, SWITCH_JMP);
}

/** CALL ptr16:16/32 and CALL m16:16/32. */
export function callFar(cpu: Cpu, selector: number, offset: number, opSize: number): void {
  selector &= 0xffff;
  if (cpu.longMode) {
    callFarLong(cpu, selector, sizedOffset(offset, opSize), opSize);
    return;
  }
  const size = opSize >> 3;
  const target = opSize === 16 ? offset & 0xffff : offset >>> 0;
  const frame = cpu.sys.frame;
  if (!cpu.protectedMode || cpu.vm86) {
    frame.fromCurrent(cpu, 0).reserve(cpu, size * 2);
    if (target > cpu.segLimit[SEG_CS]) raiseGP(cpu, 0);
    frame.push(cpu, size, cpu.segSel[SEG_CS]);
    frame.push(cpu, size, cpu.eip);
    frame.commit(cpu);
    cpu.loadSegment(SEG_CS, selector);
    cpu.eip = target;
    return;
  }
  const d = fetchTarget(cpu, selector);
  if (d.isCode) {
    checkDirectCode(cpu, selector, d);
    frame.fromCurrent(cpu, 0).reserve(cpu, size * 2);
    if (target > d.limit) raiseGP(cpu, 0);
    frame.push(cpu, size, cpu.segSel[SEG_CS]);
    frame.push(cpu, size, cpu.eip);
    markAccessed(cpu, d);
    frame.commit(cpu);
    loadFromDescriptor(cpu, SEG_CS, (selector & 0xfffc) | cpu.cpl, d);
    cpu.eip = target;
    return;
  }
  const type = d.type;
  if (type === TYPE_CALL_GATE16 || type === TYPE_CALL_GATE32) {
    callThroughGate(cpu, selector, d);
    return;
  }
  switchToTask(cpu, selector, d, SWITCH_CALL);
}

/** Fetches the far target's descriptor into `sys.gate`: #GP(0) if null, #GP(sel) if outside. */
function fetchTarget(cpu: Cpu, selector: number): Descriptor {
  if ((selector & 0xfffc) === 0) raiseGP(cpu, 0);
  const d = cpu.sys.gate;
  if (!fetchDescriptor(cpu, selector, d)) raiseGP(cpu, selector & 0xfffc);
  if (d.isData) raiseGP(cpu, selector & 0xfffc);
  return d;
}

/** Privilege rules of a direct far JMP/CALL to a code segment (SDM vol. 3, 5.8.1). */
function checkDirectCode(cpu: Cpu, selector: number, d: Descriptor): void {
  const bad = d.isConforming ? d.dpl > cpu.cpl : (selector & 3) > cpu.cpl || d.dpl !== cpu.cpl;
  if (bad) raiseGP(cpu, selector & 0xfffc);
  if (!d.present) raiseNP(cpu, selector & 0xfffc);
}

/**
 * Checks a call gate (DPL >= max(CPL, RPL), present) and its target code
 * segment (a code segment with DPL <= CPL, present); returns the code
 * descriptor in `sys.code`.
 */
function gateTarget(cpu: Cpu, gateSelector: number, gate: Descriptor): Descriptor {
  if (gate.dpl < cpu.cpl || (gateSelector & 3) > gate.dpl) raiseGP(cpu, gateSelector & 0xfffc);
  if (!gate.present) raiseNP(cpu, gateSelector & 0xfffc);
  const sel = gate.gateSelector;
  if ((sel & 0xfffc) === 0) raiseGP(cpu, 0);
  const code = cpu.sys.code;
  if (!fetchDescriptor(cpu, sel, code)) raiseGP(cpu, sel & 0xfffc);
  if (!code.isCode || code.dpl > cpu.cpl) raiseGP(cpu, sel & 0xfffc);
  if (!code.present) raiseNP(cpu, sel & 0xfffc);
  return code;
}

/** CALL through a call gate, with a stack switch and parameter copy to an inner level (SDM vol. 3, 5.8.5). */
function callThroughGate(cpu: Cpu, gateSelector: number, gate: Descriptor): void {
  const s = cpu.sys;
  const code = gateTarget(cpu, gateSelector, gate);
  const size = gate.is32 ? 4 : 2;
  const target = gate.gateOffset;
  const frame = s.frame;
  if (code.isConforming || code.dpl === cpu.cpl) {
    frame.fromCurrent(cpu, 0).reserve(cpu, size * 2);
    if (target > code.limit) raiseGP(cpu, 0);
    frame.push(cpu, size, cpu.segSel[SEG_CS]);
    frame.push(cpu, size, cpu.eip);
    markAccessed(cpu, code);
    frame.commit(cpu);
    loadFromDescriptor(cpu, SEG_CS, (code.selector & 0xfffc) | cpu.cpl, code);
    cpu.eip = target;
    return;
  }
  // MORE-PRIVILEGE: the new stack comes from the TSS.
  const newCpl = code.dpl;
  readInnerStack(cpu, newCpl, 0);
  const ss = s.innerSs;
  checkStackSegment(cpu, ss, newCpl, s.stack, VEC_TS, 0);
  const params = gate.gateParams;
  frame.fromDescriptor(s.stack, s.innerSp, newCpl, ss & 0xfffc);
  frame.reserve(cpu, size * (4 + params));
  if (target > code.limit) raiseGP(cpu, 0);
  frame.push(cpu, size, cpu.segSel[SEG_SS]);
  frame.push(cpu, size, cpu.r32[ESP << 1]);
  // Parameters keep their order: the one at the highest address is pushed first.
  for (let i = params - 1; i >= 0; i--) frame.push(cpu, size, stackRead(cpu, i * size, size));
  frame.push(cpu, size, cpu.segSel[SEG_CS]);
  frame.push(cpu, size, cpu.eip);
  markAccessed(cpu, code);
  markAccessed(cpu, s.stack);
  loadFromDescriptor(cpu, SEG_SS, (ss & 0xfffc) | newCpl, s.stack);
  frame.commit(cpu);
  loadFromDescriptor(cpu, SEG_CS, (code.selector & 0xfffc) | newCpl, code);
  cpu.eip = target;
}

/** JMP/CALL to a task gate or a TSS (SDM vol. 2, JMP: TASK-GATE and TASK-STATE-SEGMENT). */
function switchToTask(cpu: Cpu, selector: number, d: Descriptor, source: number): void {
  const err = selector & 0xfffc;
  if (d.type === TYPE_TASK_GATE) {
    if (d.dpl < cpu.cpl || (selector & 3) > d.dpl) raiseGP(cpu, err);
    if (!d.present) raiseNP(cpu, err);
    const tssSelector = d.gateSelector;
    const tss = cpu.sys.tss;
    if ((tssSelector & SELECTOR_TI) !== 0 || !fetchDescriptor(cpu, tssSelector, tss)) {
      raiseGP(cpu, tssSelector & 0xfffc);
    }
    if (!isTss(tss) || isBusyTss(tss)) raiseGP(cpu, tssSelector & 0xfffc);
    taskSwitch(cpu, tssSelector, tss, source, 0);
    return;
  }
  if (!isTss(d) || (selector & SELECTOR_TI) !== 0) raiseGP(cpu, err);
  if (d.dpl < cpu.cpl || (selector & 3) > d.dpl || isBusyTss(d)) raiseGP(cpu, err);
  const tss = cpu.sys.tss;
  tss.copyFrom(d);
  taskSwitch(cpu, selector, tss, source, 0);
}

/** RETF / RETF imm16 (`imm` bytes of parameters to release). */
export function returnFar(cpu: Cpu, opSize: number, imm: number): void {
  if (cpu.longMode) {
    returnFarLong(cpu, opSize, imm);
    return;
  }
  const size = opSize >> 3;
  const eip = stackRead(cpu, 0, size);
  const cs = stackRead(cpu, size, size) & 0xffff;
  if (!cpu.protectedMode || cpu.vm86) {
    if (eip > cpu.segLimit[SEG_CS]) raiseGP(cpu, 0);
    cpu.adjustSp(size * 2 + imm);
    cpu.loadSegment(SEG_CS, cs);
    cpu.eip = eip;
    return;
  }
  if ((cs & 0xfffc) === 0) raiseGP(cpu, 0);
  const d = cpu.sys.code;
  if (!fetchDescriptor(cpu, cs, d) || !d.isCode) raiseGP(cpu, cs & 0xfffc);
  const rpl = cs & 3;
  if (rpl < cpu.cpl) raiseGP(cpu, cs & 0xfffc);
  if (d.isConforming ? d.dpl > rpl : d.dpl !== rpl) raiseGP(cpu, cs & 0xfffc);
  if (!d.present) raiseNP(cpu, cs & 0xfffc);
  if (rpl === cpu.cpl) {
    if (eip > d.limit) raiseGP(cpu, 0);
    markAccessed(cpu, d);
    loadFromDescriptor(cpu, SEG_CS, cs, d);
    cpu.eip = eip;
    cpu.adjustSp(size * 2 + imm);
    return;
  }
  // RETURN-TO-OUTER-PRIVILEGE-LEVEL: the caller's SS:ESP sits above the parameters.
  const newSp = stackRead(cpu, size * 2 + imm, size);
  const ss = stackRead(cpu, size * 3 + imm, size) & 0xffff;
  const stack = cpu.sys.stack;
  checkStackSegment(cpu, ss, rpl, stack, VEC_GP, 0);
  if (eip > d.limit) raiseGP(cpu, 0);
  markAccessed(cpu, d);
  markAccessed(cpu, stack);
  loadFromDescriptor(cpu, SEG_CS, cs, d);
  cpu.eip = eip;
  loadFromDescriptor(cpu, SEG_SS, ss, stack);
  if (stack.big) cpu.r32[ESP << 1] = newSp + imm;
  else cpu.r16[ESP << 2] = newSp + imm;
  nullInaccessibleDataSegments(cpu);
}

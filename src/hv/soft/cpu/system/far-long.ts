/**
 * Far JMP, CALL and RET in IA-32e mode (SDM vol. 2, JMP/CALL/RET pseudo-code,
 * "IA-32e mode" branches; vol. 3, 5.8.3.1 and 5.8.5 for 64-bit call gates):
 * direct transfers to 64-bit or compatibility code segments, 16-byte call
 * gates to 64-bit code (a call to an inner level takes RSPn from the TSS,
 * loads a null SS and pushes SS, RSP, CS, RIP as 8-byte slots; parameters
 * are not copied), and no task switches (#GP). Every check and store comes
 * before the first register change.
 */
import type { Cpu } from "../cpu.js";
import { CANONICAL_LIMIT, ESP, SEG_CS, SEG_SS, VEC_GP } from "../constants.js";
import { raiseGP, raiseNP } from "../fault.js";
import { TWO32 } from "../int64.js";
import {
  type Descriptor,
  fetchDescriptor,
  fetchSystemAware,
  loadFromDescriptor,
  markAccessed,
  TYPE_CALL_GATE64,
} from "./descriptor.js";
import { checkStackSegment, loadNullStack, nullInaccessibleDataSegments } from "./segments.js";
import { readStack64, TSS64_RSP0 } from "./tss.js";

function isCanonical(x: number): boolean {
  return x >= -CANONICAL_LIMIT && x < CANONICAL_LIMIT;
}

/** Checks `offset` against a target code segment: canonical for 64-bit code, else the limit. */
function checkOffset(cpu: Cpu, code: Descriptor, offset: number): void {
  if (code.long ? !isCanonical(offset) : offset > code.limit) raiseGP(cpu, 0);
}

/** The far target's descriptor (16 bytes for gates) in `sys.gate`; #GP for null, outside, data. */
function fetchTarget(cpu: Cpu, selector: number): Descriptor {
  if ((selector & 0xfffc) === 0) raiseGP(cpu, 0);
  const d = cpu.sys.gate;
  if (!fetchSystemAware(cpu, selector, d)) raiseGP(cpu, selector & 0xfffc);
  if (d.isData) raiseGP(cpu, selector & 0xfffc);
  return d;
}

/** Direct code segment target: privilege, presence, and no L+D combination. */
function checkDirectCode(cpu: Cpu, selector: number, d: Descriptor): void {
  const bad = d.isConforming ? d.dpl > cpu.cpl : (selector & 3) > cpu.cpl || d.dpl !== cpu.cpl;
  if (bad || (d.long && d.big)) raiseGP(cpu, selector & 0xfffc);
  if (!d.present) raiseNP(cpu, selector & 0xfffc);
}

/** A 64-bit call gate and its 64-bit target code segment (returned in `sys.code`). */
function gateTarget(cpu: Cpu, gateSelector: number, gate: Descriptor): Descriptor {
  if (gate.type !== TYPE_CALL_GATE64) raiseGP(cpu, gateSelector & 0xfffc);
  if (gate.dpl < cpu.cpl || (gateSelector & 3) > gate.dpl) raiseGP(cpu, gateSelector & 0xfffc);
  if (!gate.present) raiseNP(cpu, gateSelector & 0xfffc);
  const sel = gate.gateSelector;
  if ((sel & 0xfffc) === 0) raiseGP(cpu, 0);
  const code = cpu.sys.code;
  if (!fetchDescriptor(cpu, sel, code)) raiseGP(cpu, sel & 0xfffc);
  if (!code.isCode || code.dpl > cpu.cpl || !code.long || code.big) raiseGP(cpu, sel & 0xfffc);
  if (!code.present) raiseNP(cpu, sel & 0xfffc);
  if (!isCanonical(gate.gateOffset64)) raiseGP(cpu, 0);
  return code;
}

/** Far JMP in IA-32e mode; `offset` is unsigned 16/32-bit or a signed 64-bit number. */
export function jumpFarLong(cpu: Cpu, selector: number, offset: number): void {
  const d = fetchTarget(cpu, selector);
  if (d.isCode) {
    checkDirectCode(cpu, selector, d);
    checkOffset(cpu, d, offset);
    markAccessed(cpu, d);
    loadFromDescriptor(cpu, SEG_CS, (selector & 0xfffc) | cpu.cpl, d);
    cpu.eip = offset;
    return;
  }
  const code = gateTarget(cpu, selector, d);
  if (code.dpl !== cpu.cpl && !code.isConforming) raiseGP(cpu, code.selector & 0xfffc);
  markAccessed(cpu, code);
  loadFromDescriptor(cpu, SEG_CS, (code.selector & 0xfffc) | cpu.cpl, code);
  cpu.eip = d.gateOffset64;
}

/** Pushes CS and RIP (`size` bytes each) on the current stack, then moves the stack pointer. */
function pushReturn(cpu: Cpu, size: number): void {
  const rip = cpu.eip;
  if (size === 8) {
    cpu.stackWrite64(-8, cpu.segSel[SEG_CS], 0);
    cpu.stackWrite64(-16, rip | 0, Math.floor(rip / TWO32) | 0);
  } else if (size === 4) {
    cpu.stackWrite32(-4, cpu.segSel[SEG_CS]);
    cpu.stackWrite32(-8, rip);
  } else {
    cpu.stackWrite16(-2, cpu.segSel[SEG_CS]);
    cpu.stackWrite16(-4, rip);
  }
  cpu.adjustSp(-2 * size);
}

/** Far CALL in IA-32e mode (`opSize` 16, 32 or 64 for a direct target's frame). */
export function callFarLong(cpu: Cpu, selector: number, offset: number, opSize: number): void {
  const d = fetchTarget(cpu, selector);
  if (d.isCode) {
    checkDirectCode(cpu, selector, d);
    checkOffset(cpu, d, offset);
    pushReturn(cpu, opSize >> 3);
    markAccessed(cpu, d);
    loadFromDescriptor(cpu, SEG_CS, (selector & 0xfffc) | cpu.cpl, d);
    cpu.eip = offset;
    return;
  }
  const code = gateTarget(cpu, selector, d);
  const target = d.gateOffset64;
  if (code.isConforming || code.dpl === cpu.cpl) {
    pushReturn(cpu, 8);
    markAccessed(cpu, code);
    loadFromDescriptor(cpu, SEG_CS, (code.selector & 0xfffc) | cpu.cpl, code);
    cpu.eip = target;
    return;
  }
  // More privilege: RSPn from the TSS, a null SS, 8-byte slots (SDM vol. 3, 5.8.5).
  const newCpl = code.dpl;
  readStack64(cpu, TSS64_RSP0 + newCpl * 8, 0);
  const rsp = cpu.sys.innerSp;
  const r32 = cpu.r32;
  const rip = cpu.eip;
  cpu.writeSys64(rsp - 8, cpu.segSel[SEG_SS], 0);
  cpu.writeSys64(rsp - 16, r32[ESP << 1], r32[(ESP << 1) | 1]);
  cpu.writeSys64(rsp - 24, cpu.segSel[SEG_CS], 0);
  cpu.writeSys64(rsp - 32, rip | 0, Math.floor(rip / TWO32) | 0);
  markAccessed(cpu, code);
  loadNullStack(cpu, newCpl);
  cpu.setReg64Number(ESP, rsp - 32);
  loadFromDescriptor(cpu, SEG_CS, (code.selector & 0xfffc) | newCpl, code);
  cpu.eip = target;
}

/** A stack slot of `size` bytes at RSP + `delta` (8 bytes: a signed number). */
function slot(cpu: Cpu, delta: number, size: number): number {
  if (size === 8) {
    const lo = cpu.stackRead64(delta);
    return cpu.valueHi * TWO32 + (lo >>> 0);
  }
  return size === 4 ? cpu.stackRead32(delta) >>> 0 : cpu.stackRead16(delta);
}

/** RETF / RETF imm16 in IA-32e mode. */
export function returnFarLong(cpu: Cpu, opSize: number, imm: number): void {
  const size = opSize >> 3;
  const rip = slot(cpu, 0, size);
  const cs = slot(cpu, size, size) & 0xffff;
  if ((cs & 0xfffc) === 0) raiseGP(cpu, 0);
  const d = cpu.sys.code;
  if (!fetchDescriptor(cpu, cs, d) || !d.isCode) raiseGP(cpu, cs & 0xfffc);
  const rpl = cs & 3;
  if (rpl < cpu.cpl || (d.long && d.big)) raiseGP(cpu, cs & 0xfffc);
  if (d.isConforming ? d.dpl > rpl : d.dpl !== rpl) raiseGP(cpu, cs & 0xfffc);
  if (!d.present) raiseNP(cpu, cs & 0xfffc);
  if (rpl === cpu.cpl) {
    checkOffset(cpu, d, rip);
    markAccessed(cpu, d);
    cpu.adjustSp(size * 2 + imm); // with the current stack width, before CS changes the mode
    loadFromDescriptor(cpu, SEG_CS, cs, d);
    cpu.eip = rip;
    return;
  }
  // Return to an outer level: the caller's SS:RSP sits above the parameters.
  const newSp = slot(cpu, size * 2 + imm, size);
  const ss = slot(cpu, size * 3 + imm, size) & 0xffff;
  const stack = cpu.sys.stack;
  const nullSs = (ss & 0xfffc) === 0;
  if (nullSs) {
    if (!d.long || rpl === 3) raiseGP(cpu, 0);
  } else {
    checkStackSegment(cpu, ss, rpl, stack, VEC_GP, 0);
  }
  checkOffset(cpu, d, rip);
  markAccessed(cpu, d);
  if (!nullSs) markAccessed(cpu, stack);
  loadFromDescriptor(cpu, SEG_CS, cs, d);
  cpu.eip = rip;
  if (nullSs) loadNullStack(cpu, rpl);
  else loadFromDescriptor(cpu, SEG_SS, ss, stack);
  if (size === 2) cpu.r16[ESP << 2] = newSp + imm;
  else cpu.setReg64Number(ESP, (size === 4 ? newSp >>> 0 : newSp) + imm);
  nullInaccessibleDataSegments(cpu);
}

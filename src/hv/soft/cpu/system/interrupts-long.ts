/**
 * Interrupt and exception delivery in IA-32e mode (SDM vol. 3, 6.14; vol. 2,
 * INT n pseudo-code "IA-32e-MODE"): 16-byte IDT gates (64-bit interrupt and
 * trap gates only), a 64-bit target code segment, the stack from the TSS
 * (RSPn on a privilege change, ISTn when the gate names one), aligned to
 * 16 bytes, and a frame of 8-byte slots that always holds SS:RSP.
 *
 * As in protected mode, every check and every store to the new stack comes
 * before any register changes (events.ts applies the double-fault rules).
 */
import type { Cpu } from "../cpu.js";
import { CANONICAL_LIMIT, ESP, IF, NT, RF, SEG_CS, SEG_SS, TF, VEC_SS, VM } from "../constants.js";
import { raiseFault, raiseGP, raiseNP } from "../fault.js";
import { EVENT_SOFTWARE_EXCEPTION, EVENT_SOFTWARE_INT } from "../hooks.js";
import { TWO32 } from "../int64.js";
import {
  fetchDescriptor,
  loadFromDescriptor,
  markAccessed,
  TYPE_INT_GATE64,
  TYPE_TRAP_GATE64,
} from "./descriptor.js";
import { loadNullStack, selectorError } from "./segments.js";
import { readStack64, TSS64_IST1, TSS64_RSP0 } from "./tss.js";

/** Frame slots: SS, RSP, RFLAGS, CS, RIP (+ error code). */
const FRAME_SLOTS = 5;

/** Delivers `vector` through the 64-bit IDT. `ext` is the EXT bit of error codes. */
export function deliverLong(
  cpu: Cpu,
  vector: number,
  kind: number,
  ext: number,
  hasError: boolean,
  code: number,
): void {
  const idtError = vector * 8 + 2 + ext;
  if (vector * 16 + 15 > cpu.idtLimit) raiseGP(cpu, idtError);
  const s = cpu.sys;
  const gate = s.gate;
  const at = cpu.sysLinear(cpu.idtBase, vector * 16);
  gate.lo = cpu.readSys32(at);
  gate.hi = cpu.readSys32(at + 4);
  gate.hi2 = cpu.readSys32(at + 8);
  gate.hi3 = cpu.readSys32(at + 12);
  gate.address = at;
  const type = gate.type;
  if (gate.isSegment || (type !== TYPE_INT_GATE64 && type !== TYPE_TRAP_GATE64)) {
    raiseGP(cpu, idtError);
  }
  const software = kind === EVENT_SOFTWARE_INT || kind === EVENT_SOFTWARE_EXCEPTION;
  if (software && gate.dpl < cpu.cpl) raiseGP(cpu, vector * 8 + 2);
  if (!gate.present) raiseNP(cpu, idtError);

  // The target code segment: present, 64-bit (L = 1, D = 0), DPL <= CPL.
  const sel = gate.gateSelector;
  if ((sel & 0xfffc) === 0) raiseGP(cpu, ext);
  const selErr = selectorError(sel, ext);
  const cs = s.code;
  if (!fetchDescriptor(cpu, sel, cs)) raiseGP(cpu, selErr);
  if (!cs.isCode || cs.dpl > cpu.cpl || !cs.long || cs.big) raiseGP(cpu, selErr);
  if (!cs.present) raiseNP(cpu, selErr);
  const target = gate.gateOffset64;
  if (target < -CANONICAL_LIMIT || target >= CANONICAL_LIMIT) raiseGP(cpu, ext);

  // The new stack: ISTn if the gate names one, else RSPn on a privilege change.
  const innerLevel = !cs.isConforming && cs.dpl < cpu.cpl;
  const newCpl = innerLevel ? cs.dpl : cpu.cpl;
  let rsp: number;
  const ist = gate.ist;
  if (ist !== 0) {
    readStack64(cpu, TSS64_IST1 + (ist - 1) * 8, ext);
    rsp = s.innerSp;
  } else if (innerLevel) {
    readStack64(cpu, TSS64_RSP0 + newCpl * 8, ext);
    rsp = s.innerSp;
  } else {
    rsp = cpu.reg64Number(ESP);
  }
  rsp -= ((rsp % 16) + 16) % 16; // aligned down to 16 bytes
  const bytes = (FRAME_SLOTS + (hasError ? 1 : 0)) * 8;
  const bottom = rsp - bytes;
  if (bottom < -CANONICAL_LIMIT || rsp > CANONICAL_LIMIT) raiseFault(cpu, VEC_SS, true, ext);

  // Write the frame (supervisor writes for ring 0-2 handlers).
  const supervisor = newCpl < 3;
  const r32 = cpu.r32;
  const oldFlags = cpu.getEflags();
  const rip = cpu.eip;
  store(cpu, supervisor, rsp - 8, cpu.segSel[SEG_SS], 0);
  store(cpu, supervisor, rsp - 16, r32[ESP << 1], r32[(ESP << 1) | 1]);
  store(cpu, supervisor, rsp - 24, oldFlags, 0);
  store(cpu, supervisor, rsp - 32, cpu.segSel[SEG_CS], 0);
  store(cpu, supervisor, rsp - 40, rip | 0, Math.floor(rip / TWO32) | 0);
  if (hasError) store(cpu, supervisor, rsp - 48, code, 0);
  markAccessed(cpu, cs);

  // Commit. Interrupt gates also clear IF (SDM vol. 3, 6.14.1).
  const isInterruptGate = type === TYPE_INT_GATE64;
  cpu.setEflags(oldFlags & ~(TF | NT | RF | VM | (isInterruptGate ? IF : 0)));
  if (innerLevel) loadNullStack(cpu, newCpl);
  cpu.setReg64Number(ESP, bottom);
  loadFromDescriptor(cpu, SEG_CS, (sel & 0xfffc) | newCpl, cs);
  cpu.eip = target;
  cpu.blockStop = 1;
}

/** One 8-byte frame slot. */
function store(cpu: Cpu, supervisor: boolean, lin: number, lo: number, hi: number): void {
  if (supervisor) cpu.writeSys64(lin, lo, hi);
  else cpu.write64(lin, lo, hi);
}

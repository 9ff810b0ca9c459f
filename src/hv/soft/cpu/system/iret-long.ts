/**
 * IRET/IRETD/IRETQ in IA-32e mode (SDM vol. 2, IRET pseudo-code
 * "IA-32e-MODE"): no task return (NT = 1 → #GP(0)), no return to vm86;
 * IRETQ always pops SS:RSP, narrower forms only when returning to an outer
 * level; a 64-bit target needs a canonical RIP, and SS may be null when
 * returning to 64-bit code at CPL 0-2. Everything is read and checked
 * before anything changes.
 */
import type { Cpu } from "../cpu.js";
import {
  AC,
  AF,
  CANONICAL_LIMIT,
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
  SEG_SS,
  SF,
  TF,
  VEC_GP,
  VIF,
  VIP,
  ZF,
} from "../constants.js";
import { raiseGP, raiseNP } from "../fault.js";
import { TWO32 } from "../int64.js";
import { fetchDescriptor, loadFromDescriptor, markAccessed } from "./descriptor.js";
import { checkStackSegment, loadNullStack, nullInaccessibleDataSegments } from "./segments.js";

const IRET_BASE_FLAGS = CF | PF | AF | ZF | SF | TF | DF | OF | NT;

/** A stack slot of `size` bytes at RSP + `delta`: unsigned, or a signed number for 8 bytes. */
function slot(cpu: Cpu, delta: number, size: number): number {
  if (size === 8) {
    const lo = cpu.stackRead64(delta);
    return cpu.valueHi * TWO32 + (lo >>> 0);
  }
  return size === 4 ? cpu.stackRead32(delta) >>> 0 : cpu.stackRead16(delta);
}

/** IRET with `opSize` 16, 32 or 64 while EFER.LMA = 1. */
export function iretLong(cpu: Cpu, opSize: number): void {
  if ((cpu.flags & NT) !== 0) raiseGP(cpu, 0);
  const size = opSize >> 3;
  const rip = slot(cpu, 0, size);
  const cs = slot(cpu, size, size) & 0xffff;
  const tempFlags = slot(cpu, size * 2, size) >>> 0;
  if ((cs & 0xfffc) === 0) raiseGP(cpu, 0);
  const d = cpu.sys.code;
  if (!fetchDescriptor(cpu, cs, d) || !d.isCode) raiseGP(cpu, cs & 0xfffc);
  const rpl = cs & 3;
  const cpl = cpu.cpl;
  if (rpl < cpl) raiseGP(cpu, cs & 0xfffc);
  if (d.long && d.big) raiseGP(cpu, cs & 0xfffc);
  if (d.isConforming ? d.dpl > rpl : d.dpl !== rpl) raiseGP(cpu, cs & 0xfffc);
  if (!d.present) raiseNP(cpu, cs & 0xfffc);
  const outer = rpl > cpl;
  const popStack = outer || size === 8;
  let newSp = 0;
  let ss = 0;
  const stack = cpu.sys.stack;
  if (popStack) {
    newSp = slot(cpu, size * 3, size);
    ss = slot(cpu, size * 4, size) & 0xffff;
    if ((ss & 0xfffc) === 0) {
      // A null SS is only allowed for a return to 64-bit code below CPL 3.
      if (!d.long || rpl === 3 || (ss & 3) !== rpl) raiseGP(cpu, 0);
    } else {
      checkStackSegment(cpu, ss, rpl, stack, VEC_GP, 0);
    }
  }
  if (d.long) {
    if (rip < -CANONICAL_LIMIT || rip >= CANONICAL_LIMIT) raiseGP(cpu, 0);
  } else if (rip > d.limit) {
    raiseGP(cpu, 0);
  }
  markAccessed(cpu, d);
  if (popStack && (ss & 0xfffc) !== 0) markAccessed(cpu, stack);

  // RFLAGS: as in protected mode; VM never becomes set in IA-32e mode.
  let mask = IRET_BASE_FLAGS;
  if (size >= 4) mask |= RF | AC | ID;
  if (cpl <= cpu.iopl) mask |= IF;
  if (cpl === 0) mask |= IOPL_MASK | (size >= 4 ? VIF | VIP : 0);
  if (size === 2) mask &= 0xffff;
  cpu.setEflags((cpu.getEflags() & ~mask) | (tempFlags & mask));
  // Same level without SS:RSP: release the frame with the current stack width, before CS changes the mode.
  if (!popStack) cpu.adjustSp(size * 3);
  loadFromDescriptor(cpu, SEG_CS, cs, d);
  cpu.eip = d.long ? rip : rip >>> 0;
  if (popStack) {
    if ((ss & 0xfffc) === 0) loadNullStack(cpu, rpl);
    else loadFromDescriptor(cpu, SEG_SS, ss, stack);
    if (size === 2) cpu.r16[ESP << 2] = newSp;
    else cpu.setReg64Number(ESP, size === 4 ? newSp >>> 0 : newSp);
    if (outer) nullInaccessibleDataSegments(cpu);
  }
}

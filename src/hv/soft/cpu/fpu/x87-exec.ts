/**
 * What every x87 instruction handler shares: the availability checks
 * (CR0.EM/TS → #NM, pending unmasked exception → #MF; SDM vol. 3, 2.5 and
 * table 2-2; vol. 1, 8.7), the last-instruction pointers, stack faults with
 * their masked responses (SDM vol. 1, 8.5.1.1), committing a result under
 * the unmasked-exception rules, and memory operands of every width.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { CR0_EM, CR0_NE, CR0_TS, SEG_CS, VEC_MF } from "../constants.js";
import { raiseFault, raiseNM } from "../fault.js";
import { registerCpuInitializer } from "../hooks.js";
import { F80, setIndefinite } from "./f80.js";
import { Exc } from "./env.js";
import { FpuState, SW_ES } from "./x87-state.js";

declare module "../cpu.js" {
  interface Cpu {
    /** The x87/MMX state (fpu/x87-state.ts). */
    fpu: FpuState;
  }
}

registerCpuInitializer((cpu) => {
  cpu.fpu = new FpuState();
});

/** IE together with SF: a stack fault (SDM vol. 1, 8.5.1.1). */
export const STACK_FAULT = Exc.IE | 0x40;
/** Exceptions that, unmasked, suppress the result of a register operation. */
export const BLOCKING = Exc.IE | Exc.DE | Exc.ZE;
/** Exceptions that, unmasked, suppress a store to memory. */
export const BLOCKING_STORE = Exc.IE | Exc.OE | Exc.UE;

/**
 * Checks before any x87 instruction: #NM when CR0.EM or CR0.TS is set, and
 * for waiting instructions #MF when an unmasked exception is pending and
 * CR0.NE = 1 (with NE = 0 FERR# already went to the platform; execution
 * continues as if IGNNE# were asserted).
 */
export function x87Check(cpu: Cpu, waiting: boolean): void {
  const cr0 = cpu.cr0;
  if ((cr0 & (CR0_EM | CR0_TS)) !== 0) raiseNM(cpu);
  if (waiting && (cpu.fpu.sw & SW_ES) !== 0 && (cr0 & CR0_NE) !== 0) {
    raiseFault(cpu, VEC_MF, false, 0);
  }
}

/**
 * Prologue of a non-control instruction: the checks, then FOP, FCS:FIP and
 * (for memory operands) FDS:FDP, and a fresh exception context.
 */
export function x87Begin(cpu: Cpu, d: Decoded, mem: boolean): FpuState {
  x87Check(cpu, true);
  const f = cpu.fpu;
  f.fop = ((d.opcode & 7) << 8) | (d.mod << 6) | (d.reg << 3) | (d.rm & 7);
  f.fip = cpu.insnStart;
  f.fcs = cpu.segSel[SEG_CS];
  if (mem) {
    f.fdp = cpu.eaOffset(d);
    f.fds = cpu.segSel[d.seg];
  }
  f.env.reset();
  return f;
}

function masked(f: FpuState, exc: number): boolean {
  return (f.fcw & exc) !== 0;
}

/**
 * Stack underflow (an empty source): IE+SF with C1 = 0. Returns true when
 * masked, the caller then stores the real indefinite in its destination.
 */
export function stackUnderflow(f: FpuState): boolean {
  f.setC1(false);
  f.raise(STACK_FAULT);
  return masked(f, Exc.IE);
}

/** Stack overflow (pushing onto a full register): IE+SF with C1 = 1. */
export function stackOverflow(f: FpuState): boolean {
  f.setC1(true);
  f.raise(STACK_FAULT);
  return masked(f, Exc.IE);
}

/** Masked underflow response: ST(i) ← indefinite (then pop if asked). */
export function underflowToIndefinite(f: FpuState, i: number, pop: boolean): void {
  if (!stackUnderflow(f)) return;
  setIndefinite(f.st(i));
  f.setValid(i);
  if (pop) f.pop();
}

/**
 * The flags one operation reports: invalid operation and divide-by-zero rank
 * above the denormal-operand exception (SDM vol. 1, 8.7), so DE (say from a
 * denormal memory operand converted before the operation found an SNaN, an
 * unsupported operand or a zero divisor) is dropped next to IE or ZE.
 */
export function byPriority(flags: number): number {
  return (flags & (Exc.IE | Exc.ZE)) !== 0 ? flags & ~Exc.DE : flags;
}

/**
 * Finishes a register-destination operation whose result is in `out`: on an
 * unmasked IE/DE/ZE nothing changes but the flags; otherwise ST(i) ← out,
 * C1 = round-up, then the optional pop.
 */
export function commit(f: FpuState, i: number, out: F80, pop: boolean): void {
  const flags = byPriority(f.env.flags);
  if ((flags & BLOCKING & ~f.fcw) !== 0) {
    f.raise(flags);
    return;
  }
  f.st(i).copy(out);
  f.setValid(i);
  f.setC1(f.env.c1 !== 0);
  f.raise(flags);
  if (pop) f.pop();
}

/** Pushes `v` after the overflow check; false when nothing was pushed (unmasked fault). */
export function pushChecked(f: FpuState, v: F80): boolean {
  if (!f.isEmpty(7)) {
    if (!stackOverflow(f)) return false;
    setIndefinite(v);
  } else {
    f.setC1(false);
  }
  f.push(v);
  return true;
}

// ---- Memory operands ----

/** Reads the 10-byte m80 operand into out. */
export function readM80(cpu: Cpu, lin: number, out: F80): F80 {
  out.lo = cpu.read32(lin) >>> 0;
  out.hi = cpu.read32(lin + 4) >>> 0;
  out.se = cpu.read16(lin + 8);
  return out;
}

/** Writes an m80 value (the caller checked writability of all 10 bytes). */
export function writeM80(cpu: Cpu, lin: number, v: F80): void {
  cpu.write32(lin, v.lo);
  cpu.write32(lin + 4, v.hi);
  cpu.write16(lin + 8, v.se);
}

/** Linear address of a store of `size` bytes, with every byte checked writable first. */
export function storeLinear(cpu: Cpu, d: Decoded, size: number): number {
  const lin = cpu.eaWrite(d, size);
  cpu.checkWritable(lin, size);
  return lin;
}

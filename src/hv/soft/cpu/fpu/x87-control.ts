/**
 * x87 control instructions (SDM vol. 2 and vol. 1, 8.1.10 / figures 8-9 to
 * 8-12): FLDCW, FNSTCW, FNSTSW, FNCLEX, FNINIT, FLDENV/FNSTENV and
 * FRSTOR/FNSAVE in the 16/32-bit real/protected layouts, and the WAIT check.
 * Control instructions leave FIP/FDP/FOP alone; the FN forms do not check
 * for pending exceptions (the assembler's FSTSW etc. is WAIT + FNSTSW).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { CR0_MP, CR0_NE, CR0_TS, EAX, VEC_MF } from "../constants.js";
import { raiseFault, raiseNM } from "../fault.js";
import { defineGroup } from "../ops.js";
import { F80 } from "./f80.js";
import { FpuState, SW_ES } from "./x87-state.js";
import { readM80, storeLinear, writeM80, x87Check } from "./x87-exec.js";

/**
 * WAIT/FWAIT (9B): #NM when CR0.TS and CR0.MP are both set, #MF when an
 * unmasked exception is pending and CR0.NE = 1 (SDM vol. 2, WAIT; vol. 3,
 * table 2-2). The WAIT opcode's owner calls this.
 */
export function fpuWait(cpu: Cpu): void {
  const cr0 = cpu.cr0;
  if ((cr0 & (CR0_TS | CR0_MP)) === (CR0_TS | CR0_MP)) raiseNM(cpu);
  if ((cpu.fpu.sw & SW_ES) !== 0 && (cr0 & CR0_NE) !== 0) raiseFault(cpu, VEC_MF, false, 0);
}

/** ES (and B) follow the unmasked exception flags after FLDCW/FLDENV/FRSTOR. */
export function recomputeErrorSummary(f: FpuState): void {
  const pending = (f.sw & 0x3f & ~f.fcw) !== 0;
  f.setStatusWord(pending ? f.statusWord() | SW_ES : f.statusWord() & ~SW_ES);
}

// FLDCW m16 (waiting).
defineGroup(0xd9, 5, { mod: "mem" }, (cpu, d) => {
  x87Check(cpu, true);
  const f = cpu.fpu;
  f.setControlWord(cpu.read16(cpu.eaRead(d, 2)));
  recomputeErrorSummary(f);
});
// FNSTCW m16.
defineGroup(0xd9, 7, { mod: "mem" }, (cpu, d) => {
  x87Check(cpu, false);
  cpu.write16(cpu.eaWrite(d, 2), cpu.fpu.fcw);
});
// FNSTSW m16 and FNSTSW AX.
defineGroup(0xdd, 7, { mod: "mem" }, (cpu, d) => {
  x87Check(cpu, false);
  cpu.write16(cpu.eaWrite(d, 2), cpu.fpu.statusWord());
});
defineGroup(0xdf, 4, { rm: 0 }, (cpu) => {
  x87Check(cpu, false);
  cpu.setReg16(EAX, cpu.fpu.statusWord());
});
// FNCLEX: clears the exception flags, SF, ES and B.
defineGroup(0xdb, 4, { rm: 2 }, (cpu) => {
  x87Check(cpu, false);
  const f = cpu.fpu;
  f.setStatusWord(f.statusWord() & ~0x80ff);
});
// FNINIT.
defineGroup(0xdb, 4, { rm: 3 }, (cpu) => {
  x87Check(cpu, false);
  cpu.fpu.init();
});
// FENI, FDISI (8087) and FSETPM (287) are no-ops since the 387.
for (const rm of [0, 1, 4]) defineGroup(0xdb, 4, { rm }, (cpu) => x87Check(cpu, false));

// ---- Environment and full state ----

const scratch: F80[] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => new F80());

/** True when the real-mode layouts apply (real mode and vm86). */
function realLayout(cpu: Cpu): boolean {
  return !cpu.protectedMode || cpu.vm86;
}

/** Size in bytes of the environment image for this operand size. */
function envSize(d: Decoded): number {
  return d.opSize === 16 ? 14 : 28;
}

/** Writes the environment image at `lin` (SDM vol. 1, figures 8-9 to 8-12). */
function storeEnv(cpu: Cpu, d: Decoded, lin: number): void {
  const f = cpu.fpu;
  const real = realLayout(cpu);
  const fcw = f.fcw;
  const fsw = f.statusWord();
  const ftw = f.tagWord();
  if (d.opSize === 16) {
    cpu.write16(lin, fcw);
    cpu.write16(lin + 2, fsw);
    cpu.write16(lin + 4, ftw);
    if (real) {
      const ip = (f.fcs << 4) + f.fip;
      const dp = (f.fds << 4) + f.fdp;
      cpu.write16(lin + 6, ip);
      cpu.write16(lin + 8, ((ip >>> 4) & 0xf000) | (f.fop & 0x7ff));
      cpu.write16(lin + 10, dp);
      cpu.write16(lin + 12, (dp >>> 4) & 0xf000);
    } else {
      cpu.write16(lin + 6, f.fip);
      cpu.write16(lin + 8, f.fcs);
      cpu.write16(lin + 10, f.fdp);
      cpu.write16(lin + 12, f.fds);
    }
    return;
  }
  cpu.write32(lin, 0xffff0000 | fcw);
  cpu.write32(lin + 4, 0xffff0000 | fsw);
  cpu.write32(lin + 8, 0xffff0000 | ftw);
  if (real) {
    const ip = ((f.fcs << 4) + f.fip) >>> 0;
    const dp = ((f.fds << 4) + f.fdp) >>> 0;
    cpu.write32(lin + 12, 0xffff0000 | (ip & 0xffff));
    cpu.write32(lin + 16, ((ip >>> 16) << 12) | (f.fop & 0x7ff));
    cpu.write32(lin + 20, 0xffff0000 | (dp & 0xffff));
    cpu.write32(lin + 24, (dp >>> 16) << 12);
  } else {
    cpu.write32(lin + 12, f.fip);
    cpu.write32(lin + 16, ((f.fop & 0x7ff) << 16) | f.fcs);
    cpu.write32(lin + 20, f.fdp);
    cpu.write32(lin + 24, 0xffff0000 | f.fds);
  }
}

/** Reads an environment image from `lin` into the FPU. */
function loadEnv(cpu: Cpu, d: Decoded, lin: number): void {
  const f = cpu.fpu;
  const real = realLayout(cpu);
  let fcw: number, fsw: number, ftw: number;
  if (d.opSize === 16) {
    fcw = cpu.read16(lin);
    fsw = cpu.read16(lin + 2);
    ftw = cpu.read16(lin + 4);
    if (real) {
      const w8 = cpu.read16(lin + 8);
      f.fip = cpu.read16(lin + 6) | ((w8 & 0xf000) << 4);
      f.fop = w8 & 0x7ff;
      f.fdp = cpu.read16(lin + 10) | ((cpu.read16(lin + 12) & 0xf000) << 4);
      f.fcs = f.fds = 0;
    } else {
      f.fip = cpu.read16(lin + 6);
      f.fcs = cpu.read16(lin + 8);
      f.fdp = cpu.read16(lin + 10);
      f.fds = cpu.read16(lin + 12);
    }
  } else {
    fcw = cpu.read16(lin);
    fsw = cpu.read16(lin + 4);
    ftw = cpu.read16(lin + 8);
    if (real) {
      const w16 = cpu.read32(lin + 16);
      f.fip = (cpu.read16(lin + 12) | ((w16 >>> 12) << 16)) >>> 0;
      f.fop = w16 & 0x7ff;
      f.fdp = (cpu.read16(lin + 20) | ((cpu.read32(lin + 24) >>> 12) << 16)) >>> 0;
      f.fcs = f.fds = 0;
    } else {
      f.fip = cpu.read32(lin + 12) >>> 0;
      const w16 = cpu.read32(lin + 16);
      f.fcs = w16 & 0xffff;
      f.fop = (w16 >>> 16) & 0x7ff;
      f.fdp = cpu.read32(lin + 20) >>> 0;
      f.fds = cpu.read16(lin + 24);
    }
  }
  f.setControlWord(fcw);
  f.setStatusWord(fsw);
  f.setTagWord(ftw);
  recomputeErrorSummary(f);
}

// FLDENV: a control instruction, no pending-exception check.
defineGroup(0xd9, 4, { mod: "mem" }, (cpu, d) => {
  x87Check(cpu, false);
  loadEnv(cpu, d, cpu.eaRead(d, envSize(d)));
});
// FNSTENV: store, then mask all exceptions.
defineGroup(0xd9, 6, { mod: "mem" }, (cpu, d) => {
  x87Check(cpu, false);
  const lin = storeLinear(cpu, d, envSize(d));
  storeEnv(cpu, d, lin);
  const f = cpu.fpu;
  f.setControlWord(f.fcw | 0x3f);
});
// FRSTOR: environment then ST(0)-ST(7).
defineGroup(0xdd, 4, { mod: "mem" }, (cpu, d) => {
  x87Check(cpu, false);
  const size = envSize(d);
  const lin = cpu.eaRead(d, size + 80);
  const f = cpu.fpu;
  // Read the registers first so a fault leaves the state untouched.
  for (let i = 0; i < 8; i++) readM80(cpu, lin + size + 10 * i, scratch[i]);
  loadEnv(cpu, d, lin);
  for (let i = 0; i < 8; i++) f.st(i).copy(scratch[i]);
});
// FNSAVE: store everything, then FNINIT.
defineGroup(0xdd, 6, { mod: "mem" }, (cpu, d) => {
  x87Check(cpu, false);
  const size = envSize(d);
  const lin = storeLinear(cpu, d, size + 80);
  storeEnv(cpu, d, lin);
  const f = cpu.fpu;
  for (let i = 0; i < 8; i++) writeM80(cpu, lin + size + 10 * i, f.st(i));
  f.init();
});

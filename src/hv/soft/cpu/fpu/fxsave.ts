/**
 * FXSAVE/FXRSTOR (0F AE /0, /1; SDM vol. 1, 10.5.1, table 10-2): the
 * 512-byte legacy image. The SSE part is MXCSR and XMM0-7, XMM0-15 in
 * 64-bit mode; with REX.W (FXSAVE64/FXRSTOR64) FIP and FDP are 64-bit
 * offsets without selectors (table 10-3).
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { CR0_EM, CR0_TS } from "../constants.js";
import { raiseGP, raiseNM } from "../fault.js";
import { defineGroup0F } from "../ops.js";
import { F80 } from "./f80.js";
import { recomputeErrorSummary } from "./x87-control.js";
import { readM80, storeLinear, writeM80 } from "./x87-exec.js";

/** MXCSR bits this CPU accepts (DAZ included), as FXSAVE reports in MXCSR_MASK. */
export const MXCSR_MASK = 0xffff;

const regs: F80[] = [0, 1, 2, 3, 4, 5, 6, 7].map(() => new F80());

/** Bytes of XMM registers in the image: XMM0-15 in 64-bit mode, else XMM0-7. */
function xmmBytes(cpu: Cpu): number {
  return (cpu.mode64 ? 16 : 8) * 16;
}

/** FIP/FDP as stored: a 32-bit offset, or a 64-bit one (FXRSTOR64) as a number. */
function pointer(cpu: Cpu, at: number, wide: boolean): number {
  const lo = cpu.read32(at) >>> 0;
  return wide ? cpu.read32(at + 4) * 4294967296 + lo : lo;
}

function check(cpu: Cpu, d: Decoded, write: boolean): number {
  if ((cpu.cr0 & (CR0_EM | CR0_TS)) !== 0) raiseNM(cpu);
  const lin = write ? storeLinear(cpu, d, 512) : cpu.eaRead(d, 512);
  if ((lin & 15) !== 0) raiseGP(cpu, 0);
  return lin;
}

defineGroup0F(0xae, 0, { mod: "mem" }, (cpu, d) => {
  const lin = check(cpu, d, true);
  const f = cpu.fpu;
  cpu.write16(lin, f.fcw);
  cpu.write16(lin + 2, f.statusWord());
  cpu.write16(lin + 4, f.abridgedTags()); // byte 5 reserved (0)
  cpu.write16(lin + 6, f.fop);
  const wide = d.opSize === 64;
  cpu.write32(lin + 8, f.fip);
  cpu.write32(lin + 12, wide ? Math.floor(f.fip / 4294967296) : f.fcs);
  cpu.write32(lin + 16, f.fdp);
  cpu.write32(lin + 20, wide ? Math.floor(f.fdp / 4294967296) : f.fds);
  cpu.write32(lin + 24, f.mxcsr);
  cpu.write32(lin + 28, MXCSR_MASK);
  for (let i = 0; i < 8; i++) {
    const at = lin + 32 + 16 * i;
    writeM80(cpu, at, f.st(i));
    cpu.write16(at + 10, 0);
    cpu.write32(at + 12, 0);
  }
  for (let i = 0; i < xmmBytes(cpu); i += 4) {
    const x = f.xmm;
    cpu.write32(lin + 160 + i, x[i] | (x[i + 1] << 8) | (x[i + 2] << 16) | (x[i + 3] << 24));
  }
});

defineGroup0F(0xae, 1, { mod: "mem" }, (cpu, d) => {
  const lin = check(cpu, d, false);
  const f = cpu.fpu;
  const mxcsr = cpu.read32(lin + 24) >>> 0;
  if ((mxcsr & ~MXCSR_MASK) !== 0) raiseGP(cpu, 0);
  for (let i = 0; i < 8; i++) readM80(cpu, lin + 32 + 16 * i, regs[i]);
  const xmm = new Uint8Array(xmmBytes(cpu));
  for (let i = 0; i < xmm.length; i++) xmm[i] = cpu.read8(lin + 160 + i);
  const wide = d.opSize === 64;
  // Everything read: commit.
  f.setControlWord(cpu.read16(lin));
  f.setStatusWord(cpu.read16(lin + 2));
  f.emptyMask = ~cpu.read8(lin + 4) & 0xff;
  f.fop = cpu.read16(lin + 6) & 0x7ff;
  f.fip = pointer(cpu, lin + 8, wide);
  f.fcs = wide ? 0 : cpu.read16(lin + 12);
  f.fdp = pointer(cpu, lin + 16, wide);
  f.fds = wide ? 0 : cpu.read16(lin + 20);
  f.mxcsr = mxcsr;
  f.xmm.set(xmm, 0);
  for (let i = 0; i < 8; i++) f.st(i).copy(regs[i]);
  recomputeErrorSummary(f);
});

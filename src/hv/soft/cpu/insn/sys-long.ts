/**
 * Long-mode system instructions: SYSCALL (0F 05), SYSRET (0F 07), SWAPGS
 * (0F 01 F8), RDTSCP (0F 01 F9) and RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE
 * (F3 0F AE /0-/3). SDM vol. 2, each instruction; vol. 3, 5.8.8 (SYSCALL
 * and SYSRET segment setup). Intel behaviour: SYSCALL/SYSRET exist only in
 * 64-bit mode (#UD elsewhere), SYSRET checks RCX is canonical first.
 */
import {
  CR4_FSGSBASE,
  CR4_TSD,
  ECX,
  EFER_SCE,
  RF,
  SEG_CS,
  SEG_FS,
  SEG_GS,
  SEG_SS,
} from "../constants.js";
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { raiseGP, raiseUD } from "../fault.js";
import { isCanonical, TWO32 } from "../int64.js";
import { defineGroup0F, defineOp0F } from "../ops.js";
import { requireCpl0 } from "../system/control-checks.js";
import { setEdxEax } from "./sys-msr.js";
import "../system/install.js";

/** Flat segments SYSCALL/SYSRET load: 64-bit code (L, no D), 32-bit code, data; G and P set. */
const CODE64 = 0xa09b;
const CODE32 = 0xc09b;
const DATA = 0xc093;
const DPL3 = 3 << 5;
/** RFLAGS bits SYSRET restores from R11 (SDM vol. 2, SYSRET: R11 AND 3C7FD7H). */
const SYSRET_FLAGS = 0x3c7fd7;
/** R11 register number. */
const R11 = 11;

function requireSyscall(cpu: Cpu): void {
  if (!cpu.mode64 || (cpu.efer & EFER_SCE) === 0) raiseUD(cpu);
}

/** SYSCALL: RCX = RIP, R11 = RFLAGS, to CPL 0 at LSTAR with CS/SS from STAR[47:32]. */
defineOp0F(0x05, { endsBlock: true }, (cpu) => {
  requireSyscall(cpu);
  const s = cpu.sys;
  const rip = cpu.eip;
  const flags = cpu.getEflags();
  cpu.setReg64(ECX, rip | 0, Math.floor(rip / TWO32) | 0);
  cpu.setReg64(R11, flags & ~RF, 0);
  const sel = s.starHi & 0xfffc;
  cpu.setEflags(flags & ~s.sfmask & ~RF);
  cpu.setSegment(SEG_CS, sel, 0, 0xffffffff, CODE64);
  cpu.setSegment(SEG_SS, (sel + 8) & 0xfffc, 0, 0xffffffff, DATA);
  cpu.eip = s.lstar;
});

/**
 * SYSRET: back to CPL 3 at RCX (REX.W: 64-bit code, CS = STAR[63:48] + 16)
 * or ECX (compatibility code, CS = STAR[63:48]); SS = STAR[63:48] + 8;
 * RFLAGS from R11.
 */
defineOp0F(0x07, { endsBlock: true }, (cpu, d) => {
  requireSyscall(cpu);
  requireCpl0(cpu);
  const base = cpu.sys.starHi >>> 16;
  const to64 = d.opSize === 64;
  const rip = to64 ? cpu.reg64Number(ECX) : cpu.r32[ECX << 1] >>> 0;
  if (to64 && !isCanonical(rip)) raiseGP(cpu, 0);
  cpu.setEflags((cpu.r32[R11 << 1] & SYSRET_FLAGS) | 2);
  if (to64) cpu.setSegment(SEG_CS, ((base + 16) & 0xfffc) | 3, 0, 0xffffffff, CODE64 | DPL3);
  else cpu.setSegment(SEG_CS, (base & 0xfffc) | 3, 0, 0xffffffff, CODE32 | DPL3);
  cpu.setSegment(SEG_SS, ((base + 8) & 0xfffc) | 3, 0, 0xffffffff, DATA | DPL3);
  cpu.eip = rip;
});

/** SWAPGS: exchanges GS.base with IA32_KERNEL_GS_BASE (64-bit mode, CPL 0). */
defineGroup0F(0x01, 7, { rm: 0 }, (cpu) => {
  if (!cpu.mode64) raiseUD(cpu);
  requireCpl0(cpu);
  const s = cpu.sys;
  const kernel = s.kernelGsBase;
  s.kernelGsBase = cpu.segBaseL[SEG_GS];
  cpu.setSegmentBase64(SEG_GS, kernel | 0, Math.floor(kernel / TWO32) | 0);
});

/** RDTSCP: EDX:EAX = TSC, ECX = IA32_TSC_AUX (CR4.TSD makes it CPL 0 only). */
defineGroup0F(0x01, 7, { rm: 1 }, (cpu) => {
  if ((cpu.cr4 & CR4_TSD) !== 0) requireCpl0(cpu);
  setEdxEax(cpu, cpu.sys.tsc.read(cpu.icount));
  cpu.setReg32(ECX, cpu.sys.tscAux);
});

// ---- RDFSBASE / RDGSBASE / WRFSBASE / WRGSBASE (F3 0F AE /0-/3, register forms) ----

function requireFsgsbase(cpu: Cpu): void {
  if (!cpu.mode64 || (cpu.cr4 & CR4_FSGSBASE) === 0) raiseUD(cpu);
}

function readBase(cpu: Cpu, d: Decoded, seg: number): void {
  requireFsgsbase(cpu);
  if (d.opSize === 64) {
    const base = cpu.segBaseL[seg];
    cpu.setReg64(d.rm, base | 0, Math.floor(base / TWO32) | 0);
  } else {
    cpu.setReg32(d.rm, cpu.segBase[seg]);
  }
}

function writeBase(cpu: Cpu, d: Decoded, seg: number): void {
  requireFsgsbase(cpu);
  const lo = cpu.r32[d.rm << 1];
  const hi = d.opSize === 64 ? cpu.r32[(d.rm << 1) | 1] : 0;
  if ((hi << 16) >> 16 !== hi) raiseGP(cpu, 0);
  cpu.setSegmentBase64(seg, lo, hi);
}

const F3_REG = { mod: "reg", prefix: 0xf3 } as const;
defineGroup0F(0xae, 0, F3_REG, (cpu, d) => readBase(cpu, d, SEG_FS));
defineGroup0F(0xae, 1, F3_REG, (cpu, d) => readBase(cpu, d, SEG_GS));
defineGroup0F(0xae, 2, F3_REG, (cpu, d) => writeBase(cpu, d, SEG_FS));
defineGroup0F(0xae, 3, F3_REG, (cpu, d) => writeBase(cpu, d, SEG_GS));

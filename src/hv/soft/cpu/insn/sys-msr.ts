/**
 * Model-specific registers, time stamp, identification and fast system
 * calls: WRMSR (0F 30), RDTSC (0F 31), RDMSR (0F 32), RDPMC (0F 33),
 * SYSENTER (0F 34), SYSEXIT (0F 35), CPUID (0F A2). SDM vol. 2, each
 * instruction; vol. 3, 5.8.7 for SYSENTER/SYSEXIT.
 */
import {
  CR4_OSXSAVE,
  CR4_TSD,
  EAX,
  EBX,
  ECX,
  EDX,
  ESP,
  IF,
  RF,
  SEG_CS,
  SEG_SS,
  VM,
} from "../constants.js";
import type { Cpu } from "../cpu.js";
import { raiseGP } from "../fault.js";
import { isCanonical } from "../int64.js";
import { defineOp0F } from "../ops.js";
import {
  EXTENDED_LEAF,
  FEAT_APIC,
  FEAT_ECX_OSXSAVE,
  FEAT_EXT_NX,
  HYPERVISOR_LEAF,
} from "../system/cpuid.js";
import { requireCpl0 } from "../system/control-checks.js";
import { readMsr, writeMsr } from "../system/msr.js";
import { APIC_BASE_ENABLE, MISC_LIMIT_CPUID, MISC_XD_DISABLE } from "../system/sys-state.js";
import "../system/install.js";

/** Stores a 64-bit value in EDX:EAX (high dwords of RDX and RAX zeroed). */
export function setEdxEax(cpu: Cpu, v: bigint): void {
  cpu.setReg32(EAX, Number(v & 0xffffffffn));
  cpu.setReg32(EDX, Number((v >> 32n) & 0xffffffffn));
}

defineOp0F(0x32, {}, (cpu) => {
  requireCpl0(cpu);
  const v = readMsr(cpu, cpu.r32[ECX << 1] >>> 0);
  if (v === undefined) raiseGP(cpu, 0);
  setEdxEax(cpu, v);
});

defineOp0F(0x30, { endsBlock: true }, (cpu) => {
  requireCpl0(cpu);
  const v = (BigInt(cpu.r32[EDX << 1] >>> 0) << 32n) | BigInt(cpu.r32[EAX << 1] >>> 0);
  if (!writeMsr(cpu, cpu.r32[ECX << 1] >>> 0, v, true)) raiseGP(cpu, 0);
  cpu.blockStop = 1;
});

/** RDTSC: with CR4.TSD only CPL 0 may read the counter. */
defineOp0F(0x31, {}, (cpu) => {
  if ((cpu.cr4 & CR4_TSD) !== 0) requireCpl0(cpu);
  setEdxEax(cpu, cpu.sys.tsc.read(cpu.icount));
});

/**
 * RDPMC: this model has no performance counters (CPUID leaf 0Ah is absent),
 * so every ECX is an invalid counter: #GP(0) whether or not CR4.PCE allows
 * the instruction at this CPL.
 */
defineOp0F(0x33, {}, (cpu) => raiseGP(cpu, 0));

/**
 * CPUID, with the bits that follow the CPU's state: the initial APIC ID is
 * the vCPU index unless the model sets one, APIC disappears when
 * IA32_APIC_BASE.EN is clear, NX when IA32_MISC_ENABLE.XD_DISABLE is set,
 * and IA32_MISC_ENABLE.LIMIT_CPUID caps the basic leaves at 2 (SDM vol. 4,
 * IA32_MISC_ENABLE; vol. 2, CPUID).
 */
defineOp0F(0xa2, {}, (cpu) => {
  const s = cpu.sys;
  let leaf = cpu.r32[EAX << 1] >>> 0;
  const limited = (s.miscEnable & MISC_LIMIT_CPUID) !== 0n;
  if (limited && leaf > 2 && leaf < HYPERVISOR_LEAF) leaf = 2;
  const out = s.cpuidOut;
  s.cpuid.query(leaf, cpu.r32[ECX << 1] >>> 0, out);
  if (leaf === 0 && limited) out[0] = Math.min(out[0], 2);
  if (leaf === 1) {
    if ((s.apicBase & APIC_BASE_ENABLE) === 0n) out[3] &= ~FEAT_APIC;
    if ((cpu.cr4 & CR4_OSXSAVE) !== 0) out[2] |= FEAT_ECX_OSXSAVE; // mirrors CR4.OSXSAVE
    if (s.cpuid.config.apicId === null)
      out[1] = (out[1] & 0xffffff) | ((cpu.vcpuIndex & 0xff) << 24);
  }
  if (leaf === EXTENDED_LEAF + 1 && (s.miscEnable & MISC_XD_DISABLE) !== 0n) {
    out[3] &= ~FEAT_EXT_NX;
  }
  cpu.setReg32(EAX, out[0]);
  cpu.setReg32(EBX, out[1]);
  cpu.setReg32(ECX, out[2]);
  cpu.setReg32(EDX, out[3]);
});

/** Flat 4 GiB segment attributes: G, D/B, present, S, and the type/DPL byte. */
const FLAT_CODE = 0xc09b;
const FLAT_DATA = 0xc093;
/** 64-bit code: G, L, present, S, execute/read accessed. */
const FLAT_CODE64 = 0xa09b;
const DPL3 = 3 << 5;

/**
 * SYSENTER: to CPL 0 at SYSENTER_CS:SYSENTER_EIP with flat segments (SDM
 * vol. 2, SYSENTER); in IA-32e mode the target is 64-bit code and RIP/RSP
 * take the full MSR values.
 */
defineOp0F(0x34, { endsBlock: true }, (cpu) => {
  const s = cpu.sys;
  const cs = s.sysenterCs & 0xfffc;
  if (!cpu.protectedMode || cs === 0) raiseGP(cpu, 0);
  cpu.setEflags(cpu.getEflags() & ~(VM | IF | RF));
  cpu.setSegment(SEG_CS, cs, 0, 0xffffffff, cpu.longMode ? FLAT_CODE64 : FLAT_CODE);
  cpu.setSegment(SEG_SS, (cs + 8) & 0xfffc, 0, 0xffffffff, FLAT_DATA);
  if (cpu.longMode) {
    cpu.setReg64Number(ESP, s.sysenterEsp);
    cpu.eip = s.sysenterEip;
  } else {
    cpu.r32[ESP << 1] = s.sysenterEsp;
    cpu.eip = s.sysenterEip >>> 0;
  }
});

/**
 * SYSEXIT: to CPL 3 at SYSENTER_CS+16:EDX with ESP = ECX (SDM vol. 2,
 * SYSEXIT); with REX.W to 64-bit code at SYSENTER_CS+32:RDX, RSP = RCX.
 */
defineOp0F(0x35, { endsBlock: true }, (cpu, d) => {
  const base = cpu.sys.sysenterCs & 0xfffc;
  if (!cpu.protectedMode || cpu.cpl !== 0 || base === 0) raiseGP(cpu, 0);
  if (d.opSize === 64) {
    const rip = cpu.reg64Number(EDX);
    const rsp = cpu.reg64Number(ECX);
    if (!isCanonical(rip) || !isCanonical(rsp)) raiseGP(cpu, 0);
    cpu.setSegment(SEG_CS, ((base + 32) & 0xfffc) | 3, 0, 0xffffffff, FLAT_CODE64 | DPL3);
    cpu.setSegment(SEG_SS, ((base + 40) & 0xfffc) | 3, 0, 0xffffffff, FLAT_DATA | DPL3);
    cpu.setReg64Number(ESP, rsp);
    cpu.eip = rip;
    return;
  }
  cpu.setSegment(SEG_CS, ((base + 16) & 0xfffc) | 3, 0, 0xffffffff, FLAT_CODE | DPL3);
  cpu.setSegment(SEG_SS, ((base + 24) & 0xfffc) | 3, 0, 0xffffffff, FLAT_DATA | DPL3);
  cpu.setReg32(ESP, cpu.r32[ECX << 1]);
  cpu.eip = cpu.r32[EDX << 1] >>> 0;
});

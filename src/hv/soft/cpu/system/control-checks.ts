/**
 * Checks shared by the system instructions: the CPL-0 rule, the CR4 bits
 * the model allows (they follow the CPUID features: a bit whose feature is
 * not advertised is reserved, and setting it raises #GP(0), SDM vol. 3,
 * 2.5), and the fixed bits of DR6/DR7 (SDM vol. 3, 18.2.3-18.2.4).
 */
import type { Cpu } from "../cpu.js";
import {
  CR4_DE,
  CR4_FSGSBASE,
  CR4_OSFXSR,
  CR4_OSXMMEXCPT,
  CR4_OSXSAVE,
  CR4_PAE,
  CR4_PCE,
  CR4_PCIDE,
  CR4_PGE,
  CR4_PSE,
  CR4_TSD,
  DR6_FIXED1,
  DR7_FIXED1,
} from "../constants.js";
import { raiseGP } from "../fault.js";
import {
  FEAT7_FSGSBASE,
  FEAT_DE,
  FEAT_ECX_PCID,
  FEAT_ECX_XSAVE,
  FEAT_FXSR,
  FEAT_PAE,
  FEAT_PGE,
  FEAT_PSE,
  FEAT_SSE,
  FEAT_TSC,
} from "./cpuid.js";

/** Privileged instructions: #GP(0) unless CPL 0 (real mode is CPL 0; vm86 is CPL 3). */
export function requireCpl0(cpu: Cpu): void {
  if (cpu.protectedMode && cpu.cpl !== 0) raiseGP(cpu, 0);
}

/** CR4 bits a MOV to CR4 may set on this model: those whose CPUID feature is advertised (VME, PVI, MCE never). */
export function cr4AllowedBits(cpu: Cpu): number {
  const f = cpu.sys.cpuid.featuresEdx;
  let bits = CR4_PCE;
  if ((f & FEAT_TSC) !== 0) bits |= CR4_TSD;
  if ((f & FEAT_DE) !== 0) bits |= CR4_DE;
  if ((f & FEAT_PSE) !== 0) bits |= CR4_PSE;
  if ((f & FEAT_PAE) !== 0) bits |= CR4_PAE;
  if ((f & FEAT_PGE) !== 0) bits |= CR4_PGE;
  if ((f & FEAT_FXSR) !== 0) bits |= CR4_OSFXSR;
  if ((f & FEAT_SSE) !== 0) bits |= CR4_OSXMMEXCPT;
  const ecx = cpu.sys.cpuid.featuresEcx;
  if ((ecx & FEAT_ECX_XSAVE) !== 0) bits |= CR4_OSXSAVE;
  if ((ecx & FEAT_ECX_PCID) !== 0) bits |= CR4_PCIDE;
  if ((cpu.sys.cpuid.leaf7Ebx & FEAT7_FSGSBASE) !== 0) bits |= CR4_FSGSBASE;
  return bits;
}

/** DR6 bits software can write: B0-B3, BD, BS, BT; the rest read as their fixed values. */
const DR6_WRITABLE = 0xe00f;
/** DR7 bits 11, 12, 14 and 15 are reserved (read 0); bit 10 reads 1. */
const DR7_RESERVED = 0xd800;
/** DR7.GD: general detect (MOV DR raises #DB while set). */
export const DR7_GD = 0x2000;
/** DR6.BD: the #DB came from general detect. */
export const DR6_BD = 0x2000;

/** The value a MOV to DR6 stores. */
export function dr6Value(v: number): number {
  return ((v & DR6_WRITABLE) | DR6_FIXED1) >>> 0;
}

/** The value a MOV to DR7 stores. */
export function dr7Value(v: number): number {
  return ((v & ~DR7_RESERVED) | DR7_FIXED1) >>> 0;
}

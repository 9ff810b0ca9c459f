/**
 * Model-specific registers of the soft CPU (SDM vol. 4 for addresses and
 * layouts; vol. 3 ch. 12 for MTRRs and PAT). `readMsr`/`writeMsr` serve both
 * RDMSR/WRMSR and the register API; an unknown MSR or a value with reserved
 * bits set is refused (the instruction turns that into #GP(0)).
 */
import { Msr } from "../../../registers.js";
import type { Cpu } from "../cpu.js";
import { EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE, SEG_FS, SEG_GS } from "../constants.js";
import { writeEfer } from "../control.js";
import { flushTlb } from "../tlb.js";
import { FEAT_EXT_LM, FEAT_EXT_NX, FEAT_EXT_SYSCALL } from "./cpuid.js";
import {
  APIC_BASE_BSP,
  MISC_BTS_UNAVAILABLE,
  MISC_FAST_STRINGS,
  MISC_LIMIT_CPUID,
  MISC_PEBS_UNAVAILABLE,
  MISC_XD_DISABLE,
  MTRR_VARIABLE_COUNT,
} from "./sys-state.js";

/** IA32_PLATFORM_ID (read-only platform bits; 0 here). */
export const MSR_PLATFORM_ID = 0x17;
/** IA32_BIOS_SIGN_ID: microcode revision (Linux writes 0 then reads it back). */
export const MSR_BIOS_SIGN_ID = 0x8b;

/** Physical address width reported for MTRR masks and APIC base (no CPUID 80000008h: 36). */
const PHYS_BITS = 36n;
/** Bits 12 .. PHYS_BITS-1: the page-frame field of MTRR base/mask and APIC_BASE. */
const PHYS_PAGE_MASK = ((1n << PHYS_BITS) - 1n) & ~0xfffn;
/** IA32_MTRRCAP: VCNT = 8, fixed ranges, write-combining (SDM vol. 3, 12.11.1). */
const MTRRCAP = BigInt(MTRR_VARIABLE_COUNT) | (1n << 8n) | (1n << 10n);
const MTRR_DEF_TYPE_FE = 1n << 10n;
const MTRR_DEF_TYPE_E = 1n << 11n;
const MTRR_MASK_VALID = 1n << 11n;
/** IA32_MISC_ENABLE bits a guest may change (the others are fixed or reserved here). */
const MISC_WRITABLE = MISC_FAST_STRINGS | (1n << 3n) | (1n << 16n) | MISC_LIMIT_CPUID;
const MISC_READ_ONLY = MISC_BTS_UNAVAILABLE | MISC_PEBS_UNAVAILABLE;
const FEATURE_CONTROL_LOCK = 1n;
const APIC_BASE_WRITABLE = PHYS_PAGE_MASK | (1n << 11n);

/** The fixed-range MTRR addresses in IA32_MTRR_FIX* order. */
const FIXED_MTRRS: readonly number[] = [
  Msr.MTRR_FIX64K_00000,
  Msr.MTRR_FIX16K_80000,
  Msr.MTRR_FIX16K_A0000,
  ...Array.from({ length: 8 }, (_, i) => Msr.MTRR_FIX4K_C0000 + i),
];

/** Every MSR this model implements, in a stable order (the register catalog's). */
export const MSR_LIST: readonly number[] = Object.freeze([
  Msr.TSC,
  MSR_PLATFORM_ID,
  Msr.APIC_BASE,
  Msr.FEATURE_CONTROL,
  Msr.TSC_ADJUST,
  MSR_BIOS_SIGN_ID,
  Msr.MTRRCAP,
  Msr.SYSENTER_CS,
  Msr.SYSENTER_ESP,
  Msr.SYSENTER_EIP,
  Msr.MISC_ENABLE,
  ...Array.from({ length: MTRR_VARIABLE_COUNT * 2 }, (_, i) => Msr.MTRR_PHYSBASE0 + i),
  ...FIXED_MTRRS,
  Msr.PAT,
  Msr.MTRR_DEF_TYPE,
  Msr.EFER,
  Msr.STAR,
  Msr.LSTAR,
  Msr.CSTAR,
  Msr.SFMASK,
  Msr.FS_BASE,
  Msr.GS_BASE,
  Msr.KERNEL_GS_BASE,
  Msr.TSC_AUX,
]);

/** A canonical address MSR value as a signed number, or null when not canonical. */
function canonicalNumber(value: bigint): number | null {
  const v = BigInt.asIntN(64, value);
  return v >= -(1n << 47n) && v < 1n << 47n ? Number(v) : null;
}

/** A signed number (|v| < 2^53) as the unsigned 64-bit MSR value. */
function u64(v: number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

/** Memory types valid in MTRRs: UC, WC, WT, WP, WB (SDM vol. 3, table 12-8). */
function isMtrrType(t: bigint): boolean {
  return t === 0n || t === 1n || t === 4n || t === 5n || t === 6n;
}

/** Every byte of `v` is a valid MTRR type (fixed-range registers). */
function allBytesMtrrTypes(v: bigint): boolean {
  for (let i = 0n; i < 64n; i += 8n) if (!isMtrrType((v >> i) & 0xffn)) return false;
  return true;
}

/** Every byte of `v` is a valid PAT type: MTRR types plus UC- (7). */
function isValidPat(v: bigint): boolean {
  for (let i = 0n; i < 64n; i += 8n) {
    const t = (v >> i) & 0xffn;
    if (!isMtrrType(t) && t !== 7n) return false;
  }
  return true;
}

/**
 * EFER bits a guest may set: NXE when NX is advertised and not disabled by
 * MISC_ENABLE, SCE with SYSCALL, LME with long mode (CPUID 80000001h:EDX).
 */
function eferWritable(cpu: Cpu): number {
  const ext = cpu.sys.cpuid.extendedFeaturesEdx;
  const nx = (ext & FEAT_EXT_NX) !== 0 && (cpu.sys.miscEnable & MISC_XD_DISABLE) === 0n;
  return (
    (nx ? EFER_NXE : 0) |
    ((ext & FEAT_EXT_SYSCALL) !== 0 ? EFER_SCE : 0) |
    ((ext & FEAT_EXT_LM) !== 0 ? EFER_LME : 0)
  );
}

/**
 * MSRs that belong to the local APIC (SDM vol. 3, 11.4.4 and 11.12.1):
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range 800h-8FFh.
 */
function isApicMsrIndex(index: number): boolean {
  const i = index >>> 0;
  return i === Msr.APIC_BASE || i === Msr.TSC_DEADLINE || (i >= 0x800 && i <= 0x8ff);
}

/** Reads MSR `index`, or undefined when the model has no such MSR. */
export function readMsr(cpu: Cpu, index: number): bigint | undefined {
  const s = cpu.sys;
  if (s.apic !== null && isApicMsrIndex(index)) return s.apic.readMsr(index >>> 0);
  switch (index >>> 0) {
    case Msr.TSC:
      return s.tsc.read(cpu.icount);
    case MSR_PLATFORM_ID:
      return 0n;
    case Msr.APIC_BASE:
      return cpu.vcpuIndex === 0 ? s.apicBase | APIC_BASE_BSP : s.apicBase;
    case Msr.FEATURE_CONTROL:
      return s.featureControl;
    case Msr.TSC_ADJUST:
      return s.tsc.adjust;
    case MSR_BIOS_SIGN_ID:
      return s.microcodeRevision << 32n;
    case Msr.MTRRCAP:
      return MTRRCAP;
    case Msr.SYSENTER_CS:
      return BigInt(s.sysenterCs);
    case Msr.SYSENTER_ESP:
      return u64(s.sysenterEsp);
    case Msr.SYSENTER_EIP:
      return u64(s.sysenterEip);
    case Msr.MISC_ENABLE:
      return s.miscEnable;
    case Msr.PAT:
      return s.pat;
    case Msr.MTRR_DEF_TYPE:
      return s.mtrrDefType;
    case Msr.EFER:
      return BigInt(cpu.efer >>> 0);
    case Msr.STAR:
      return (BigInt(s.starHi >>> 0) << 32n) | BigInt(s.starLo >>> 0);
    case Msr.LSTAR:
      return u64(s.lstar);
    case Msr.CSTAR:
      return u64(s.cstar);
    case Msr.SFMASK:
      return BigInt(s.sfmask >>> 0);
    case Msr.FS_BASE:
      return u64(cpu.segBaseL[SEG_FS]);
    case Msr.GS_BASE:
      return u64(cpu.segBaseL[SEG_GS]);
    case Msr.KERNEL_GS_BASE:
      return u64(s.kernelGsBase);
    case Msr.TSC_AUX:
      return BigInt(s.tscAux >>> 0);
  }
  const variable = index - Msr.MTRR_PHYSBASE0;
  if (variable >= 0 && variable < MTRR_VARIABLE_COUNT * 2) return s.mtrrVariable[variable];
  const fixed = FIXED_MTRRS.indexOf(index);
  if (fixed >= 0) return s.mtrrFixed[fixed];
  return undefined;
}

/**
 * Writes MSR `index`. `guest`: WRMSR (TSC and TSC_ADJUST move together,
 * FEATURE_CONTROL stays locked, read-only MSRs refuse); otherwise the host
 * restores state (each MSR is set exactly as given, SDM rules on values
 * still apply). Returns false (and changes nothing) when the MSR does not
 * exist or `value` is not valid for it.
 */
export function writeMsr(cpu: Cpu, index: number, value: bigint, guest: boolean): boolean {
  const s = cpu.sys;
  value = BigInt.asUintN(64, value);
  if (s.apic !== null && isApicMsrIndex(index)) return s.apic.writeMsr(index >>> 0, value, guest);
  switch (index >>> 0) {
    case Msr.TSC:
      if (guest) s.tsc.write(value, cpu.icount);
      else s.tsc.set(value, cpu.icount);
      return true;
    case Msr.APIC_BASE:
      // x2APIC (bit 10) is not implemented; BSP is read-only (vCPU 0 is the bootstrap processor).
      if ((value & ~(APIC_BASE_WRITABLE | APIC_BASE_BSP)) !== 0n) return false;
      s.apicBase = value & APIC_BASE_WRITABLE;
      return true;
    case Msr.FEATURE_CONTROL:
      // Locked until reset; only the lock bit exists (no VMX, SMX or LMCE).
      if (value > FEATURE_CONTROL_LOCK) return false;
      if (guest && (s.featureControl & FEATURE_CONTROL_LOCK) !== 0n) return false;
      s.featureControl = value;
      return true;
    case Msr.TSC_ADJUST:
      if (guest) s.tsc.writeAdjust(value);
      else s.tsc.adjust = value;
      return true;
    case MSR_BIOS_SIGN_ID:
      // A guest write starts a revision query (no update is ever loaded); the host restores it.
      if (!guest) s.microcodeRevision = value >> 32n;
      return true;
    case Msr.SYSENTER_CS:
      if (value > 0xffffn) return false;
      s.sysenterCs = Number(value);
      return true;
    case Msr.SYSENTER_ESP:
    case Msr.SYSENTER_EIP:
    case Msr.LSTAR:
    case Msr.CSTAR:
    case Msr.FS_BASE:
    case Msr.GS_BASE:
    case Msr.KERNEL_GS_BASE: {
      // Addresses: they must be canonical (SDM vol. 4: WRMSR raises #GP otherwise).
      const v = canonicalNumber(value);
      if (v === null) return false;
      writeAddressMsr(cpu, index, v);
      return true;
    }
    case Msr.STAR:
      s.starLo = Number(value & 0xffffffffn) | 0;
      s.starHi = Number(value >> 32n) | 0;
      return true;
    case Msr.SFMASK:
      if (value > 0xffffffffn) return false;
      s.sfmask = Number(value) | 0;
      return true;
    case Msr.TSC_AUX:
      if (value > 0xffffffffn) return false;
      s.tscAux = Number(value) | 0;
      return true;
    case Msr.MISC_ENABLE:
      if ((value & ~(MISC_WRITABLE | MISC_READ_ONLY)) !== 0n) return false;
      s.miscEnable = (value & MISC_WRITABLE) | MISC_READ_ONLY;
      return true;
    case Msr.PAT:
      if (!isValidPat(value)) return false;
      s.pat = value;
      return true;
    case Msr.MTRR_DEF_TYPE:
      if ((value & ~(0xffn | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E)) !== 0n) return false;
      if (!isMtrrType(value & 0xffn)) return false;
      s.mtrrDefType = value;
      return true;
    case Msr.EFER:
      if (!guest) {
        // The host restores state: LMA is part of it (the register store resyncs the mode).
        if ((value & ~BigInt(eferWritable(cpu) | EFER_LMA)) !== 0n) return false;
        cpu.efer = Number(value);
        flushTlb(cpu, false);
        return true;
      }
      // LMA is read-only: a guest write of it is ignored (writeEfer keeps the current one).
      if ((value & ~BigInt(eferWritable(cpu) | EFER_LMA)) !== 0n) return false;
      writeEfer(cpu, Number(value));
      return true;
    case MSR_PLATFORM_ID:
    case Msr.MTRRCAP:
      // Read-only: the host may only write back the value they have.
      return !guest && value === readMsr(cpu, index);
  }
  const variable = index - Msr.MTRR_PHYSBASE0;
  if (variable >= 0 && variable < MTRR_VARIABLE_COUNT * 2) {
    const isMask = (variable & 1) === 1;
    const allowed = isMask ? PHYS_PAGE_MASK | MTRR_MASK_VALID : PHYS_PAGE_MASK | 0xffn;
    if ((value & ~allowed) !== 0n || (!isMask && !isMtrrType(value & 0xffn))) return false;
    s.mtrrVariable[variable] = value;
    return true;
  }
  const fixed = FIXED_MTRRS.indexOf(index);
  if (fixed >= 0) {
    if (!allBytesMtrrTypes(value)) return false;
    s.mtrrFixed[fixed] = value;
    return true;
  }
  return false;
}

/** Stores a checked canonical address into one of the address MSRs. */
function writeAddressMsr(cpu: Cpu, index: number, v: number): void {
  const s = cpu.sys;
  switch (index) {
    case Msr.SYSENTER_ESP:
      s.sysenterEsp = v;
      return;
    case Msr.SYSENTER_EIP:
      s.sysenterEip = v;
      return;
    case Msr.LSTAR:
      s.lstar = v;
      return;
    case Msr.CSTAR:
      s.cstar = v;
      return;
    case Msr.KERNEL_GS_BASE:
      s.kernelGsBase = v;
      return;
    default:
      // FS_BASE / GS_BASE are the hidden bases of the segment registers.
      cpu.setSegmentBase64(
        index === Msr.FS_BASE ? SEG_FS : SEG_GS,
        v | 0,
        Math.floor(v / 4294967296) | 0,
      );
  }
}

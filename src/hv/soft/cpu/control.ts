/**
 * Writes of CR0/CR2/CR3/CR4/CR8 and EFER with their architectural side
 * effects: validity checks (#GP), TLB flushes, PDPTE loads, mode updates,
 * and IA-32e mode activation: EFER.LMA follows CR0.PG while EFER.LME is
 * set (SDM vol. 3, 9.8.5 and 2.2.1). SDM vol. 3, 2.5 (control registers),
 * 4.10.4 (TLB invalidation), and the MOV CR pseudo-code in vol. 2.
 */
import type { Cpu } from "./cpu.js";
import {
  CR0_AM,
  CR0_CD,
  CR0_EM,
  CR0_ET,
  CR0_MP,
  CR0_NE,
  CR0_NW,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR4_DE,
  CR4_FSGSBASE,
  CR4_MCE,
  CR4_OSFXSR,
  CR4_OSXMMEXCPT,
  CR4_OSXSAVE,
  CR4_PAE,
  CR4_PCE,
  CR4_PCIDE,
  CR4_PGE,
  CR4_PSE,
  CR4_PVI,
  CR4_TSD,
  CR4_VME,
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
  EFER_SCE,
  SEG_CS,
  SEG_TR,
  ATTR_L,
} from "./constants.js";
import { raiseGP } from "./fault.js";
import { TWO32 } from "./int64.js";
import { loadPdptes, MAX_PHYS_BITS } from "./mmu.js";
import { flushTlb } from "./tlb.js";

/** CR0 bits this model implements (others are ignored on write and read as 0). */
const CR0_DEFINED =
  CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;
/** CR4 bits this model implements; setting any other raises #GP(0). */
export const CR4_SUPPORTED =
  CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE |
  CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE | CR4_PCIDE | CR4_OSXSAVE; // prettier-ignore
/** EFER bits this model implements (LMA is read-only: the processor sets it). */
export const EFER_SUPPORTED = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

/** Bits whose change flushes the whole TLB, globals included (SDM vol. 3, 4.10.4.1). */
const CR0_PAGING_BITS = CR0_PG | CR0_WP | CR0_PE;
const CR4_PAGING_BITS = CR4_PSE | CR4_PAE | CR4_PGE;

/** MOV CRn, r32. Raises #GP(0) for invalid values; the caller checks CPL. */
export function writeControlRegister(cpu: Cpu, n: number, value: number): void {
  switch (n) {
    case 0:
      writeCr0(cpu, value);
      return;
    case 2:
      cpu.cr2 = value >>> 0;
      return;
    case 3:
      writeCr3(cpu, value >>> 0);
      return;
    case 4:
      writeCr4(cpu, value);
      return;
    case 8:
      cpu.cr8 = value & 0xf;
      return;
    default:
      raiseGP(cpu, 0);
  }
}

function writeCr0(cpu: Cpu, value: number): void {
  let v = (value & CR0_DEFINED) | CR0_ET;
  if ((v & CR0_PG) !== 0 && (v & CR0_PE) === 0) raiseGP(cpu, 0);
  if ((v & CR0_NW) !== 0 && (v & CR0_CD) === 0) raiseGP(cpu, 0);
  v >>>= 0;
  const old = cpu.cr0;
  const enablingPaging = (v & CR0_PG) !== 0 && (old & CR0_PG) === 0;
  const disablingPaging = (v & CR0_PG) === 0 && (old & CR0_PG) !== 0;
  const lme = (cpu.efer & EFER_LME) !== 0;
  if (enablingPaging && lme) {
    // Activating IA-32e mode: PAE required, from a CS without L and a 32-bit TSS.
    if ((cpu.cr4 & CR4_PAE) === 0) raiseGP(cpu, 0);
    if ((cpu.segAttr[SEG_CS] & ATTR_L) !== 0) raiseGP(cpu, 0);
    const tr = cpu.segAttr[SEG_TR];
    if (tr !== 0 && (tr & 8) === 0) raiseGP(cpu, 0);
  } else if (enablingPaging && (cpu.cr4 & CR4_PAE) !== 0) {
    loadPdptes(cpu, cpu.cr3); // may #GP: before anything changes
  }
  // Paging can only be turned off from compatibility mode (SDM vol. 3, 9.8.5.4).
  if (disablingPaging && cpu.mode64) raiseGP(cpu, 0);
  cpu.cr0 = v;
  if (enablingPaging && lme) cpu.efer = (cpu.efer | EFER_LMA) >>> 0;
  if (disablingPaging) cpu.efer = (cpu.efer & ~EFER_LMA) >>> 0;
  if (((old ^ v) & CR0_PAGING_BITS) !== 0) {
    flushTlb(cpu, false);
    cpu.updateMode();
  }
  cpu.blockStop = 1;
}

/** Bits of CR3's high dword that hold physical-address bits (below MAXPHYADDR). */
const CR3_HIGH_ADDRESS = (1 << (MAX_PHYS_BITS - 32)) - 1;

function writeCr3(cpu: Cpu, value: number): void {
  if (cpu.longMode) {
    // Bits 63:MAXPHYADDR are reserved (SDM vol. 3, 4.5.2); `value` may exceed 32 bits.
    if (value < 0 || Math.floor(value / TWO32) > CR3_HIGH_ADDRESS) raiseGP(cpu, 0);
    cpu.cr3 = value;
  } else {
    const v = value >>> 0;
    if (cpu.paging && (cpu.cr4 & CR4_PAE) !== 0) loadPdptes(cpu, v);
    cpu.cr3 = v;
  }
  flushTlb(cpu, true);
  cpu.blockStop = 1;
}

function writeCr4(cpu: Cpu, value: number): void {
  if ((value & ~CR4_SUPPORTED) !== 0) raiseGP(cpu, 0);
  const old = cpu.cr4;
  if (cpu.longMode && (value & CR4_PAE) === 0) raiseGP(cpu, 0);
  if ((value & CR4_PCIDE) !== 0 && (old & CR4_PCIDE) === 0) {
    // PCIDs need IA-32e mode and CR3[11:0] = 0 when turned on (SDM vol. 2, MOV CR).
    if (!cpu.longMode || cpu.cr3 % 4096 !== 0) raiseGP(cpu, 0);
  }
  if (cpu.paging && !cpu.longMode && (value & CR4_PAE) !== 0 && (old & CR4_PAE) === 0) {
    loadPdptes(cpu, cpu.cr3);
  }
  cpu.cr4 = value >>> 0;
  if (((old ^ value) & (CR4_PAGING_BITS | CR4_PCIDE)) !== 0) flushTlb(cpu, false);
  cpu.blockStop = 1;
}

/**
 * MOV CRn, r64 in 64-bit mode (`lo`, `hi` halves). The high dwords of CR0,
 * CR4 and CR8 are reserved (#GP(0)); CR3 bit 63 with CR4.PCIDE asks not to
 * invalidate the PCID's entries, which is never stored (everything
 * non-global is dropped anyway, a legal over-invalidation).
 */
export function writeControlRegister64(cpu: Cpu, n: number, lo: number, hi: number): void {
  switch (n) {
    case 2:
      cpu.cr2 = hi * TWO32 + (lo >>> 0);
      return;
    case 3: {
      const high = (cpu.cr4 & CR4_PCIDE) !== 0 ? hi & 0x7fffffff : hi;
      writeCr3(cpu, high * TWO32 + (lo >>> 0));
      return;
    }
    default:
      if (hi !== 0) raiseGP(cpu, 0);
      writeControlRegister(cpu, n, lo);
  }
}

/**
 * Writes IA32_EFER (WRMSR / setState). Raises #GP(0) for unsupported bits,
 * and for a change of LME while paging is on (SDM vol. 3, 9.8.5). LMA is
 * kept as it was: the processor sets it when paging is enabled with LME.
 */
export function writeEfer(cpu: Cpu, value: number): void {
  if ((value & ~EFER_SUPPORTED) !== 0) raiseGP(cpu, 0);
  const v = ((value & ~EFER_LMA) | (cpu.efer & EFER_LMA)) >>> 0;
  const changed = cpu.efer ^ v;
  if ((changed & EFER_LME) !== 0 && cpu.paging) raiseGP(cpu, 0);
  cpu.efer = v;
  if ((changed & EFER_NXE) !== 0) flushTlb(cpu, false);
  cpu.blockStop = 1;
}

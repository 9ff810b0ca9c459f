/**
 * Writes of CR0/CR2/CR3/CR4/CR8 and EFER with their architectural side
 * effects: validity checks (#GP), TLB flushes, PDPTE loads, mode updates.
 * SDM vol. 3, 2.5 (control registers), 4.10.4 (TLB invalidation), and the
 * MOV CR pseudo-code in vol. 2.
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
  CR4_MCE,
  CR4_OSFXSR,
  CR4_OSXMMEXCPT,
  CR4_PAE,
  CR4_PCE,
  CR4_PGE,
  CR4_PSE,
  CR4_PVI,
  CR4_TSD,
  CR4_VME,
  EFER_LMA,
  EFER_LME,
  EFER_NXE,
  EFER_SCE,
} from "./constants.js";
import { raiseGP } from "./fault.js";
import { loadPdptes } from "./mmu.js";
import { flushTlb } from "./tlb.js";

/** CR0 bits this model implements (others are ignored on write and read as 0). */
const CR0_DEFINED =
  CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;
/** CR4 bits this model implements; setting any other raises #GP(0). */
export const CR4_SUPPORTED =
  CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE |
  CR4_OSFXSR | CR4_OSXMMEXCPT; // prettier-ignore
/** EFER bits this model implements (LMA is read-only; long mode comes later). */
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
      writeCr3(cpu, value);
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
  const enablingPaePaging = (v & CR0_PG) !== 0 && (old & CR0_PG) === 0 && (cpu.cr4 & CR4_PAE) !== 0;
  if (enablingPaePaging) loadPdptes(cpu, cpu.cr3); // may #GP: before anything changes
  cpu.cr0 = v;
  if (((old ^ v) & CR0_PAGING_BITS) !== 0) {
    flushTlb(cpu, false);
    cpu.updateMode();
  }
  cpu.blockStop = 1;
}

function writeCr3(cpu: Cpu, value: number): void {
  const v = value >>> 0;
  if (cpu.paging && (cpu.cr4 & CR4_PAE) !== 0) loadPdptes(cpu, v);
  cpu.cr3 = v;
  flushTlb(cpu, true);
  cpu.blockStop = 1;
}

function writeCr4(cpu: Cpu, value: number): void {
  if ((value & ~CR4_SUPPORTED) !== 0) raiseGP(cpu, 0);
  const old = cpu.cr4;
  if (cpu.paging && (value & CR4_PAE) !== 0 && (old & CR4_PAE) === 0) loadPdptes(cpu, cpu.cr3);
  cpu.cr4 = value >>> 0;
  if (((old ^ value) & CR4_PAGING_BITS) !== 0) flushTlb(cpu, false);
  cpu.blockStop = 1;
}

/**
 * Writes IA32_EFER (WRMSR / setState). Raises #GP(0) for unsupported bits.
 * LMA is kept as it was (the processor sets it; long mode is a later issue).
 */
export function writeEfer(cpu: Cpu, value: number): void {
  if ((value & ~EFER_SUPPORTED) !== 0) raiseGP(cpu, 0);
  const v = ((value & ~EFER_LMA) | (cpu.efer & EFER_LMA)) >>> 0;
  const changed = cpu.efer ^ v;
  cpu.efer = v;
  if ((changed & EFER_NXE) !== 0) flushTlb(cpu, false);
  cpu.blockStop = 1;
}

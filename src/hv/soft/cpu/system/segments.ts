/**
 * Data and stack segment loads in protected mode with every descriptor check
 * (SDM vol. 2, MOV/POP Sreg pseudo-code; vol. 3, 5.5-5.7). The same checks
 * serve MOV/POP/LxS (faults #GP/#NP/#SS) and the task switch (#TS for the
 * type and privilege checks, SDM vol. 3, 7.3 step 13), so the vector of the
 * type/privilege fault is a parameter.
 */
import type { Cpu } from "../cpu.js";
import { SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, VEC_GP, VEC_NP, VEC_SS } from "../constants.js";
import { raiseFault } from "../fault.js";
import {
  type Descriptor,
  fetchDescriptor,
  loadFromDescriptor,
  loadNull,
  markAccessed,
} from "./descriptor.js";

/** An error code naming a selector (bits 1-0 replaced by EXT; SDM vol. 3, 6.13). */
export function selectorError(selector: number, ext: number): number {
  return (selector & 0xfffc) | ext;
}

/**
 * Checks that `selector` names a stack segment usable at privilege `cpl`
 * and fetches it into `out`: non-null, in the table, RPL = DPL = cpl,
 * writable data (else fault `vector`), present (else #SS).
 */
export function checkStackSegment(
  cpu: Cpu,
  selector: number,
  cpl: number,
  out: Descriptor,
  vector: number,
  ext: number,
): void {
  if ((selector & 0xfffc) === 0) raiseFault(cpu, vector, true, ext);
  const err = selectorError(selector, ext);
  if (!fetchDescriptor(cpu, selector, out)) raiseFault(cpu, vector, true, err);
  if ((selector & 3) !== cpl || !out.isData || !out.isReadWrite || out.dpl !== cpl) {
    raiseFault(cpu, vector, true, err);
  }
  if (!out.present) raiseFault(cpu, VEC_SS, true, err);
}

/**
 * Checks that `selector` names a segment DS/ES/FS/GS may hold at privilege
 * `cpl` and fetches it into `out`. Returns false for a null selector (the
 * register becomes unusable). Faults: `vector` for an out-of-table
 * selector, a non-readable type or DPL < max(CPL, RPL) on data and
 * non-conforming code; #NP when not present.
 */
export function checkDataSegment(
  cpu: Cpu,
  selector: number,
  cpl: number,
  out: Descriptor,
  vector: number,
  ext: number,
): boolean {
  if ((selector & 0xfffc) === 0) return false;
  const err = selectorError(selector, ext);
  if (!fetchDescriptor(cpu, selector, out)) raiseFault(cpu, vector, true, err);
  const readable = out.isData || (out.isCode && out.isReadWrite);
  if (!readable) raiseFault(cpu, vector, true, err);
  if (out.isData || !out.isConforming) {
    if ((selector & 3) > out.dpl || cpl > out.dpl) raiseFault(cpu, vector, true, err);
  }
  if (!out.present) raiseFault(cpu, VEC_NP, true, err);
  return true;
}

/**
 * MOV Sreg / POP Sreg / LDS...LSS in protected mode (not vm86). CS is never
 * loaded here (far transfers load it). Sets the accessed bit before the
 * register changes, so a #PF on the descriptor table leaves the CPU intact.
 */
export function loadSegmentProtected(cpu: Cpu, seg: number, selector: number): void {
  const d = cpu.sys.gate;
  if (seg === SEG_SS && cpu.mode64 && (selector & 0xfffc) === 0) {
    // 64-bit mode: a null SS is allowed below CPL 3 when RPL = CPL (SDM vol. 2, MOV).
    if (cpu.cpl === 3 || (selector & 3) !== cpu.cpl) raiseFault(cpu, VEC_GP, true, 0);
    loadNullStack(cpu, cpu.cpl);
    return;
  }
  if (seg === SEG_SS) {
    checkStackSegment(cpu, selector, cpu.cpl, d, VEC_GP, 0);
  } else if (!checkDataSegment(cpu, selector, cpu.cpl, d, VEC_GP, 0)) {
    loadNull(cpu, seg, selector);
    return;
  }
  markAccessed(cpu, d);
  loadFromDescriptor(cpu, seg, selector, d);
}

/**
 * After a return to an outer privilege level: DS/ES/FS/GS that the new
 * (less privileged) code could not load itself become null (SDM vol. 2,
 * RET and IRET, "FOR each SegReg IN (ES, FS, GS, and DS)").
 */
export function nullInaccessibleDataSegments(cpu: Cpu): void {
  const cpl = cpu.cpl;
  for (const seg of DATA_SEGMENTS) {
    const attr = cpu.segAttr[seg];
    if (attr === 0) continue;
    const dpl = (attr >> 5) & 3;
    const conformingCode = (attr & 0x0c) === 0x0c;
    if (!conformingCode && dpl < cpl) loadNull(cpu, seg, 0);
  }
}

/** ES, DS, FS, GS. */
const DATA_SEGMENTS: readonly number[] = [SEG_ES, SEG_DS, SEG_FS, SEG_GS];

/**
 * Loads a null SS with RPL `cpl` (64-bit mode: interrupts and calls to an
 * inner level, MOV SS). The register is unusable but keeps its DPL, which
 * the saved state uses as CPL (the KVM convention), so at CPL 1-2 the
 * attributes are those of a present writable data segment of that DPL.
 */
export function loadNullStack(cpu: Cpu, cpl: number): void {
  const attr = cpl === 0 ? 0 : 0x4093 | (cpl << 5);
  cpu.setSegment(SEG_SS, cpl, 0, 0, attr);
}

/**
 * Descriptor-table instructions that look at descriptors: LLDT, LTR,
 * LAR, LSL, VERR, VERW (SDM vol. 2, each instruction's pseudo-code; vol. 3,
 * 5.10.1 for the pointer-validation instructions).
 */
import type { Cpu } from "../cpu.js";
import { SEG_LDTR, SEG_TR } from "../constants.js";
import { raiseGP, raiseNP } from "../fault.js";
import {
  type Descriptor,
  fetchDescriptor,
  fetchSystemAware,
  loadFromDescriptor,
  loadNull,
  SELECTOR_TI,
  setTssBusy,
  TYPE_LDT,
} from "./descriptor.js";

/** A GDT entry, 16 bytes in IA-32e mode for system descriptors (LDT, TSS). */
function fetchGdtSystem(cpu: Cpu, selector: number, out: Descriptor): boolean {
  if ((selector & SELECTOR_TI) !== 0) return false;
  return fetchSystemAware(cpu, selector, out);
}

/** LLDT: a null selector leaves LDTR unusable; otherwise an LDT descriptor from the GDT. */
export function loadLdt(cpu: Cpu, selector: number): void {
  if ((selector & 0xfffc) === 0) {
    loadNull(cpu, SEG_LDTR, selector);
    return;
  }
  const d = cpu.sys.data;
  if (!fetchGdtSystem(cpu, selector, d)) raiseGP(cpu, selector & 0xfffc);
  if (d.isSegment || d.type !== TYPE_LDT) raiseGP(cpu, selector & 0xfffc);
  if (!d.present) raiseNP(cpu, selector & 0xfffc);
  loadFromDescriptor(cpu, SEG_LDTR, selector, d);
}

/** LTR: an available TSS from the GDT, marked busy (SDM vol. 3, 7.2.4). */
export function loadTr(cpu: Cpu, selector: number): void {
  if ((selector & 0xfffc) === 0) raiseGP(cpu, 0);
  const d = cpu.sys.tss;
  if (!fetchGdtSystem(cpu, selector, d)) raiseGP(cpu, selector & 0xfffc);
  const type = d.type;
  // IA-32e mode has only the 64-bit TSS (type 9); legacy modes also the 16-bit one.
  if (d.isSegment || (type !== 9 && (type !== 1 || cpu.longMode))) raiseGP(cpu, selector & 0xfffc);
  if (!d.present) raiseNP(cpu, selector & 0xfffc);
  setTssBusy(cpu, d, true);
  loadFromDescriptor(cpu, SEG_TR, selector, d);
}

/** System descriptor types LAR accepts (TSSs, LDT, call and task gates; SDM vol. 2, LAR). */
const LAR_SYSTEM_TYPES = new Set([1, 2, 3, 4, 5, 9, 11, 12]);
/** System descriptor types LSL accepts (no gates: they have no limit). */
const LSL_SYSTEM_TYPES = new Set([1, 2, 3, 9, 11]);
/** In IA-32e mode: LDT, 64-bit TSS, 64-bit call gate (LAR); LDT and TSS (LSL). */
const LAR_SYSTEM_TYPES_LONG = new Set([2, 9, 11, 12]);
const LSL_SYSTEM_TYPES_LONG = new Set([2, 9, 11]);

/**
 * Fetches `selector` for LAR/LSL/VERR/VERW into `sys.data` and applies the
 * common visibility rule: non-null, inside its table, and (except for
 * conforming code) DPL >= CPL and DPL >= RPL. False = ZF ← 0.
 */
function visible(cpu: Cpu, selector: number): Descriptor | null {
  if ((selector & 0xfffc) === 0) return null;
  const d = cpu.sys.data;
  if (!fetchDescriptor(cpu, selector, d)) return null;
  const conformingCode = d.isCode && d.isConforming;
  if (!conformingCode && (d.dpl < cpu.cpl || d.dpl < (selector & 3))) return null;
  return d;
}

/** LAR: the access-rights dword (masked 00F0FF00h), or -1 when ZF = 0. */
export function accessRights(cpu: Cpu, selector: number): number {
  const d = visible(cpu, selector);
  const types = cpu.longMode ? LAR_SYSTEM_TYPES_LONG : LAR_SYSTEM_TYPES;
  if (d === null || (!d.isSegment && !types.has(d.type))) return -1;
  return d.hi & 0x00f0ff00;
}

/** LSL: the byte-granular limit, or -1 when ZF = 0. */
export function segmentLimit(cpu: Cpu, selector: number): number {
  const d = visible(cpu, selector);
  const types = cpu.longMode ? LSL_SYSTEM_TYPES_LONG : LSL_SYSTEM_TYPES;
  if (d === null || (!d.isSegment && !types.has(d.type))) return -1;
  return d.limit;
}

/** VERR (`write` false) / VERW (`write` true): whether the segment is readable / writable at CPL. */
export function verifySegment(cpu: Cpu, selector: number, write: boolean): boolean {
  const d = visible(cpu, selector);
  if (d === null || !d.isSegment) return false;
  if (write) return d.isData && d.isReadWrite;
  return d.isData || d.isReadWrite;
}

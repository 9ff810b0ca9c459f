/**
 * Segment and gate descriptors in the GDT/LDT (SDM vol. 3, 3.4.5 and 5.8.3):
 * fetching by selector, decoding, and the accessed/busy bit updates. A
 * `Descriptor` is a reusable scratch record (no allocation per load): the
 * system code keeps a few per CPU (sys-state.ts) and fills them in turn.
 *
 * Descriptor tables are read with supervisor privilege (implicit accesses,
 * SDM vol. 3, 4.6.1) and through the TLB, so they may raise #PF.
 *
 * IA-32e mode (SDM vol. 3, 3.5.2 and 5.8.3.1): system descriptors (LDT,
 * TSS, call gates) and IDT gates are 16 bytes, the third dword holding bits
 * 63:32 of the base or offset; types 0xC/0xE/0xF are then the 64-bit call,
 * interrupt and trap gates, 0x9/0xB the 64-bit TSS.
 */
import type { Cpu } from "../cpu.js";
import {
  ATTR_CODE,
  ATTR_DC,
  ATTR_DB,
  ATTR_L,
  ATTR_PRESENT,
  ATTR_RW,
  ATTR_S,
  SEG_LDTR,
} from "../constants.js";

// ---- System descriptor types (S = 0; SDM vol. 3, table 3-2) ----
export const TYPE_TSS16_AVAILABLE = 1;
export const TYPE_LDT = 2;
export const TYPE_TSS16_BUSY = 3;
export const TYPE_CALL_GATE16 = 4;
export const TYPE_TASK_GATE = 5;
export const TYPE_INT_GATE16 = 6;
export const TYPE_TRAP_GATE16 = 7;
export const TYPE_TSS32_AVAILABLE = 9;
export const TYPE_TSS32_BUSY = 11;
export const TYPE_CALL_GATE32 = 12;
export const TYPE_INT_GATE32 = 14;
export const TYPE_TRAP_GATE32 = 15;
/** In IA-32e mode the 32-bit types name the 64-bit gates and TSS. */
export const TYPE_CALL_GATE64 = TYPE_CALL_GATE32;
export const TYPE_INT_GATE64 = TYPE_INT_GATE32;
export const TYPE_TRAP_GATE64 = TYPE_TRAP_GATE32;
/** The busy bit in a TSS descriptor's type (1 → 3, 9 → 11). */
export const TSS_BUSY_BIT = 2;

/** Selector bit 2: the selector indexes the LDT. */
export const SELECTOR_TI = 4;

/** One descriptor as read from memory: the two dwords and where they were. */
export class Descriptor {
  /** Low dword (limit 15:0, base 15:0 / gate offset 15:0, selector). */
  lo = 0;
  /** High dword (base 23:16, access byte, limit 19:16, flags, base 31:24). */
  hi = 0;
  /** Third dword of a 16-byte descriptor (base/offset 63:32), or 0. */
  hi2 = 0;
  /** Fourth dword of a 16-byte descriptor (its type field must be 0), or 0. */
  hi3 = 0;
  /** Linear address of the descriptor (for accessed/busy bit writes). */
  address = 0;
  /** The selector it was fetched with. */
  selector = 0;

  /** Attributes in the registers.ts SEGMENT layout: access byte | AVL/L/D/G << 12. */
  get attr(): number {
    return (this.hi >>> 8) & 0xf0ff;
  }
  /** Base address (unsigned). */
  get base(): number {
    return ((this.lo >>> 16) | ((this.hi & 0xff) << 16) | (this.hi & 0xff000000)) >>> 0;
  }
  /** Limit in bytes, scaled by G (unsigned). */
  get limit(): number {
    const raw = (this.lo & 0xffff) | (this.hi & 0xf0000);
    return (this.hi & 0x800000) !== 0 ? ((raw << 12) | 0xfff) >>> 0 : raw;
  }
  /** The 4-bit type field. */
  get type(): number {
    return (this.hi >>> 8) & 0xf;
  }
  get dpl(): number {
    return (this.hi >>> 13) & 3;
  }
  get present(): boolean {
    return (this.hi & (ATTR_PRESENT << 8)) !== 0;
  }
  /** S = 1: a code or data segment (else a system descriptor). */
  get isSegment(): boolean {
    return (this.hi & (ATTR_S << 8)) !== 0;
  }
  get isCode(): boolean {
    return this.isSegment && (this.hi & (ATTR_CODE << 8)) !== 0;
  }
  get isData(): boolean {
    return this.isSegment && (this.hi & (ATTR_CODE << 8)) === 0;
  }
  /** Code: conforming. */
  get isConforming(): boolean {
    return (this.hi & (ATTR_DC << 8)) !== 0;
  }
  /** Code: readable; data: writable. */
  get isReadWrite(): boolean {
    return (this.hi & (ATTR_RW << 8)) !== 0;
  }
  /** D/B flag: 32-bit code / 32-bit stack. */
  get big(): boolean {
    return (this.hi & (ATTR_DB << 8)) !== 0;
  }
  /** L flag: a 64-bit code segment (IA-32e mode). */
  get long(): boolean {
    return (this.hi & (ATTR_L << 8)) !== 0;
  }
  /** Bits 63:32 of a 16-byte descriptor's base (its third dword). */
  get baseHigh(): number {
    return this.hi2;
  }
  /** The full offset of a 64-bit gate as a signed number (canonical when valid). */
  get gateOffset64(): number {
    return this.hi2 * 4294967296 + (((this.lo & 0xffff) | (this.hi & 0xffff0000)) >>> 0);
  }
  /** Interrupt Stack Table index of a 64-bit IDT gate (0 = none). */
  get ist(): number {
    return this.hi & 7;
  }

  // ---- Gates (call, interrupt, trap, task) ----
  /** Target code segment selector (task gate: the TSS selector). */
  get gateSelector(): number {
    return this.lo >>> 16;
  }
  /** Entry point offset (16-bit gates use only the low word). */
  get gateOffset(): number {
    const off = ((this.lo & 0xffff) | (this.hi & 0xffff0000)) >>> 0;
    return (this.type & 8) !== 0 ? off : off & 0xffff;
  }
  /** Call gate parameter count (dwords or words to copy). */
  get gateParams(): number {
    return this.hi & 0x1f;
  }
  /** A 32-bit gate or TSS (type bit 3). */
  get is32(): boolean {
    return (this.type & 8) !== 0;
  }

  /** Valid offsets for data accesses: [low, high] (expand-down aware, SDM vol. 3, 3.4.5.1). */
  get lowOffset(): number {
    return this.isData && this.isConforming ? this.limit + 1 : 0;
  }
  get highOffset(): number {
    if (this.isData && this.isConforming) return this.big ? 0xffffffff : 0xffff;
    return this.limit;
  }

  copyFrom(o: Descriptor): void {
    this.lo = o.lo;
    this.hi = o.hi;
    this.hi2 = o.hi2;
    this.hi3 = o.hi3;
    this.address = o.address;
    this.selector = o.selector;
  }
}

/**
 * Reads the descriptor `selector` points at into `out`. Returns false when
 * the selector's index is beyond its table's limit (or it names the LDT
 * while LDTR is null); the caller raises the fault its instruction defines.
 * A null selector is the caller's business too (it reads GDT entry 0 here).
 */
export function fetchDescriptor(cpu: Cpu, selector: number, out: Descriptor): boolean {
  return fetchSized(cpu, selector, out, 8);
}

/**
 * Like `fetchDescriptor`, but reads 16 bytes in IA-32e mode when the
 * descriptor is a system one (S = 0: LDT, TSS, gates); the whole 16 bytes
 * must be inside the table. Outside IA-32e mode it is `fetchDescriptor`.
 */
export function fetchSystemAware(cpu: Cpu, selector: number, out: Descriptor): boolean {
  if (!fetchSized(cpu, selector, out, 8)) return false;
  if (!cpu.longMode || out.isSegment) return true;
  return fetchSized(cpu, selector, out, 16);
}

function fetchSized(cpu: Cpu, selector: number, out: Descriptor, bytes: number): boolean {
  const index = selector & 0xfff8;
  let base: number;
  let limit: number;
  if ((selector & SELECTOR_TI) !== 0) {
    if (cpu.segAttr[SEG_LDTR] === 0) return false;
    base = cpu.longMode ? cpu.segBaseL[SEG_LDTR] : cpu.segBase[SEG_LDTR] >>> 0;
    limit = cpu.segLimit[SEG_LDTR];
  } else {
    base = cpu.gdtBase;
    limit = cpu.gdtLimit;
  }
  if (index + bytes - 1 > limit) return false;
  const address = cpu.sysLinear(base, index);
  out.lo = cpu.readSys32(address);
  out.hi = cpu.readSys32(address + 4);
  if (bytes === 16) {
    out.hi2 = cpu.readSys32(address + 8);
    out.hi3 = cpu.readSys32(address + 12);
  } else {
    out.hi2 = 0;
    out.hi3 = 0;
  }
  out.address = address;
  out.selector = selector & 0xffff;
  return true;
}

/** Reads GDT entry `selector` (TI must be 0; callers check). */
export function fetchGdtDescriptor(cpu: Cpu, selector: number, out: Descriptor): boolean {
  if ((selector & SELECTOR_TI) !== 0) return false;
  return fetchDescriptor(cpu, selector, out);
}

/**
 * Sets the accessed bit of a code/data descriptor in memory (SDM vol. 3,
 * 3.4.5.1: the processor sets it on every load of a segment register).
 */
export function markAccessed(cpu: Cpu, d: Descriptor): void {
  if ((d.hi & 0x100) !== 0) return;
  d.hi |= 0x100;
  cpu.writeSys8(d.address + 5, (d.hi >>> 8) & 0xff);
}

/** Sets or clears the busy bit of a TSS descriptor in memory. */
export function setTssBusy(cpu: Cpu, d: Descriptor, busy: boolean): void {
  d.hi = busy ? d.hi | (TSS_BUSY_BIT << 8) : d.hi & ~(TSS_BUSY_BIT << 8);
  cpu.writeSys8(d.address + 5, (d.hi >>> 8) & 0xff);
}

/**
 * Loads segment register `seg` from a checked descriptor (RPL in `selector`).
 * A 16-byte system descriptor (LDTR, TR in IA-32e mode) brings its 64-bit base.
 */
export function loadFromDescriptor(cpu: Cpu, seg: number, selector: number, d: Descriptor): void {
  cpu.setSegment(seg, selector & 0xffff, d.base, d.limit, d.attr);
  if (d.hi2 !== 0 && !d.isSegment) cpu.setSegmentBase64(seg, d.base | 0, d.hi2);
}

/** Makes `seg` unusable with `selector` (a null selector load, SDM vol. 3, 3.4.2). */
export function loadNull(cpu: Cpu, seg: number, selector: number): void {
  cpu.setSegment(seg, selector & 0xffff, 0, 0, 0);
}

/**
 * Guest-physical accesses that bypass paging: page-table walks, PDPTE loads,
 * SMM state save, and the MMIO leg of linear accesses. Slow path only.
 *
 * The A20 gate (cpu.a20Mask) is applied here and in the TLB fill: with A20
 * masked, physical address bit 20 reads as 0 (PC/AT compatibility).
 */
import type { CpuAccess } from "./access.js";
import { raiseInternalError } from "./fault.js";
import { flushTlb } from "./tlb.js";

const PAGE = 4096;

/** Applies the A20 mask to a physical page number. */
export function a20Pfn(cpu: CpuAccess, pfn: number): number {
  return cpu.a20Mask === -1 || pfn >= 0x80000000 ? pfn : pfn & ~0x100;
}

/** Reads `size` (1, 2, 4) bytes at physical `addr` (within one page), unsigned. */
export function physRead(cpu: CpuAccess, addr: number, size: 1 | 2 | 4): number {
  const pfn = a20Pfn(cpu, Math.floor(addr / PAGE));
  const off = addr % PAGE;
  const entry = cpu.physical.lookup(pfn);
  if (entry === 0) return mmioRead(cpu, pfn * PAGE + off, size);
  const bytes = cpu.physical.backings[((entry & 0xffc) >>> 2) - 1].bytes;
  const p = entry - (entry & 0xfff) + off;
  let v = bytes[p];
  if (size >= 2) v |= bytes[p + 1] << 8;
  if (size === 4) v = (v | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
  return v;
}

/** Writes `size` bytes at physical `addr` (within one page), with dirty/code bookkeeping. */
export function physWrite(cpu: CpuAccess, addr: number, size: 1 | 2 | 4, value: number): void {
  const pfn = a20Pfn(cpu, Math.floor(addr / PAGE));
  const off = addr % PAGE;
  const entry = cpu.physical.lookup(pfn);
  if (entry === 0 || (entry & 1) !== 0) {
    mmioWrite(cpu, pfn * PAGE + off, size, value);
    return;
  }
  const index = ((entry & 0xffc) >>> 2) - 1;
  const backing = cpu.physical.backings[index];
  const pageOffset = entry - (entry & 0xfff);
  const p = pageOffset + off;
  const bytes = backing.bytes;
  bytes[p] = value;
  if (size >= 2) bytes[p + 1] = value >> 8;
  if (size === 4) {
    bytes[p + 2] = value >> 16;
    bytes[p + 3] = value >> 24;
  }
  const page = pageOffset / PAGE;
  const dirtyLog = (entry & 2) !== 0;
  if (dirtyLog || backing.codePages[page] !== 0) {
    cpu.physical.registry.noteWrite(index, page, 1, dirtyLog);
  }
}

/** MMIO read through the access handler (internal error without one). */
export function mmioRead(cpu: CpuAccess, addr: number, size: 1 | 2 | 4): number {
  const io = cpu.io;
  if (io === null) raiseInternalError(cpu, `MMIO read at 0x${addr.toString(16)} with no handler`);
  const v = io.mmioRead(addr, size);
  const n = typeof v === "bigint" ? Number(BigInt.asUintN(32, v)) : v;
  afterMmio(cpu);
  return size === 4 ? n >>> 0 : n & (size === 1 ? 0xff : 0xffff);
}

/** MMIO write through the access handler (internal error without one). */
export function mmioWrite(cpu: CpuAccess, addr: number, size: 1 | 2 | 4, value: number): void {
  const io = cpu.io;
  if (io === null) raiseInternalError(cpu, `MMIO write at 0x${addr.toString(16)} with no handler`);
  io.mmioWrite(addr, size, size === 4 ? value >>> 0 : value & (size === 1 ? 0xff : 0xffff));
  afterMmio(cpu);
}

/** A device ran: it may have remapped memory or raised an interrupt. */
function afterMmio(cpu: CpuAccess): void {
  if (cpu.physical.generation !== cpu.tlbGeneration) flushTlb(cpu, false);
  cpu.blockStop = 1;
}

/**
 * The soft side's guest-physical memory: one small RAM backing at physical
 * 0, everything above a hole. Implements the CPU's `CpuPhysicalMemory`
 * (src/hv/soft/cpu/bus.ts) including the code-page protocol, so rewriting
 * the code page between cases invalidates the CPU's decoded blocks.
 */
import type { CpuBacking, CpuPhysicalMemory } from "../hv/soft/cpu/bus.js";

const PAGE = 4096;

export class SoftRam implements CpuPhysicalMemory {
  readonly bytes: Uint8Array;
  readonly codePages: Uint8Array;
  readonly backings: readonly CpuBacking[];
  readonly generation = 1;
  private readonly listeners: ((backing: number, page: number) => void)[] = [];
  readonly registry = {
    noteWrite: (backingIndex: number, firstPage: number, count: number): void => {
      for (let p = firstPage; p < firstPage + count; p++) {
        if (this.codePages[p] === 0) continue;
        this.codePages[p] = 0;
        for (const listener of this.listeners.slice()) listener(backingIndex, p);
      }
    },
    addCodeWriteListener: (listener: (backing: number, page: number) => void): (() => void) => {
      this.listeners.push(listener);
      return () => {
        const i = this.listeners.indexOf(listener);
        if (i >= 0) this.listeners.splice(i, 1);
      };
    },
  };

  /** `size`: bytes of RAM, a multiple of 4 KiB. */
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.codePages = new Uint8Array(size / PAGE);
    this.backings = [{ bytes: this.bytes, codePages: this.codePages }];
  }

  lookup(pfn: number): number {
    return pfn * PAGE < this.bytes.length ? pfn * PAGE + (1 << 2) : 0;
  }

  /** Host write that invalidates translated code on the pages it touches (like DMA). */
  write(addr: number, data: Uint8Array): void {
    this.bytes.set(data, addr);
    const first = Math.floor(addr / PAGE);
    const last = Math.floor((addr + Math.max(data.length, 1) - 1) / PAGE);
    this.registry.noteWrite(0, first, last - first + 1);
  }

  writeU32(addr: number, v: number): void {
    const b = this.bytes;
    b[addr] = v;
    b[addr + 1] = v >>> 8;
    b[addr + 2] = v >>> 16;
    b[addr + 3] = v >>> 24;
  }

  readU32(addr: number): number {
    const b = this.bytes;
    return (b[addr] | (b[addr + 1] << 8) | (b[addr + 2] << 16) | (b[addr + 3] << 24)) >>> 0;
  }
}

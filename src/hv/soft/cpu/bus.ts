/**
 * What the soft CPU needs from the rest of the soft backend: guest-physical
 * memory (RAM pages, holes = MMIO), port I/O, MMIO, and the interrupt
 * controller. Kept structural so the SoftVm can pass its own objects:
 * `PhysicalMemory` (src/hv/soft/memory/physical-memory.ts) satisfies
 * `CpuPhysicalMemory` as it is, and the Vm's `AccessHandler` (api.ts) is
 * wrapped by `CpuIo`.
 */

/** One backing as the CPU sees it (SoftBacking satisfies this). */
export interface CpuBacking {
  /** The guest bytes. */
  readonly bytes: Uint8Array;
  /**
   * One byte per page, non-zero while translated code was built from the
   * page. The CPU sets it when it decodes a block from the page and checks it
   * on every store (a store to such a page invalidates its blocks).
   */
  readonly codePages: Uint8Array;
  /**
   * The backing's dirty bitmap (memory/dirty-bitmap.ts), when it has one:
   * bit `p & 31` of `words[p >>> 5]` per page. A CPU store to a dirty-logged
   * page sets the bit inline when the words are not shared with other
   * threads (else it calls `noteWrite`, which uses Atomics).
   */
  readonly dirty?: { readonly words: Int32Array; readonly shared: boolean };
}

/** Bookkeeping the CPU calls after a store to a code or dirty-logged page. */
export interface CpuWriteNotes {
  /**
   * `count` pages of backing `backingIndex` from `firstPage` were written:
   * mark them dirty if `dirtyLog`, and for code pages clear the code byte
   * and notify code-write listeners (which includes this CPU).
   */
  noteWrite(backingIndex: number, firstPage: number, count: number, dirtyLog: boolean): void;
  /** Registers the CPU's block-cache invalidation; returns an unregister function. */
  addCodeWriteListener(listener: (backingIndex: number, page: number) => void): () => void;
}

/**
 * Guest-physical memory of one address space. `lookup` returns the
 * physical-table.ts entry encoding:
 *
 *     0                          hole (MMIO)
 *     pageOffset + ((backingIndex + 1) << 2) + (dirtyLog << 1) + readOnly
 */
export interface CpuPhysicalMemory {
  lookup(pfn: number): number;
  /** Dense list: `backings[i]` is the backing with index i. */
  readonly backings: readonly CpuBacking[];
  /** Changes whenever the map changes: the CPU flushes its TLB when it does. */
  readonly generation: number;
  readonly registry: CpuWriteNotes;
}

/**
 * Port I/O and MMIO, completed synchronously (the Vm's AccessHandler).
 * Values are unsigned; unclaimed reads return all ones.
 */
export interface CpuIo {
  portRead(port: number, size: 1 | 2 | 4): number;
  portWrite(port: number, size: 1 | 2 | 4, value: number): void;
  mmioRead(address: number, size: 1 | 2 | 4 | 8): number | bigint;
  mmioWrite(address: number, size: 1 | 2 | 4 | 8, value: number | bigint): void;
}

/**
 * The local APIC as the CPU core sees it (filled in by the APIC engineer).
 * The core asks at instruction-block boundaries when EFLAGS.IF = 1 and no
 * interrupt shadow is active.
 */
export interface CpuInterruptController {
  /** The vector of the highest-priority deliverable interrupt, or -1. Cheap: called often. */
  pendingVector(): number;
  /** The CPU is taking `vector` now (the INTA cycle: IRR → ISR). */
  acknowledge(vector: number): void;
}

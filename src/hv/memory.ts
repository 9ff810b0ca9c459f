/**
 * Guest memory as the hypervisor API sees it (DESIGN.md, "Guest memory map").
 *
 * A `MemoryBacking` is host memory the VM owns (guest RAM, a ROM image, a
 * framebuffer). A `MemorySlot` maps part of a backing at a guest-physical
 * address in one address space. Several slots may map the same backing
 * (aliases). Whatever no slot covers is a hole: accesses there go to MMIO.
 *
 * Dirty pages are recorded per backing page, by every write through a slot
 * that has `dirtyLog` set. Because the record lives with the backing and not
 * with the slot, replacing the map while logging can never drop a dirty page.
 */

/** x86 address spaces: the normal one, and the one seen in SMM (seed 004). */
export const AddressSpace = { NORMAL: 0, SMM: 1 } as const;
export type AddressSpace = (typeof AddressSpace)[keyof typeof AddressSpace];

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export interface MemoryBacking {
  /** Unique within its Vm. */
  readonly id: number;
  /** Size in bytes, a multiple of PAGE_SIZE. */
  readonly size: number;
  /** A name for listings ("pc.ram", "bios"). */
  readonly name: string;
  /** Host view of the bytes. Devices use it for DMA through GuestMemory, not directly. */
  readonly bytes: Uint8Array;
}

export interface MemorySlot {
  /** Guest-physical start, page-aligned (physical addresses fit in 52 bits, so a number). */
  readonly guestAddress: number;
  /** Length in bytes, a multiple of PAGE_SIZE. */
  readonly size: number;
  readonly backing: MemoryBacking;
  /** Offset into the backing, page-aligned. */
  readonly backingOffset: number;
  /** Guest writes go to MMIO instead (ROM behaviour). */
  readonly readOnly?: boolean;
  /** Writes through this slot are recorded in the backing's dirty log. */
  readonly dirtyLog?: boolean;
}

/** A query of dirty pages by range: `[offset, offset + length)` of a backing. */
export interface DirtyRangeQuery {
  readonly backing: MemoryBacking;
  readonly offset: number;
  readonly length: number;
}

/** A query of dirty pages by amount of work: at most `maxPages`, starting at `token`. */
export interface DirtyWorkQuery {
  readonly backing: MemoryBacking;
  readonly maxPages: number;
  /** Opaque; omit to start at the beginning. */
  readonly token?: number;
}

export interface DirtyWorkResult {
  /** Backing page numbers (offset / PAGE_SIZE), ascending. Their dirty bits are cleared. */
  readonly pages: number[];
  /** Pass back to continue; `undefined` when the end of the backing was reached. */
  readonly token: number | undefined;
}

/**
 * The lookup structure the soft CPU uses on every TLB miss and DMA uses on
 * every page: guest-physical page number → MMIO hole, or (backing, byte
 * offset, flags). O(1), allocation-free, typed arrays only.
 *
 * ## Encoding
 *
 * Physical addresses have at most 52 bits (Intel SDM vol. 1, 3.2.1 / vol. 3,
 * 4.1.4: MAXPHYADDR ≤ 52), so page numbers (pfn) have 40. A JS number holds
 * them exactly. The table is a three-level radix tree, like a page table:
 *
 *     pfn bits 39..27 (13 bits)  → root[]    Int32Array(8192): offset of a mid table in `mids`
 *     pfn bits 26..13 (14 bits)  → mids[]    Int32Array: offset of a leaf in `leaves`
 *     pfn bits 12..0  (13 bits)  → leaves[]  Float64Array: the entry (one per 4 KiB page)
 *
 * A leaf covers 32 MiB, a mid table 512 GiB. Mid table 0 and leaf 0 are
 * all-zero dummies, so an unmapped region costs no branch: root 0 → mid 0
 * → leaf 0 → entry 0. Only the root bound is checked.
 *
 * An entry is a double holding an integer < 2^53:
 *
 *     entry = byteOffsetOfPageInBacking + ((backingIndex + 1) << 2) + (dirtyLog << 1) + readOnly
 *
 * The page offset is 4 KiB-aligned, so the low 12 bits are free for the
 * rest: bit 0 read-only, bit 1 dirty-logged, bits 2..11 the backing's index
 * in the Vm's dense backing list plus one (so at most MAX_BACKINGS = 1023
 * backings). Entry 0 means "hole" (MMIO); every mapped entry is ≥ 4.
 * Decoding (bitwise operators on a double < 2^53 act on its low 32 bits, which
 * is all we need):
 *
 *     hole:          entry === 0
 *     backing index: ((entry & 0xffc) >>> 2) - 1
 *     host index:    entry - (entry & 0xfff) + (address & 0xfff)
 *     read-only:     (entry & 1) !== 0;  dirty-logged: (entry & 2) !== 0
 *
 * Tables are immutable once built: `setMemoryMap` builds a new one completely
 * and swaps a single reference (physical-memory.ts), so a reader sees either
 * the old map or the new one, never a mix.
 */
import { PAGE_SIZE } from "../../memory.js";
import type { SoftBacking } from "./backing.js";

export const ENTRY_READ_ONLY = 1;
export const ENTRY_DIRTY_LOG = 2;
export const ENTRY_FLAGS_MASK = 0xfff;
export const ENTRY_INDEX_MASK = 0xffc;
/** Backing indices that fit in bits 2..11 of an entry (index + 1 ≤ 1023). */
export const MAX_BACKINGS = 1023;

const LEAF_BITS = 13;
const MID_BITS = 14;
const ROOT_BITS = 13;
const LEAF_SIZE = 1 << LEAF_BITS;
const MID_SIZE = 1 << MID_BITS;
const ROOT_SIZE = 1 << ROOT_BITS;
const LEAF_MASK = LEAF_SIZE - 1;
const MID_MASK = MID_SIZE - 1;
/** 2^27: pfns per root entry. */
const ROOT_SPAN = LEAF_SIZE * MID_SIZE;
/** 2^40: first pfn past a 52-bit physical address space. */
export const PFN_LIMIT = ROOT_SIZE * ROOT_SPAN;

/** Whether `entry` is a hole (MMIO). */
export function entryIsHole(entry: number): boolean {
  return entry === 0;
}
/** Index of the backing in the Vm's dense backing list. Only for non-hole entries. */
export function entryBackingIndex(entry: number): number {
  return ((entry & ENTRY_INDEX_MASK) >>> 2) - 1;
}
/** Byte offset of the page in its backing. Only for non-hole entries. */
export function entryPageOffset(entry: number): number {
  return entry - (entry & ENTRY_FLAGS_MASK);
}
export function entryReadOnly(entry: number): boolean {
  return (entry & ENTRY_READ_ONLY) !== 0;
}
export function entryDirtyLog(entry: number): boolean {
  return (entry & ENTRY_DIRTY_LOG) !== 0;
}

/** A slot that passed validation (map-validation.ts), in the table builder's terms. */
export interface TableSlot {
  readonly firstPfn: number;
  readonly pageCount: number;
  readonly backing: SoftBacking;
  readonly backingOffset: number;
  readonly readOnly: boolean;
  readonly dirtyLog: boolean;
}

export class PhysicalTable {
  readonly root: Int32Array;
  readonly mids: Int32Array;
  readonly leaves: Float64Array;

  private constructor(root: Int32Array, mids: Int32Array, leaves: Float64Array) {
    this.root = root;
    this.mids = mids;
    this.leaves = leaves;
  }

  /** A table where everything is a hole. */
  static empty(): PhysicalTable {
    return new PhysicalTable(
      new Int32Array(ROOT_SIZE),
      new Int32Array(MID_SIZE),
      new Float64Array(LEAF_SIZE),
    );
  }

  /**
   * Builds a table from slots that do not overlap and are inside their
   * backings (the caller validated them). May throw RangeError if the host
   * cannot allocate the tables; nothing is published in that case.
   */
  static build(slots: readonly TableSlot[]): PhysicalTable {
    // Pass 1: which root entries and which leaves are needed, to size the pools exactly.
    const midNumber = new Map<number, number>(); // root index → mid table number (1-based)
    const leafNumber = new Map<number, number>(); // pfn >> LEAF_BITS → leaf number (1-based)
    for (const slot of slots) {
      const firstLeaf = Math.floor(slot.firstPfn / LEAF_SIZE);
      const lastLeaf = Math.floor((slot.firstPfn + slot.pageCount - 1) / LEAF_SIZE);
      for (let leaf = firstLeaf; leaf <= lastLeaf; leaf++) {
        if (!leafNumber.has(leaf)) leafNumber.set(leaf, leafNumber.size + 1);
        const rootIndex = Math.floor(leaf / MID_SIZE);
        if (!midNumber.has(rootIndex)) midNumber.set(rootIndex, midNumber.size + 1);
      }
    }
    const root = new Int32Array(ROOT_SIZE);
    const mids = new Int32Array((midNumber.size + 1) * MID_SIZE);
    const leaves = new Float64Array((leafNumber.size + 1) * LEAF_SIZE);
    for (const [rootIndex, mid] of midNumber) root[rootIndex] = mid * MID_SIZE;
    for (const [leaf, number] of leafNumber) {
      mids[root[Math.floor(leaf / MID_SIZE)] + (leaf & MID_MASK)] = number * LEAF_SIZE;
    }
    // Pass 2: the entries.
    for (const slot of slots) {
      const low =
        ((slot.backing.id + 1) << 2) |
        (slot.dirtyLog ? ENTRY_DIRTY_LOG : 0) |
        (slot.readOnly ? ENTRY_READ_ONLY : 0);
      let pfn = slot.firstPfn;
      let entry = slot.backingOffset + low;
      const end = slot.firstPfn + slot.pageCount;
      while (pfn < end) {
        const leafBase = mids[root[Math.floor(pfn / ROOT_SPAN)] + ((pfn >>> LEAF_BITS) & MID_MASK)];
        const inLeaf = pfn & LEAF_MASK;
        const count = Math.min(LEAF_SIZE - inLeaf, end - pfn);
        for (let i = leafBase + inLeaf, stop = i + count; i < stop; i++) {
          leaves[i] = entry;
          entry += PAGE_SIZE;
        }
        pfn += count;
      }
    }
    return new PhysicalTable(root, mids, leaves);
  }

  /**
   * The entry for page `pfn` (see the encoding above); 0 for a hole. `pfn`
   * must be a non-negative integer; pages at or past 2^40 are holes.
   */
  lookup(pfn: number): number {
    const rootIndex = (pfn / ROOT_SPAN) >>> 0;
    if (rootIndex >= ROOT_SIZE) return 0;
    return this.leaves[
      this.mids[this.root[rootIndex] + ((pfn >>> LEAF_BITS) & MID_MASK)] + (pfn & LEAF_MASK)
    ];
  }
}

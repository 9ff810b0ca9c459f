/**
 * The physical memory map of one address space (x86 has two: NORMAL and
 * SMM, seed 004), as the soft CPU and DMA see it. The object is stable for
 * the Vm's life; `setMap` swaps the table inside it.
 *
 * Hot path for the CPU (see physical-table.ts for the entry encoding):
 *
 *     const entry = physical.lookup(Math.floor(address / 4096));
 *     if (entry === 0) → MMIO
 *     const backing = physical.backings[((entry & 0xffc) >>> 2) - 1];
 *     backing.bytes[entry - (entry & 0xfff) + (address & 0xfff)]
 *
 * A CPU that caches translations (a TLB) compares `generation` with the
 * value it saw when filling the cache: every successful `setMap` increments
 * it, so cached entries of an old map are never used after a swap.
 */
import { destroyedError, HvError } from "../../errors.js";
import type { AddressSpace, MemorySlot } from "../../memory.js";
import type { SoftBacking } from "./backing.js";
import type { BackingRegistry } from "./backing-registry.js";
import { validateMap } from "./map-validation.js";
import { PhysicalTable } from "./physical-table.js";

export class PhysicalMemory {
  readonly space: AddressSpace;
  /** The Vm's dense backing list; map entries index into it. */
  readonly backings: readonly SoftBacking[];
  /** The Vm's backings and code-write hook (shared by both address spaces). */
  readonly registry: BackingRegistry;
  private currentTable: PhysicalTable = PhysicalTable.empty();
  private currentSlots: readonly MemorySlot[] = Object.freeze([]);
  private currentGeneration = 0;
  private isDestroyed = false;

  /** Most slots `setMap` accepts (Capabilities.maxMemorySlots). */
  readonly maxSlots: number;

  constructor(space: AddressSpace, registry: BackingRegistry, maxSlots: number) {
    this.space = space;
    this.maxSlots = maxSlots;
    this.registry = registry;
    this.backings = registry.list;
  }

  /** The table in use; replaced (never modified) by `setMap`. */
  get table(): PhysicalTable {
    return this.currentTable;
  }

  /** Incremented by every successful `setMap`. */
  get generation(): number {
    return this.currentGeneration;
  }

  /** The slots of the current map (frozen copies, in the order given). */
  get slots(): readonly MemorySlot[] {
    return this.currentSlots;
  }

  /** True once the Vm was destroyed: the map is empty and `setMap` throws. */
  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** The entry for page `pfn` (a non-negative integer); 0 for a hole. */
  lookup(pfn: number): number {
    return this.currentTable.lookup(pfn);
  }

  /**
   * Replaces the whole map: validates every slot, builds the new table
   * completely, then swaps it in with one assignment. On any error nothing
   * changes. Dirty bits live in the backings, so none is lost by the swap.
   */
  setMap(slots: readonly MemorySlot[]): void {
    if (this.isDestroyed) throw destroyedError("Vm");
    const checked = validateMap(slots, this.registry, this.maxSlots);
    let table: PhysicalTable;
    try {
      table = PhysicalTable.build(checked);
    } catch (cause) {
      if (!(cause instanceof RangeError)) throw cause;
      throw new HvError(
        "no-memory",
        `memory map: the host cannot allocate the lookup tables for ${slots.length} slots ` +
          `(${cause.message})`,
      );
    }
    const copies = Object.freeze(slots.map(copySlot));
    this.currentTable = table;
    this.currentSlots = copies;
    this.currentGeneration++;
  }

  /** Empties the map for good (Vm.destroy). */
  retire(): void {
    this.isDestroyed = true;
    this.currentTable = PhysicalTable.empty();
    this.currentSlots = Object.freeze([]);
    this.currentGeneration++;
  }
}

/** A frozen copy, so later changes to the caller's objects cannot change the map. */
function copySlot(slot: MemorySlot): MemorySlot {
  const copy: MemorySlot = {
    guestAddress: slot.guestAddress,
    size: slot.size,
    backing: slot.backing,
    backingOffset: slot.backingOffset,
    ...(slot.readOnly !== undefined ? { readOnly: slot.readOnly } : {}),
    ...(slot.dirtyLog !== undefined ? { dirtyLog: slot.dirtyLog } : {}),
  };
  return Object.freeze(copy);
}

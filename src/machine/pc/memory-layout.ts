/**
 * Where a PC's RAM goes in guest-physical space, and the E820 map that
 * reports it. Below 1 MiB the legacy holes stay: 0xA0000-0xBFFFF is VGA
 * MMIO space, 0xC0000-0xFFFFF the option-ROM/BIOS area (backed by RAM here,
 * marked reserved, so tables such as the ACPI RSDP can live at 0xE0000).
 * RAM past the type's low-memory limit moves above 4 GiB, leaving the hole
 * below 4 GiB for PCI, the IOAPIC, the HPET and the local APIC.
 */
import type { MemoryBacking, MemorySlot } from "../../hv/memory.js";
import { E820_RAM, E820_RESERVED, type E820Entry } from "../boot/e820.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const FOUR_GIB = 4 * 1024 * MiB;

/** Top of conventional memory: the last KiB below 640 KiB is the EBDA, reserved. */
export const EBDA_START = 0x9fc00;
export const VGA_START = 0xa0000;
export const BIOS_AREA_START = 0xc0000;
export const HIGH_MEMORY_START = 0x100000;

export interface RamLayout {
  /** Bytes of RAM below 4 GiB (including the part under the 1 MiB holes). */
  readonly below4g: number;
  /** Bytes of RAM above 4 GiB. */
  readonly above4g: number;
  readonly e820: readonly E820Entry[];
}

export function ramLayout(memoryBytes: number, lowMemoryLimit: number): RamLayout {
  if (memoryBytes < 2 * MiB) throw new RangeError("a PC needs at least 2 MiB of RAM");
  const below4g = Math.min(memoryBytes, lowMemoryLimit);
  const above4g = memoryBytes - below4g;
  const e820: E820Entry[] = [
    { base: 0, length: EBDA_START, type: E820_RAM },
    { base: EBDA_START, length: VGA_START - EBDA_START, type: E820_RESERVED },
    { base: 0xf0000, length: 0x10000, type: E820_RESERVED },
    { base: HIGH_MEMORY_START, length: below4g - HIGH_MEMORY_START, type: E820_RAM },
  ];
  if (above4g > 0) e820.push({ base: FOUR_GIB, length: above4g, type: E820_RAM });
  return { below4g, above4g, e820 };
}

/**
 * The memory slots for a layout. `low` backs everything below 4 GiB; `high`
 * (when RAM exceeds the low limit) backs RAM above 4 GiB. The VGA window is
 * left as a hole so it reaches MMIO.
 */
export function ramSlots(
  layout: RamLayout,
  low: MemoryBacking,
  high: MemoryBacking | undefined,
): MemorySlot[] {
  const slots: MemorySlot[] = [
    { guestAddress: 0, size: VGA_START, backing: low, backingOffset: 0, dirtyLog: true },
    {
      guestAddress: BIOS_AREA_START,
      size: layout.below4g - BIOS_AREA_START,
      backing: low,
      backingOffset: BIOS_AREA_START,
      dirtyLog: true,
    },
  ];
  if (layout.above4g > 0) {
    if (high === undefined) throw new RangeError("RAM above 4 GiB needs a second backing");
    slots.push({
      guestAddress: FOUR_GIB,
      size: layout.above4g,
      backing: high,
      backingOffset: 0,
      dirtyLog: true,
    });
  }
  return slots;
}

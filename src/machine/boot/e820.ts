/**
 * The guest's physical memory map as firmware reports it (the BIOS E820
 * call; Linux zero page e820_table; Multiboot mmap). One list, made by the
 * machine, read by every boot path.
 */
export const E820_RAM = 1;
export const E820_RESERVED = 2;
export const E820_ACPI = 3;
export const E820_NVS = 4;

export interface E820Entry {
  readonly base: number;
  readonly length: number;
  readonly type: number;
}

/** Bytes of RAM below 1 MiB and above it (in the first contiguous run), for legacy fields. */
export function legacyMemorySizes(map: readonly E820Entry[]): { lower: number; upper: number } {
  let lower = 0;
  let upper = 0;
  for (const e of map) {
    if (e.type !== E820_RAM) continue;
    if (e.base === 0) lower = Math.min(e.length, 0xa0000);
    if (e.base === 0x100000) upper = e.length;
  }
  return { lower, upper };
}

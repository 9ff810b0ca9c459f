/**
 * QEMU's generic loader device as a boot path: `-device
 * loader,file=F,addr=A[,cpu-num=N]` copies a raw file to guest-physical A;
 * with cpu-num, that vCPU starts there. tsvm starts it in 32-bit flat
 * protected mode with paging off and interrupts disabled (the state a
 * Multiboot kernel gets), since no firmware runs first.
 */
import type { RegisterEntry } from "../../hv/registers.js";
import type { GuestMemory } from "../../hv/soft/memory/guest-memory.js";
import { E820_RAM, type E820Entry } from "./e820.js";
import { flatProtectedMode } from "./entry-state.js";

export interface RawImage {
  readonly data: Uint8Array;
  readonly address: number;
  /** The vCPU that starts at `address`, if any. */
  readonly cpu?: number;
}

export class RawLoaderError extends Error {
  constructor(message: string) {
    super(`loader: ${message}`);
    this.name = "RawLoaderError";
  }
}

/** Copies every image into RAM; returns the entry state of each vCPU that starts at one. */
export function loadRawImages(
  images: readonly RawImage[],
  memory: GuestMemory,
  map: readonly E820Entry[],
): Map<number, RegisterEntry[]> {
  const entries = new Map<number, RegisterEntry[]>();
  for (const image of images) {
    const { address, data } = image;
    const inRam = map.some(
      (e) => e.type === E820_RAM && address >= e.base && address + data.length <= e.base + e.length,
    );
    if (!inRam) {
      throw new RawLoaderError(
        `${data.length} bytes at 0x${address.toString(16)} do not fit in guest RAM`,
      );
    }
    memory.write(address, data);
    if (image.cpu !== undefined) {
      if (entries.has(image.cpu)) throw new RawLoaderError(`two images start vCPU ${image.cpu}`);
      entries.set(image.cpu, flatProtectedMode({ eip: address }));
    }
  }
  return entries;
}

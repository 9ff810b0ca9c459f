/**
 * fw_cfg DMA (QEMU docs/specs/fw_cfg.rst, "DMA interface"). The guest writes
 * the guest-physical address of an FWCfgDmaAccess structure, all fields
 * big-endian:
 *
 *   u32 control   bit 0 error, 1 read, 2 skip, 3 select (key in bits 16-31), 4 write
 *   u32 length
 *   u64 address
 *
 * The device selects (if asked), then reads, writes or skips `length` bytes
 * of the selected item from its current offset, and finally stores control =
 * 0 (done) or the error bit. Reads past the end of the item give zeros; a
 * write must fit in a writable item. Any guest-memory access the memory map
 * refuses (outside RAM, ROM, beyond the address space) sets the error bit
 * and ends the transfer: a hostile structure can never crash the monitor,
 * and a huge length never makes it allocate (zeros are filled, not copied).
 */
import type { FwCfgItem } from "./items.js";

/**
 * Guest memory as fw_cfg DMA needs it. Each call moves all the bytes or, if
 * the map refuses any of them, throws and moves none (GuestMemory in
 * src/hv/soft/memory/guest-memory.ts has exactly these methods).
 */
export interface DmaMemory {
  /** Copies guest memory at `address` into `dest`. */
  read(address: number, dest: Uint8Array): void;
  /** Copies `src` to guest memory at `address`. */
  write(address: number, src: Uint8Array): void;
  /** Sets `length` bytes at `address` to `byte`. */
  fill(address: number, length: number, byte: number): void;
}

/** What a DMA transfer acts on: the device's selection. */
export interface DmaTarget {
  select(selector: number): void;
  /** The selected item, if the selector names one. */
  readonly selected: FwCfgItem | undefined;
  /** Offset into the selected item. */
  offset: number;
}

export const DMA_CONTROL_ERROR = 0x01;
export const DMA_CONTROL_READ = 0x02;
export const DMA_CONTROL_SKIP = 0x04;
export const DMA_CONTROL_SELECT = 0x08;
export const DMA_CONTROL_WRITE = 0x10;
/** Size of FWCfgDmaAccess. */
export const DMA_ACCESS_SIZE = 16;

/** Guest-physical addresses stop at 2^52 (Intel SDM vol. 3, 4.1.4). */
const ADDRESS_LIMIT = 2n ** 52n;

/** Runs `action` on a guest range; false if the range or the memory map refuses it. */
function guarded(address: bigint, length: number, action: (at: number) => void): boolean {
  if (address + BigInt(length) > ADDRESS_LIMIT) return false;
  try {
    action(Number(address));
    return true;
  } catch {
    return false;
  }
}

/** Performs the transfer described at guest-physical `descriptor`. */
export function performDma(memory: DmaMemory, target: DmaTarget, descriptor: bigint): void {
  const header = new Uint8Array(DMA_ACCESS_SIZE);
  const finish = (control: number): void => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, control);
    guarded(descriptor, 4, (at) => memory.write(at, bytes));
  };
  if (!guarded(descriptor, DMA_ACCESS_SIZE, (at) => memory.read(at, header))) {
    finish(DMA_CONTROL_ERROR); // reaches the guest only if the structure's first bytes exist
    return;
  }
  const view = new DataView(header.buffer);
  const control = view.getUint32(0);
  let remaining = view.getUint32(4);
  let address = view.getBigUint64(8);
  if ((control & DMA_CONTROL_SELECT) !== 0) target.select(control >>> 16);
  const read = (control & DMA_CONTROL_READ) !== 0;
  const write = !read && (control & DMA_CONTROL_WRITE) !== 0;
  if (!read && !write && (control & DMA_CONTROL_SKIP) === 0) remaining = 0;

  let ok = true;
  while (remaining > 0 && ok) {
    const item = target.selected;
    const available = item === undefined ? 0 : Math.max(0, item.data.length - target.offset);
    let length: number;
    if (item === undefined || available === 0) {
      // Past the end: reads give zeros, writes fail, skips just move on.
      length = remaining;
      if (read) ok = guarded(address, length, (at) => memory.fill(at, length, 0));
      if (write) ok = false;
    } else {
      length = Math.min(remaining, available);
      const bytes = item.data.subarray(target.offset, target.offset + length);
      if (read) ok = guarded(address, length, (at) => memory.write(at, bytes));
      if (write) {
        ok = item.writable && length === remaining;
        ok &&= guarded(address, length, (at) => memory.read(at, bytes));
        if (ok) item.onWrite?.(target.offset, length);
      }
      target.offset += length;
    }
    address += BigInt(length);
    remaining -= length;
  }
  finish(ok ? 0 : DMA_CONTROL_ERROR);
}

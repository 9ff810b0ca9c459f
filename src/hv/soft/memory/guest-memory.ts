/**
 * Guest memory as devices (DMA) and loaders see it: byte ranges and
 * little-endian values at guest-physical addresses of one address space.
 *
 * Rules (DESIGN.md: "a hostile guest can never crash the monitor"):
 * - The whole range is checked before a single byte moves: an access that
 *   touches a hole (MMIO) or runs past the 52-bit address space throws a
 *   GuestMemoryError naming the first bad address, and nothing was written.
 * - Writes to read-only slots (ROM) are errors too.
 * - Writes set dirty bits where the slot logs, and invalidate translated code
 *   (BackingRegistry's code-write protocol), like a CPU store would.
 * - Ranges may cross slot boundaries; each page is looked up in the map.
 */
import { destroyedError } from "../../errors.js";
import { AddressSpace, PAGE_SIZE } from "../../memory.js";
import { hex, PHYSICAL_LIMIT } from "./map-validation.js";
import type { PhysicalMemory } from "./physical-memory.js";
import {
  entryBackingIndex,
  entryDirtyLog,
  entryPageOffset,
  entryReadOnly,
} from "./physical-table.js";

/** Why a DMA access failed. */
export type GuestMemoryFault = "unmapped" | "read-only" | "out-of-range";

/** A DMA or loader access that the map does not allow. Nothing was written. */
export class GuestMemoryError extends Error {
  /** The first guest-physical address that could not be accessed. */
  readonly address: number;
  readonly fault: GuestMemoryFault;
  constructor(fault: GuestMemoryFault, address: number, message: string) {
    super(message);
    this.name = "GuestMemoryError";
    this.fault = fault;
    this.address = address;
  }
}

const PAGE_MASK = PAGE_SIZE - 1;

export class GuestMemory {
  readonly physical: PhysicalMemory;
  // Scratch for values that straddle a page boundary (no allocation per access).
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);
  /** Byte offset in the backing found by the last `backingView` call. */
  private offset = 0;
  /** Entry found by the last `backingView` call (for noteWrite). */
  private lastEntry = 0;

  constructor(physical: PhysicalMemory) {
    this.physical = physical;
  }

  /** Copies `dest.length` bytes starting at `address` into `dest`. */
  read(address: number, dest: Uint8Array): void {
    checkBuffer(dest, "read");
    this.check(address, dest.length, false);
    this.copy(address, dest, false);
  }

  /** Copies `src` to guest memory at `address`; all or nothing. */
  write(address: number, src: Uint8Array): void {
    checkBuffer(src, "write");
    this.check(address, src.length, true);
    this.copy(address, src, true);
  }

  /** Sets `length` bytes at `address` to `byte` (a loader's "clear BSS"). */
  fill(address: number, length: number, byte: number): void {
    checkValue(byte, 8);
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`fill: length ${length} is not a non-negative integer`);
    }
    this.check(address, length, true);
    const chunk = new Uint8Array(Math.min(length, 65536)).fill(byte);
    for (let done = 0; done < length; done += chunk.length) {
      this.copy(address + done, chunk.subarray(0, Math.min(chunk.length, length - done)), true);
    }
  }

  readU8(address: number): number {
    return this.backingView(address, 1, false).getUint8(this.offset);
  }
  readU16(address: number): number {
    if ((address & PAGE_MASK) > PAGE_SIZE - 2)
      return this.straddleRead(address, 2).getUint16(0, true);
    return this.backingView(address, 2, false).getUint16(this.offset, true);
  }
  readU32(address: number): number {
    if ((address & PAGE_MASK) > PAGE_SIZE - 4)
      return this.straddleRead(address, 4).getUint32(0, true);
    return this.backingView(address, 4, false).getUint32(this.offset, true);
  }
  readU64(address: number): bigint {
    if ((address & PAGE_MASK) > PAGE_SIZE - 8) {
      return this.straddleRead(address, 8).getBigUint64(0, true);
    }
    return this.backingView(address, 8, false).getBigUint64(this.offset, true);
  }

  writeU8(address: number, value: number): void {
    checkValue(value, 8);
    this.backingView(address, 1, true).setUint8(this.offset, value);
    this.noteWrite();
  }
  writeU16(address: number, value: number): void {
    checkValue(value, 16);
    if ((address & PAGE_MASK) > PAGE_SIZE - 2) {
      this.scratchView.setUint16(0, value, true);
      return this.write(address, this.scratch.subarray(0, 2));
    }
    this.backingView(address, 2, true).setUint16(this.offset, value, true);
    this.noteWrite();
  }
  writeU32(address: number, value: number): void {
    checkValue(value, 32);
    if ((address & PAGE_MASK) > PAGE_SIZE - 4) {
      this.scratchView.setUint32(0, value, true);
      return this.write(address, this.scratch.subarray(0, 4));
    }
    this.backingView(address, 4, true).setUint32(this.offset, value, true);
    this.noteWrite();
  }
  writeU64(address: number, value: bigint): void {
    if (typeof value !== "bigint" || value < -(1n << 63n) || value >= 1n << 64n) {
      throw new RangeError(`writeU64: ${String(value)} is not a 64-bit bigint`);
    }
    if ((address & PAGE_MASK) > PAGE_SIZE - 8) {
      this.scratchView.setBigUint64(0, BigInt.asUintN(64, value), true);
      return this.write(address, this.scratch.subarray(0, 8));
    }
    this.backingView(address, 8, true).setBigUint64(this.offset, BigInt.asUintN(64, value), true);
    this.noteWrite();
  }

  // --- internals -------------------------------------------------------

  /** Checks an access inside one page and returns its backing's DataView; sets `offset`. */
  private backingView(address: number, size: number, write: boolean): DataView {
    this.check(address, size, write);
    const entry = this.physical.lookup(Math.floor(address / PAGE_SIZE));
    this.lastEntry = entry;
    this.offset = entryPageOffset(entry) + (address & PAGE_MASK);
    return this.physical.backings[entryBackingIndex(entry)].view;
  }

  /** Dirty bit and code invalidation for the single-page write `backingView` prepared. */
  private noteWrite(): void {
    const entry = this.lastEntry;
    const page = entryPageOffset(entry) / PAGE_SIZE;
    this.physical.registry.noteWrite(entryBackingIndex(entry), page, 1, entryDirtyLog(entry));
  }

  private straddleRead(address: number, size: number): DataView {
    this.read(address, this.scratch.subarray(0, size));
    return this.scratchView;
  }

  /** Throws unless every page of `[address, address + length)` may be accessed. */
  private check(address: number, length: number, write: boolean): void {
    if (this.physical.destroyed) throw destroyedError("Vm");
    if (!Number.isSafeInteger(address) || address < 0 || address + length > PHYSICAL_LIMIT) {
      throw this.error("out-of-range", address, address, length, write);
    }
    const end = address + length;
    for (let page = Math.floor(address / PAGE_SIZE); page * PAGE_SIZE < end; page++) {
      const entry = this.physical.lookup(page);
      if (entry === 0 || (write && entryReadOnly(entry))) {
        const at = Math.max(address, page * PAGE_SIZE);
        throw this.error(entry === 0 ? "unmapped" : "read-only", at, address, length, write);
      }
    }
  }

  /** Builds the error (only on failure: messages cost allocations). */
  private error(
    fault: GuestMemoryFault,
    at: number,
    address: number,
    length: number,
    write: boolean,
  ): GuestMemoryError {
    const space = this.physical.space === AddressSpace.SMM ? "SMM" : "normal";
    const access = `DMA ${write ? "write" : "read"} of ${length} bytes at ${hex(address)} (${space} address space)`;
    const why =
      fault === "out-of-range"
        ? "outside the 52-bit physical address space"
        : fault === "unmapped"
          ? `${hex(at)} is not RAM (MMIO hole)`
          : `${hex(at)} is read-only memory`;
    return new GuestMemoryError(fault, typeof at === "number" ? at : NaN, `${access}: ${why}`);
  }

  /**
   * Moves bytes between `data` and an already-checked guest range, one run
   * of contiguous pages at a time (consecutive pages whose entries differ by
   * exactly PAGE_SIZE are contiguous in one backing with the same flags).
   */
  private copy(address: number, data: Uint8Array, write: boolean): void {
    let done = 0;
    while (done < data.length) {
      const at = address + done;
      const firstPage = Math.floor(at / PAGE_SIZE);
      const entry = this.physical.lookup(firstPage);
      let runBytes = PAGE_SIZE - (at & PAGE_MASK);
      let pages = 1;
      while (
        done + runBytes < data.length &&
        this.physical.lookup(firstPage + pages) === entry + pages * PAGE_SIZE
      ) {
        runBytes += PAGE_SIZE;
        pages++;
      }
      runBytes = Math.min(runBytes, data.length - done);
      const backing = this.physical.backings[entryBackingIndex(entry)];
      const start = entryPageOffset(entry) + (at & PAGE_MASK);
      if (write) {
        backing.bytes.set(data.subarray(done, done + runBytes), start);
        const backingPage = entryPageOffset(entry) / PAGE_SIZE;
        const touched = Math.ceil(((at & PAGE_MASK) + runBytes) / PAGE_SIZE);
        this.physical.registry.noteWrite(backing.id, backingPage, touched, entryDirtyLog(entry));
      } else {
        data.set(backing.bytes.subarray(start, start + runBytes), done);
      }
      done += runBytes;
    }
  }
}

function checkBuffer(data: Uint8Array, what: string): void {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`DMA ${what}: the buffer must be a Uint8Array`);
  }
}

/** Accepts both the unsigned and the signed form of a `bits`-wide value. */
function checkValue(value: number, bits: number): void {
  const limit = 2 ** bits;
  if (!Number.isInteger(value) || value < -limit / 2 || value >= limit) {
    throw new RangeError(`${value} is not a ${bits}-bit value`);
  }
}

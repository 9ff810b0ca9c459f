/**
 * Host memory for the guest on the soft backend: one zero-filled
 * (Shared)ArrayBuffer per backing, with its dirty bitmap and its per-page
 * "holds translated code" bytes.
 *
 * Size limit: `MemoryBacking.bytes` is one Uint8Array over the whole backing,
 * and a typed array may have at most `buffer.constants.MAX_LENGTH` elements
 * (2^32 = 4 GiB on Node 20 / V8 11; the ArrayBuffer itself may be larger, but
 * no single view could cover it). So one backing holds up to 4 GiB, and a
 * guest with more RAM uses several backings; a PC splits its RAM at the
 * 4 GiB PCI hole anyway ("below 4G" and "above 4G"), so each part is its own
 * backing. The limit is reported as `Capabilities.maxBackingSize`.
 */
import { constants as bufferConstants } from "node:buffer";
import { HvError } from "../../errors.js";
import { PAGE_SIZE, type MemoryBacking } from "../../memory.js";
import { DirtyBitmap } from "./dirty-bitmap.js";

/**
 * Largest backing, in bytes: the typed-array length limit, rounded down to a
 * page. The map encoding (physical-table.ts) holds offsets up to 2^53.
 */
export const MAX_BACKING_SIZE =
  Math.floor(Math.min(bufferConstants.MAX_LENGTH, Number.MAX_SAFE_INTEGER) / PAGE_SIZE) * PAGE_SIZE;

/** Options for one allocation. */
export interface BackingOptions {
  /**
   * Put the bytes (and the dirty bitmap) in a SharedArrayBuffer, so vCPUs
   * running in workers can share them.
   */
  readonly shared?: boolean;
}

export class SoftBacking implements MemoryBacking {
  /** Index in the Vm's dense backing list; also the value stored in map entries. */
  readonly id: number;
  readonly size: number;
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Little-endian multi-byte access to `bytes` (same buffer). */
  readonly view: DataView;
  /** Number of 4 KiB pages. */
  readonly pages: number;
  readonly dirty: DirtyBitmap;
  /**
   * One byte per page, non-zero while some translated code may have been
   * built from that page. The CPU sets it when it translates; a write to the
   * page clears it and notifies the code-write listeners (see
   * BackingRegistry.codePageWritten). Shared like `bytes` when shared.
   */
  readonly codePages: Uint8Array;
  readonly shared: boolean;
  /** The Vm's registry this backing belongs to (ownership check in setMemoryMap). */
  readonly owner: object;

  constructor(owner: object, id: number, name: string, size: number, options: BackingOptions) {
    checkBackingRequest(name, size);
    const shared = options.shared === true;
    if (shared && typeof SharedArrayBuffer === "undefined") {
      throw new HvError(
        "unsupported",
        `cannot allocate shared memory "${name}": SharedArrayBuffer is not available on this host`,
      );
    }
    const pages = size / PAGE_SIZE;
    let buffer: ArrayBufferLike;
    let codeBuffer: ArrayBufferLike;
    try {
      buffer = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
      codeBuffer = shared ? new SharedArrayBuffer(pages) : new ArrayBuffer(pages);
      this.dirty = new DirtyBitmap(pages, shared);
    } catch (cause) {
      if (!(cause instanceof RangeError)) throw cause;
      throw new HvError(
        "no-memory",
        `cannot allocate ${size} bytes (${formatSize(size)}) for guest memory "${name}": ` +
          `the host refused (${cause.message})`,
      );
    }
    this.owner = owner;
    this.id = id;
    this.name = name;
    this.size = size;
    this.pages = pages;
    this.shared = shared;
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.codePages = new Uint8Array(codeBuffer);
  }
}

/** Checks the name and size of an allocation request; throws "invalid-argument". */
function checkBackingRequest(name: string, size: number): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new HvError("invalid-argument", "guest memory needs a non-empty name");
  }
  if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
    throw new HvError(
      "invalid-argument",
      `guest memory "${name}": size ${size} is not a positive multiple of ${PAGE_SIZE}`,
    );
  }
  if (size > MAX_BACKING_SIZE) {
    throw new HvError(
      "invalid-argument",
      `guest memory "${name}": size ${formatSize(size)} exceeds the largest backing this ` +
        `host allows (${formatSize(MAX_BACKING_SIZE)}, capabilities.maxBackingSize); ` +
        `split it into several backings`,
    );
  }
}

/** "4 GiB", "640 KiB", or bytes: for error messages. */
export function formatSize(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (unit < units.length - 1 && value >= 1024 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value} ${units[unit]}`;
}

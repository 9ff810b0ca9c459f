/**
 * Multiboot 1 loader, as QEMU's `-kernel` loads such kernels: ELF kernels by
 * their program headers, others by the header's address fields (the "a.out
 * kludge", flag bit 16). `-initrd` files become modules; the information
 * structure carries memory sizes, the memory map, the command line and the
 * modules. Specification: Multiboot 0.6.96, sections 3.1-3.3.
 */
import type { RegisterEntry } from "../../hv/registers.js";
import type { GuestMemory } from "../../hv/soft/memory/guest-memory.js";
import { E820_RAM, legacyMemorySizes, type E820Entry } from "./e820.js";
import { flatProtectedMode } from "./entry-state.js";

const HEADER_MAGIC = 0x1badb002;
const BOOTLOADER_MAGIC = 0x2badb002;
const HEADER_SEARCH = 8192;
const FLAG_PAGE_ALIGN = 1 << 0;
const FLAG_MEMORY_INFO = 1 << 1;
const FLAG_VIDEO = 1 << 2;
const FLAG_AOUT_KLUDGE = 1 << 16;
/** Bits 0-15 are requirements: a loader must refuse an image that sets one it does not know. */
const KNOWN_REQUIRED = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO;

// Information structure flags (section 3.3).
const INFO_MEMORY = 1 << 0;
const INFO_CMDLINE = 1 << 2;
const INFO_MODS = 1 << 3;
const INFO_MMAP = 1 << 6;
const INFO_LOADER_NAME = 1 << 9;

/** Where the information structure and its strings go: low memory, below the kernel. */
const INFO_BASE = 0x9000;
const INFO_LIMIT = 0x9fc00;

export class MultibootError extends Error {
  constructor(message: string) {
    super(`multiboot: ${message}`);
    this.name = "MultibootError";
  }
}

export interface MultibootModule {
  readonly data: Uint8Array;
  readonly cmdline: string;
}

export interface MultibootImage {
  readonly kernel: Uint8Array;
  readonly cmdline: string;
  readonly modules: readonly MultibootModule[];
}

export interface MultibootLoad {
  /** The vCPU state the kernel starts in (Multiboot section 3.2). */
  readonly entry: RegisterEntry[];
  readonly entryPoint: number;
  /** First byte after the kernel and its modules. */
  readonly end: number;
  readonly infoAddress: number;
}

interface MultibootHeader {
  readonly offset: number;
  readonly flags: number;
}

/** Finds the header in the first 8 KiB (32-bit aligned), or returns undefined. */
export function findMultibootHeader(kernel: Uint8Array): MultibootHeader | undefined {
  const view = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const limit = Math.min(kernel.length, HEADER_SEARCH) - 12;
  for (let off = 0; off <= limit; off += 4) {
    if (view.getUint32(off, true) !== HEADER_MAGIC) continue;
    const flags = view.getUint32(off + 4, true);
    const checksum = view.getUint32(off + 8, true);
    if (((HEADER_MAGIC + flags + checksum) & 0xffffffff) >>> 0 === 0) return { offset: off, flags };
  }
  return undefined;
}

interface Segment {
  readonly address: number;
  readonly data: Uint8Array;
  /** Bytes to zero after the data (bss). */
  readonly zero: number;
}

function loadAout(
  kernel: Uint8Array,
  header: MultibootHeader,
): { segments: Segment[]; entry: number } {
  const view = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  if (header.offset + 32 > kernel.length)
    throw new MultibootError("header address fields truncated");
  const headerAddr = view.getUint32(header.offset + 12, true);
  const loadAddr = view.getUint32(header.offset + 16, true);
  const loadEndAddr = view.getUint32(header.offset + 20, true);
  const bssEndAddr = view.getUint32(header.offset + 24, true);
  const entry = view.getUint32(header.offset + 28, true);
  if (loadAddr > headerAddr) throw new MultibootError("load_addr is above header_addr");
  const fileStart = header.offset - (headerAddr - loadAddr);
  if (fileStart < 0) throw new MultibootError("header_addr - load_addr reaches before the file");
  const fileEnd = loadEndAddr === 0 ? kernel.length : fileStart + (loadEndAddr - loadAddr);
  if (fileEnd > kernel.length || fileEnd < fileStart) {
    throw new MultibootError("load_end_addr is beyond the end of the file");
  }
  const loadEnd = loadAddr + (fileEnd - fileStart);
  const zero = bssEndAddr === 0 ? 0 : bssEndAddr - loadEnd;
  if (zero < 0) throw new MultibootError("bss_end_addr is below the end of the loaded image");
  return {
    segments: [{ address: loadAddr, data: kernel.subarray(fileStart, fileEnd), zero }],
    entry,
  };
}

function loadElf(kernel: Uint8Array): { segments: Segment[]; entry: number } {
  const view = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  if (kernel.length < 52) throw new MultibootError("ELF header truncated");
  if (kernel[4] !== 1 || kernel[5] !== 1)
    throw new MultibootError("only 32-bit little-endian ELF is supported");
  if (view.getUint16(18, true) !== 3) throw new MultibootError("ELF machine is not i386");
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phentsize < 32 || phoff + phnum * phentsize > kernel.length) {
    throw new MultibootError("ELF program headers out of range");
  }
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== 1) continue; // PT_LOAD
    const offset = view.getUint32(ph + 4, true);
    const paddr = view.getUint32(ph + 12, true);
    const filesz = view.getUint32(ph + 16, true);
    const memsz = view.getUint32(ph + 20, true);
    if (offset + filesz > kernel.length)
      throw new MultibootError(`ELF segment ${i} beyond the file`);
    if (memsz < filesz) throw new MultibootError(`ELF segment ${i} has memsz < filesz`);
    segments.push({
      address: paddr,
      data: kernel.subarray(offset, offset + filesz),
      zero: memsz - filesz,
    });
  }
  if (segments.length === 0) throw new MultibootError("ELF has no loadable segment");
  return { segments, entry };
}

function isElf(kernel: Uint8Array): boolean {
  return (
    kernel.length >= 4 &&
    kernel[0] === 0x7f &&
    kernel[1] === 0x45 &&
    kernel[2] === 0x4c &&
    kernel[3] === 0x46
  );
}

/** Checks a range lies inside RAM, so a bad image gets a clear error instead of a DMA fault. */
function checkInRam(
  map: readonly E820Entry[],
  address: number,
  length: number,
  what: string,
): void {
  const ok = map.some(
    (e) => e.type === E820_RAM && address >= e.base && address + length <= e.base + e.length,
  );
  if (!ok) {
    throw new MultibootError(
      `${what} at 0x${address.toString(16)}-0x${(address + length).toString(16)} is outside guest RAM`,
    );
  }
}

/** Bump allocator for the information structure area in low memory. */
class InfoArea {
  private next = INFO_BASE;
  constructor(private readonly memory: GuestMemory) {}
  alloc(size: number, align = 4): number {
    const at = Math.ceil(this.next / align) * align;
    if (at + size > INFO_LIMIT)
      throw new MultibootError("information structure does not fit in low memory");
    this.next = at + size;
    return at;
  }
  string(s: string): number {
    const bytes = new TextEncoder().encode(`${s}\0`);
    const at = this.alloc(bytes.length, 1);
    this.memory.write(at, bytes);
    return at;
  }
}

/** Whether `kernel` is a Multiboot 1 image. */
export function isMultiboot(kernel: Uint8Array): boolean {
  return findMultibootHeader(kernel) !== undefined;
}

/** Loads a Multiboot 1 kernel and its modules into guest memory. */
export function loadMultiboot(
  image: MultibootImage,
  memory: GuestMemory,
  map: readonly E820Entry[],
): MultibootLoad {
  const header = findMultibootHeader(image.kernel);
  if (header === undefined) throw new MultibootError("no Multiboot header in the first 8 KiB");
  const unknown = header.flags & 0xffff & ~KNOWN_REQUIRED;
  if (unknown !== 0)
    throw new MultibootError(`kernel requires unknown features 0x${unknown.toString(16)}`);
  if (header.flags & FLAG_VIDEO)
    throw new MultibootError("kernel requires a video mode, which tsvm does not offer");
  const { segments, entry } =
    header.flags & FLAG_AOUT_KLUDGE || !isElf(image.kernel)
      ? loadAout(image.kernel, header)
      : loadElf(image.kernel);

  let end = 0;
  for (const s of segments) {
    checkInRam(map, s.address, s.data.length + s.zero, "kernel segment");
    memory.write(s.address, s.data);
    if (s.zero > 0) memory.fill(s.address + s.data.length, s.zero, 0);
    end = Math.max(end, s.address + s.data.length + s.zero);
  }

  const info = new InfoArea(memory);
  const infoAddress = info.alloc(88);
  let flags = INFO_MEMORY | INFO_CMDLINE | INFO_MMAP | INFO_LOADER_NAME;
  const sizes = legacyMemorySizes(map);
  memory.writeU32(infoAddress + 4, Math.floor(sizes.lower / 1024));
  memory.writeU32(infoAddress + 8, Math.floor(sizes.upper / 1024));
  memory.writeU32(infoAddress + 16, info.string(image.cmdline));

  if (image.modules.length > 0) {
    flags |= INFO_MODS;
    const table = info.alloc(16 * image.modules.length);
    let at = Math.ceil(end / 4096) * 4096;
    image.modules.forEach((mod, i) => {
      checkInRam(map, at, mod.data.length, `module ${i}`);
      memory.write(at, mod.data);
      memory.writeU32(table + i * 16, at);
      memory.writeU32(table + i * 16 + 4, at + mod.data.length);
      memory.writeU32(table + i * 16 + 8, info.string(mod.cmdline));
      memory.writeU32(table + i * 16 + 12, 0);
      at = Math.ceil((at + mod.data.length) / 4096) * 4096;
    });
    memory.writeU32(infoAddress + 20, image.modules.length);
    memory.writeU32(infoAddress + 24, table);
    end = at;
  }

  // Memory map entries: u32 size (of the rest: 20), u64 base, u64 length, u32 type.
  const mmap = info.alloc(24 * map.length);
  map.forEach((e, i) => {
    const p = mmap + i * 24;
    memory.writeU32(p, 20);
    memory.writeU64(p + 4, BigInt(e.base));
    memory.writeU64(p + 12, BigInt(e.length));
    memory.writeU32(p + 20, e.type);
  });
  memory.writeU32(infoAddress + 44, 24 * map.length);
  memory.writeU32(infoAddress + 48, mmap);
  memory.writeU32(infoAddress + 64, info.string("tsvm"));
  memory.writeU32(infoAddress, flags);

  return {
    entry: flatProtectedMode({ eip: entry, gprs: { 0: BOOTLOADER_MAGIC, 3: infoAddress } }),
    entryPoint: entry,
    end,
    infoAddress,
  };
}

/**
 * The Linux x86 boot protocol, entered directly in 32-bit protected mode
 * with no BIOS (Documentation/arch/x86/boot.rst, "32-bit boot protocol").
 * We act as the boot loader: copy the setup header into a zero page
 * (struct boot_params), fill in what a loader owns (command line, initrd,
 * E820 map, loader type), load the protected-mode kernel at its preferred
 * address, and start at code32_start with ESI pointing at the zero page and
 * a GDT that has __BOOT_CS (0x10) and __BOOT_DS (0x18).
 */
import { Ctl, Msr, RegSet, Seg, type RegisterEntry } from "../../hv/registers.js";
import { encodeSegment } from "../../hv/x86/register-values.js";
import type { GuestMemory } from "../../hv/soft/memory/guest-memory.js";
import { E820_RAM, type E820Entry } from "./e820.js";
import { flatProtectedMode } from "./entry-state.js";

/** Setup header field offsets in the image and the zero page (boot.rst, "The real-mode kernel header"). */
const HDR = {
  setupSects: 0x1f1,
  bootFlag: 0x1fe,
  jump: 0x200,
  header: 0x202,
  version: 0x206,
  typeOfLoader: 0x210,
  loadflags: 0x211,
  code32Start: 0x214,
  ramdiskImage: 0x218,
  ramdiskSize: 0x21c,
  heapEndPtr: 0x224,
  cmdLinePtr: 0x228,
  initrdAddrMax: 0x22c,
  kernelAlignment: 0x230,
  relocatableKernel: 0x234,
  cmdlineSize: 0x238,
  prefAddress: 0x258,
  initSize: 0x260,
  xloadflags: 0x236,
} as const;
const XLF_KERNEL_64 = 1 << 0;
/** The 64-bit entry point's offset from the protected-mode kernel's load address. */
const ENTRY_64_OFFSET = 0x200;
/** boot_params fields outside the setup header. */
const BP = {
  acpiRsdpAddr: 0x070,
  extRamdiskImage: 0x0c0,
  e820Entries: 0x1e8,
  e820Table: 0x2d0,
} as const;
const E820_MAX = 128;
const LOADED_HIGH = 0x01;
const CAN_USE_HEAP = 0x80;
const MIN_PROTOCOL = 0x206;

/** Where the loader puts its own structures (all below the EBDA, above the IVT/BDA). */
export const LINUX_GDT_ADDRESS = 0x6000;
export const LINUX_ZERO_PAGE = 0x7000;
export const LINUX_CMDLINE = 0x20000;
/** Identity-mapping page tables for the 64-bit entry: PML4, PDPT, then 4 PDs (4 GiB of 2 MiB pages). */
export const LINUX_PAGE_TABLES = 0x10000;
const CMDLINE_LIMIT = 0x10000;

export class LinuxBootError extends Error {
  constructor(message: string) {
    super(`linux boot: ${message}`);
    this.name = "LinuxBootError";
  }
}

export interface LinuxImage {
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly cmdline: string;
  /** Physical address of the ACPI RSDP, if the machine built ACPI tables. */
  readonly acpiRsdp?: number;
  /**
   * Enter through the 64-bit boot protocol when the kernel has it (the vCPU
   * must implement long mode); otherwise the 32-bit entry is used.
   */
  readonly prefer64BitEntry?: boolean;
}

export interface LinuxLoad {
  readonly entry: RegisterEntry[];
  /** Which boot protocol entry was used. */
  readonly entryMode: 32 | 64;
  readonly protocol: number;
  readonly kernelAddress: number;
  readonly initrdAddress?: number;
}

export interface BzImageInfo {
  readonly protocol: number;
  readonly setupBytes: number;
  readonly relocatable: boolean;
  readonly prefAddress: number;
  readonly initSize: number;
  readonly initrdAddrMax: number;
  readonly cmdlineSize: number;
  readonly kernelAlignment: number;
  /** xloadflags bit 0 (XLF_KERNEL_64): the kernel has the 64-bit entry at load address + 0x200. */
  readonly has64BitEntry: boolean;
}

/** Reads and checks a bzImage's setup header. */
export function parseBzImage(kernel: Uint8Array): BzImageInfo {
  if (kernel.length < 0x264) throw new LinuxBootError("file too small to be a bzImage");
  const v = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  if (v.getUint16(HDR.bootFlag, true) !== 0xaa55 || v.getUint32(HDR.header, true) !== 0x53726448) {
    throw new LinuxBootError("not a Linux bzImage (no 'HdrS' setup header)");
  }
  const protocol = v.getUint16(HDR.version, true);
  if (protocol < MIN_PROTOCOL) {
    throw new LinuxBootError(
      `boot protocol ${protocol >> 8}.${(protocol & 0xff).toString().padStart(2, "0")} is older than 2.06`,
    );
  }
  if (!(kernel[HDR.loadflags] & LOADED_HIGH))
    throw new LinuxBootError("zImage (not loaded high) is not supported");
  const setupSects = kernel[HDR.setupSects] || 4;
  const setupBytes = (setupSects + 1) * 512;
  if (setupBytes >= kernel.length)
    throw new LinuxBootError("setup_sects points past the end of the file");
  return {
    protocol,
    setupBytes,
    relocatable: kernel[HDR.relocatableKernel] !== 0,
    prefAddress: protocol >= 0x20a ? Number(v.getBigUint64(HDR.prefAddress, true)) : 0x100000,
    initSize: protocol >= 0x20a ? v.getUint32(HDR.initSize, true) : 0,
    initrdAddrMax: v.getUint32(HDR.initrdAddrMax, true),
    cmdlineSize: v.getUint32(HDR.cmdlineSize, true),
    kernelAlignment: v.getUint32(HDR.kernelAlignment, true),
    has64BitEntry: protocol >= 0x20c && (v.getUint16(HDR.xloadflags, true) & XLF_KERNEL_64) !== 0,
  };
}

function ramEntryContaining(map: readonly E820Entry[], address: number, length: number): boolean {
  return map.some(
    (e) => e.type === E820_RAM && address >= e.base && address + length <= e.base + e.length,
  );
}

/** Highest page-aligned place for `size` bytes below `limit`, in RAM, above `floor`. */
function placeHigh(
  map: readonly E820Entry[],
  size: number,
  floor: number,
  limit: number,
): number | undefined {
  let best: number | undefined;
  for (const e of map) {
    if (e.type !== E820_RAM) continue;
    const top = Math.min(e.base + e.length, limit);
    const at = Math.floor((top - size) / 4096) * 4096;
    if (at >= Math.max(e.base, floor) && (best === undefined || at > best)) best = at;
  }
  return best;
}

/** Writes the boot GDT: null, null, __BOOT_CS flat code, __BOOT_DS flat data. */
function writeBootGdt(memory: GuestMemory): void {
  memory.writeU64(LINUX_GDT_ADDRESS, 0n);
  memory.writeU64(LINUX_GDT_ADDRESS + 8, 0n);
  memory.writeU64(LINUX_GDT_ADDRESS + 0x10, 0x00cf9b000000ffffn);
  memory.writeU64(LINUX_GDT_ADDRESS + 0x18, 0x00cf93000000ffffn);
}

export function loadLinux(
  image: LinuxImage,
  memory: GuestMemory,
  map: readonly E820Entry[],
): LinuxLoad {
  const info = parseBzImage(image.kernel);
  const { kernel } = image;
  const payload = kernel.subarray(info.setupBytes);
  const kernelAddress =
    info.relocatable || info.prefAddress === 0x100000 ? info.prefAddress : 0x100000;
  const kernelSpan = Math.max(payload.length, info.initSize);
  if (!ramEntryContaining(map, kernelAddress, kernelSpan)) {
    throw new LinuxBootError(
      `the kernel needs ${Math.ceil(kernelSpan / 1048576)} MiB at 0x${kernelAddress.toString(16)}: not enough RAM`,
    );
  }
  memory.write(kernelAddress, payload);

  // Zero page: zeroed, then the setup header copied from the image (boot.rst: "copy the
  // header ... from 0x01f1 to the end of the header, whose length is given by the jump at 0x200").
  memory.fill(LINUX_ZERO_PAGE, 4096, 0);
  const headerEnd = Math.min(0x202 + kernel[HDR.jump + 1], 0x280);
  memory.write(LINUX_ZERO_PAGE + HDR.setupSects, kernel.subarray(HDR.setupSects, headerEnd));
  const zp = (off: number) => LINUX_ZERO_PAGE + off;
  memory.writeU8(zp(HDR.typeOfLoader), 0xff); // "undefined" loader
  memory.writeU8(zp(HDR.loadflags), kernel[HDR.loadflags] | CAN_USE_HEAP);
  memory.writeU16(zp(HDR.heapEndPtr), 0xfe00 - 0x200);
  memory.writeU32(zp(HDR.code32Start), kernelAddress);

  const cmdBytes = new TextEncoder().encode(image.cmdline);
  const cmdMax = Math.min(info.cmdlineSize || 255, CMDLINE_LIMIT - 1);
  if (cmdBytes.length > cmdMax) {
    throw new LinuxBootError(
      `command line is ${cmdBytes.length} bytes; this kernel takes at most ${cmdMax}`,
    );
  }
  memory.write(LINUX_CMDLINE, cmdBytes);
  memory.writeU8(LINUX_CMDLINE + cmdBytes.length, 0);
  memory.writeU32(zp(HDR.cmdLinePtr), LINUX_CMDLINE);

  let initrdAddress: number | undefined;
  if (image.initrd !== undefined && image.initrd.length > 0) {
    const limit = Math.min(info.initrdAddrMax + 1, 0x100000000);
    const floor = kernelAddress + kernelSpan;
    initrdAddress = placeHigh(map, image.initrd.length, floor, limit);
    if (initrdAddress === undefined) {
      throw new LinuxBootError(
        `no room for the ${image.initrd.length}-byte initrd below 0x${limit.toString(16)}`,
      );
    }
    memory.write(initrdAddress, image.initrd);
    memory.writeU32(zp(HDR.ramdiskImage), initrdAddress);
    memory.writeU32(zp(HDR.ramdiskSize), image.initrd.length);
  }

  const entries = map.slice(0, E820_MAX);
  memory.writeU8(zp(BP.e820Entries), entries.length);
  entries.forEach((e, i) => {
    const p = zp(BP.e820Table + i * 20);
    memory.writeU64(p, BigInt(e.base));
    memory.writeU64(p + 8, BigInt(e.length));
    memory.writeU32(p + 16, e.type);
  });
  if (image.acpiRsdp !== undefined && info.protocol >= 0x20e) {
    memory.writeU64(zp(BP.acpiRsdpAddr), BigInt(image.acpiRsdp));
  }

  writeBootGdt(memory);
  if (image.prefer64BitEntry === true && info.has64BitEntry) {
    writeIdentityPageTables(memory);
    const entry = longModeEntry(kernelAddress + ENTRY_64_OFFSET, LINUX_ZERO_PAGE);
    return { entry, protocol: info.protocol, kernelAddress, initrdAddress, entryMode: 64 };
  }
  const entry = flatProtectedMode({ eip: kernelAddress, gprs: { 6: LINUX_ZERO_PAGE } });
  entry.push({
    id: { set: RegSet.SEGMENT, number: Seg.GDTR },
    value: encodeSegment({
      base: BigInt(LINUX_GDT_ADDRESS),
      limit: 0x1f,
      selector: 0,
      attributes: 0,
    }),
  });
  return { entry, protocol: info.protocol, kernelAddress, initrdAddress, entryMode: 32 };
}

/**
 * Page tables that identity-map the first 4 GiB with 2 MiB pages: the
 * 64-bit boot protocol asks for an identity mapping of the kernel's
 * init_size, the zero page and the command line (boot.rst, "64-bit Boot
 * Protocol"); mapping all of low memory covers them wherever they are.
 */
function writeIdentityPageTables(memory: GuestMemory): void {
  const pml4 = LINUX_PAGE_TABLES;
  const pdpt = pml4 + 0x1000;
  const pd = pdpt + 0x1000;
  const PRESENT_WRITE = 0x3n;
  const PAGE_2M = 0x80n;
  memory.fill(pml4, 0x6000, 0);
  memory.writeU64(pml4, BigInt(pdpt) | PRESENT_WRITE);
  for (let g = 0; g < 4; g++) {
    memory.writeU64(pdpt + g * 8, BigInt(pd + g * 0x1000) | PRESENT_WRITE);
    for (let i = 0; i < 512; i++) {
      const address = BigInt(g) * 0x40000000n + BigInt(i) * 0x200000n;
      memory.writeU64(pd + g * 0x1000 + i * 8, address | PAGE_2M | PRESENT_WRITE);
    }
  }
}

/**
 * 64-bit mode with paging (CR0.PG, CR4.PAE, EFER.LME/LMA), CS = __BOOT_CS
 * as a 64-bit code segment (L=1), DS/ES/SS = __BOOT_DS, RSI = zero page,
 * interrupts off: the 64-bit boot protocol's entry state.
 */
function longModeEntry(rip: number, zeroPage: number): RegisterEntry[] {
  const entry = flatProtectedMode({ eip: rip, gprs: { 6: zeroPage } });
  const code64 = encodeSegment({ base: 0n, limit: 0xffffffff, selector: 0x10, attributes: 0xa09b });
  const replace = (set: number, number: number, value: bigint | Uint8Array) => {
    const i = entry.findIndex((e) => e.id.set === set && e.id.number === number);
    const item = { id: { set: set as RegisterEntry["id"]["set"], number }, value };
    if (i >= 0) entry[i] = item;
    else entry.push(item);
  };
  replace(RegSet.SEGMENT, Seg.CS, code64);
  replace(RegSet.CONTROL, Ctl.CR3, BigInt(LINUX_PAGE_TABLES));
  replace(RegSet.CONTROL, Ctl.CR4, 0x20n); // PAE
  replace(RegSet.MSR, Msr.EFER, 0x500n); // LME | LMA
  replace(RegSet.CONTROL, Ctl.CR0, 0x80000011n); // PG | ET | PE
  return entry;
}

/**
 * The CMOS RAM bytes that tell firmware how much memory the PC has, laid
 * out as IBM AT BIOSes and SeaBIOS read them (the same bytes QEMU's pc
 * machine fills in):
 *
 *   0x15/0x16  base memory in KiB (640)
 *   0x17/0x18  memory above 1 MiB in KiB, at most 65535 (and again at 0x30/0x31)
 *   0x34/0x35  memory between 16 MiB and 4 GiB in 64 KiB units, at most 65535
 *   0x5b-0x5d  memory above 4 GiB in 64 KiB units (24 bits)
 *
 * All values are little-endian.
 */
import { DeviceOptionError } from "./errors.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const FOUR_GIB = 4096 * MiB;

/** RAM of the machine, split at the PCI hole as src/machine/pc/memory-layout.ts does. */
export interface RamSizes {
  /** Bytes of RAM below 4 GiB. */
  readonly below4g: number;
  /** Bytes of RAM above 4 GiB. */
  readonly above4g: number;
}

function checkSize(value: number, option: string, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new DeviceOptionError(
      "mc146818",
      option,
      `must be a byte count from 0 to ${max}, got ${String(value)}`,
    );
  }
}

/** Writes the memory size bytes for `ram` into `cmos` (128 bytes). */
export function writeMemorySizes(cmos: Uint8Array, ram: RamSizes): void {
  checkSize(ram.below4g, "ram.below4g", FOUR_GIB);
  checkSize(ram.above4g, "ram.above4g", (2 ** 24 - 1) * 64 * KiB);
  const put16 = (index: number, value: number): void => {
    cmos[index] = value & 0xff;
    cmos[index + 1] = (value >> 8) & 0xff;
  };
  put16(0x15, 640);
  const extendedKiB = Math.min(0xffff, Math.floor(Math.max(0, ram.below4g - MiB) / KiB));
  put16(0x17, extendedKiB);
  put16(0x30, extendedKiB);
  const above16m = Math.min(0xffff, Math.floor(Math.max(0, ram.below4g - 16 * MiB) / (64 * KiB)));
  put16(0x34, above16m);
  const above4g = Math.floor(ram.above4g / (64 * KiB));
  cmos[0x5b] = above4g & 0xff;
  cmos[0x5c] = (above4g >> 8) & 0xff;
  cmos[0x5d] = (above4g >> 16) & 0xff;
}

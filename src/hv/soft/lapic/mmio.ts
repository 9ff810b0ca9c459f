/**
 * The xAPIC register page (SDM vol. 3, 11.4.1): 4 KiB at the APIC base,
 * seen only by the APIC's own CPU, absent in x2APIC mode, when the APIC is
 * hardware-disabled or hidden (those accesses go to the board as usual).
 *
 * Each register is the first 4 bytes of a 16-byte slot. The SDM defines
 * only aligned 32-bit accesses; here narrower or wider reads return the
 * bytes they cover (the 12 padding bytes of a slot read as 0), and any write
 * that is not an aligned 4-byte write to a slot is dropped (so a hostile
 * guest cannot half-write a register). Reserved registers read as 0 and
 * report "illegal register address" in the ESR.
 */
import type { CpuIo } from "../cpu/bus.js";
import { Esr } from "./constants.js";
import type { Lapic } from "./lapic.js";
import { readRegister, writeRegister } from "./registers.js";

/** Size of the xAPIC register page. */
export const APIC_PAGE_SIZE = 0x1000;

/** The 32-bit register of the slot holding `offset` (0 for reserved ones, reporting the error). */
function registerAt(lapic: Lapic, offset: number): number {
  const value = readRegister(lapic, offset >>> 4);
  if (value !== undefined) return value >>> 0;
  lapic.raiseError(Esr.ILLEGAL_REGISTER);
  return 0;
}

/** Reads `size` bytes at `offset` (0-0xFFF) of the register page. */
export function readApicPage(lapic: Lapic, offset: number, size: 1 | 2 | 4 | 8): number | bigint {
  if (size === 8) {
    const low = BigInt(readApicPage(lapic, offset, 4));
    const high = BigInt(readApicPage(lapic, offset + 4, 4));
    return (high << 32n) | low;
  }
  let value = 0;
  let slot = -1;
  let register = 0;
  for (let i = size - 1; i >= 0; i--) {
    const at = (offset + i) & (APIC_PAGE_SIZE - 1);
    const within = at & 0xf;
    let byte = 0;
    if (within < 4) {
      if (at >>> 4 !== slot) {
        slot = at >>> 4;
        register = registerAt(lapic, at);
      }
      byte = (register >>> (within * 8)) & 0xff;
    }
    value = value * 256 + byte;
  }
  return value;
}

/** Writes `size` bytes at `offset` of the register page (see the file comment). */
export function writeApicPage(
  lapic: Lapic,
  offset: number,
  size: 1 | 2 | 4 | 8,
  value: number | bigint,
): void {
  if (size !== 4 || (offset & 0xf) !== 0) return;
  const v = typeof value === "bigint" ? Number(BigInt.asUintN(32, value)) : value >>> 0;
  if (!writeRegister(lapic, offset >>> 4, v)) lapic.raiseError(Esr.ILLEGAL_REGISTER);
}

/**
 * Wraps the CPU's port/MMIO access object so that accesses to the APIC page
 * of `lapic` reach the APIC and everything else passes through unchanged.
 * The page moves with IA32_APIC_BASE and vanishes with it (checked per access).
 */
export function withApicPage(io: CpuIo, lapic: Lapic): CpuIo {
  const inPage = (address: number): boolean => {
    const base = lapic.mmioBase;
    return base !== undefined && address >= base && address < base + APIC_PAGE_SIZE;
  };
  return {
    portRead: (port, size) => io.portRead(port, size),
    portWrite: (port, size, value) => io.portWrite(port, size, value),
    mmioRead: (address, size) =>
      inPage(address)
        ? readApicPage(lapic, address - (lapic.mmioBase ?? 0), size)
        : io.mmioRead(address, size),
    mmioWrite: (address, size, value) => {
      if (inPage(address)) writeApicPage(lapic, address - (lapic.mmioBase ?? 0), size, value);
      else io.mmioWrite(address, size, value);
    },
  };
}

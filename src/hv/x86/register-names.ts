/**
 * Names of x86 register sets and MSRs, for listings and error messages.
 * Numbers come from src/hv/registers.ts; MSR addresses from the Intel SDM,
 * vol. 4 ("Model-Specific Registers"), chapter 2.
 */
import { Msr, RegSet, type RegisterRef } from "../registers.js";

const SET_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(RegSet).map(([name, value]) => [value, name]),
);

/** The set's constant name (`"GPR"`, `"EVENTS"`), or `undefined` for a number that is no set. */
export function setName(set: number): string | undefined {
  return SET_NAMES.get(set);
}

/** Lower-case hexadecimal with a `0x` prefix, for messages. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** "set SEGMENT (0x2), number 12": how errors name a register that may not exist.
 * MSR and CPUID numbers are printed in hex, as the SDM writes them. */
export function describeRef(ref: RegisterRef): string {
  const name = setName(ref.set) ?? "unknown";
  const hexNumber = ref.set === RegSet.MSR || ref.set === RegSet.CPUID;
  const number = hexNumber && Number.isInteger(ref.number) ? hex(ref.number) : ref.number;
  return `set ${name} (${hex(ref.set)}), number ${number}`;
}

/** Names of the MSRs tsvm knows; other MSRs are named by address (`msr_0x8b`). */
const MSR_NAMES: ReadonlyMap<number, string> = buildMsrNames();

function buildMsrNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, address] of Object.entries(Msr)) names.set(address, name.toLowerCase());
  // Variable-range MTRRs come in PHYSBASEn/PHYSMASKn pairs (SDM vol. 3, 12.11.2.3).
  for (let n = 0; n < 8; n++) {
    names.set(Msr.MTRR_PHYSBASE0 + 2 * n, `mtrr_physbase${n}`);
    names.set(Msr.MTRR_PHYSBASE0 + 2 * n + 1, `mtrr_physmask${n}`);
  }
  // Fixed-range 4K MTRRs cover 0xC0000-0xFFFFF in 32 KiB steps (SDM vol. 3, 12.11.2.2).
  for (let n = 0; n < 8; n++) {
    const start = (0xc0000 + n * 0x8000).toString(16);
    names.set(Msr.MTRR_FIX4K_C0000 + n, `mtrr_fix4k_${start}`);
  }
  return names;
}

/** A stable name for an MSR address: its constant name in lower case, or `msr_0x…`. */
export function msrName(address: number): string {
  return MSR_NAMES.get(address) ?? `msr_${hex(address)}`;
}

/** `cpuid_0xd.1`: leaf and subleaf of a CPUID register. */
export function cpuidName(leaf: number, subleaf: number): string {
  return `cpuid_${hex(leaf)}.${subleaf}`;
}

/**
 * Reads what the demo guest (guests/demo/demo.asm) prints on COM1, so the
 * tests that boot it (under QEMU here, on tsvm elsewhere) check the same
 * facts the same way. The line formats are described in guests/demo/README.md.
 */
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { demoGuestPath } from "../../src/machine/demo/demo-guest.js";

/** One line of the timer table. */
export interface DemoTimer {
  /** "reference", "measured", or what the guest said instead ("not found", "no answer"…). */
  readonly status: string;
  /** The measured (or reference) frequency. */
  readonly mhz: number | undefined;
  /** The nominal frequency the guest compared with, when it knew one. */
  readonly nominalMhz: number | undefined;
  /** The deviation it printed, in percent. */
  readonly deviationPercent: number | undefined;
}

export interface DemoMemoryRange {
  readonly first: bigint;
  readonly last: bigint;
  readonly kind: string;
}

export interface DemoReport {
  readonly lines: readonly string[];
  readonly vendor: string | undefined;
  readonly paging: string | undefined;
  readonly memoryMap: readonly DemoMemoryRange[];
  readonly usableMiB: number | undefined;
  readonly acpiTables: readonly string[];
  readonly madtApicIds: readonly number[];
  readonly slpTypA: number | undefined;
  readonly timers: ReadonlyMap<string, DemoTimer>;
  /** "cpu N (APIC id X) is up" lines, as [N, X]. */
  readonly cpusUp: readonly (readonly [number, number])[];
  readonly cpusRunning: number | undefined;
  readonly powerOffAttempted: boolean;
  readonly powerOffFailed: boolean;
  /** "cpu N: exception …" lines: the guest hit an exception it did not expect. */
  readonly exceptions: readonly string[];
}

export const TIMER_NAMES = ["PIT", "TSC", "ACPI PM timer", "HPET", "local APIC timer", "RTC"];

const MEMORY_LINE = /^ {2}0x([0-9a-f]{16})-0x([0-9a-f]{16}) {2}(.+)$/;
const MEASURED = /^(\d+\.\d{3}) MHz +\((.*)\)$/;
const NOMINAL = /^nominal (\d+\.\d{6}) MHz, ([+-]\d+\.\d{3})%$/;

function parseTimer(rest: string): DemoTimer {
  const measured = MEASURED.exec(rest);
  if (measured === null) {
    return { status: rest, mhz: undefined, nominalMhz: undefined, deviationPercent: undefined };
  }
  const nominal = NOMINAL.exec(measured[2]);
  return {
    status: measured[2] === "the reference" ? "reference" : "measured",
    mhz: Number(measured[1]),
    nominalMhz: nominal === null ? undefined : Number(nominal[1]),
    deviationPercent: nominal === null ? undefined : Number(nominal[2]),
  };
}

function numberOf(match: RegExpExecArray | undefined): number | undefined {
  return match === undefined ? undefined : Number(match[1]);
}

function firstMatch(lines: readonly string[], pattern: RegExp): RegExpExecArray | undefined {
  for (const line of lines) {
    const match = pattern.exec(line);
    if (match !== null) return match;
  }
  return undefined;
}

/** Parses the guest's serial output (CR LF or LF line ends). */
export function parseDemoOutput(text: string): DemoReport {
  const lines = text.split(/\r?\n/);
  const memoryMap: DemoMemoryRange[] = [];
  const acpiTables: string[] = [];
  const timers = new Map<string, DemoTimer>();
  const cpusUp: [number, number][] = [];
  const exceptions: string[] = [];
  for (const line of lines) {
    const memory = MEMORY_LINE.exec(line);
    if (memory !== null) {
      memoryMap.push({
        first: BigInt(`0x${memory[1]}`),
        last: BigInt(`0x${memory[2]}`),
        kind: memory[3],
      });
    }
    const table = /^ {2}([A-Z0-9]{4}) at 0x[0-9a-f]{8}, \d+ bytes/.exec(line);
    if (table !== null) acpiTables.push(table[1]);
    const name = TIMER_NAMES.find((n) => line.startsWith(`  ${n}  `));
    if (name !== undefined) timers.set(name, parseTimer(line.slice(name.length + 2).trim()));
    const up = /^SMP: cpu (\d+) \(APIC id (\d+)\) is up$/.exec(line);
    if (up !== null) cpusUp.push([Number(up[1]), Number(up[2])]);
    if (/^cpu \d+: exception /.test(line)) exceptions.push(line);
  }
  const ids = firstMatch(lines, /^ACPI: MADT: .*APIC ids:((?: \d+)*)$/);
  return {
    lines,
    vendor: firstMatch(lines, /^CPU: vendor (\S+),/)?.[1],
    paging: firstMatch(lines, /^paging: on, identity-mapped with (.*)$/)?.[1],
    memoryMap,
    usableMiB: numberOf(firstMatch(lines, /^memory: (\d+) MiB usable RAM/)),
    acpiTables,
    madtApicIds: ids === undefined ? [] : ids[1].trim().split(" ").filter(Boolean).map(Number),
    slpTypA: numberOf(firstMatch(lines, /\\_S5: SLP_TYPa (\d+)$/)),
    timers,
    cpusUp,
    cpusRunning: numberOf(firstMatch(lines, /^SMP: (\d+) CPUs? running/)),
    powerOffAttempted: lines.some((l) => l.startsWith("power: ACPI S5, SLP_TYPa ")),
    powerOffFailed: lines.includes("power-off failed"),
    exceptions,
  };
}

/** The demo's files: the committed binary, its source folder and the build script. */
export function demoPaths(): { binary: string; sources: string; buildScript: string } {
  const binary = realpathSync(demoGuestPath());
  const sources = dirname(binary);
  return {
    binary,
    sources,
    buildScript: join(sources, "..", "..", "scripts", "build-demo-guest.sh"),
  };
}

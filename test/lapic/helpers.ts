/**
 * Test helpers: an APIC bus on a manual virtual clock, CPU links that record
 * what the APIC asks of the CPU, and register access through the xAPIC page.
 */
import { ManualTimeSource, VirtualClock } from "../../src/hw/clock.js";
import { ApicBus } from "../../src/hv/soft/lapic/apic-bus.js";
import type { ApicCpuLink } from "../../src/hv/soft/lapic/cpu-link.js";
import type { Lapic } from "../../src/hv/soft/lapic/lapic.js";
import type { LapicOptions } from "../../src/hv/soft/lapic/options.js";
import { readApicPage, writeApicPage } from "../../src/hv/soft/lapic/mmio.js";

/** An ApicCpuLink that records every call. */
export class RecordingLink implements ApicCpuLink {
  nmis = 0;
  smis = 0;
  wakes = 0;
  readonly inits: boolean[] = [];
  readonly sipis: number[] = [];
  /** What `init` answers: false = latched (the CPU is in SMM). */
  initTakes = true;

  nmi(): void {
    this.nmis++;
  }
  smi(): void {
    this.smis++;
  }
  init(bsp: boolean): boolean {
    this.inits.push(bsp);
    return this.initTakes;
  }
  sipi(vector: number): void {
    this.sipis.push(vector);
  }
  wake(): void {
    this.wakes++;
  }
}

export interface TestMachine {
  readonly time: ManualTimeSource;
  readonly clock: VirtualClock;
  readonly bus: ApicBus;
  readonly lapics: Lapic[];
  readonly links: RecordingLink[];
  /** Advances virtual time by `ns` and runs due timers. */
  advance(ns: number): void;
}

/** `count` vCPUs with APICs (IDs = indexes unless `options` says otherwise). */
export function machine(
  count: number,
  options: (index: number) => Partial<LapicOptions> = () => ({}),
): TestMachine {
  const time = new ManualTimeSource(1_000_000);
  const clock = new VirtualClock({ source: time });
  const bus = new ApicBus({ clock });
  const lapics: Lapic[] = [];
  const links: RecordingLink[] = [];
  for (let i = 0; i < count; i++) {
    const link = new RecordingLink();
    links.push(link);
    lapics.push(bus.attach(i, { link, ...options(i) }));
  }
  return {
    time,
    clock,
    bus,
    lapics,
    links,
    advance(ns: number) {
      time.advance(ns);
      clock.runDue();
    },
  };
}

/** Writes APIC register `index` (offset index * 16) through the xAPIC page. */
export function writeReg(lapic: Lapic, index: number, value: number): void {
  writeApicPage(lapic, index * 16, 4, value);
}

/** Reads APIC register `index` through the xAPIC page. */
export function readReg(lapic: Lapic, index: number): number {
  return Number(readApicPage(lapic, index * 16, 4));
}

/** Software-enables the APIC with spurious vector 0xFF. */
export function enable(lapic: Lapic): void {
  writeReg(lapic, 0x0f, 0x1ff);
}

/** What the CPU does at an interrupt window: take the pending vector, if any. */
export function take(lapic: Lapic): number {
  const vector = lapic.pendingVector();
  return vector < 0 ? -1 : lapic.acknowledge(vector);
}

/** The vectors in a 256-bit register (8 words read through the page at `firstIndex`). */
export function vectorsIn(lapic: Lapic, firstIndex: number): number[] {
  const out: number[] = [];
  for (let word = 0; word < 8; word++) {
    const bits = readReg(lapic, firstIndex + word);
    for (let bit = 0; bit < 32; bit++) if ((bits & (1 << bit)) !== 0) out.push(word * 32 + bit);
  }
  return out;
}

/**
 * Test rig for the legacy devices: a real port bus, a manual clock, and
 * IRQ lines that record what devices drive, plus a perfect run loop
 * (`runUntil`) that fires every timer exactly at its deadline.
 */
import { Bus } from "../../src/hw/bus/index.js";
import { ManualTimeSource, VirtualClock } from "../../src/hw/clock.js";
import type { IrqLine } from "../../src/hw/irq.js";

export interface Rig {
  readonly bus: Bus;
  readonly source: ManualTimeSource;
  readonly clock: VirtualClock;
  outb(port: number, value: number): void;
  inb(port: number): number;
  /** Advances virtual time to `ns`, firing each timer at its own deadline on the way. */
  runUntil(ns: number): void;
  /** `runUntil(now + ns)`. */
  advance(ns: number): void;
}

/** A rig whose virtual time starts at `startNs` and equals the manual source's time. */
export function rig(startNs = 0): Rig {
  const bus = new Bus({ name: "isa.port", space: "port" });
  const source = new ManualTimeSource(startNs);
  const clock = new VirtualClock({ source, start: startNs });
  const runUntil = (ns: number): void => {
    for (;;) {
      const next = clock.nextDeadline();
      if (next === undefined || next > ns) break;
      if (next > source.now()) source.set(next);
      clock.runDue();
    }
    if (ns > source.now()) source.set(ns);
    clock.runDue();
  };
  return {
    bus,
    source,
    clock,
    outb: (port, value) => bus.writeNumber(port, 1, value, 0),
    inb: (port) => bus.readNumber(port, 1, 0),
    runUntil,
    advance: (ns) => runUntil(source.now() + ns),
  };
}

/** An IRQ line that records every level driven and counts rising edges. */
export class RecordingLine implements IrqLine {
  level = false;
  rises = 0;
  readonly history: boolean[] = [];

  setLevel(level: boolean): void {
    if (level && !this.level) this.rises++;
    this.level = level;
    this.history.push(level);
  }

  pulse(): void {
    this.setLevel(true);
    this.setLevel(false);
  }
}

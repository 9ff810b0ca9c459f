/**
 * A test rig for the platform devices: the real bus hierarchy root, a
 * virtual clock on a manual time source, and interrupt lines that record
 * what a device drives on them.
 */
import { CpuBus } from "../../src/hw/bus/index.js";
import { ManualTimeSource, VirtualClock } from "../../src/hw/clock.js";
import type { IrqLine } from "../../src/hw/irq.js";

/** A line that remembers its level and counts rising edges and pulses. */
export class RecordingLine implements IrqLine {
  level = false;
  rises = 0;
  pulses = 0;

  setLevel(level: boolean): void {
    if (level && !this.level) this.rises++;
    this.level = level;
  }

  pulse(): void {
    this.pulses++;
    this.rises++;
    this.level = false;
  }
}

export interface Rig {
  readonly time: ManualTimeSource;
  readonly clock: VirtualClock;
  readonly bus: CpuBus;
  /** Moves virtual time forward by `ns` and fires the timers that became due. */
  advance(ns: number): void;
  /** Moves virtual time to `ns` and fires the timers that became due. */
  advanceTo(ns: number): void;
}

/** A fresh rig whose virtual time starts at `start` ns. */
export function makeRig(start = 0): Rig {
  const time = new ManualTimeSource(start);
  const clock = new VirtualClock({ source: time, start });
  const bus = new CpuBus();
  return {
    time,
    clock,
    bus,
    advance(ns) {
      time.advance(ns);
      clock.runDue();
    },
    advanceTo(ns) {
      time.set(ns);
      clock.runDue();
    },
  };
}

/** Port helpers on vCPU 0. */
export const io = {
  in8: (bus: CpuBus, port: number): number => bus.portRead(0, port, 1),
  in16: (bus: CpuBus, port: number): number => bus.portRead(0, port, 2),
  in32: (bus: CpuBus, port: number): number => bus.portRead(0, port, 4),
  out8: (bus: CpuBus, port: number, value: number): void => bus.portWrite(0, port, 1, value),
  out16: (bus: CpuBus, port: number, value: number): void => bus.portWrite(0, port, 2, value),
  out32: (bus: CpuBus, port: number, value: number): void => bus.portWrite(0, port, 4, value),
};

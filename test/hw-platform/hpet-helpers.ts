/** An HPET on the test rig, with recording lines on every capable pin and the legacy IRQs. */
import { HPET_BASE, Hpet, type HpetOptions } from "../../src/hw/hpet.js";
import { RecordingLine, makeRig, type Rig } from "./helpers.js";

export const GEN_CONF = 0x010;
export const GINTR_STA = 0x020;
export const MAIN_CNT = 0x0f0;
/** Timer n's configuration register. */
export const TIMER_CONF = (n: number): number => 0x100 + 0x20 * n;
/** Timer n's comparator. */
export const TIMER_CMP = (n: number): number => 0x108 + 0x20 * n;

export const ENABLE_CNF = 1;
export const LEG_RT_CNF = 2;
export const INT_LEVEL = 1 << 1;
export const INT_ENB = 1 << 2;
export const PERIODIC = 1 << 3;
export const VAL_SET = 1 << 6;
export const MODE_32 = 1 << 8;
/** INT_ROUTE_CNF bits for IOAPIC pin `pin`. */
export const route = (pin: number): number => pin << 9;

/** One tick of the 10 MHz counter. */
export const TICK_NS = 100;

export function setupHpet(options: Partial<HpetOptions> = {}, rig: Rig = makeRig()) {
  const pins: RecordingLine[] = [];
  const legacy0 = new RecordingLine();
  const legacy8 = new RecordingLine();
  const legacyChanges: boolean[] = [];
  const hpet = new Hpet({
    bus: rig.bus.mmio,
    clock: rig.clock,
    irqForPin: (pin) => (pins[pin] = new RecordingLine()),
    legacyIrq0: legacy0,
    legacyIrq8: legacy8,
    onLegacyReplacementChange: (enabled) => legacyChanges.push(enabled),
    ...options,
  });
  const mmio = {
    read64: (offset: number): bigint => rig.bus.mmio.read64(HPET_BASE + offset, 0),
    read32: (offset: number): number => rig.bus.mmio.readNumber(HPET_BASE + offset, 4, 0),
    read8: (offset: number): number => rig.bus.mmio.readNumber(HPET_BASE + offset, 1, 0),
    write64: (offset: number, value: bigint): void =>
      rig.bus.mmio.write64(HPET_BASE + offset, value, 0),
    write32: (offset: number, value: number): void =>
      rig.bus.mmio.writeNumber(HPET_BASE + offset, 4, value, 0),
    write8: (offset: number, value: number): void =>
      rig.bus.mmio.writeNumber(HPET_BASE + offset, 1, value, 0),
  };
  return { rig, hpet, pins, legacy0, legacy8, legacyChanges, mmio };
}

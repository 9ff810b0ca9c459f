/**
 * The state of the MC146818 RTC and CMOS RAM, its description (section
 * "mc146818"), and the register layout (Motorola MC146818A datasheet,
 * "Address Map" and registers A-D). mc146818.ts is the device.
 */
import { bool, bytes, describe, f64, u8 } from "../../migration/state/index.js";
import { RTC_CENTURY, type RtcFormat } from "./rtc-calendar.js";

export interface RtcState {
  /** CMOS RAM; also holds the alarm bytes and registers A and B at their indexes. */
  cmos: Uint8Array;
  /** Port 0x70 bits 0-6. */
  index: number;
  /** Port 0x70 bit 7: NMI disabled. */
  nmiMasked: boolean;
  /** Register C bits 6-4 (PF, AF, UF) raised since C was last read. */
  flags: number;
  /** Seconds shown at `phaseNs` (running), or the stopped time's seconds. */
  baseSeconds: number;
  /** Updates happen at `phaseNs` + k seconds, k >= 1. */
  phaseNs: number;
  /** Origin of the periodic interrupt's divider chain. */
  dividerOriginNs: number;
  /** Days the weekday register is ahead of the calendar. */
  weekdayAdjust: number;
  /** Flags are up to date until this virtual time. */
  lastEvalNs: number;
}

/** Section "mc146818". */
export const rtcStateDescription = describe<RtcState>({
  name: "mc146818",
  version: 1,
  fields: {
    cmos: bytes(128),
    index: u8({ max: 0x7f }),
    nmiMasked: bool(),
    flags: u8({ max: 0x70 }),
    baseSeconds: f64(),
    phaseNs: f64(),
    dividerOriginNs: f64(),
    weekdayAdjust: u8({ max: 6 }),
    lastEvalNs: f64(),
  },
});

// Register indexes (the time registers are in rtc-calendar.ts).
export const REG_A = 0x0a;
export const REG_B = 0x0b;
export const REG_C = 0x0c;
export const REG_D = 0x0d;
export const ALARM_SECONDS = 0x01;
export const ALARM_MINUTES = 0x03;
export const ALARM_HOURS = 0x05;
export const TIME_REGISTERS = new Set([0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, RTC_CENTURY]);

// Register B (SET, interrupt enables) and register C (flags) bits.
export const B_SET = 0x80;
export const B_PIE = 0x40;
export const B_AIE = 0x20;
export const B_UIE = 0x10;
export const B_SQWE = 0x08;
export const C_IRQF = 0x80;
export const C_PF = 0x40;
export const C_AF = 0x20;
export const C_UF = 0x10;

/** Latest date the calendar handles: 9999-12-31 23:59:59 plus slack for running on. */
export const MAX_SECONDS = 253_402_300_799 + 366 * 86_400;

const NS_PER_SECOND = 1_000_000_000;
/** UIP rises 244 µs (8 cycles of 32.768 kHz) before an update. */
const UIP_LEAD_NS = 244_141;

/** How the time registers are encoded now (register B DM and 24/12). */
export function rtcFormat(s: RtcState): RtcFormat {
  const b = s.cmos[REG_B];
  return { binary: (b & 0x04) !== 0, hours24: (b & 0x02) !== 0 };
}

/** The divider chain runs: DV2-DV1 of register A are not both set (11x holds it in reset). */
export function dividerRunning(s: RtcState): boolean {
  return (s.cmos[REG_A] & 0x60) !== 0x60;
}

/** The time advances: the divider runs and SET is clear. */
export function clockRunning(s: RtcState): boolean {
  return dividerRunning(s) && (s.cmos[REG_B] & B_SET) === 0;
}

/** The seconds the clock shows at virtual time `ns`. */
export function secondsAt(s: RtcState, ns: number): number {
  if (!clockRunning(s)) return s.baseSeconds;
  return s.baseSeconds + Math.floor((ns - s.phaseNs) / NS_PER_SECOND);
}

/** Periodic interrupt period in 32.768 kHz cycles (register A RS3-RS0), or 0 when off. */
export function periodCycles(s: RtcState): number {
  const rate = s.cmos[REG_A] & 0x0f;
  if (rate === 0) return 0;
  return rate <= 2 ? 1 << (rate + 6) : 1 << (rate - 1);
}

/** UIP: an update is due within 244 µs of `ns`. */
export function updateInProgress(s: RtcState, ns: number): boolean {
  if (!clockRunning(s)) return false;
  const intoSecond = (ns - s.phaseNs) % NS_PER_SECOND;
  const phase = intoSecond < 0 ? intoSecond + NS_PER_SECOND : intoSecond;
  return phase >= NS_PER_SECOND - UIP_LEAD_NS;
}

/** Register C: the flags, with IRQF set when a flag's interrupt is enabled in B. */
export function registerC(s: RtcState): number {
  const irqf = (s.flags & s.cmos[REG_B] & 0x70) !== 0;
  return s.flags | (irqf ? C_IRQF : 0);
}

/**
 * The PC's real-time clock and CMOS RAM ("mc146818"; Motorola MC146818A
 * datasheet) at ports 0x70 (index; bit 7 masks NMI) and 0x71 (data), on
 * ISA IRQ 8.
 *
 * Time starts from the host clock and then advances with the virtual clock,
 * so it stands still while the guest is paused. Nothing ticks: the time,
 * the update-ended, alarm and periodic flags and the UIP bit are computed
 * from virtual time when read, and a timer is armed only for the next event
 * that would raise IRQ 8 with its interrupt enabled.
 *
 * While the clock is stopped (register B SET, or the divider held in reset)
 * the time registers are plain bytes the guest may write one by one; when it
 * starts they are read back as a date (out-of-range fields carry over).
 * A second update happens once per second of virtual time, instantly; UIP
 * reads 1 in the 244 µs before it (datasheet, "Update Cycle").
 */
import type { SaveOptions, SectionInput } from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import { ticksAt, timeOfTick, type Timer, type VirtualClock } from "../clock.js";
import { NO_IRQ, type IrqLine } from "../irq.js";
import { writeMemorySizes, type RamSizes } from "./cmos-memory.js";
import { loadChecked, refuseField, requireTime } from "./device-state.js";
import { DeviceOptionError } from "./errors.js";
import {
  ALARM_HOURS,
  ALARM_MINUTES,
  ALARM_SECONDS,
  B_AIE,
  B_PIE,
  B_SET,
  B_SQWE,
  B_UIE,
  C_AF,
  C_IRQF,
  C_PF,
  C_UF,
  MAX_SECONDS,
  REG_A,
  REG_B,
  REG_C,
  REG_D,
  TIME_REGISTERS,
  clockRunning,
  dividerRunning,
  periodCycles,
  registerC,
  rtcFormat,
  rtcStateDescription,
  secondsAt,
  updateInProgress,
  type RtcState,
} from "./mc146818-state.js";
import {
  RTC_CENTURY,
  loadTimeRegisters,
  nextAlarmMatch,
  storeTimeRegisters,
} from "./rtc-calendar.js";

export type { RamSizes } from "./cmos-memory.js";
export { rtcStateDescription, type RtcState } from "./mc146818-state.js";

const NS_PER_SECOND = 1_000_000_000;
const TIME_BASE_HZ = 32_768;

export interface Mc146818Options {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  readonly clock: VirtualClock;
  /** ISA IRQ 8. */
  readonly irq?: IrqLine;
  /** RAM, for the CMOS memory size bytes. */
  readonly ram?: RamSizes;
  /** The time the RTC starts at; default the host's current time. */
  readonly startTime?: Date;
  /** Keep local time (as Windows guests expect) instead of UTC; default false. */
  readonly localTime?: boolean;
  /** Called when port 0x70 bit 7 (NMI mask) changes. */
  readonly onNmiMaskChange?: (masked: boolean) => void;
}

/** The MC146818 RTC and 128 bytes of CMOS RAM. */
export class Mc146818 {
  static readonly model = "mc146818";
  readonly state: RtcState;
  private readonly clock: VirtualClock;
  private readonly irq: IrqLine;
  private readonly timer: Timer;
  private readonly mapping: BusMapping;
  private readonly onNmiMaskChange: (masked: boolean) => void;
  private irqLevel = false;

  constructor(options: Mc146818Options) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("mc146818", "bus", "is required");
    }
    if (options.clock === undefined)
      throw new DeviceOptionError("mc146818", "clock", "is required");
    const start = options.startTime ?? new Date();
    if (!(start instanceof Date) || !Number.isFinite(start.getTime())) {
      throw new DeviceOptionError("mc146818", "startTime", "must be a valid Date");
    }
    this.clock = options.clock;
    this.irq = options.irq ?? NO_IRQ;
    this.onNmiMaskChange = options.onNmiMaskChange ?? (() => {});
    const now = this.clock.now();
    let ms = start.getTime();
    if (options.localTime === true) ms -= start.getTimezoneOffset() * 60_000;
    const cmos = new Uint8Array(128);
    cmos[REG_A] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    cmos[REG_B] = 0x02; // 24-hour, BCD
    if (options.ram !== undefined) writeMemorySizes(cmos, options.ram);
    const seconds = Math.floor(ms / 1000);
    if (seconds < 0 || seconds > MAX_SECONDS) {
      throw new DeviceOptionError("mc146818", "startTime", "must be between 1970 and 9999");
    }
    this.state = {
      cmos,
      index: 0,
      nmiMasked: false,
      flags: 0,
      baseSeconds: seconds,
      // The seconds roll over when the host's do.
      phaseNs: now - (ms - seconds * 1000) * 1_000_000,
      dividerOriginNs: now,
      weekdayAdjust: 0,
      lastEvalNs: now,
    };
    this.timer = this.clock.createTimer(() => this.update(), "mc146818");
    this.mapping = options.bus.register({
      name: "mc146818",
      start: 0x70,
      length: 2,
      widths: [1],
      read: (offset) => (offset === 0 ? 0xff : this.readRegister(this.state.index)),
      write: (offset, _size, value) => {
        if (offset === 0) this.writeIndex(Number(value));
        else this.writeRegister(this.state.index, Number(value));
      },
    });
  }

  /** Port 0x70 bit 7: NMIs are masked. */
  get nmiMasked(): boolean {
    return this.state.nmiMasked;
  }

  /** Sets a CMOS RAM byte (for the machine: boot order, equipment bytes). */
  setCmosByte(index: number, value: number): void {
    if (!Number.isInteger(index) || index < 0x0e || index > 0x7f || index === RTC_CENTURY) {
      throw new DeviceOptionError(
        "mc146818",
        "index",
        `${index} is not a CMOS RAM byte (0x0e-0x7f)`,
      );
    }
    this.state.cmos[index] = value & 0xff;
  }

  /** A CMOS byte or register as the guest would read it (reading C does not clear it here). */
  peek(index: number): number {
    if (index === REG_C) {
      this.evaluate();
      return registerC(this.state);
    }
    return this.readRegister(index & 0x7f);
  }

  /** The current time as seconds since 1970 on the guest's clock. */
  get seconds(): number {
    return secondsAt(this.state, this.clock.now());
  }

  /**
   * Machine reset (the RESET pin): periodic, alarm, update-ended and square
   * wave enables and all flags clear. The time and CMOS RAM, on the battery, stay.
   */
  reset(): void {
    this.evaluate();
    this.state.cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
    this.state.flags = 0;
    this.updateIrq();
  }

  /** Saves section "mc146818". */
  saveState(options?: SaveOptions): Uint8Array {
    this.evaluate();
    return rtcStateDescription.save(this.state, options);
  }

  /** Loads section "mc146818" (a refused section changes nothing). */
  loadState(section: SectionInput): void {
    loadChecked(rtcStateDescription, section, this.state, (s) => {
      requireTime(rtcStateDescription, "phaseNs", s.phaseNs, true);
      requireTime(rtcStateDescription, "dividerOriginNs", s.dividerOriginNs, true);
      requireTime(rtcStateDescription, "lastEvalNs", s.lastEvalNs, true);
      requireTime(rtcStateDescription, "baseSeconds", s.baseSeconds);
      if (s.baseSeconds > MAX_SECONDS) {
        refuseField(rtcStateDescription, "baseSeconds", `${s.baseSeconds} is after the year 9999`);
      }
    });
    this.updateIrq(true);
  }

  /** Unregisters the ports and stops the timer. */
  detach(): void {
    this.timer.cancel();
    this.mapping.remove();
  }

  private writeIndex(value: number): void {
    this.state.index = value & 0x7f;
    const masked = (value & 0x80) !== 0;
    if (masked !== this.state.nmiMasked) {
      this.state.nmiMasked = masked;
      this.onNmiMaskChange(masked);
    }
  }

  private readRegister(index: number): number {
    const s = this.state;
    if (TIME_REGISTERS.has(index)) {
      if (clockRunning(s)) storeTimeRegisters(s.cmos, this.seconds, rtcFormat(s), s.weekdayAdjust);
      return s.cmos[index];
    }
    switch (index) {
      case REG_A:
        return s.cmos[REG_A] | (updateInProgress(s, this.clock.now()) ? 0x80 : 0);
      case REG_C: {
        this.evaluate();
        const value = registerC(s);
        s.flags = 0;
        this.updateIrq();
        return value;
      }
      case REG_D:
        return 0x80; // VRT: the battery is good
      default:
        return s.cmos[index];
    }
  }

  private writeRegister(index: number, value: number): void {
    const s = this.state;
    this.evaluate();
    if (TIME_REGISTERS.has(index)) {
      if (clockRunning(s)) {
        // Changing one field while running: the others keep counting from now.
        const now = this.clock.now();
        storeTimeRegisters(s.cmos, secondsAt(s, now), rtcFormat(s), s.weekdayAdjust);
        s.cmos[index] = value;
        this.startFromRegisters(
          s.phaseNs + Math.floor((now - s.phaseNs) / NS_PER_SECOND) * NS_PER_SECOND,
        );
      } else {
        s.cmos[index] = value;
      }
    } else if (index === REG_A) {
      this.writeRegisterA(value);
    } else if (index === REG_B) {
      this.writeRegisterB(value);
    } else if (index !== REG_C && index !== REG_D) {
      s.cmos[index] = value;
    }
    this.updateIrq();
  }

  private writeRegisterA(value: number): void {
    const s = this.state;
    const dividerWasRunning = dividerRunning(s);
    const holds = (value & 0x60) === 0x60;
    if (clockRunning(s) && holds) this.stop();
    s.cmos[REG_A] = value & 0x7f;
    if (!dividerWasRunning && !holds) {
      // Out of divider reset, the first update comes half a second later (datasheet, register A).
      const now = this.clock.now();
      s.dividerOriginNs = now;
      if (clockRunning(s)) this.startFromRegisters(now - NS_PER_SECOND / 2);
    }
  }

  private writeRegisterB(value: number): void {
    const s = this.state;
    const wasRunning = clockRunning(s);
    // SET going high also clears UIE (datasheet, register B).
    const setting = (value & B_SET) !== 0;
    const newValue = setting ? value & ~B_UIE : value;
    if (wasRunning && setting) this.stop();
    s.cmos[REG_B] = newValue;
    if (!wasRunning && clockRunning(s)) this.startFromRegisters(this.clock.now());
  }

  /** Stops the time: the registers become plain bytes holding the current time. */
  private stop(): void {
    const s = this.state;
    const seconds = secondsAt(s, this.clock.now());
    storeTimeRegisters(s.cmos, seconds, rtcFormat(s), s.weekdayAdjust);
    s.baseSeconds = seconds;
  }

  /** Starts the time from the registers' bytes, the next update one second after `phaseNs`. */
  private startFromRegisters(phaseNs: number): void {
    const s = this.state;
    const { seconds, weekdayAdjust } = loadTimeRegisters(s.cmos, rtcFormat(s));
    s.baseSeconds = Number.isFinite(seconds) ? Math.min(MAX_SECONDS, Math.max(0, seconds)) : 0;
    s.weekdayAdjust = weekdayAdjust;
    s.phaseNs = phaseNs;
  }

  /** Raises the flags of every event between the last evaluation and now. */
  private evaluate(): void {
    const s = this.state;
    const now = this.clock.now();
    const from = s.lastEvalNs;
    if (now <= from) return;
    s.lastEvalNs = now;
    if (clockRunning(s)) {
      const before = secondsAt(s, from);
      const after = secondsAt(s, now);
      if (after > before) {
        s.flags |= C_UF;
        if (this.nextAlarm(before + 1) <= after) s.flags |= C_AF;
      }
    }
    const period = periodCycles(s);
    if (period !== 0 && dividerRunning(s)) {
      const a = ticksAt(Math.max(0, from - s.dividerOriginNs), TIME_BASE_HZ);
      const b = ticksAt(Math.max(0, now - s.dividerOriginNs), TIME_BASE_HZ);
      if (Math.floor(b / period) > Math.floor(a / period)) s.flags |= C_PF;
    }
  }

  private nextAlarm(fromSeconds: number): number {
    const cmos = this.state.cmos;
    return nextAlarmMatch(
      fromSeconds,
      { seconds: cmos[ALARM_SECONDS], minutes: cmos[ALARM_MINUTES], hours: cmos[ALARM_HOURS] },
      rtcFormat(this.state),
    );
  }

  /** The timer: an enabled event is due. */
  private update(): void {
    this.evaluate();
    this.updateIrq();
  }

  /** Drives IRQ 8 from IRQF and arms the timer for the next enabled event while it is low. */
  private updateIrq(force = false): void {
    const s = this.state;
    const level = (registerC(s) & C_IRQF) !== 0;
    if (level !== this.irqLevel || force) {
      this.irqLevel = level;
      this.irq.setLevel(level);
    }
    const next = level ? Infinity : this.nextEventNs();
    if (next === Infinity) this.timer.cancel();
    else this.timer.arm(Math.max(next, s.lastEvalNs));
  }

  /** When the next event with its interrupt enabled happens (Infinity: none). */
  private nextEventNs(): number {
    const s = this.state;
    const b = s.cmos[REG_B];
    const now = this.clock.now();
    let next = Infinity;
    const period = periodCycles(s);
    if ((b & B_PIE) !== 0 && period !== 0 && dividerRunning(s)) {
      const cycles = ticksAt(Math.max(0, now - s.dividerOriginNs), TIME_BASE_HZ);
      const tick = (Math.floor(cycles / period) + 1) * period;
      next = s.dividerOriginNs + timeOfTick(tick, TIME_BASE_HZ);
    }
    if (clockRunning(s) && (b & (B_UIE | B_AIE)) !== 0) {
      const elapsed = Math.floor((now - s.phaseNs) / NS_PER_SECOND);
      if ((b & B_UIE) !== 0) next = Math.min(next, s.phaseNs + (elapsed + 1) * NS_PER_SECOND);
      if ((b & B_AIE) !== 0) {
        const match = this.nextAlarm(s.baseSeconds + elapsed + 1);
        if (match !== Infinity) {
          next = Math.min(next, s.phaseNs + (match - s.baseSeconds) * NS_PER_SECOND);
        }
      }
    }
    return next;
  }
}

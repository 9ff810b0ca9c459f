/**
 * The ACPI fixed hardware of a tsvm PC ("acpi-pm"; ACPI 6.5, chapter 4.8):
 * the PM1a event and control blocks, the PM timer and the GPE0 block, at the
 * ports the FADT declares (src/machine/acpi/pc-tables.ts), with the SCI on
 * an IrqLine (ISA IRQ 9, level, active high).
 *
 *   PM1a_EVT  +0 PM1_STS (16-bit, write 1 to clear)   +2 PM1_EN (16-bit)
 *   PM1a_CNT  +0 PM1_CNT (16-bit)
 *   PM_TMR    +0 the 24-bit PM timer (FADT TMR_VAL_EXT is clear), read-only
 *   GPE0      +0 GPE0_STS (16 bits, write 1 to clear)  +2 GPE0_EN (16 bits)
 *
 * Every register takes 1, 2 and 4-byte accesses; a narrow write changes only
 * the bytes it covers (ACPI 4.8.3: the OS may access the halves separately).
 *
 * The PM timer is never ticked: it is computed from the virtual clock at
 * 3.579545 MHz. TMR_STS (set whenever the timer's bit 23 changes, 4.8.3.3)
 * is also evaluated from time, when the guest looks; a clock timer is armed
 * only while TMR_EN is set and TMR_STS is clear, i.e. only when the next
 * toggle would raise the SCI.
 *
 * SCI_EN always reads 1: the FADT's SMI_CMD is 0, so the platform is always
 * in ACPI mode (5.2.9). The SCI is the OR of the enabled PM1 and GPE0 status
 * bits.
 *
 * Sleep (4.8.3.2.1): writing SLP_EN with SLP_TYP equal to the \_S5 value the
 * DSDT declares requests power-off through `onPowerOff`. The DSDT declares no
 * other sleep state, so an OS following ACPI never asks for one; a request
 * with another SLP_TYP is ignored (the guest keeps running, WAK_STS is not
 * set) and counted in `ignoredSleepRequests`.
 */
import {
  describe,
  f64,
  u16,
  type SaveOptions,
  type SectionInput,
} from "../migration/state/index.js";
import type { Bus, BusMapping } from "./bus/index.js";
import { ticksAt, timeOfTick, type Timer, type VirtualClock } from "./clock.js";
import { NO_IRQ, type IrqLine } from "./irq.js";
import { loadChecked, requireTime } from "./legacy/device-state.js";
import { DeviceOptionError, checkInteger, checkPortRange } from "./legacy/errors.js";

/** The PM timer's frequency (ACPI 6.5, 4.8.3.3). */
export const PM_TIMER_HZ = 3_579_545;
/** The timer is 24 bits wide. */
const PM_TIMER_MODULUS = 0x100_0000;
/** Bit 23 changes every 2^23 ticks. */
const TMR_TOGGLE_TICKS = 0x80_0000;

// PM1 status and enable bits (ACPI 6.5, 4.8.3.1.1, tables 4.16 and 4.17).
const TMR = 1 << 0;
const GBL = 1 << 5;
const PWRBTN = 1 << 8;
const RTC = 1 << 10;
const WAK = 1 << 15;
/** Status bits this hardware can set (the others have no source and stay 0). */
const PM1_STATUS_BITS = TMR | PWRBTN | WAK;
/** Enable bits kept as written; only TMR_EN and PWRBTN_EN have a source. */
const PM1_ENABLE_BITS = TMR | GBL | PWRBTN | RTC;

// PM1 control bits (4.8.3.2.1, table 4.18).
const SCI_EN = 1 << 0;
const BM_RLD = 1 << 1;
const SLP_TYP_SHIFT = 10;
const SLP_TYP_MASK = 7 << SLP_TYP_SHIFT;
const SLP_EN = 1 << 13;
/** Control bits kept as written; GBL_RLS and SLP_EN are write-only. */
const PM1_CONTROL_BITS = BM_RLD | SLP_TYP_MASK;

/** The I/O ports of the four blocks. */
export interface AcpiPmPorts {
  /** PM1a event block, 4 bytes. */
  readonly pm1aEvt: number;
  /** PM1a control block, 2 bytes. */
  readonly pm1aCnt: number;
  /** PM timer, 4 bytes. */
  readonly pmTmr: number;
  /** GPE0 block, 4 bytes (2 status, 2 enable). */
  readonly gpe0: number;
}

/** The ports pc-2026.12 declares in its FADT. */
export const ACPI_PM_DEFAULT_PORTS: AcpiPmPorts = Object.freeze({
  pm1aEvt: 0x600,
  pm1aCnt: 0x604,
  pmTmr: 0x608,
  gpe0: 0x620,
});

/** Length in bytes of the GPE0 block (status then enable halves). */
export const GPE0_BLOCK_LENGTH = 4;
/** Number of general-purpose events (bits of GPE0_STS). */
export const GPE0_COUNT = 16;

/** The device's whole migratable state. */
export interface AcpiPmState {
  pm1Status: number;
  pm1Enable: number;
  /** BM_RLD and SLP_TYP as last written. */
  pm1Control: number;
  gpe0Status: number;
  gpe0Enable: number;
  /** The PM timer tick (counted from virtual time 0) up to which TMR_STS is current. */
  timerCheckedTick: number;
}

/** Section "acpi-pm". */
export const acpiPmStateDescription = describe<AcpiPmState>({
  name: "acpi-pm",
  version: 1,
  fields: {
    pm1Status: u16(),
    pm1Enable: u16(),
    pm1Control: u16(),
    gpe0Status: u16(),
    gpe0Enable: u16(),
    timerCheckedTick: f64(),
  },
});

export interface AcpiPmOptions {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  readonly clock: VirtualClock;
  /** The SCI (ISA IRQ 9 on a PC, level-triggered, active high). */
  readonly sci?: IrqLine;
  /** SLP_TYP of \_S5 as the DSDT declares it (0-7); default 5. */
  readonly s5SleepType?: number;
  /** Where the blocks are; default ACPI_PM_DEFAULT_PORTS. */
  readonly ports?: AcpiPmPorts;
  /** Called when the guest enters S5 (soft off). */
  readonly onPowerOff?: () => void;
}

/** Byte-lane mask of an access of `size` bytes at byte `offset` of a 32-bit register image. */
function laneMask(offset: number, size: number): number {
  return ((2 ** (size * 8) - 1) * 2 ** (offset * 8)) >>> 0;
}

/** The ACPI PM1, PM timer and GPE0 registers. */
export class AcpiPm {
  static readonly model = "acpi-pm";
  readonly state: AcpiPmState;
  readonly ports: AcpiPmPorts;
  readonly s5SleepType: number;
  private readonly clock: VirtualClock;
  private readonly sci: IrqLine;
  private readonly onPowerOff: () => void;
  private readonly timer: Timer;
  private readonly mappings: BusMapping[] = [];
  private sciLevel = false;
  private ignoredSleeps = 0;

  constructor(options: AcpiPmOptions) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("acpi-pm", "bus", "is required");
    }
    if (options.clock === undefined) throw new DeviceOptionError("acpi-pm", "clock", "is required");
    const s5 = options.s5SleepType ?? 5;
    checkInteger("acpi-pm", "s5SleepType", s5, 0, 7);
    const ports = options.ports ?? ACPI_PM_DEFAULT_PORTS;
    checkPortRange("acpi-pm", "ports.pm1aEvt", ports.pm1aEvt, 4);
    checkPortRange("acpi-pm", "ports.pm1aCnt", ports.pm1aCnt, 2);
    checkPortRange("acpi-pm", "ports.pmTmr", ports.pmTmr, 4);
    checkPortRange("acpi-pm", "ports.gpe0", ports.gpe0, GPE0_BLOCK_LENGTH);
    this.ports = Object.freeze({ ...ports });
    this.s5SleepType = s5;
    this.clock = options.clock;
    this.sci = options.sci ?? NO_IRQ;
    this.onPowerOff = options.onPowerOff ?? (() => {});
    this.timer = this.clock.createTimer(() => this.update(), "acpi-pm timer");
    this.state = AcpiPm.initialState(this.tickNow());
    const region = (
      name: string,
      start: number,
      length: number,
      read: (offset: number, size: number) => number,
      write?: (offset: number, size: number, value: number) => void,
    ): void => {
      this.mappings.push(
        options.bus.register({
          name,
          start,
          length,
          widths: [1, 2, 4],
          read: (offset, size) => read(offset, size),
          write: write && ((offset, size, value) => write(offset, size, Number(value))),
        }),
      );
    };
    try {
      region(
        "acpi-pm1a-evt",
        ports.pm1aEvt,
        4,
        (o, s) => this.readEvent(o, s),
        (o, s, v) => this.writeEvent(o, s, v),
      );
      region(
        "acpi-pm1a-cnt",
        ports.pm1aCnt,
        2,
        (o, s) => this.readControl(o, s),
        (o, s, v) => this.writeControl(o, s, v),
      );
      region("acpi-pm-tmr", ports.pmTmr, 4, (o, s) => this.readTimer(o, s));
      region(
        "acpi-gpe0",
        ports.gpe0,
        GPE0_BLOCK_LENGTH,
        (o, s) => this.readGpe(o, s),
        (o, s, v) => this.writeGpe(o, s, v),
      );
    } catch (error) {
      this.detach();
      throw error;
    }
  }

  private static initialState(tick: number): AcpiPmState {
    return {
      pm1Status: 0,
      pm1Enable: 0,
      pm1Control: 0,
      gpe0Status: 0,
      gpe0Enable: 0,
      timerCheckedTick: tick,
    };
  }

  /** The PM timer's current 24-bit value. */
  get timerValue(): number {
    return this.tickNow() % PM_TIMER_MODULUS;
  }

  /** Whether the SCI is asserted. */
  get sciAsserted(): boolean {
    return this.sciLevel;
  }

  /** Sleep requests with a SLP_TYP other than \_S5's, ignored since power-on. */
  get ignoredSleepRequests(): number {
    return this.ignoredSleeps;
  }

  /** The power button was pressed (the monitor's system_powerdown): PWRBTN_STS, SCI if enabled. */
  pressPowerButton(): void {
    this.raiseStatus(PWRBTN);
  }

  /**
   * A general-purpose event fired: sets GPE0_STS bit `bit` (0-15) and raises
   * the SCI if that event is enabled. For future sources (hotplug).
   */
  raiseGpe(bit: number): void {
    checkInteger("acpi-pm", "gpe bit", bit, 0, GPE0_COUNT - 1);
    this.state.gpe0Status |= 1 << bit;
    this.update();
  }

  /** Machine reset: every status, enable and control bit clears; the PM timer runs on. */
  reset(): void {
    Object.assign(this.state, AcpiPm.initialState(this.tickNow()));
    this.update(true);
  }

  /** Saves section "acpi-pm". */
  saveState(options?: SaveOptions): Uint8Array {
    this.update();
    return acpiPmStateDescription.save(this.state, options);
  }

  /** Loads section "acpi-pm" (a refused section changes nothing), re-driving the SCI. */
  loadState(section: SectionInput): void {
    loadChecked(acpiPmStateDescription, section, this.state, (s) => {
      requireTime(acpiPmStateDescription, "timerCheckedTick", s.timerCheckedTick);
    });
    this.state.pm1Status &= PM1_STATUS_BITS;
    this.state.pm1Enable &= PM1_ENABLE_BITS;
    this.state.pm1Control &= PM1_CONTROL_BITS;
    this.update(true);
  }

  /** Unregisters the ports and stops the timer. */
  detach(): void {
    this.timer.cancel();
    for (const mapping of this.mappings) mapping.remove();
  }

  private tickNow(): number {
    return ticksAt(this.clock.now(), PM_TIMER_HZ);
  }

  private raiseStatus(bits: number): void {
    this.state.pm1Status |= bits;
    this.update();
  }

  /**
   * Brings TMR_STS up to date (it is set if bit 23 changed since the last
   * check), drives the SCI, and arms the clock timer for the next toggle
   * only if that toggle would raise the SCI.
   */
  private update(forceSci = false): void {
    const s = this.state;
    const now = this.tickNow();
    if (Math.floor(now / TMR_TOGGLE_TICKS) > Math.floor(s.timerCheckedTick / TMR_TOGGLE_TICKS)) {
      s.pm1Status |= TMR;
    }
    s.timerCheckedTick = Math.max(now, s.timerCheckedTick);
    const level = (s.pm1Status & s.pm1Enable) !== 0 || (s.gpe0Status & s.gpe0Enable) !== 0;
    if (level !== this.sciLevel || forceSci) {
      this.sciLevel = level;
      this.sci.setLevel(level);
    }
    if ((s.pm1Enable & TMR) !== 0 && (s.pm1Status & TMR) === 0) {
      const next = (Math.floor(s.timerCheckedTick / TMR_TOGGLE_TICKS) + 1) * TMR_TOGGLE_TICKS;
      this.timer.arm(timeOfTick(next, PM_TIMER_HZ));
    } else {
      this.timer.cancel();
    }
  }

  private readEvent(offset: number, size: number): number {
    this.update();
    const image = ((this.state.pm1Enable << 16) | this.state.pm1Status) >>> 0;
    return (image & laneMask(offset, size)) >>> (offset * 8);
  }

  private writeEvent(offset: number, size: number, value: number): void {
    this.update();
    const mask = laneMask(offset, size);
    const bits = ((value * 2 ** (offset * 8)) & mask) >>> 0;
    this.state.pm1Status &= ~(bits & 0xffff);
    const enableMask = mask >>> 16;
    const enable = bits >>> 16;
    this.state.pm1Enable =
      ((this.state.pm1Enable & ~enableMask) | (enable & enableMask)) & PM1_ENABLE_BITS;
    this.update();
  }

  private readControl(offset: number, size: number): number {
    const image = this.state.pm1Control | SCI_EN;
    return (image & laneMask(offset, size)) >>> (offset * 8);
  }

  private writeControl(offset: number, size: number, value: number): void {
    const mask = laneMask(offset, size);
    const bits = ((value * 2 ** (offset * 8)) & mask) >>> 0;
    const s = this.state;
    s.pm1Control = ((s.pm1Control & ~mask) | bits) & PM1_CONTROL_BITS;
    if ((bits & SLP_EN) === 0) return;
    const sleepType = (s.pm1Control & SLP_TYP_MASK) >> SLP_TYP_SHIFT;
    if (sleepType === this.s5SleepType) this.onPowerOff();
    else this.ignoredSleeps++;
  }

  private readTimer(offset: number, size: number): number {
    return (this.timerValue & laneMask(offset, size)) >>> (offset * 8);
  }

  private readGpe(offset: number, size: number): number {
    const image = ((this.state.gpe0Enable << 16) | this.state.gpe0Status) >>> 0;
    return (image & laneMask(offset, size)) >>> (offset * 8);
  }

  private writeGpe(offset: number, size: number, value: number): void {
    const mask = laneMask(offset, size);
    const bits = ((value * 2 ** (offset * 8)) & mask) >>> 0;
    this.state.gpe0Status &= ~(bits & 0xffff);
    const enableMask = mask >>> 16;
    this.state.gpe0Enable = (this.state.gpe0Enable & ~enableMask) | ((bits >>> 16) & enableMask);
    this.update();
  }
}

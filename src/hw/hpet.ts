/**
 * The High Precision Event Timer ("hpet"; IA-PC HPET specification 1.0a):
 * a 64-bit main counter at 10 MHz and three comparators, in 1 KiB of MMIO at
 * 0xFED00000, matching the ACPI HPET table (pc-tables.ts).
 *
 *   0x000 GCAP_ID   rev 1, NUM_TIM_CAP 2, COUNT_SIZE_CAP, LEG_RT_CAP, vendor
 *                   0x8086, COUNTER_CLK_PERIOD 100 000 000 fs (as QEMU)
 *   0x010 GEN_CONF  ENABLE_CNF (bit 0), LEG_RT_CNF (bit 1)
 *   0x020 GINTR_STA one bit per timer, level-triggered timers only; write 1 to clear
 *   0x0F0 MAIN_CNT  writes are ignored while ENABLE_CNF is set (spec 2.3.4)
 *   0x100 + 0x20 n  timer n: configuration/capabilities, +8 comparator,
 *                   +0x10 FSB route (FSB delivery is not offered: reads 0)
 *
 * Registers take 32-bit and 64-bit accesses, the 32-bit ones to either half
 * of a 64-bit register. Narrower reads see the bytes they cover; narrower or
 * unaligned writes are ignored (the spec allows only 32/64-bit accesses, and
 * widening them into read-modify-writes would clear GINTR_STA bits).
 *
 * Timers: only timer 0 can be periodic (PER_INT_CAP); all are 64-bit
 * (SIZE_CAP) and can run in 32-bit mode. Interrupts go to IOAPIC pins
 * 20-23 by default (INT_ROUTE_CAP; an INT_ROUTE outside it is not taken, so
 * the register reads back its old value, spec 2.3.8); with LEG_RT_CNF,
 * timer 0 drives IRQ0 and timer 1 IRQ8 instead (spec 2.3.9.2.2), and the
 * machine closes the PIT's and RTC's own lines (see LegacyIrqGate).
 *
 * A timer matches when the counter (its low 32 bits in 32-bit mode) becomes
 * equal to the comparator; a periodic timer then adds its period to the
 * comparator (spec 2.3.9.2.2). Writing the comparator of a periodic timer
 * sets the period, and also the comparator itself if VAL_SET_CNF was set;
 * any comparator write clears VAL_SET_CNF (as QEMU does). A level-triggered
 * timer sets its GINTR_STA bit on a match even with Tn_INT_ENB_CNF clear; it
 * just raises no interrupt (spec 2.3.8), unlike QEMU, which stops the timer.
 *
 * Nothing ticks: the counter is computed from the virtual clock, matches are
 * found when the guest looks or a clock timer fires, and a clock timer is
 * armed per comparator only while its interrupt could be delivered
 * (ENABLE_CNF and Tn_INT_ENB_CNF set, and, for level mode, its status clear).
 */
import {
  StateError,
  array,
  describe,
  f64,
  struct,
  u32,
  u64,
  u8,
  type SaveOptions,
  type SectionInput,
} from "../migration/state/index.js";
import type { Bus, BusMapping, BusValue } from "./bus/index.js";
import type { Timer, VirtualClock } from "./clock.js";
import { NO_IRQ, type IrqLine } from "./irq.js";
import { loadChecked, requireTime } from "./legacy/device-state.js";
import { DeviceOptionError } from "./legacy/errors.js";

/** Where a PC's HPET is. */
export const HPET_BASE = 0xfed0_0000;
/** Length of the register block. */
export const HPET_SIZE = 0x400;
export const HPET_TIMER_COUNT = 3;
/** The main counter's period in femtoseconds: 10 MHz. */
export const HPET_PERIOD_FS = 100_000_000;
const NS_PER_TICK = 100;
/** Default INT_ROUTE_CAP: IOAPIC pins 20-23. */
export const HPET_DEFAULT_ROUTE_CAPABILITY = 0x00f0_0000;

const ALL_64 = 0xffff_ffff_ffff_ffffn;
const LOW_32 = 0xffff_ffffn;
const MAX_DEADLINE_TICK = Math.floor(Number.MAX_SAFE_INTEGER / NS_PER_TICK);

// GEN_CONF (spec 2.3.5).
const ENABLE_CNF = 1 << 0;
const LEG_RT_CNF = 1 << 1;
// Timer n configuration (spec 2.3.8).
const INT_LEVEL = 1 << 1;
const INT_ENB = 1 << 2;
const PERIODIC = 1 << 3;
const PER_INT_CAP = 1 << 4;
const SIZE_CAP = 1 << 5;
const VAL_SET = 1 << 6;
const MODE_32 = 1 << 8;
const ROUTE_SHIFT = 9;
const ROUTE_MASK = 0x1f << ROUTE_SHIFT;
const TIMER_WRITABLE = INT_LEVEL | INT_ENB | PERIODIC | VAL_SET | MODE_32 | ROUTE_MASK;

const REG_CAPABILITIES = 0x000;
const REG_CONFIG = 0x010;
const REG_STATUS = 0x020;
const REG_COUNTER = 0x0f0;
const REG_TIMERS = 0x100;
const TIMER_STRIDE = 0x20;

/** GCAP_ID (spec 2.3.4): its fields, as the ACPI table's event timer block ID repeats. */
const CAPABILITIES =
  (BigInt(HPET_PERIOD_FS) << 32n) |
  (0x8086n << 16n) |
  (1n << 15n) | // LEG_RT_CAP
  (1n << 13n) | // COUNT_SIZE_CAP: 64-bit counter
  (BigInt(HPET_TIMER_COUNT - 1) << 8n) |
  1n; // REV_ID

export interface HpetTimerState {
  /** Writable configuration bits (INT_TYPE, INT_ENB, TYPE, VAL_SET, 32MODE, INT_ROUTE). */
  config: number;
  /** The comparator; in periodic mode, the accumulator. */
  comparator: bigint;
  /** Periodic mode's increment: the last value written to the comparator. */
  period: bigint;
}

export interface HpetState {
  /** GEN_CONF: ENABLE_CNF and LEG_RT_CNF. */
  config: number;
  /** GINTR_STA. */
  status: number;
  /** The main counter at HPET tick `counterTick` (or its value while halted). */
  counter: bigint;
  /** Virtual time / 100 ns at which `counter` was current; matches before it are delivered. */
  counterTick: number;
  timers: HpetTimerState[];
}

const timerCodec = struct<HpetTimerState>({
  config: u32({ max: TIMER_WRITABLE }),
  comparator: u64(),
  period: u64(),
});

/** Section "hpet". */
export const hpetStateDescription = describe<HpetState>({
  name: "hpet",
  version: 1,
  fields: {
    config: u8({ max: ENABLE_CNF | LEG_RT_CNF }),
    status: u8({ max: (1 << HPET_TIMER_COUNT) - 1 }),
    counter: u64(),
    counterTick: f64(),
    timers: array(timerCodec, HPET_TIMER_COUNT),
  },
});

export interface HpetOptions {
  /** The MMIO bus to register on. */
  readonly bus: Bus;
  readonly clock: VirtualClock;
  /** Guest-physical base; default HPET_BASE. */
  readonly base?: number;
  /** The IOAPIC input of pin `pin` (called once per pin in the route capability). */
  readonly irqForPin?: (pin: number) => IrqLine;
  /** INT_ROUTE_CAP: bit n set = IOAPIC pin n may be chosen; default pins 20-23. */
  readonly routeCapability?: number;
  /** ISA IRQ 0 (PIC IRQ 0 and IOAPIC pin 2), taken by timer 0 under LEG_RT_CNF. */
  readonly legacyIrq0?: IrqLine;
  /** ISA IRQ 8 (PIC IRQ 8 and IOAPIC pin 8), taken by timer 1 under LEG_RT_CNF. */
  readonly legacyIrq8?: IrqLine;
  /**
   * Called when LEG_RT_CNF changes (and after reset and load): the machine
   * closes (true) or reopens (false) the PIT's IRQ 0 and the RTC's IRQ 8.
   * Called before the HPET drives those lines, and after it let them go.
   */
  readonly onLegacyReplacementChange?: (enabled: boolean) => void;
}

/**
 * A switch in a device's interrupt line, for the PIT and RTC while the HPET
 * has taken IRQ0 and IRQ8 over: closed, nothing passes (the output is held
 * low); reopened, the device's current level is driven again.
 */
export class LegacyIrqGate implements IrqLine {
  private level = false;
  private isOpen = true;

  constructor(private readonly target: IrqLine) {}

  get open(): boolean {
    return this.isOpen;
  }

  setLevel(level: boolean): void {
    this.level = level;
    if (this.isOpen) this.target.setLevel(level);
  }

  pulse(): void {
    this.level = false;
    if (this.isOpen) this.target.pulse();
  }

  /** Opens or closes the gate. */
  setOpen(open: boolean): void {
    if (open === this.isOpen) return;
    this.isOpen = open;
    if (open) {
      if (this.level) this.target.setLevel(true);
    } else if (this.level) {
      this.target.setLevel(false);
    }
  }
}

/** The HPET. */
export class Hpet {
  static readonly model = "hpet";
  readonly state: HpetState = Hpet.initialState(0);
  readonly base: number;
  readonly routeCapability: number;
  private readonly clock: VirtualClock;
  private readonly pinLines: (IrqLine | undefined)[] = [];
  private readonly legacyLines: readonly [IrqLine, IrqLine];
  private readonly onLegacyChange: (enabled: boolean) => void;
  private readonly timers: Timer[] = [];
  private readonly mapping: BusMapping;
  /** Lines this device holds high (several timers may share one). */
  private heldHigh = new Set<IrqLine>();

  constructor(options: HpetOptions) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("hpet", "bus", "is required");
    }
    if (options.clock === undefined) throw new DeviceOptionError("hpet", "clock", "is required");
    const base = options.base ?? HPET_BASE;
    if (!Number.isSafeInteger(base) || base < 0 || base % HPET_SIZE !== 0) {
      throw new DeviceOptionError(
        "hpet",
        "base",
        `must be a 1 KiB-aligned address, got ${String(base)}`,
      );
    }
    const cap = options.routeCapability ?? HPET_DEFAULT_ROUTE_CAPABILITY;
    if (!Number.isInteger(cap) || cap <= 0 || cap > 0xffff_ffff) {
      throw new DeviceOptionError("hpet", "routeCapability", "must be a non-zero 32-bit pin mask");
    }
    if (options.irqForPin !== undefined && typeof options.irqForPin !== "function") {
      throw new DeviceOptionError("hpet", "irqForPin", "must be a function");
    }
    for (let pin = 0; pin < 32; pin++) {
      if ((cap & (2 ** pin)) === 0 || options.irqForPin === undefined) continue;
      const line = options.irqForPin(pin);
      if (typeof line?.setLevel !== "function" || typeof line.pulse !== "function") {
        throw new DeviceOptionError("hpet", "irqForPin", `gave no IrqLine for pin ${pin}`);
      }
      this.pinLines[pin] = line;
    }
    this.base = base;
    this.routeCapability = cap;
    this.clock = options.clock;
    this.legacyLines = [options.legacyIrq0 ?? NO_IRQ, options.legacyIrq8 ?? NO_IRQ];
    this.onLegacyChange = options.onLegacyReplacementChange ?? (() => {});
    for (let i = 0; i < HPET_TIMER_COUNT; i++) {
      this.timers.push(this.clock.createTimer(() => this.update(), `hpet timer ${i}`));
    }
    this.state.counterTick = this.tickNow();
    this.mapping = options.bus.register({
      name: "hpet",
      start: base,
      length: HPET_SIZE,
      widths: [1, 2, 4, 8],
      read: (offset, size) => this.read(offset, size),
      write: (offset, size, value) => this.write(offset, size, value),
    });
  }

  private static initialState(tick: number): HpetState {
    const timers: HpetTimerState[] = [];
    for (let i = 0; i < HPET_TIMER_COUNT; i++) {
      timers.push({ config: 0, comparator: ALL_64, period: 0n });
    }
    return { config: 0, status: 0, counter: 0n, counterTick: tick, timers };
  }

  /** The main counter now. */
  get counter(): bigint {
    const s = this.state;
    if ((s.config & ENABLE_CNF) === 0) return s.counter;
    return BigInt.asUintN(64, s.counter + BigInt(Math.max(0, this.tickNow() - s.counterTick)));
  }

  /** Machine reset: registers to their defaults (spec 2.3), counter 0 and halted, lines low. */
  reset(): void {
    const wasLegacy = (this.state.config & LEG_RT_CNF) !== 0;
    Object.assign(this.state, Hpet.initialState(this.tickNow()));
    this.update();
    if (wasLegacy) this.onLegacyChange(false);
  }

  /** Saves section "hpet". */
  saveState(options?: SaveOptions): Uint8Array {
    this.update();
    return hpetStateDescription.save(this.state, options);
  }

  /** Loads section "hpet" (a refused section changes nothing), re-driving lines and timers. */
  loadState(section: SectionInput): void {
    loadChecked(hpetStateDescription, section, this.state, (s) => {
      requireTime(hpetStateDescription, "counterTick", s.counterTick);
      s.timers.forEach((t, i) => this.checkLoadedTimer(t, i));
    });
    const legacy = (this.state.config & LEG_RT_CNF) !== 0;
    if (legacy) this.onLegacyChange(true);
    this.update(true);
    if (!legacy) this.onLegacyChange(false);
  }

  /** Unregisters the registers and stops the timers. */
  detach(): void {
    for (const timer of this.timers) timer.cancel();
    this.mapping.remove();
  }

  private checkLoadedTimer(t: HpetTimerState, i: number): void {
    const refuse = (field: string, detail: string): never => {
      throw new StateError("bad-value", hpetStateDescription.name, `timers[${i}].${field}`, detail);
    };
    const route = (t.config & ROUTE_MASK) >> ROUTE_SHIFT;
    if (route !== 0 && (this.routeCapability & (2 ** route)) === 0) {
      refuse("config", `IOAPIC pin ${route} is not in the route capability`);
    }
    if ((t.config & PERIODIC) !== 0 && i !== 0) refuse("config", "only timer 0 can be periodic");
    if ((t.config & MODE_32) !== 0 && (t.comparator > LOW_32 || t.period > LOW_32)) {
      refuse("comparator", "a 32-bit mode timer holds 32-bit values");
    }
  }

  private tickNow(): number {
    return Math.floor(this.clock.now() / NS_PER_TICK);
  }

  private get enabled(): boolean {
    return (this.state.config & ENABLE_CNF) !== 0;
  }

  /** Delivers every match up to now, drives the lines, and re-arms the clock timers. */
  private update(forceLines = false): void {
    this.catchUp();
    this.driveLines(forceLines);
    this.schedule();
  }

  /** Moves the counter to now, delivering each timer's match(es) on the way. */
  private catchUp(): void {
    const s = this.state;
    const now = this.tickNow();
    const elapsed = now - s.counterTick;
    s.counterTick = now;
    if (!this.enabled || elapsed <= 0) return;
    const from = s.counter;
    const ticks = BigInt(elapsed);
    s.counter = BigInt.asUintN(64, from + ticks);
    for (let i = 0; i < HPET_TIMER_COUNT; i++) {
      const t = s.timers[i];
      const distance = this.distanceToMatch(t, from);
      if (distance > ticks) continue;
      const mask = (t.config & MODE_32) !== 0 ? LOW_32 : ALL_64;
      if ((t.config & PERIODIC) !== 0 && t.period > 0n) {
        const matches = 1n + (ticks - distance) / t.period;
        t.comparator = (t.comparator + matches * t.period) & mask;
      }
      if ((t.config & INT_LEVEL) !== 0) s.status |= 1 << i;
      else if ((t.config & INT_ENB) !== 0) this.lineOf(i).pulse();
    }
  }

  /** Ticks from counter value `from` until timer `t` next matches (1 to 2^width). */
  private distanceToMatch(t: HpetTimerState, from: bigint): bigint {
    const bits = (t.config & MODE_32) !== 0 ? 32 : 64;
    const distance = BigInt.asUintN(bits, t.comparator - from);
    return distance === 0n ? 1n << BigInt(bits) : distance;
  }

  private lineOf(i: number): IrqLine {
    if ((this.state.config & LEG_RT_CNF) !== 0 && i < 2) return this.legacyLines[i];
    const route = (this.state.timers[i].config & ROUTE_MASK) >> ROUTE_SHIFT;
    return this.pinLines[route] ?? NO_IRQ;
  }

  /** Level-mode lines: high while a timer routed there has its status bit and interrupt enabled. */
  private driveLines(force: boolean): void {
    const high = new Set<IrqLine>();
    if (this.enabled) {
      for (let i = 0; i < HPET_TIMER_COUNT; i++) {
        const config = this.state.timers[i].config;
        const asserted = (this.state.status & (1 << i)) !== 0 && (config & INT_ENB) !== 0;
        if (asserted && (config & INT_LEVEL) !== 0) high.add(this.lineOf(i));
      }
    }
    for (const line of this.heldHigh) if (!high.has(line)) line.setLevel(false);
    for (const line of high) if (force || !this.heldHigh.has(line)) line.setLevel(true);
    this.heldHigh = high;
  }

  private schedule(): void {
    const s = this.state;
    for (let i = 0; i < HPET_TIMER_COUNT; i++) {
      const t = s.timers[i];
      const waiting = (t.config & INT_LEVEL) === 0 || (s.status & (1 << i)) === 0;
      const distance = this.distanceToMatch(t, s.counter);
      const due = s.counterTick + Number(distance);
      if (this.enabled && (t.config & INT_ENB) !== 0 && waiting && due <= MAX_DEADLINE_TICK) {
        this.timers[i].arm(due * NS_PER_TICK);
      } else {
        this.timers[i].cancel();
      }
    }
  }

  private read(offset: number, size: number): BusValue {
    if (size === 8 && (offset & 7) === 0) return this.readRegister(offset);
    if (size === 4 && (offset & 3) === 0) {
      return Number((this.readRegister(offset & ~7) >> BigInt((offset & 4) * 8)) & LOW_32);
    }
    let value = 0;
    for (let i = size - 1; i >= 0; i--) {
      const at = offset + i;
      const register = this.readRegister(at & ~7);
      value = value * 256 + Number((register >> BigInt((at & 7) * 8)) & 0xffn);
    }
    return value;
  }

  private readRegister(offset: number): bigint {
    const s = this.state;
    switch (offset) {
      case REG_CAPABILITIES:
        return CAPABILITIES;
      case REG_CONFIG:
        return BigInt(s.config);
      case REG_STATUS:
        this.update();
        return BigInt(s.status);
      case REG_COUNTER:
        return this.counter;
    }
    const timer = this.timerAt(offset);
    if (timer === undefined) return 0n;
    this.update();
    const t = s.timers[timer.index];
    if (timer.register === 0) {
      const caps = SIZE_CAP | (timer.index === 0 ? PER_INT_CAP : 0);
      return (BigInt(this.routeCapability) << 32n) | BigInt(t.config | caps);
    }
    return timer.register === 8 ? t.comparator : 0n;
  }

  /** Which timer register `offset` (8-aligned) is, if any. */
  private timerAt(offset: number): { index: number; register: number } | undefined {
    const index = Math.floor((offset - REG_TIMERS) / TIMER_STRIDE);
    if (offset < REG_TIMERS || index >= HPET_TIMER_COUNT) return undefined;
    return { index, register: (offset - REG_TIMERS) % TIMER_STRIDE };
  }

  private write(offset: number, size: number, value: BusValue): void {
    if (size === 8 && (offset & 7) === 0) {
      this.writeRegister(offset, BigInt.asUintN(64, BigInt(value)), ALL_64);
    } else if (size === 4 && (offset & 3) === 0) {
      const shift = BigInt((offset & 4) * 8);
      const half = BigInt.asUintN(32, BigInt(value));
      this.writeRegister(offset & ~7, half << shift, LOW_32 << shift);
    }
  }

  /** Writes the bits of `mask` (one or both halves) of the register at `offset`. */
  private writeRegister(offset: number, value: bigint, mask: bigint): void {
    this.catchUp();
    const s = this.state;
    const merge = (old: bigint): bigint => (old & ~mask) | (value & mask);
    let legacyChange: boolean | undefined;
    switch (offset) {
      case REG_CONFIG: {
        const config = Number(merge(BigInt(s.config)) & 3n);
        if (((config ^ s.config) & LEG_RT_CNF) !== 0) legacyChange = (config & LEG_RT_CNF) !== 0;
        s.config = config;
        break;
      }
      case REG_STATUS:
        s.status &= ~Number(value & mask & 7n);
        break;
      case REG_COUNTER:
        if (!this.enabled) s.counter = merge(s.counter);
        break;
      default: {
        const timer = this.timerAt(offset);
        if (timer?.register === 0 && (mask & LOW_32) !== 0n) {
          // The upper half (INT_ROUTE_CAP) is read-only.
          this.writeTimerConfig(timer.index, Number(value & LOW_32));
        } else if (timer?.register === 8) {
          this.writeComparator(s.timers[timer.index], value, mask);
        }
      }
    }
    if (legacyChange === true) this.onLegacyChange(true);
    this.update();
    if (legacyChange === false) this.onLegacyChange(false);
  }

  private writeTimerConfig(index: number, written: number): void {
    const t = this.state.timers[index];
    let config = (t.config & ~TIMER_WRITABLE) | (written & TIMER_WRITABLE);
    if (index !== 0) config &= ~PERIODIC;
    const route = (written & ROUTE_MASK) >> ROUTE_SHIFT;
    if ((this.routeCapability & (2 ** route)) === 0) {
      config = (config & ~ROUTE_MASK) | (t.config & ROUTE_MASK);
    }
    if ((config & INT_LEVEL) === 0) this.state.status &= ~(1 << index);
    if ((config & MODE_32) !== 0) {
      t.comparator &= LOW_32;
      t.period &= LOW_32;
    }
    t.config = config;
  }

  /** A comparator write (spec 2.3.9.2.2): see the file comment. */
  private writeComparator(t: HpetTimerState, value: bigint, mask: bigint): void {
    // In 32-bit mode the upper half does not exist (spec 2.3.8, Tn_32MODE_CNF).
    const bits = (t.config & MODE_32) !== 0 ? mask & LOW_32 : mask;
    if (bits === 0n) return;
    const merge = (old: bigint): bigint => (old & ~bits) | (value & bits);
    const periodic = (t.config & PERIODIC) !== 0;
    if (!periodic || (t.config & VAL_SET) !== 0) t.comparator = merge(t.comparator);
    if (periodic) t.period = merge(t.period);
    t.config &= ~VAL_SET;
  }
}

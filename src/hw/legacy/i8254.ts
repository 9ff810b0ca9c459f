/**
 * The PC's 8254 interval timer ("i8254") at ports 0x40-0x43, with system
 * control port B (0x61): channel 2's GATE and OUT, the speaker enable bits,
 * and the refresh toggle in bit 4 that firmware and Linux's delay loops
 * watch. Channel 0's OUT drives ISA IRQ 0; channel 1 (once DRAM refresh)
 * is unconnected; channel 2 feeds the speaker.
 *
 * Counting follows the virtual clock at 1.193182 MHz: counts are computed
 * from time (i8254-counter.ts; programming is in i8254-counter-io.ts), and
 * a single timer is armed at channel 0's next OUT transition, so an idle
 * guest costs nothing between edges.
 */
import {
  array,
  describe,
  u8,
  type SaveOptions,
  type SectionInput,
} from "../../migration/state/index.js";
import type { Bus, BusMapping } from "../bus/index.js";
import { ticksAt, timeOfTick, type Timer, type VirtualClock } from "../clock.js";
import { NO_IRQ, type IrqLine } from "../irq.js";
import { loadChecked, requireTime } from "./device-state.js";
import { DeviceOptionError } from "./errors.js";
import {
  PIT_HZ,
  counterOutput,
  newPitCounter,
  nextTransition,
  pitCounterCodec,
  risingEdgeBetween,
  syncReload,
  type PitCounterState,
} from "./i8254-counter.js";
import {
  latchCount,
  latchStatus,
  readCounter,
  setCounterGate,
  setCounterMode,
  writeCounter,
} from "./i8254-counter-io.js";

export { PIT_HZ } from "./i8254-counter.js";

/** The timer's whole state. */
export interface I8254State {
  channels: PitCounterState[];
  /** Port 0x61 bits 0-3: GATE2, speaker data enable, parity and I/O check enables. */
  portB: number;
}

/** Section "i8254": the three counters and port 0x61's writable bits. */
export const i8254StateDescription = describe<I8254State>({
  name: "i8254",
  version: 1,
  fields: { channels: array(pitCounterCodec, 3), portB: u8({ max: 0x0f }) },
});

/** Port 0x61 bit 4 toggles once per DRAM refresh request, every 15.085 µs on an AT. */
const REFRESH_PERIOD_NS = 15_085;

export interface I8254Options {
  /** The I/O port bus to register on. */
  readonly bus: Bus;
  readonly clock: VirtualClock;
  /** ISA IRQ 0 (channel 0's OUT). */
  readonly irq0?: IrqLine;
  /** Register port 0x61 (default true). */
  readonly portB?: boolean;
}

/** The PC's 8254 PIT plus port 0x61. */
export class I8254 {
  static readonly model = "i8254";
  readonly state: I8254State = I8254.initialState();
  private readonly clock: VirtualClock;
  private readonly irq0: IrqLine;
  private readonly timer: Timer;
  private readonly mappings: BusMapping[] = [];

  constructor(options: I8254Options) {
    if (typeof options !== "object" || options === null || options.bus === undefined) {
      throw new DeviceOptionError("i8254", "bus", "is required");
    }
    if (options.clock === undefined) throw new DeviceOptionError("i8254", "clock", "is required");
    this.clock = options.clock;
    this.irq0 = options.irq0 ?? NO_IRQ;
    this.timer = this.clock.createTimer(() => this.refreshChannel0(), "i8254 channel 0");
    this.mappings.push(
      options.bus.register({
        name: "i8254",
        start: 0x40,
        length: 4,
        widths: [1],
        read: (offset) => this.readPort(offset),
        write: (offset, _size, value) => this.writePort(offset, Number(value)),
      }),
    );
    if (options.portB ?? true) {
      this.mappings.push(
        options.bus.register({
          name: "port61",
          start: 0x61,
          length: 1,
          widths: [1],
          read: () => this.readPortB(),
          write: (_offset, _size, value) => this.writePortB(Number(value)),
        }),
      );
    }
    const now = this.tickNow();
    for (const channel of this.state.channels) channel.lastCheckTick = now;
  }

  private static initialState(): I8254State {
    // GATE0 and GATE1 are tied high on a PC; GATE2 is port 0x61 bit 0.
    return { channels: [newPitCounter(true), newPitCounter(true), newPitCounter(false)], portB: 0 };
  }

  /** OUT of channel `index` now. */
  output(index: 0 | 1 | 2): boolean {
    const now = this.tickNow();
    this.bringUpToDate(index, now);
    return counterOutput(this.state.channels[index], now);
  }

  /** Port 0x61 bits 0 and 1 both set: channel 2's square wave reaches the speaker. */
  get speakerOn(): boolean {
    return (this.state.portB & 3) === 3;
  }

  /** Machine reset: counters unprogrammed, GATE2 low, IRQ 0 low. */
  reset(): void {
    const fresh = I8254.initialState();
    this.state.channels.splice(0, 3, ...fresh.channels);
    this.state.portB = 0;
    const now = this.tickNow();
    for (const channel of this.state.channels) channel.lastCheckTick = now;
    this.timer.cancel();
    this.irq0.setLevel(false);
  }

  /** Saves section "i8254". */
  saveState(options?: SaveOptions): Uint8Array {
    this.refreshChannel0();
    return i8254StateDescription.save(this.state, options);
  }

  /** Loads section "i8254" (a refused section changes nothing), re-driving IRQ 0 and its timer. */
  loadState(section: SectionInput): void {
    loadChecked(i8254StateDescription, section, this.state, (state) => {
      state.channels.forEach((c, i) => {
        for (const key of ["startTick", "elapsedBefore", "reloadTick", "lastCheckTick"] as const) {
          requireTime(i8254StateDescription, `channels[${i}].${key}`, c[key]);
        }
      });
    });
    const channel0 = this.state.channels[0];
    this.irq0.setLevel(channel0.outputSent);
    this.refreshChannel0();
  }

  /** Unregisters the ports and stops the timer. */
  detach(): void {
    this.timer.cancel();
    for (const mapping of this.mappings) mapping.remove();
  }

  private tickNow(): number {
    return ticksAt(this.clock.now(), PIT_HZ);
  }

  private readPort(offset: number): number {
    if (offset === 3) return 0xff; // the control word register is write-only
    const now = this.tickNow();
    this.bringUpToDate(offset, now);
    return readCounter(this.state.channels[offset], now);
  }

  private writePort(offset: number, value: number): void {
    const now = this.tickNow();
    if (offset < 3) {
      this.changeChannel(offset, () => writeCounter(this.state.channels[offset], value, now));
      return;
    }
    const select = value >> 6;
    if (select === 3) {
      this.readBack(value, now);
      return;
    }
    const channel = this.state.channels[select];
    if ((value & 0x30) === 0) {
      this.bringUpToDate(select, now);
      latchCount(channel, now);
      return;
    }
    this.changeChannel(select, () => setCounterMode(channel, value, now));
  }

  /** Read-back (SC = 11): bit 5 clear latches counts, bit 4 clear latches status, bits 1-3 pick counters. */
  private readBack(value: number, now: number): void {
    for (let i = 0; i < 3; i++) {
      if ((value & (2 << i)) === 0) continue;
      const channel = this.state.channels[i];
      this.bringUpToDate(i, now);
      if ((value & 0x20) === 0) latchCount(channel, now);
      if ((value & 0x10) === 0) latchStatus(channel, now);
    }
  }

  private readPortB(): number {
    const ns = this.clock.now();
    const refresh = Math.floor(ns / REFRESH_PERIOD_NS) & 1;
    return this.state.portB | (refresh << 4) | (this.output(2) ? 0x20 : 0);
  }

  private writePortB(value: number): void {
    this.state.portB = value & 0x0f;
    const channel2 = this.state.channels[2];
    setCounterGate(channel2, (value & 1) !== 0, this.tickNow());
  }

  /**
   * Applies a pending reload of channel `index`; for channel 0 through
   * `refreshChannel0`, so the reload's edge reaches IRQ 0 before anything
   * else observes the new period.
   */
  private bringUpToDate(index: number, now: number): void {
    if (index === 0) this.refreshChannel0();
    else syncReload(this.state.channels[index], now);
  }

  /** Runs a change to channel `index`, keeping IRQ 0 and the timer in step for channel 0. */
  private changeChannel(index: number, change: () => void): void {
    if (index !== 0) {
      change();
      return;
    }
    this.refreshChannel0();
    change();
    this.refreshChannel0();
  }

  /**
   * Brings IRQ 0 up to date with channel 0's OUT and arms the timer for the
   * next transition. If the run loop was late and OUT rose (and possibly fell
   * again) since the last check, the edge is still delivered, so a late
   * timer never loses a tick of an edge-triggered IRQ 0.
   */
  private refreshChannel0(): void {
    const channel = this.state.channels[0];
    const now = this.tickNow();
    const rose = risingEdgeBetween(channel, channel.lastCheckTick, now);
    syncReload(channel, now);
    const out = counterOutput(channel, now);
    if (rose && (channel.outputSent || !out)) {
      if (channel.outputSent) this.irq0.setLevel(false);
      this.irq0.setLevel(true);
      channel.outputSent = true;
    }
    if (out !== channel.outputSent) {
      channel.outputSent = out;
      this.irq0.setLevel(out);
    }
    channel.lastCheckTick = now;
    const next = nextTransition(channel, now);
    if (next < 0) this.timer.cancel();
    else this.timer.arm(timeOfTick(next, PIT_HZ));
  }
}

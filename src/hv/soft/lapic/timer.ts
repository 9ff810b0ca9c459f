/**
 * The local APIC timer (SDM vol. 3, 11.5.4): one-shot, periodic and
 * TSC-deadline modes, driven by the machine's virtual clock.
 *
 * The current count is computed from time, never ticked: the count was
 * loaded with the initial count at `timerStart` and falls by one every
 * `divisor` ns (the bus clock is APIC_BUS_HZ = 1 GHz). The next expiry is
 * always `timerStart + initial * divisor`; a periodic expiry moves
 * `timerStart` to the start of the next period, skipping periods the run
 * loop was too late for (they coalesce into one interrupt, as the IRR bit
 * would anyway), so a tiny period cannot flood the clock.
 *
 * Mode changes (SDM vol. 3, 11.5.4.1): switching into or out of TSC-deadline
 * mode disarms the timer and clears both the initial count and the deadline;
 * in TSC-deadline mode the initial-count register ignores writes and the
 * current count reads 0; outside it IA32_TSC_DEADLINE ignores writes and reads 0.
 */
import {
  Lvt,
  TIMER_MODE_PERIODIC,
  TIMER_MODE_SHIFT,
  TIMER_MODE_TSC_DEADLINE,
} from "./constants.js";
import type { LapicState } from "./state.js";

/** A timer armed on a clock; `VirtualClock`'s `Timer` (src/hw/clock.ts) has this shape. */
export interface ApicClockTimer {
  arm(deadlineNs: number): void;
  cancel(): void;
}

/**
 * The machine's virtual clock as the APIC needs it (src/hw/clock.ts
 * `VirtualClock` has this shape; the hv layer does not import hw).
 */
export interface ApicClock {
  /** Virtual nanoseconds, monotonic. */
  now(): number;
  createTimer(callback: () => void, name?: string): ApicClockTimer;
}

/** The CPU's time-stamp counter, for TSC-deadline mode. */
export interface TscSource {
  /** The TSC now. */
  read(): bigint;
  /** TSC ticks per second. */
  readonly frequencyHz: number;
}

const NS_PER_SECOND = 1_000_000_000n;

/** The timer mode field of an LVT timer entry. */
export function timerMode(lvtTimer: number): number {
  return (lvtTimer >>> TIMER_MODE_SHIFT) & 3;
}

/** Divide configuration → divisor: 000b=2 ... 110b=128, 111b=1 (SDM vol. 3, figure 11-10). */
export function timerDivisor(divideConfig: number): number {
  const code = ((divideConfig & 8) >>> 1) | (divideConfig & 3);
  return code === 7 ? 1 : 2 << code;
}

export class LapicTimer {
  readonly #state: LapicState;
  readonly #clock: ApicClock;
  readonly #tsc: TscSource | undefined;
  readonly #timer: ApicClockTimer;
  readonly #expire: () => void;

  /** `expire` delivers the timer interrupt (the LVT's mask is checked by the caller). */
  constructor(
    state: LapicState,
    clock: ApicClock,
    tsc: TscSource | undefined,
    expire: () => void,
    name: string,
  ) {
    this.#state = state;
    this.#clock = clock;
    this.#tsc = tsc;
    this.#expire = expire;
    this.#timer = clock.createTimer(() => this.#fire(), name);
  }

  /** Whether TSC-deadline mode exists (only with a TSC to compare against). */
  get tscDeadlineSupported(): boolean {
    return this.#tsc !== undefined;
  }

  get #mode(): number {
    return timerMode(this.#state.lvt[Lvt.TIMER]);
  }

  get #divisor(): number {
    return timerDivisor(this.#state.timerDivide);
  }

  /** Virtual time now (ns). */
  now(): number {
    return this.#clock.now();
  }

  /** Initial-count register write: (re)starts the count, 0 stops it. */
  writeInitialCount(value: number): void {
    if (this.#mode === TIMER_MODE_TSC_DEADLINE) return;
    const s = this.#state;
    s.timerInitial = value >>> 0;
    s.timerStart = this.#clock.now();
    s.timerPending = s.timerInitial !== 0;
    this.#arm();
  }

  /** The current-count register. */
  currentCount(): number {
    const s = this.#state;
    if (!s.timerPending || this.#mode === TIMER_MODE_TSC_DEADLINE) return 0;
    const ticks = Math.floor((this.#clock.now() - s.timerStart) / this.#divisor);
    if (this.#mode === TIMER_MODE_PERIODIC) return s.timerInitial - (ticks % s.timerInitial);
    return Math.max(0, s.timerInitial - ticks);
  }

  /**
   * Divide-configuration write. A running count keeps its current value and
   * continues at the new rate (the count so far is not recomputed).
   */
  writeDivide(value: number): void {
    const s = this.#state;
    if (!s.timerPending || this.#mode === TIMER_MODE_TSC_DEADLINE) {
      s.timerDivide = value;
      return;
    }
    const count = this.currentCount();
    s.timerDivide = value;
    s.timerStart = this.#clock.now() - (s.timerInitial - count) * this.#divisor;
    this.#arm();
  }

  /** Called after the LVT timer entry changed from `old` (the state already holds the new one). */
  lvtChanged(old: number): void {
    const s = this.#state;
    const from = timerMode(old);
    const to = this.#mode;
    if (from === to) return;
    if (from === TIMER_MODE_TSC_DEADLINE || to === TIMER_MODE_TSC_DEADLINE) {
      s.timerInitial = 0;
      s.timerPending = false;
      s.tscDeadline = 0n;
      this.#timer.cancel();
      return;
    }
    if (s.timerPending && to !== TIMER_MODE_PERIODIC) {
      // Periodic → one-shot: the count runs out at the end of the current period.
      const period = s.timerInitial * timerDivisor(s.timerDivide);
      const elapsed = Math.floor((this.#clock.now() - s.timerStart) / period);
      s.timerStart += elapsed * period;
      this.#arm();
    }
  }

  /** IA32_TSC_DEADLINE as RDMSR reads it. */
  readDeadline(): bigint {
    return this.#mode === TIMER_MODE_TSC_DEADLINE ? this.#state.tscDeadline : 0n;
  }

  /** WRMSR IA32_TSC_DEADLINE: arms (a past deadline expires at once) or, with 0, disarms. */
  writeDeadline(value: bigint): void {
    if (this.#mode !== TIMER_MODE_TSC_DEADLINE) return;
    this.#state.tscDeadline = BigInt.asUintN(64, value);
    this.#arm();
  }

  /** Re-arms the clock timer from the state (after a load or a reset). */
  restore(): void {
    this.#arm();
  }

  /** Disarms the clock timer (the state is left alone). */
  stop(): void {
    this.#timer.cancel();
  }

  #arm(): void {
    const s = this.#state;
    if (this.#mode === TIMER_MODE_TSC_DEADLINE) {
      const tsc = this.#tsc;
      if (tsc === undefined || s.tscDeadline === 0n) {
        this.#timer.cancel();
        return;
      }
      const now = this.#clock.now();
      const ticks = s.tscDeadline - tsc.read();
      if (ticks <= 0n) {
        this.#timer.cancel();
        s.tscDeadline = 0n;
        this.#expire();
        return;
      }
      const hz = BigInt(tsc.frequencyHz);
      const ns = (ticks * NS_PER_SECOND + hz - 1n) / hz;
      const limit = BigInt(Number.MAX_SAFE_INTEGER - now);
      this.#timer.arm(now + Number(ns < limit ? ns : limit));
      return;
    }
    if (!s.timerPending) {
      this.#timer.cancel();
      return;
    }
    this.#timer.arm(s.timerStart + s.timerInitial * this.#divisor);
  }

  #fire(): void {
    const s = this.#state;
    if (this.#mode === TIMER_MODE_TSC_DEADLINE) {
      if (s.tscDeadline === 0n) return;
      s.tscDeadline = 0n;
    } else {
      if (!s.timerPending) return;
      if (this.#mode === TIMER_MODE_PERIODIC) {
        const period = s.timerInitial * this.#divisor;
        const periods = Math.max(1, Math.floor((this.#clock.now() - s.timerStart) / period));
        s.timerStart += periods * period;
        this.#arm();
      } else {
        s.timerPending = false;
      }
    }
    this.#expire();
  }
}

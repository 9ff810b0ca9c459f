/**
 * The time-stamp counter (SDM vol. 3, 18.17). Two sources:
 *
 *   - "host": the TSC follows a host clock (nanoseconds), scaled to the
 *     configured frequency: a constant-rate, always-running TSC, like an
 *     invariant TSC on real hardware.
 *   - "instructions": the TSC counts retired instructions times a fixed
 *     number of ticks, so runs are deterministic (tests, record/replay).
 *
 * Writes (WRMSR IA32_TIME_STAMP_COUNTER, migration) only move an offset;
 * IA32_TSC_ADJUST follows every such change (SDM vol. 3, 18.17.3).
 */
import { HvError } from "../../../errors.js";

const U64 = (1n << 64n) - 1n;
const NS_PER_SECOND = 1_000_000_000n;

/** A monotonic host clock in nanoseconds. */
export type NanosecondClock = () => bigint;

/** `performance.now()` exists in Node and in browsers; its origin does not matter here. */
export const performanceClock: NanosecondClock = () => BigInt(Math.round(performance.now() * 1e6));

export interface TscOptions {
  /** "host" (default) or "instructions". */
  readonly mode?: "host" | "instructions";
  /** Ticks per second in "host" mode. Default 1 GHz. */
  readonly frequencyHz?: number;
  /** The host clock for "host" mode. Default: `performanceClock`. */
  readonly clock?: NanosecondClock;
  /** Ticks per retired instruction in "instructions" mode. Default 1. */
  readonly ticksPerInstruction?: number;
}

export class Tsc {
  readonly mode: "host" | "instructions";
  readonly frequencyHz: number;
  readonly #clock: NanosecondClock;
  readonly #ticksPerInstruction: bigint;
  readonly #frequency: bigint;
  /** TSC = source + offset (mod 2^64). */
  #offset = 0n;
  /** IA32_TSC_ADJUST: the sum of all changes made to the TSC by writes. */
  adjust = 0n;
  /**
   * The last value read (-1 after a write). Reads never repeat a value: the
   * retired-instruction count only advances between blocks, and a coarse
   * host clock may not move between two RDTSCs, but real TSCs always do.
   */
  #last = -1n;

  constructor(options: TscOptions = {}) {
    this.mode = options.mode ?? "host";
    if (this.mode !== "host" && this.mode !== "instructions") {
      throw new HvError("invalid-argument", `unknown TSC mode ${String(this.mode)}`);
    }
    this.frequencyHz = options.frequencyHz ?? 1_000_000_000;
    if (!Number.isSafeInteger(this.frequencyHz) || this.frequencyHz <= 0) {
      throw new HvError("invalid-argument", `TSC frequency ${this.frequencyHz} Hz is not valid`);
    }
    const tpi = options.ticksPerInstruction ?? 1;
    if (!Number.isSafeInteger(tpi) || tpi <= 0) {
      throw new HvError("invalid-argument", `TSC ticks per instruction ${tpi} is not valid`);
    }
    this.#ticksPerInstruction = BigInt(tpi);
    this.#frequency = BigInt(this.frequencyHz);
    this.#clock = options.clock ?? performanceClock;
    // Start counting from 0 at creation (a reset TSC), whatever the clock's origin.
    this.#offset = -this.#source(0);
  }

  #source(icount: number): bigint {
    if (this.mode === "instructions") return BigInt(icount) * this.#ticksPerInstruction;
    return (this.#clock() * this.#frequency) / NS_PER_SECOND;
  }

  /** The TSC now; `icount` is the CPU's retired-instruction count. */
  read(icount: number): bigint {
    let v = (this.#source(icount) + this.#offset) & U64;
    if (v <= this.#last && this.#last !== U64) v = this.#last + 1n;
    this.#last = v;
    return v;
  }

  /** Sets the TSC to `value` (WRMSR 10h): IA32_TSC_ADJUST moves by the same amount. */
  write(value: bigint, icount: number): void {
    const old = (this.#source(icount) + this.#offset) & U64;
    this.set(value, icount);
    this.adjust = (this.adjust + (value & U64) - old) & U64;
  }

  /** Sets the TSC to `value` without touching IA32_TSC_ADJUST (the host restoring state). */
  set(value: bigint, icount: number): void {
    this.#offset = (value & U64) - this.#source(icount);
    this.#last = -1n;
  }

  /** Sets IA32_TSC_ADJUST (WRMSR 3Bh): the TSC moves by the same amount. */
  writeAdjust(value: bigint): void {
    const v = value & U64;
    this.#offset += v - this.adjust;
    this.adjust = v;
    this.#last = -1n;
  }
}

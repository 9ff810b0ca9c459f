/**
 * Accounting of accesses no device claimed: counters, plus the last few
 * accesses for debugging ("what is the guest poking at?"). Recording fills
 * preallocated arrays, so a guest hammering an empty port costs no garbage.
 */
import type { AccessSize, BusValue } from "./values.js";

/** One unclaimed access, as issued. */
export interface UnclaimedAccess {
  readonly write: boolean;
  readonly address: number;
  readonly size: AccessSize;
  readonly vcpu: number;
  /** The value written; undefined for reads. */
  readonly value: BusValue | undefined;
}

/** How many accesses the log keeps. */
export const UNCLAIMED_LOG_CAPACITY = 16;

export class UnclaimedLog {
  /** Reads with at least one unclaimed byte (those bytes read as all ones). */
  reads = 0;
  /** Writes with at least one unclaimed byte (those bytes were dropped). */
  writes = 0;
  private readonly addresses = new Float64Array(UNCLAIMED_LOG_CAPACITY);
  private readonly sizes = new Uint8Array(UNCLAIMED_LOG_CAPACITY);
  private readonly isWrite = new Uint8Array(UNCLAIMED_LOG_CAPACITY);
  private readonly vcpus = new Int32Array(UNCLAIMED_LOG_CAPACITY);
  private readonly values: BusValue[] = new Array<BusValue>(UNCLAIMED_LOG_CAPACITY).fill(0);
  /** Total recorded; the next slot is `recorded % capacity`. */
  private recorded = 0;

  /** Counts and remembers an access; `value` is ignored for reads. */
  record(write: boolean, address: number, size: AccessSize, vcpu: number, value: BusValue): void {
    if (write) this.writes++;
    else this.reads++;
    const slot = this.recorded % UNCLAIMED_LOG_CAPACITY;
    this.addresses[slot] = address;
    this.sizes[slot] = size;
    this.isWrite[slot] = write ? 1 : 0;
    this.vcpus[slot] = vcpu;
    this.values[slot] = write ? value : 0;
    this.recorded++;
  }

  /** The last accesses recorded (at most UNCLAIMED_LOG_CAPACITY), oldest first. */
  recent(): UnclaimedAccess[] {
    const count = Math.min(this.recorded, UNCLAIMED_LOG_CAPACITY);
    const out: UnclaimedAccess[] = [];
    for (let i = this.recorded - count; i < this.recorded; i++) {
      const slot = i % UNCLAIMED_LOG_CAPACITY;
      const write = this.isWrite[slot] === 1;
      out.push({
        write,
        address: this.addresses[slot],
        size: this.sizes[slot] as AccessSize,
        vcpu: this.vcpus[slot],
        value: write ? this.values[slot] : undefined,
      });
    }
    return out;
  }

  /** Resets counters and forgets the recorded accesses. */
  clear(): void {
    this.reads = 0;
    this.writes = 0;
    this.recorded = 0;
  }
}

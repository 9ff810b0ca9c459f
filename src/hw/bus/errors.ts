/**
 * Errors raised by the bus layer. They are thrown at configuration time
 * (registering, mounting, moving a mapping) and for malformed accesses from a
 * backend; a guest's access itself never throws here (unclaimed accesses read
 * as all ones and are counted instead).
 */
import type { BusMapping } from "./mapping.js";

/** A bad argument or a call on a removed mapping. */
export class BusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BusError";
  }
}

/**
 * Two enabled mappings of equal priority would overlap on one bus. The
 * operation that raised it changed nothing. `existing` is the mapping already
 * there, so a caller placing a guest-programmed window (a PCI BAR) can catch
 * this and leave its window unmapped instead.
 */
export class BusConflictError extends BusError {
  readonly existing: BusMapping;
  constructor(message: string, existing: BusMapping) {
    super(message);
    this.name = "BusConflictError";
    this.existing = existing;
  }
}

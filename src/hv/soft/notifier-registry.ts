/**
 * Notifiers on the soft backend (DESIGN.md, "Notifiers"; like KVM's
 * ioeventfd): a guest write to a registered port or MMIO address is a pure
 * notification. The CPU's dispatcher asks `match()` before it takes the
 * synchronous path; on a match the store is complete and the callback is
 * queued, never called inside the vCPU's step.
 *
 * Delivery (always asynchronous, so a handler never changes between sync and
 * async): queued callbacks run in a microtask scheduled by the first match,
 * or earlier when the run loop calls `drain()` (e.g. between `vcpu.run()`
 * calls — a synchronous run loop never lets microtasks run). Like an
 * eventfd, signals coalesce: a notifier already queued is not queued twice.
 * If callbacks throw, the rest still run and `drain()` rethrows the first
 * error (an AggregateError if several).
 *
 * Collisions follow ioeventfd: two notifiers on the same space, address and
 * size conflict unless both have a `data` and the values differ.
 */
import type { Notifier, NotifierSpec } from "../api.js";
import { HvError } from "../errors.js";
import { hex, PHYSICAL_LIMIT } from "./memory/map-validation.js";

interface Entry {
  readonly space: "port" | "mmio";
  readonly address: number;
  readonly size: 1 | 2 | 4 | 8;
  readonly data: number | undefined;
  /** `data` as a bigint, to compare with 8-byte values without allocating. */
  readonly bigData: bigint | undefined;
  readonly callback: () => void;
  queued: boolean;
  removed: boolean;
}

export class NotifierRegistry {
  readonly #port = new Map<number, Entry[]>();
  readonly #mmio = new Map<number, Entry[]>();
  #queue: Entry[] = [];
  #scheduled = false;

  /** Validates and registers `spec`; throws "invalid-argument" on a bad or colliding spec. */
  add(spec: NotifierSpec): Notifier {
    const entry = checkSpec(spec);
    const table = entry.space === "port" ? this.#port : this.#mmio;
    const list = table.get(entry.address) ?? [];
    const clash = list.find(
      (other) =>
        other.size === entry.size &&
        (other.data === undefined || entry.data === undefined || other.data === entry.data),
    );
    if (clash !== undefined) {
      throw new HvError(
        "invalid-argument",
        `notifier: ${describe(entry)} collides with an existing one (${describe(clash)})`,
      );
    }
    list.push(entry);
    table.set(entry.address, list);
    return {
      remove: () => {
        if (entry.removed) return;
        entry.removed = true;
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0 && table.get(entry.address) === list) table.delete(entry.address);
      },
    };
  }

  /** True (and the callback queued) if a notifier takes this guest write. */
  match(space: "port" | "mmio", address: number, size: number, value: number | bigint): boolean {
    const list = (space === "port" ? this.#port : this.#mmio).get(address);
    if (list === undefined) return false;
    for (const entry of list) {
      if (entry.size !== size) continue;
      if (entry.data !== undefined) {
        const equal = typeof value === "bigint" ? value === entry.bigData : value === entry.data;
        if (!equal) continue;
      }
      this.#enqueue(entry);
      return true;
    }
    return false;
  }

  /** Number of callbacks waiting to run. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Runs every queued callback now (removed notifiers are skipped). */
  drain(): void {
    const batch = this.#queue;
    this.#queue = [];
    const errors: unknown[] = [];
    for (const entry of batch) {
      entry.queued = false;
      if (entry.removed) continue;
      try {
        entry.callback();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "several notifier callbacks failed");
  }

  /** Drops every notifier and queued callback (Vm.destroy). */
  clear(): void {
    for (const table of [this.#port, this.#mmio]) {
      for (const list of table.values()) for (const entry of list) entry.removed = true;
      table.clear();
    }
    this.#queue = [];
  }

  #enqueue(entry: Entry): void {
    if (entry.queued) return;
    entry.queued = true;
    this.#queue.push(entry);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.drain();
    });
  }
}

function checkSpec(spec: NotifierSpec): Entry {
  const fail = (problem: string): HvError =>
    new HvError("invalid-argument", `notifier: ${problem}`);
  if (typeof spec !== "object" || spec === null) throw fail("spec must be an object");
  const { space, address, size, data, callback } = spec;
  if (space !== "port" && space !== "mmio")
    throw fail(`space must be "port" or "mmio", got ${String(space)}`);
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) {
    throw fail(`size must be 1, 2, 4 or 8, got ${String(size)}`);
  }
  if (space === "port" && size === 8) throw fail("port accesses are at most 4 bytes");
  const limit = space === "port" ? 0x10000 : PHYSICAL_LIMIT;
  if (!Number.isSafeInteger(address) || address < 0 || address + size > limit) {
    throw fail(`${space} address ${hex(address)} (size ${size}) is outside the ${space} space`);
  }
  if (data !== undefined) {
    const max = size === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * size) - 1;
    if (!Number.isSafeInteger(data) || data < 0 || data > max) {
      throw fail(`data ${String(data)} does not fit in ${size} bytes`);
    }
  }
  if (typeof callback !== "function") throw fail("callback must be a function");
  return {
    space,
    address,
    size,
    data,
    bigData: data === undefined ? undefined : BigInt(data),
    callback,
    queued: false,
    removed: false,
  };
}

function describe(entry: Entry): string {
  const data = entry.data === undefined ? "any value" : `data ${hex(entry.data)}`;
  return `${entry.space} ${hex(entry.address)} size ${entry.size}, ${data}`;
}

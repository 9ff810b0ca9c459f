/**
 * What a bus maps: a device's region, or a child bus seen through a window.
 * `BusMapping` is the handle returned by `Bus.register` and `Bus.mount`; it
 * moves, resizes, enables/disables and removes the mapping. All of these only
 * mark the bus's flattened view stale (see bus.ts): the view is rebuilt once,
 * at the next access, so reprogramming a PCI BAR costs almost nothing.
 */
import type { Bus } from "./bus.js";
import { BusError } from "./errors.js";
import type { AccessSize, BusValue } from "./values.js";

/** Reads `size` bytes at `offset` into the region, for vCPU `vcpu`. */
export type RegionReader = (offset: number, size: AccessSize, vcpu: number) => BusValue;
/** Writes `size` bytes at `offset` into the region, for vCPU `vcpu`. */
export type RegionWriter = (
  offset: number,
  size: AccessSize,
  value: BusValue,
  vcpu: number,
) => void;

/**
 * A device's region as given to `Bus.register`.
 *
 * The bus only calls `read`/`write` with a size listed in `widths`: an access
 * of such a size inside the region arrives unchanged (possibly unaligned);
 * others are split or widened first (see split-access.ts). `offset` is
 * relative to `start`. Values are numbers for 1-4 bytes and bigints for 8;
 * results are truncated to the access size. Both callbacks are called as
 * methods of this object. A missing `read` reads as all ones; a missing `write`
 * drops the write (the region still claims it: it is not counted as unclaimed).
 */
export interface RegionSpec {
  /** Shown in listings and error messages ("i8254", "virtio-blk BAR0"). */
  readonly name: string;
  readonly start: number;
  readonly length: number;
  /** The access sizes the device takes: a non-empty subset of 1, 2, 4 (and 8 for MMIO). */
  readonly widths: readonly AccessSize[];
  /** Higher wins where mappings overlap; default 0. Equal priorities may not overlap. */
  readonly priority?: number;
  read?(offset: number, size: AccessSize, vcpu: number): BusValue;
  write?(offset: number, size: AccessSize, value: BusValue, vcpu: number): void;
}

/** A window through which a parent bus forwards accesses to a child bus. */
export interface MountSpec {
  readonly start: number;
  readonly length: number;
  /** Higher wins where mappings overlap; default 0. Equal priorities may not overlap. */
  readonly priority?: number;
  /**
   * The child-bus address seen at `start`. Omitted: addresses pass through
   * unchanged (a PC bridge such as PCI→ISA does not translate), also after a
   * move. Given: the window's contents move with the window.
   */
  readonly childBase?: number;
}

/** A device region, prepared for dispatch. */
export interface RegionTarget {
  readonly kind: "region";
  readonly name: string;
  /** `accepts[size] === 1` when the device takes accesses of that size. */
  readonly accepts: Uint8Array;
  /** Accepted sizes, largest first. */
  readonly widthsDescending: readonly AccessSize[];
  readonly minWidth: AccessSize;
  readonly read: RegionReader;
  readonly write: RegionWriter;
}

/** A child bus behind a window. */
export interface BusTarget {
  readonly kind: "bus";
  readonly child: Bus;
  /** See `MountSpec.childBase`. */
  readonly childBase: number | undefined;
}

/**
 * What a mapping needs from the bus that holds it. Implemented by `Bus`; not
 * meant for device code.
 */
export interface MappingOwner {
  readonly name: string;
  /** Throws a BusError/BusConflictError if `mapping` cannot be placed so. */
  checkPlacement(mapping: BusMapping, start: number, length: number, enabled: boolean): void;
  /** Forgets `mapping` (it has been removed). */
  detach(mapping: BusMapping): void;
  /** Marks the flattened view stale, here and in every ancestor. */
  invalidate(): void;
}

/** A region or child-bus window on a bus. */
export class BusMapping {
  readonly owner: MappingOwner;
  readonly target: RegionTarget | BusTarget;
  readonly priority: number;
  private currentStart: number;
  private currentLength: number;
  private isEnabled = true;
  private isRemoved = false;

  /** Created by `Bus.register` / `Bus.mount`; placement has already been checked. */
  constructor(
    owner: MappingOwner,
    target: RegionTarget | BusTarget,
    start: number,
    length: number,
    priority: number,
  ) {
    this.owner = owner;
    this.target = target;
    this.currentStart = start;
    this.currentLength = length;
    this.priority = priority;
  }

  /** The region's or child bus's name. */
  get name(): string {
    return this.target.kind === "region" ? this.target.name : this.target.child.name;
  }
  get start(): number {
    return this.currentStart;
  }
  get length(): number {
    return this.currentLength;
  }
  /** One past the last address. */
  get end(): number {
    return this.currentStart + this.currentLength;
  }
  get enabled(): boolean {
    return this.isEnabled;
  }
  get removed(): boolean {
    return this.isRemoved;
  }

  /**
   * Places the mapping at `start` (and optionally a new `length`). On a
   * conflict or bad argument it throws and stays where it was.
   */
  move(start: number, length: number = this.currentLength): void {
    this.assertLive("move");
    if (start === this.currentStart && length === this.currentLength) return;
    this.owner.checkPlacement(this, start, length, this.isEnabled);
    this.currentStart = start;
    this.currentLength = length;
    this.owner.invalidate();
  }

  /**
   * Turns decoding on or off without forgetting the placement (a PCI command
   * register's memory/I/O enable). Disabled mappings take no part in lookups
   * or conflict checks; enabling throws and stays disabled on a conflict.
   */
  setEnabled(enabled: boolean): void {
    this.assertLive("enable or disable");
    if (enabled === this.isEnabled) return;
    if (enabled) this.owner.checkPlacement(this, this.currentStart, this.currentLength, true);
    this.isEnabled = enabled;
    this.owner.invalidate();
  }

  /** Unmaps it for good. Removing twice is harmless. */
  remove(): void {
    if (this.isRemoved) return;
    this.isRemoved = true;
    this.owner.detach(this);
    this.owner.invalidate();
  }

  private assertLive(what: string): void {
    if (this.isRemoved) {
      throw new BusError(`cannot ${what} "${this.name}" on bus "${this.owner.name}": removed`);
    }
  }
}

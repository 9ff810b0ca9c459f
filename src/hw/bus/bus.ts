/**
 * A bus: one address space (I/O ports or MMIO) on which devices register
 * regions and child buses are mounted behind windows (DESIGN.md, "The device
 * model": CPU → chipset → PCI → ISA). Any bus can take accesses; normally only
 * the root (see cpu-bus.ts) does.
 *
 * Overlaps: where mappings on one bus overlap, the higher `priority` wins, and
 * a child bus's window only claims the addresses its own contents claim
 * (flat-view.ts). Two enabled mappings of equal priority may never overlap on
 * one bus: registering, mounting, moving or enabling one that would is
 * refused with a BusConflictError and changes nothing.
 *
 * Speed: changes only mark the bus (and its ancestors) stale; the flattened
 * view is rebuilt once, at the next access. An access of a width the device
 * takes, inside one segment, is one lookup (a table index for ports, a
 * binary search with a last-hit cache for MMIO) and one call, allocating
 * nothing (for 1-4 bytes). Everything else goes through split-access.ts.
 */
import { BusConflictError, BusError } from "./errors.js";
import { FlatView, renderMappings, type Segment } from "./flat-view.js";
import { BusMapping, type MappingOwner, type MountSpec, type RegionSpec } from "./mapping.js";
import { accessBytes } from "./split-access.js";
import { UnclaimedLog } from "./unclaimed-log.js";
import {
  ALL_ONES_64,
  allOnesNumber,
  isAccessSize,
  loadBigLE,
  loadNumberLE,
  normalize,
  storeLE,
  toUint64,
  toUnsigned,
  type AccessSize,
  type BusValue,
  type PortAccessSize,
} from "./values.js";
import { makeRegionTarget } from "./region-target.js";

export type BusSpace = "port" | "mmio";

/** x86 I/O space: ports 0-0xffff (Intel SDM vol. 1, 19.2). */
export const PORT_SPACE_SIZE = 0x1_0000;
/** Guest-physical addresses have at most 52 bits (Intel SDM vol. 3, 4.1.4, MAXPHYADDR). */
export const MMIO_SPACE_SIZE = 2 ** 52;

export interface BusOptions {
  /** Shown in listings and errors ("pci0.io", "isa.io"). */
  readonly name: string;
  readonly space: BusSpace;
}

/** One range of a flattened bus, for listings and the monitor. */
export interface FlatRange {
  readonly start: number;
  /** One past the last address. */
  readonly end: number;
  readonly region: string;
  /** Region offset at `start`. */
  readonly offset: number;
}

export class Bus implements MappingOwner {
  readonly name: string;
  readonly space: BusSpace;
  /** Addresses run from 0 to size - 1. */
  readonly size: number;
  /** Accesses that reached this bus and found (some) bytes unclaimed. */
  readonly unclaimed = new UnclaimedLog();

  private readonly mappingList: BusMapping[] = [];
  private parentMapping: BusMapping | undefined;
  private parentBus: Bus | undefined;
  private rendered: Segment[] | undefined;
  private stale = true;
  private view = new FlatView([]);
  /** Port buses only: segment index per port, -1 where unclaimed. */
  private readonly portTable: Int32Array | undefined;

  constructor(options: BusOptions) {
    if (typeof options.name !== "string" || options.name === "") {
      throw new BusError("a bus needs a non-empty name");
    }
    if (options.space !== "port" && options.space !== "mmio") {
      throw new BusError(`bus "${options.name}": space must be "port" or "mmio"`);
    }
    this.name = options.name;
    this.space = options.space;
    this.size = options.space === "port" ? PORT_SPACE_SIZE : MMIO_SPACE_SIZE;
    this.portTable = options.space === "port" ? new Int32Array(PORT_SPACE_SIZE) : undefined;
  }

  /** Maps a device region. Throws (changing nothing) on a bad spec or a conflict. */
  register(spec: RegionSpec): BusMapping {
    const target = makeRegionTarget(spec, this.space === "mmio", `bus "${this.name}"`);
    const priority = spec.priority ?? 0;
    this.checkPriority(priority, target.name);
    const mapping = new BusMapping(this, target, spec.start, spec.length, priority);
    this.checkPlacement(mapping, spec.start, spec.length, true);
    return this.attach(mapping);
  }

  /**
   * Mounts `child` behind a window `[start, start + length)`. A bus has at
   * most one parent, and may not be mounted below itself.
   */
  mount(child: Bus, spec: MountSpec): BusMapping {
    if (!(child instanceof Bus)) throw new BusError(`bus "${this.name}": can only mount a Bus`);
    if (child.space !== this.space) {
      throw new BusError(
        `cannot mount ${child.space} bus "${child.name}" on ${this.space} bus "${this.name}"`,
      );
    }
    if (child === this || this.isBelow(child)) {
      throw new BusError(`mounting "${child.name}" on "${this.name}" would make a cycle`);
    }
    if (child.parentMapping !== undefined) {
      throw new BusError(
        `bus "${child.name}" is already mounted on "${child.parentMapping.owner.name}"`,
      );
    }
    const childBase = spec.childBase;
    if (childBase !== undefined && !(Number.isSafeInteger(childBase) && childBase >= 0)) {
      throw new BusError(`mount of "${child.name}": childBase must be a non-negative integer`);
    }
    const priority = spec.priority ?? 0;
    this.checkPriority(priority, child.name);
    const mapping = new BusMapping(
      this,
      { kind: "bus", child, childBase },
      spec.start,
      spec.length,
      priority,
    );
    this.checkPlacement(mapping, spec.start, spec.length, true);
    child.parentMapping = mapping;
    child.parentBus = this;
    return this.attach(mapping);
  }

  /** The window this bus is mounted behind, if any. */
  get parent(): BusMapping | undefined {
    return this.parentMapping;
  }

  /** This bus's own mappings (not its children's), by start address. */
  mappings(): BusMapping[] {
    return [...this.mappingList].sort((a, b) => a.start - b.start || b.priority - a.priority);
  }

  /** Who answers where, after priorities and child buses are resolved. */
  flatten(): FlatRange[] {
    return this.render().map((s) => ({
      start: s.start,
      end: s.end,
      region: s.region.name,
      offset: s.start - s.regionBase,
    }));
  }

  /** The region answering at `address` and the offset into it; undefined if unclaimed. */
  resolve(address: number): { readonly region: string; readonly offset: number } | undefined {
    this.refresh();
    const index = this.view.find(address);
    if (index < 0) return undefined;
    const segment = this.view.segments[index];
    return { region: segment.region.name, offset: address - segment.regionBase };
  }

  /** Reads `size` bytes at `address` for vCPU `vcpu` (a bigint for 8 bytes). */
  read(address: number, size: AccessSize, vcpu: number): BusValue {
    return size === 8 ? this.read64(address, vcpu) : this.readNumber(address, size, vcpu);
  }

  /** Writes `size` bytes at `address` for vCPU `vcpu`; `value` is truncated to the size. */
  write(address: number, size: AccessSize, value: BusValue, vcpu: number): void {
    if (size === 8) this.write64(address, toUint64(value), vcpu);
    else
      this.writeNumber(
        address,
        size,
        typeof value === "number" ? value : toUnsigned(value, size),
        vcpu,
      );
  }

  /** A 1, 2 or 4-byte read. Unclaimed bytes read as 0xff. */
  readNumber(address: number, size: PortAccessSize, vcpu: number): number {
    if (this.stale) this.refresh();
    const index = this.lookup(address);
    if (index >= 0) {
      const segment = this.view.segments[index];
      const region = segment.region;
      if (region.accepts[size] === 1 && address + size <= segment.end) {
        return toUnsigned(region.read(address - segment.regionBase, size, vcpu), size);
      }
    }
    const bytes = this.slowRead(address, size, vcpu);
    return bytes === undefined ? allOnesNumber(size) : loadNumberLE(bytes, 0, size);
  }

  /** A 1, 2 or 4-byte write; `value` is truncated to the size. Unclaimed bytes are dropped. */
  writeNumber(address: number, size: PortAccessSize, value: number, vcpu: number): void {
    if (this.stale) this.refresh();
    const index = this.lookup(address);
    if (index >= 0) {
      const segment = this.view.segments[index];
      const region = segment.region;
      if (region.accepts[size] === 1 && address + size <= segment.end) {
        region.write(address - segment.regionBase, size, toUnsigned(value, size), vcpu);
        return;
      }
    }
    this.slowWrite(address, size, value, vcpu);
  }

  /** An 8-byte read (MMIO buses only). */
  read64(address: number, vcpu: number): bigint {
    if (this.stale) this.refresh();
    const index = this.lookup(address);
    if (index >= 0) {
      const segment = this.view.segments[index];
      if (segment.region.accepts[8] === 1 && address + 8 <= segment.end) {
        return toUint64(segment.region.read(address - segment.regionBase, 8, vcpu));
      }
    }
    const bytes = this.slowRead(address, 8, vcpu);
    return bytes === undefined ? ALL_ONES_64 : loadBigLE(bytes, 0);
  }

  /** An 8-byte write (MMIO buses only). */
  write64(address: number, value: bigint, vcpu: number): void {
    if (this.stale) this.refresh();
    const index = this.lookup(address);
    if (index >= 0) {
      const segment = this.view.segments[index];
      if (segment.region.accepts[8] === 1 && address + 8 <= segment.end) {
        segment.region.write(address - segment.regionBase, 8, toUint64(value), vcpu);
        return;
      }
    }
    this.slowWrite(address, 8, value, vcpu);
  }

  /** @internal Flattened contents in this bus's addresses (cached until a change). */
  render(): readonly Segment[] {
    if (this.rendered === undefined) this.rendered = renderMappings(this.mappingList);
    return this.rendered;
  }

  /** @internal See MappingOwner. */
  checkPlacement(mapping: BusMapping, start: number, length: number, enabled: boolean): void {
    const name = mapping.name;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 1) {
      throw new BusError(
        `"${name}" on bus "${this.name}": start and length must be integers, length >= 1`,
      );
    }
    if (start + length > this.size) {
      throw new BusError(
        `"${name}" on bus "${this.name}": 0x${start.toString(16)}+0x${length.toString(16)} ` +
          `is beyond the ${this.space} space (0x${this.size.toString(16)})`,
      );
    }
    const target = mapping.target;
    if (target.kind === "region" && length % target.minWidth !== 0) {
      throw new BusError(
        `region "${name}": length ${length} is not a multiple of its smallest width ${target.minWidth}`,
      );
    }
    if (
      target.kind === "bus" &&
      target.childBase !== undefined &&
      target.childBase + length > target.child.size
    ) {
      throw new BusError(`window onto "${name}" reaches beyond that bus's address space`);
    }
    if (!enabled) return;
    for (const other of this.mappingList) {
      if (other === mapping || !other.enabled || other.priority !== mapping.priority) continue;
      if (start < other.end && other.start < start + length) {
        throw new BusConflictError(
          `"${name}" at 0x${start.toString(16)}+0x${length.toString(16)} overlaps "${other.name}" ` +
            `at 0x${other.start.toString(16)}+0x${other.length.toString(16)} with the same ` +
            `priority ${other.priority} on bus "${this.name}"`,
          other,
        );
      }
    }
  }

  /** @internal See MappingOwner. */
  detach(mapping: BusMapping): void {
    const index = this.mappingList.indexOf(mapping);
    if (index >= 0) this.mappingList.splice(index, 1);
    if (mapping.target.kind === "bus") {
      mapping.target.child.parentMapping = undefined;
      mapping.target.child.parentBus = undefined;
    }
  }

  /** @internal See MappingOwner. */
  invalidate(): void {
    this.rendered = undefined;
    this.stale = true;
    this.parentBus?.invalidate();
  }

  /** Whether `bus` is a parent, grandparent, … of this bus. */
  private isBelow(bus: Bus): boolean {
    for (let up = this.parentBus; up !== undefined; up = up.parentBus) if (up === bus) return true;
    return false;
  }

  private attach(mapping: BusMapping): BusMapping {
    this.mappingList.push(mapping);
    this.invalidate();
    return mapping;
  }

  private checkPriority(priority: number, name: string): void {
    if (!Number.isSafeInteger(priority)) {
      throw new BusError(`"${name}" on bus "${this.name}": priority must be an integer`);
    }
  }

  /** Rebuilds the lookup structures if anything changed. */
  private refresh(): void {
    if (!this.stale) return;
    this.view = new FlatView(this.render());
    if (this.portTable !== undefined) this.view.fillTable(this.portTable);
    this.stale = false;
  }

  /** Segment index holding `address`, or -1 (also for addresses outside the space). */
  private lookup(address: number): number {
    if (this.portTable !== undefined) {
      const index = this.portTable[address];
      return index === undefined ? -1 : index;
    }
    return this.view.find(address);
  }

  /** The general read path; undefined when every byte is unclaimed (all ones). */
  private slowRead(address: number, size: AccessSize, vcpu: number): Uint8Array | undefined {
    this.checkAccess(address, size);
    if (this.whollyUnclaimed(address, size)) {
      this.unclaimed.record(false, address, size, vcpu, 0);
      return undefined;
    }
    const bytes = new Uint8Array(size);
    if (accessBytes(this.view, address, bytes, false, vcpu)) {
      this.unclaimed.record(false, address, size, vcpu, 0);
    }
    return bytes;
  }

  private slowWrite(address: number, size: AccessSize, value: BusValue, vcpu: number): void {
    this.checkAccess(address, size);
    const normalized = normalize(value, size);
    if (this.whollyUnclaimed(address, size)) {
      this.unclaimed.record(true, address, size, vcpu, normalized);
      return;
    }
    const bytes = new Uint8Array(size);
    storeLE(normalized, size, bytes, 0);
    if (accessBytes(this.view, address, bytes, true, vcpu)) {
      this.unclaimed.record(true, address, size, vcpu, normalized);
    }
  }

  private whollyUnclaimed(address: number, size: number): boolean {
    return this.view.find(address) < 0 && this.view.nextStart(address) >= address + size;
  }

  /** Malformed accesses come from a backend bug, never from the guest: fail loudly. */
  private checkAccess(address: number, size: number): void {
    if (!isAccessSize(size) || (size === 8 && this.space === "port")) {
      throw new BusError(`bus "${this.name}": bad ${this.space} access size ${size}`);
    }
    if (!Number.isSafeInteger(address) || address < 0 || address >= this.size) {
      throw new BusError(`bus "${this.name}": bad ${this.space} address ${address}`);
    }
  }
}

/**
 * Checks a memory map before anything is built or changed (DESIGN.md,
 * "Guest memory map": the whole map is replaced atomically, so a bad map
 * must leave the old one in place). Every failure is an
 * HvError("invalid-argument") naming the slot and what is wrong.
 */
import { HvError } from "../../errors.js";
import { PAGE_SIZE, type MemorySlot } from "../../memory.js";
import type { BackingRegistry } from "./backing-registry.js";
import type { TableSlot } from "./physical-table.js";

/** 2^52: the end of the guest-physical address space (52-bit MAXPHYADDR). */
export const PHYSICAL_LIMIT = 2 ** 52;

/**
 * Validates `slots` for one address space and returns them in table-builder
 * form. Throws without side effects on the first problem found.
 */
export function validateMap(
  slots: readonly MemorySlot[],
  registry: BackingRegistry,
  maxSlots: number,
): TableSlot[] {
  if (!Array.isArray(slots)) {
    throw new HvError("invalid-argument", "memory map: slots must be an array");
  }
  if (slots.length > maxSlots) {
    throw new HvError(
      "invalid-argument",
      `memory map: ${slots.length} slots, more than the ${maxSlots} an address space may have`,
    );
  }
  const checked = slots.map((slot, index) => checkSlot(slot, index, registry));
  const order = checked
    .map((_, index) => index)
    .sort((a, b) => checked[a].firstPfn - checked[b].firstPfn);
  for (let i = 1; i < order.length; i++) {
    const before = checked[order[i - 1]];
    const after = checked[order[i]];
    if (before.firstPfn + before.pageCount > after.firstPfn) {
      throw new HvError(
        "invalid-argument",
        `memory map: slot ${order[i - 1]} (${describe(slots[order[i - 1]])}) overlaps ` +
          `slot ${order[i]} (${describe(slots[order[i]])})`,
      );
    }
  }
  return checked;
}

function checkSlot(slot: MemorySlot, index: number, registry: BackingRegistry): TableSlot {
  const fail = (problem: string): HvError =>
    new HvError("invalid-argument", `memory map: slot ${index}: ${problem}`);
  if (typeof slot !== "object" || slot === null) throw fail("is not an object");
  const { guestAddress, size, backing, backingOffset } = slot;
  if (!isPageMultiple(guestAddress)) {
    throw fail(`guestAddress ${hex(guestAddress)} is not a non-negative multiple of ${PAGE_SIZE}`);
  }
  if (!isPageMultiple(size) || size === 0) {
    throw fail(`size ${hex(size)} is not a positive multiple of ${PAGE_SIZE}`);
  }
  if (guestAddress + size > PHYSICAL_LIMIT) {
    throw fail(`ends at ${hex(guestAddress + size)}, past the 52-bit physical address space`);
  }
  if (typeof backing !== "object" || backing === null || !registry.owns(backing)) {
    throw fail("its backing was not allocated by this Vm");
  }
  if (!isPageMultiple(backingOffset)) {
    throw fail(
      `backingOffset ${hex(backingOffset)} is not a non-negative multiple of ${PAGE_SIZE}`,
    );
  }
  if (backingOffset + size > backing.size) {
    throw fail(
      `[${hex(backingOffset)}, ${hex(backingOffset + size)}) is outside backing ` +
        `"${backing.name}" (size ${hex(backing.size)})`,
    );
  }
  for (const flag of ["readOnly", "dirtyLog"] as const) {
    if (slot[flag] !== undefined && typeof slot[flag] !== "boolean") {
      throw fail(`${flag} must be a boolean`);
    }
  }
  return {
    firstPfn: guestAddress / PAGE_SIZE,
    pageCount: size / PAGE_SIZE,
    backing: registry.list[backing.id],
    backingOffset,
    readOnly: slot.readOnly === true,
    dirtyLog: slot.dirtyLog === true,
  };
}

function isPageMultiple(value: unknown): value is number {
  return (
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) % PAGE_SIZE === 0
  );
}

function describe(slot: MemorySlot): string {
  return `${hex(slot.guestAddress)}..${hex(slot.guestAddress + slot.size - 1)}`;
}

/** Hex for addresses in messages; falls back to String() for non-numbers. */
export function hex(value: unknown): string {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) return String(value);
  return value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}

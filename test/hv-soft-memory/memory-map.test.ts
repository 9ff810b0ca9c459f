import { test } from "node:test";
import assert from "node:assert/strict";
import { HvError } from "../../src/hv/errors.js";
import { AddressSpace, PAGE_SIZE, type MemorySlot } from "../../src/hv/memory.js";
import {
  entryBackingIndex,
  entryDirtyLog,
  entryIsHole,
  entryPageOffset,
  entryReadOnly,
} from "../../src/hv/soft/memory/physical-table.js";
import { SoftVm } from "../../src/hv/soft/vm.js";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const N = AddressSpace.NORMAL;

function isInvalid(error: unknown): boolean {
  return error instanceof HvError && error.code === "invalid-argument";
}

test("lookups give backing index, page offset and flags; holes are MMIO", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", 64 * MiB);
  const rom = vm.allocateMemory("rom", 128 * 1024);
  vm.setMemoryMap(N, [
    { guestAddress: 0, size: 0xa0000, backing: ram, backingOffset: 0, dirtyLog: true },
    { guestAddress: 0x100000, size: 63 * MiB, backing: ram, backingOffset: MiB },
    { guestAddress: 0xfffe0000, size: 128 * 1024, backing: rom, backingOffset: 0, readOnly: true },
  ]);
  const physical = vm.physical(N);
  const low = physical.lookup(0x9f);
  assert.equal(entryBackingIndex(low), ram.id);
  assert.equal(entryPageOffset(low), 0x9f000);
  assert.ok(entryDirtyLog(low) && !entryReadOnly(low));
  // The VGA window and the BIOS area below 1 MiB are holes.
  for (const pfn of [0xa0, 0xb8, 0xff]) assert.ok(entryIsHole(physical.lookup(pfn)), `pfn ${pfn}`);
  const high = physical.lookup((0x100000 + 5 * MiB + 0x3000) / PAGE_SIZE);
  assert.equal(entryPageOffset(high), 6 * MiB + 0x3000);
  assert.ok(!entryDirtyLog(high));
  const bios = physical.lookup(0xfffff);
  assert.equal(entryBackingIndex(bios), rom.id);
  assert.equal(entryPageOffset(bios), 128 * 1024 - PAGE_SIZE);
  assert.ok(entryReadOnly(bios));
  // Far above RAM, past 2^40 pages, and the whole SMM space (never set) are holes.
  assert.ok(entryIsHole(physical.lookup(2 ** 39)));
  assert.ok(entryIsHole(physical.lookup(2 ** 40)));
  assert.ok(entryIsHole(vm.physical(AddressSpace.SMM).lookup(0)));
});

test("high addresses (above 4 GiB, near 2^52) map exactly", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", 8 * PAGE_SIZE);
  const top = 2 ** 52 - 4 * PAGE_SIZE;
  vm.setMemoryMap(N, [
    { guestAddress: 4 * GiB, size: 4 * PAGE_SIZE, backing: ram, backingOffset: 0 },
    { guestAddress: top, size: 4 * PAGE_SIZE, backing: ram, backingOffset: 4 * PAGE_SIZE },
  ]);
  const physical = vm.physical(N);
  assert.equal(entryPageOffset(physical.lookup((4 * GiB) / PAGE_SIZE + 3)), 3 * PAGE_SIZE);
  assert.equal(entryPageOffset(physical.lookup(top / PAGE_SIZE + 1)), 5 * PAGE_SIZE);
  assert.ok(entryIsHole(physical.lookup((4 * GiB) / PAGE_SIZE + 4)));
  assert.ok(entryIsHole(physical.lookup(top / PAGE_SIZE - 1)));
  const mem = vm.guestMemory(N);
  mem.writeU32(2 ** 52 - 4, 0xcafef00d);
  assert.equal(new DataView(ram.bytes.buffer).getUint32(8 * PAGE_SIZE - 4, true), 0xcafef00d);
});

test("alias slots see the same bytes and dirty the same backing page", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", 16 * PAGE_SIZE);
  vm.setMemoryMap(N, [
    { guestAddress: 0, size: 16 * PAGE_SIZE, backing: ram, backingOffset: 0, dirtyLog: true },
    // Like the PC's high-memory alias of the BIOS: pages 8..11 again at 1 MiB.
    {
      guestAddress: MiB,
      size: 4 * PAGE_SIZE,
      backing: ram,
      backingOffset: 8 * PAGE_SIZE,
      dirtyLog: true,
    },
  ]);
  const mem = vm.guestMemory(N);
  mem.writeU32(MiB + PAGE_SIZE + 12, 0x12345678);
  assert.equal(mem.readU32(9 * PAGE_SIZE + 12), 0x12345678);
  mem.writeU8(9 * PAGE_SIZE + 12, 0xaa);
  assert.equal(mem.readU32(MiB + PAGE_SIZE + 12), 0x123456aa);
  assert.deepEqual(vm.dirtyPagesInRange({ backing: ram, offset: 0, length: ram.size }), [9]);
});

test("read-only slots refuse DMA writes and report read-only in the lookup", () => {
  const vm = new SoftVm();
  const rom = vm.allocateMemory("rom", 2 * PAGE_SIZE);
  rom.bytes.fill(0x5a);
  vm.setMemoryMap(N, [
    { guestAddress: 0xf0000, size: 2 * PAGE_SIZE, backing: rom, backingOffset: 0, readOnly: true },
  ]);
  assert.ok(entryReadOnly(vm.physical(N).lookup(0xf0)));
  const mem = vm.guestMemory(N);
  assert.equal(mem.readU16(0xf0ffe), 0x5a5a, "reads work");
  assert.throws(
    () => mem.write(0xf0ff0, new Uint8Array(32)),
    (e: unknown) =>
      e instanceof Error && e.name === "GuestMemoryError" && /read-only/.test(e.message),
  );
  assert.throws(() => mem.writeU8(0xf1000, 1), /0xf1000 is read-only/);
  assert.ok(rom.bytes.every((b) => b === 0x5a));
});

test("bad maps are rejected with nothing changed", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", 16 * PAGE_SIZE);
  const other = new SoftVm().allocateMemory("other", 16 * PAGE_SIZE);
  const good: MemorySlot[] = [
    { guestAddress: 0, size: 8 * PAGE_SIZE, backing: ram, backingOffset: 0 },
  ];
  vm.setMemoryMap(N, good);
  const before = vm.getMemoryMap(N);
  const generation = vm.physical(N).generation;
  const fine: MemorySlot = {
    guestAddress: 0x100000,
    size: PAGE_SIZE,
    backing: ram,
    backingOffset: 0,
  };
  const cases: [string, MemorySlot][] = [
    ["misaligned address", { ...fine, guestAddress: 0x100800 }],
    ["misaligned size", { ...fine, size: 100 }],
    ["zero size", { ...fine, size: 0 }],
    ["misaligned offset", { ...fine, backingOffset: 512 }],
    ["past the backing", { ...fine, size: 8 * PAGE_SIZE, backingOffset: 9 * PAGE_SIZE }],
    ["negative address", { ...fine, guestAddress: -PAGE_SIZE }],
    ["past 2^52", { ...fine, guestAddress: 2 ** 52 }],
    ["foreign backing", { ...fine, backing: other }],
    ["overlap", { ...fine, guestAddress: 7 * PAGE_SIZE }],
  ];
  for (const [what, slot] of cases) {
    // The bad slot comes after a good one: validation must still stop everything.
    assert.throws(() => vm.setMemoryMap(N, [fine, ...good, slot]), isInvalid, what);
    assert.equal(vm.getMemoryMap(N), before, what);
    assert.equal(vm.physical(N).generation, generation, what);
    assert.ok(entryIsHole(vm.physical(N).lookup(0x100)), `${what}: no partial map`);
  }
  assert.throws(() => vm.setMemoryMap(7 as AddressSpace, good), isInvalid);
  const tooMany = Array.from({ length: vm.capabilities.maxMemorySlots + 1 }, (_, i) => ({
    guestAddress: i * PAGE_SIZE,
    size: PAGE_SIZE,
    backing: ram,
    backingOffset: 0,
  }));
  assert.throws(() => vm.setMemoryMap(N, tooMany), isInvalid);
});

test("overlap messages name both slots; adjacent slots are fine", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", 4 * PAGE_SIZE);
  const slot = (guestAddress: number): MemorySlot => ({
    guestAddress,
    size: 2 * PAGE_SIZE,
    backing: ram,
    backingOffset: 0,
  });
  vm.setMemoryMap(N, [slot(2 * PAGE_SIZE), slot(0)]);
  assert.throws(
    () => vm.setMemoryMap(N, [slot(0x10000), slot(0), slot(PAGE_SIZE)]),
    /slot 1 .* overlaps slot 2/,
  );
});

test("the map is copied: changing the caller's slot objects changes nothing", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", 4 * PAGE_SIZE);
  const slot = { guestAddress: 0, size: 4 * PAGE_SIZE, backing: ram, backingOffset: 0 };
  vm.setMemoryMap(N, [slot]);
  slot.guestAddress = 0x100000;
  assert.equal(vm.getMemoryMap(N)[0].guestAddress, 0);
  assert.ok(Object.isFrozen(vm.getMemoryMap(N)[0]));
  assert.ok(!entryIsHole(vm.physical(N).lookup(0)));
});

test("the SMM space has its own map (SMRAM overlays the VGA window there only)", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", MiB);
  const low: MemorySlot = { guestAddress: 0, size: 0xa0000, backing: ram, backingOffset: 0 };
  const smram: MemorySlot = {
    guestAddress: 0xa0000,
    size: 0x20000,
    backing: ram,
    backingOffset: 0xa0000,
  };
  vm.setMemoryMap(N, [low]);
  vm.setMemoryMap(AddressSpace.SMM, [low, smram]);
  assert.ok(entryIsHole(vm.physical(N).lookup(0xa0)));
  assert.equal(entryPageOffset(vm.physical(AddressSpace.SMM).lookup(0xa0)), 0xa0000);
  vm.guestMemory(AddressSpace.SMM).writeU8(0xa0000, 7);
  assert.throws(() => vm.guestMemory(N).readU8(0xa0000), /MMIO hole/);
});

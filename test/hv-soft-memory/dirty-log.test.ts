import { test } from "node:test";
import assert from "node:assert/strict";
import { HvError } from "../../src/hv/errors.js";
import { AddressSpace, PAGE_SIZE } from "../../src/hv/memory.js";
import { SoftVm } from "../../src/hv/soft/vm.js";

const N = AddressSpace.NORMAL;

/** A deterministic pseudo-random page set (xorshift), so failures reproduce. */
function randomPages(count: number, pages: number, seed: number): number[] {
  const set = new Set<number>();
  let x = seed;
  while (set.size < count) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    set.add((x >>> 0) % pages);
  }
  return [...set].sort((a, b) => a - b);
}

function setup(pages: number) {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", pages * PAGE_SIZE);
  vm.setMemoryMap(N, [
    { guestAddress: 0, size: ram.size, backing: ram, backingOffset: 0, dirtyLog: true },
  ]);
  return { vm, ram, mem: vm.guestMemory(N) };
}

test("replacing the map while logging loses no dirty page", () => {
  const { vm, ram, mem } = setup(256);
  const expected = new Set<number>();
  const write = (address: number, page: number) => {
    mem.writeU8(address, 1);
    expected.add(page);
  };
  for (const page of [0, 5, 31, 32, 100]) write(page * PAGE_SIZE, page);
  // Move the RAM up by 1 MiB and drop the first 64 pages from the map.
  vm.setMemoryMap(N, [
    {
      guestAddress: 0x100000,
      size: 192 * PAGE_SIZE,
      backing: ram,
      backingOffset: 64 * PAGE_SIZE,
      dirtyLog: true,
    },
  ]);
  for (const page of [64, 200, 255]) write(0x100000 + (page - 64) * PAGE_SIZE, page);
  // Replace it again, now splitting it into two logged slots with the pages in a new order.
  vm.setMemoryMap(N, [
    {
      guestAddress: 0,
      size: 128 * PAGE_SIZE,
      backing: ram,
      backingOffset: 128 * PAGE_SIZE,
      dirtyLog: true,
    },
    {
      guestAddress: 0x800000,
      size: 128 * PAGE_SIZE,
      backing: ram,
      backingOffset: 0,
      dirtyLog: true,
    },
  ]);
  write(0x800000 + 7 * PAGE_SIZE, 7);
  write(3 * PAGE_SIZE, 131);
  const found = vm.dirtyPagesInRange({ backing: ram, offset: 0, length: ram.size });
  assert.deepEqual(
    found,
    [...expected].sort((a, b) => a - b),
  );
  assert.deepEqual(
    vm.dirtyPagesInRange({ backing: ram, offset: 0, length: ram.size }),
    [],
    "cleared",
  );
});

test("slots without dirtyLog do not record writes", () => {
  const { vm, ram } = setup(8);
  vm.setMemoryMap(N, [{ guestAddress: 0, size: ram.size, backing: ram, backingOffset: 0 }]);
  vm.guestMemory(N).write(0, new Uint8Array(ram.size));
  assert.deepEqual(vm.dirtyPagesInRange({ backing: ram, offset: 0, length: ram.size }), []);
});

test("range queries return and clear only the pages of the range", () => {
  const pages = 300;
  const { vm, ram } = setup(pages);
  const dirty = randomPages(120, pages, 12345);
  for (const page of dirty) ram.dirty.mark(page);
  const ranges = [
    [0, 33],
    [33, 64],
    [64, 65],
    [65, 299],
    [299, 300],
  ];
  const seen: number[] = [];
  for (const [first, end] of ranges) {
    const got = vm.dirtyPagesInRange({
      backing: ram,
      offset: first * PAGE_SIZE,
      length: (end - first) * PAGE_SIZE,
    });
    assert.deepEqual(
      got,
      dirty.filter((p) => p >= first && p < end),
      `[${first}, ${end})`,
    );
    // Pages after the range are still dirty.
    for (const p of dirty.filter((q) => q >= end)) assert.ok(ram.dirty.isDirty(p), `page ${p}`);
    seen.push(...got);
  }
  assert.deepEqual(seen, dirty);
});

test("work queries with continuation tokens cover every dirty page exactly once", () => {
  const pages = 1000;
  for (const maxPages of [1, 3, 31, 32, 33, 500, 2000]) {
    const { vm, ram } = setup(pages);
    const dirty = randomPages(400, pages, maxPages * 7919 + 1);
    for (const page of dirty) ram.dirty.mark(page);
    const seen: number[] = [];
    let token: number | undefined = undefined;
    let calls = 0;
    do {
      const result = vm.dirtyPagesByWork({ backing: ram, maxPages, token });
      assert.ok(result.pages.length <= maxPages, `maxPages ${maxPages}`);
      seen.push(...result.pages);
      token = result.token;
      assert.ok(++calls <= pages + 1, "the walk terminates");
    } while (token !== undefined);
    assert.deepEqual(seen, dirty, `maxPages ${maxPages}: each page once, ascending`);
    assert.deepEqual(vm.dirtyPagesInRange({ backing: ram, offset: 0, length: ram.size }), []);
  }
});

test("pages dirtied behind the token wait for the next pass; ahead of it they are found", () => {
  const { vm, ram } = setup(64);
  for (const page of [1, 2, 40]) ram.dirty.mark(page);
  const first = vm.dirtyPagesByWork({ backing: ram, maxPages: 2 });
  assert.deepEqual(first.pages, [1, 2]);
  ram.dirty.mark(1); // behind
  ram.dirty.mark(50); // ahead
  const rest = vm.dirtyPagesByWork({ backing: ram, maxPages: 10, token: first.token });
  assert.deepEqual(rest.pages, [40, 50]);
  assert.equal(rest.token, undefined);
  assert.deepEqual(vm.dirtyPagesByWork({ backing: ram, maxPages: 10 }).pages, [1]);
});

test("bad dirty queries are invalid-argument", () => {
  const { vm, ram } = setup(8);
  const foreign = new SoftVm().allocateMemory("x", PAGE_SIZE);
  const invalid = (e: unknown) => e instanceof HvError && e.code === "invalid-argument";
  assert.throws(
    () => vm.dirtyPagesInRange({ backing: foreign, offset: 0, length: PAGE_SIZE }),
    invalid,
  );
  assert.throws(
    () => vm.dirtyPagesInRange({ backing: ram, offset: 100, length: PAGE_SIZE }),
    invalid,
  );
  assert.throws(
    () => vm.dirtyPagesInRange({ backing: ram, offset: 0, length: 9 * PAGE_SIZE }),
    invalid,
  );
  assert.throws(() => vm.dirtyPagesByWork({ backing: ram, maxPages: 0 }), invalid);
  assert.throws(() => vm.dirtyPagesByWork({ backing: ram, maxPages: 1, token: 9 }), invalid);
  assert.throws(() => vm.dirtyPagesByWork({ backing: ram, maxPages: 1, token: 1.5 }), invalid);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { AddressSpace, PAGE_SIZE } from "../../src/hv/memory.js";
import { GuestMemoryError } from "../../src/hv/soft/memory/guest-memory.js";
import { SoftVm } from "../../src/hv/soft/vm.js";

const N = AddressSpace.NORMAL;

/** Two backings mapped back to back at 0x10000, then a hole, then more RAM. */
function setup() {
  const vm = new SoftVm();
  const a = vm.allocateMemory("a", 4 * PAGE_SIZE);
  const b = vm.allocateMemory("b", 4 * PAGE_SIZE);
  vm.setMemoryMap(N, [
    { guestAddress: 0x10000, size: 4 * PAGE_SIZE, backing: a, backingOffset: 0, dirtyLog: true },
    {
      guestAddress: 0x14000,
      size: 2 * PAGE_SIZE,
      backing: b,
      backingOffset: 2 * PAGE_SIZE,
      dirtyLog: true,
    },
    // 0x16000..0x17fff is a hole
    { guestAddress: 0x18000, size: 2 * PAGE_SIZE, backing: b, backingOffset: 0 },
  ]);
  return { vm, a, b, mem: vm.guestMemory(N) };
}

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

test("DMA crossing two slots (two backings) writes and reads back", () => {
  const { vm, a, b, mem } = setup();
  const data = pattern(0x2800, 7);
  const start = 0x13800; // the last half page of a's slot, then all of b's slot (to 0x16000)
  mem.write(start, data);
  assert.deepEqual(a.bytes.subarray(0x3800, 0x4000), data.subarray(0, 0x800));
  assert.deepEqual(
    b.bytes.subarray(2 * PAGE_SIZE, 2 * PAGE_SIZE + 0x2000),
    data.subarray(0x800, 0x2800),
  );
  const back = new Uint8Array(0x2800);
  mem.read(start, back);
  assert.deepEqual(back, data);
  assert.deepEqual(vm.dirtyPagesInRange({ backing: a, offset: 0, length: a.size }), [3]);
  assert.deepEqual(vm.dirtyPagesInRange({ backing: b, offset: 0, length: b.size }), [2, 3]);
});

test("DMA into a hole throws, names the address and writes nothing", () => {
  const { vm, a, b, mem } = setup();
  const data = pattern(0x3000, 1);
  assert.throws(
    () => mem.write(0x14800, data), // runs from b's slot into the hole at 0x16000
    (e: unknown) =>
      e instanceof GuestMemoryError &&
      e.fault === "unmapped" &&
      e.address === 0x16000 &&
      /0x16000 is not RAM/.test(e.message),
  );
  assert.ok(a.bytes.every((x) => x === 0) && b.bytes.every((x) => x === 0), "no partial write");
  assert.deepEqual(vm.dirtyPagesInRange({ backing: b, offset: 0, length: b.size }), []);
  assert.throws(() => mem.read(0x15ff0, new Uint8Array(0x20)), /0x16000 is not RAM/);
  assert.throws(() => mem.readU32(0x17ffe), /0x17ffe is not RAM/);
  assert.throws(
    () => mem.writeU32(0x15ffe, 1),
    (e: unknown) => e instanceof GuestMemoryError,
  );
  assert.ok(
    b.bytes.every((x) => x === 0),
    "a straddling value store is all or nothing too",
  );
});

test("addresses outside the 52-bit space or not integers are out-of-range", () => {
  const { mem } = setup();
  for (const address of [-1, 2 ** 52, 1.5, NaN, 2 ** 53]) {
    assert.throws(
      () => mem.read(address, new Uint8Array(1)),
      (e: unknown) => e instanceof GuestMemoryError && e.fault === "out-of-range",
      String(address),
    );
  }
  assert.throws(() => mem.write(2 ** 52 - 2, new Uint8Array(4)), /outside the 52-bit/);
});

test("values are little-endian, also across page and slot boundaries", () => {
  const { a, b, mem } = setup();
  mem.writeU16(0x10000, 0xbeef);
  assert.deepEqual([...a.bytes.subarray(0, 2)], [0xef, 0xbe]);
  mem.writeU32(0x10010, 0x89abcdef);
  assert.equal(mem.readU32(0x10010), 0x89abcdef);
  mem.writeU64(0x10020, 0xfedcba9876543210n);
  assert.equal(mem.readU64(0x10020), 0xfedcba9876543210n);
  assert.equal(mem.readU8(0x10027), 0xfe);
  // 0x13ffc..0x14003 straddles backing a's last page and backing b.
  mem.writeU64(0x13ffc, 0x0807060504030201n);
  assert.deepEqual([...a.bytes.subarray(0x3ffc)], [1, 2, 3, 4]);
  assert.deepEqual([...b.bytes.subarray(2 * PAGE_SIZE, 2 * PAGE_SIZE + 4)], [5, 6, 7, 8]);
  assert.equal(mem.readU64(0x13ffc), 0x0807060504030201n);
  assert.equal(mem.readU32(0x13ffe), 0x06050403);
  assert.equal(mem.readU16(0x13fff), 0x0504);
  mem.writeU32(0x13ffe, -1);
  assert.equal(mem.readU32(0x13ffe), 0xffffffff, "signed forms are accepted");
  mem.writeU16(0x11fff, 0x1234);
  assert.equal(mem.readU16(0x11fff), 0x1234);
  assert.throws(() => mem.writeU8(0x10000, 256), RangeError);
  assert.throws(() => mem.writeU32(0x10000, 2 ** 32), RangeError);
  assert.throws(() => mem.writeU64(0x10000, 1n << 64n), RangeError);
});

test("fill clears a range across slots, all or nothing", () => {
  const { a, b, mem } = setup();
  mem.fill(0x13000, 0x2000, 0xcc);
  assert.ok(a.bytes.subarray(0x3000).every((x) => x === 0xcc));
  assert.ok(b.bytes.subarray(0x2000, 0x3000).every((x) => x === 0xcc));
  assert.equal(b.bytes[0x3000], 0);
  assert.throws(() => mem.fill(0x15000, 0x2000, 1), GuestMemoryError);
  assert.equal(b.bytes[0x3000], 0);
});

test("writes to pages holding translated code call the code-write listener once per translation", () => {
  const { vm, a, b, mem } = setup();
  const calls: [number, number][] = [];
  const remove = vm.addCodeWriteListener((backingIndex, page) => calls.push([backingIndex, page]));
  a.codePages[1] = 1; // the CPU translated code from a's page 1 (guest 0x11000)
  b.codePages[0] = 1; // and from b's page 0, mapped at guest 0x18000
  mem.writeU8(0x10fff, 1); // page 0 of a: no code
  assert.deepEqual(calls, []);
  mem.write(0x10ffe, new Uint8Array(4)); // touches a's pages 0 and 1
  assert.deepEqual(calls, [[a.id, 1]]);
  assert.equal(a.codePages[1], 0, "the byte is cleared: the CPU sets it when it translates again");
  mem.writeU8(0x11000, 2);
  assert.equal(calls.length, 1, "no translation left, no call");
  mem.writeU32(0x18010, 5);
  assert.deepEqual(calls, [
    [a.id, 1],
    [b.id, 0],
  ]);
  // The CPU's own stores use the same hook.
  a.codePages[2] = 1;
  vm.codePageWritten(a.id, 2);
  assert.deepEqual(calls.at(-1), [a.id, 2]);
  remove();
  b.codePages[0] = 1;
  mem.writeU8(0x18000, 1);
  assert.equal(calls.length, 3, "removed listener is not called");
});

test("reads never set dirty bits or invalidate code", () => {
  const { vm, a, mem } = setup();
  let calls = 0;
  vm.addCodeWriteListener(() => calls++);
  a.codePages.fill(1);
  mem.read(0x10000, new Uint8Array(4 * PAGE_SIZE));
  mem.readU64(0x10ffc);
  assert.equal(calls, 0);
  assert.deepEqual(vm.dirtyPagesInRange({ backing: a, offset: 0, length: a.size }), []);
});

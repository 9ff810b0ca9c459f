import { test } from "node:test";
import assert from "node:assert/strict";
import { constants as bufferConstants } from "node:buffer";
import { spawnSync } from "node:child_process";
import { HvError } from "../../src/hv/errors.js";
import { AddressSpace, PAGE_SIZE } from "../../src/hv/memory.js";
import { MAX_BACKING_SIZE } from "../../src/hv/soft/memory/backing.js";
import { SoftVm } from "../../src/hv/soft/vm.js";

const GiB = 2 ** 30;

function hvCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof HvError && error.code === code;
}

test("allocateMemory returns zero-filled memory with dirty and code maps sized per page", () => {
  const vm = new SoftVm();
  const ram = vm.allocateMemory("pc.ram", 64 * PAGE_SIZE);
  assert.equal(ram.size, 64 * PAGE_SIZE);
  assert.equal(ram.name, "pc.ram");
  assert.equal(ram.bytes.length, ram.size);
  assert.ok(ram.bytes.every((b) => b === 0));
  assert.equal(ram.dirty.pages, 64);
  assert.equal(ram.codePages.length, 64);
  assert.equal(ram.shared, false);
  assert.ok(!(ram.bytes.buffer instanceof SharedArrayBuffer));
  const rom = vm.allocateMemory("bios", PAGE_SIZE);
  assert.deepEqual([ram.id, rom.id], [0, 1], "ids are dense indices");
  assert.equal(vm.backings[1], rom);
});

test("shared backings live in SharedArrayBuffers (bytes, dirty bitmap, code bytes)", () => {
  const vm = new SoftVm({ sharedMemory: true });
  const byDefault = vm.allocateMemory("ram", PAGE_SIZE);
  assert.ok(byDefault.bytes.buffer instanceof SharedArrayBuffer);
  assert.ok(byDefault.dirty.words.buffer instanceof SharedArrayBuffer);
  assert.ok(byDefault.codePages.buffer instanceof SharedArrayBuffer);
  const private_ = vm.allocateMemory("rom", PAGE_SIZE, { shared: false });
  assert.ok(!(private_.bytes.buffer instanceof SharedArrayBuffer));
});

test("bad sizes and names are invalid-argument", () => {
  const vm = new SoftVm();
  for (const size of [0, -PAGE_SIZE, 100, PAGE_SIZE + 1, 1.5 * PAGE_SIZE, NaN]) {
    assert.throws(() => vm.allocateMemory("x", size), hvCode("invalid-argument"), `size ${size}`);
  }
  assert.throws(() => vm.allocateMemory("", PAGE_SIZE), hvCode("invalid-argument"));
  assert.throws(
    () => vm.allocateMemory("huge", MAX_BACKING_SIZE + PAGE_SIZE),
    (e: unknown) => hvCode("invalid-argument")(e) && /maxBackingSize/.test((e as Error).message),
  );
  assert.equal(vm.backings.length, 0, "failed allocations leave no backing behind");
});

test("the host limit is reported and is at least 4 GiB on this Node", () => {
  assert.equal(vm().capabilities.maxBackingSize, MAX_BACKING_SIZE);
  assert.equal(MAX_BACKING_SIZE % PAGE_SIZE, 0);
  assert.ok(MAX_BACKING_SIZE <= bufferConstants.MAX_LENGTH);
  assert.ok(MAX_BACKING_SIZE >= 4 * GiB, `typed arrays limited to ${MAX_BACKING_SIZE} bytes`);
});

test("a refused host allocation is no-memory with a clear message", (t) => {
  // The host must really refuse: run a child Node under a 2 GB address-space
  // limit (ulimit -v) and ask it for 4 GiB.
  if (process.platform !== "linux") {
    t.skip("needs ulimit -v (Linux) to make the host refuse an allocation");
    return;
  }
  const vmModule = new URL("../../src/hv/soft/vm.js", import.meta.url).href;
  const script = `
    const { SoftVm } = await import(${JSON.stringify(vmModule)});
    try { new SoftVm().allocateMemory("pc.ram", 2 ** 32); console.log("allocated"); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const child = spawnSync(
    "/bin/sh",
    ["-c", 'ulimit -v 2000000 && exec "$0" --input-type=module -e "$1"', process.execPath, script],
    { encoding: "utf8" },
  );
  if (child.stdout.trim() === "allocated") {
    t.skip("the host granted 4 GiB despite ulimit -v");
    return;
  }
  const result = JSON.parse(child.stdout) as { code: string; message: string };
  assert.equal(result.code, "no-memory", child.stderr);
  assert.match(
    result.message,
    /cannot allocate 4294967296 bytes \(4 GiB\) for guest memory "pc.ram"/,
  );
});

test("a 4 GiB backing works at both ends (only a few pages touched)", (t) => {
  const v = vm();
  let ram;
  try {
    ram = v.allocateMemory("pc.ram", 4 * GiB);
  } catch (error) {
    if (error instanceof HvError && error.code === "no-memory") {
      t.skip(`host refused 4 GiB: ${error.message}`);
      return;
    }
    throw error;
  }
  assert.equal(ram.bytes.length, 4 * GiB);
  v.setMemoryMap(AddressSpace.NORMAL, [
    { guestAddress: 0, size: 4 * GiB, backing: ram, backingOffset: 0, dirtyLog: true },
  ]);
  const mem = v.guestMemory(AddressSpace.NORMAL);
  const top = 4 * GiB - 8;
  mem.writeU64(top, 0x1122334455667788n);
  mem.writeU32(2 * GiB + 4, 0xdeadbeef);
  assert.equal(ram.bytes[4 * GiB - 1], 0x11);
  assert.equal(mem.readU64(top), 0x1122334455667788n);
  assert.equal(mem.readU32(2 * GiB + 4), 0xdeadbeef);
  const lastPage = (4 * GiB) / PAGE_SIZE - 1;
  assert.deepEqual(v.dirtyPagesInRange({ backing: ram, offset: 0, length: 4 * GiB }), [
    (2 * GiB) / PAGE_SIZE,
    lastPage,
  ]);
  v.destroy();
});

function vm(): SoftVm {
  return new SoftVm();
}

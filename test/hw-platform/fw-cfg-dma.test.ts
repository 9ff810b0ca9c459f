import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DMA_CONTROL_ERROR as ERROR,
  DMA_CONTROL_READ as READ,
  DMA_CONTROL_SELECT as SELECT,
  DMA_CONTROL_SKIP as SKIP,
  DMA_CONTROL_WRITE as WRITE,
} from "../../src/hw/fw-cfg/index.js";
import { io } from "./helpers.js";
import { DATA, RAM_SIZE, setupFwCfg } from "./fw-cfg-helpers.js";

const DESCRIPTOR = 0x1000;
const BUFFER = 0x2000;
const FILE = Uint8Array.from({ length: 100 }, (_, i) => (i * 13 + 5) & 0xff);

function setup() {
  const rig = setupFwCfg();
  const key = rig.fwcfg.addFile("etc/table", FILE);
  return { ...rig, key };
}

const select = (key: number): number => (key << 16) | SELECT;

test("a DMA read selects, copies the item and reports completion with control = 0", () => {
  const { dma, key, ram, rig } = setup();
  assert.equal(dma(DESCRIPTOR, select(key) | READ, 60, BigInt(BUFFER)), 0);
  assert.deepEqual(ram.bytes.subarray(BUFFER, BUFFER + 60), FILE.subarray(0, 60));
  // The offset moved on: DMA and the data port share it.
  assert.equal(io.in8(rig.bus, DATA), FILE[60]);
  assert.equal(dma(DESCRIPTOR, READ, 10, BigInt(BUFFER + 0x100)), 0);
  assert.deepEqual(ram.bytes.subarray(BUFFER + 0x100, BUFFER + 0x10a), FILE.subarray(61, 71));
});

test("reads past the item's end give zeros; skip moves the offset without touching memory", () => {
  const { dma, key, ram, rig } = setup();
  ram.bytes.fill(0xaa, BUFFER, BUFFER + 0x200);
  assert.equal(dma(DESCRIPTOR, select(key) | READ, 0x108, BigInt(BUFFER)), 0);
  assert.deepEqual(ram.bytes.subarray(BUFFER, BUFFER + 100), FILE);
  assert.ok(ram.bytes.subarray(BUFFER + 100, BUFFER + 0x108).every((b) => b === 0));
  assert.equal(ram.bytes[BUFFER + 0x108], 0xaa, "nothing beyond the length");

  const before = Uint8Array.from(ram.bytes);
  assert.equal(dma(DESCRIPTOR, select(key) | SKIP, 42, 0xdead_0000_0000n), 0);
  assert.equal(io.in8(rig.bus, DATA), FILE[42]);
  before.set(ram.bytes.subarray(DESCRIPTOR, DESCRIPTOR + 16), DESCRIPTOR);
  assert.deepEqual(ram.bytes, before);
  // No operation bit: the length is ignored, the selection still happens.
  assert.equal(dma(DESCRIPTOR, select(0), 4, BigInt(BUFFER)), 0);
  assert.equal(io.in8(rig.bus, DATA), "Q".charCodeAt(0));
});

test("a DMA to an address outside RAM sets the error bit and touches nothing else", () => {
  const { dma, key, ram } = setup();
  const before = Uint8Array.from(ram.bytes);
  for (const address of [
    BigInt(RAM_SIZE),
    BigInt(RAM_SIZE - 50),
    0xfee0_0000n,
    2n ** 60n,
    2n ** 64n - 8n,
  ]) {
    const control = dma(DESCRIPTOR, select(key) | READ, 100, address);
    assert.equal(control & ERROR, ERROR, `address 0x${address.toString(16)}`);
    const after = Uint8Array.from(ram.bytes);
    after.set(before.subarray(DESCRIPTOR, DESCRIPTOR + 16), DESCRIPTOR);
    assert.deepEqual(after, before);
  }
});

test("a hostile length neither crashes nor allocates, and fails where RAM ends", () => {
  const { dma, key, ram, rig } = setup();
  ram.bytes.fill(0xaa, BUFFER + 100);
  const start = process.hrtime.bigint();
  const control = dma(DESCRIPTOR, select(key) | READ, 0xffff_ffff, BigInt(BUFFER));
  assert.ok(process.hrtime.bigint() - start < 1_000_000_000n, "no 4 GiB copy");
  assert.equal(control & ERROR, ERROR);
  assert.deepEqual(ram.bytes.subarray(BUFFER, BUFFER + 100), FILE, "the item's own bytes fit");
  assert.ok(
    ram.bytes.subarray(BUFFER + 100).every((b) => b === 0xaa),
    "the zero fill is refused whole",
  );
  // A skip of the same length just runs off the end of the item.
  assert.equal(dma(DESCRIPTOR, select(key) | SKIP, 0xffff_ffff, 0n), 0);
  assert.equal(io.in8(rig.bus, DATA), 0);
  // A descriptor that is not in RAM cannot even be answered: nothing happens.
  const before = Uint8Array.from(ram.bytes);
  io.out32(rig.bus, 0x514, 0);
  io.out32(rig.bus, 0x518, 0x0000_f0ff); // 0xfff00000, big-endian
  assert.deepEqual(ram.bytes, before);
});

test("DMA writes reach only writable files and must fit in them", () => {
  const { dma, fwcfg, memory } = setup();
  const writes: [number, number][] = [];
  const key = fwcfg.addFile("etc/writable", new Uint8Array(16), {
    writable: true,
    onWrite: (offset, length) => writes.push([offset, length]),
  });
  memory.write(
    BUFFER,
    Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i),
  );
  assert.equal(dma(DESCRIPTOR, select(key) | SKIP, 4, 0n), 0);
  assert.equal(dma(DESCRIPTOR, WRITE, 8, BigInt(BUFFER)), 0);
  assert.deepEqual(writes, [[4, 8]]);
  assert.deepEqual(
    fwcfg.fileData("etc/writable"),
    Uint8Array.of(0, 0, 0, 0, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0, 0, 0, 0),
  );
  // Too long for the rest of the file: refused, nothing written.
  const snapshot = fwcfg.fileData("etc/writable");
  assert.equal(dma(DESCRIPTOR, select(key) | WRITE, 17, BigInt(BUFFER)) & ERROR, ERROR);
  assert.deepEqual(fwcfg.fileData("etc/writable"), snapshot);
  // From outside RAM: refused, nothing written.
  assert.equal(dma(DESCRIPTOR, select(key) | WRITE, 8, BigInt(RAM_SIZE)) & ERROR, ERROR);
  assert.deepEqual(fwcfg.fileData("etc/writable"), snapshot);
  // A read-only file.
  assert.equal(dma(DESCRIPTOR, select(0x20) | WRITE, 4, BigInt(BUFFER)) & ERROR, ERROR);
  assert.deepEqual(fwcfg.fileData("etc/table"), FILE);
  assert.equal(writes.length, 1);
});

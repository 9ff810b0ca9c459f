import { test } from "node:test";
import assert from "node:assert/strict";
import { Bus } from "../../src/hw/bus/index.js";
import { summary, testDevice, type LoggedCall } from "./helpers.js";

test("a read straddling two devices takes each device's bytes", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const a = testDevice("a", 0x10, 2, [1, 2], { fill: (i) => 0xa0 + i });
  const b = testDevice("b", 0x12, 2, [1, 2], { fill: (i) => 0xb0 + i });
  bus.register(a.spec);
  bus.register(b.spec);
  assert.equal(bus.readNumber(0x11, 2, 0), 0xb0a1);
  assert.equal(bus.readNumber(0x10, 4, 0), 0xb1b0a1a0);
  assert.deepEqual(summary(a.calls), ["r1@1", "r2@0"]);
  assert.deepEqual(summary(b.calls), ["r1@0", "r2@0"]);
  assert.equal(bus.unclaimed.reads, 0);
});

test("a write straddling two devices gives each its bytes, ascending", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const calls: LoggedCall[] = [];
  const a = testDevice("a", 0x1000, 4, [4], { calls, fill: (i) => 0xa0 + i });
  const b = testDevice("b", 0x1004, 4, [1], { calls });
  bus.register(a.spec);
  bus.register(b.spec);
  bus.write(0x1002, 4, 0x44332211, 0);
  assert.deepEqual(summary(calls, true), [
    "a:r4@0",
    "a:w4@0=0x2211a1a0",
    "b:w1@0=0x33",
    "b:w1@1=0x44",
  ]);
  assert.deepEqual([...a.bytes, ...b.bytes.subarray(0, 2)], [0xa0, 0xa1, 0x11, 0x22, 0x33, 0x44]);
});

test("a read straddling a device and a hole reads 0xff for the hole and counts it", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("d", 0x3f8, 8, [1], { fill: () => 0x42 });
  bus.register(dev.spec);
  assert.equal(bus.readNumber(0x3fe, 4, 1), 0xffff4242);
  assert.equal(bus.readNumber(0x3f6, 4, 1), 0x4242ffff);
  assert.equal(bus.unclaimed.reads, 2);
  assert.deepEqual(
    bus.unclaimed.recent().map((u) => [u.address, u.size, u.vcpu]),
    [
      [0x3fe, 4, 1],
      [0x3f6, 4, 1],
    ],
  );
});

test("a write straddling a device and a hole writes the device's part and counts the rest", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("d", 0x70, 2, [1]);
  bus.register(dev.spec);
  bus.writeNumber(0x71, 2, 0x5566, 0);
  assert.deepEqual(summary(dev.calls), ["w1@1=0x66"]);
  assert.equal(bus.unclaimed.writes, 1);
  assert.deepEqual(bus.unclaimed.recent()[0], {
    write: true,
    address: 0x71,
    size: 2,
    vcpu: 0,
    value: 0x5566,
  });
});

test("bytes past the end of the port space are unclaimed", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("last", 0xffff, 1, [1], { fill: () => 0x12 });
  bus.register(dev.spec);
  assert.equal(bus.readNumber(0xffff, 4, 0), 0xffffff12);
  bus.writeNumber(0xffff, 2, 0x3456, 0);
  assert.deepEqual(summary(dev.calls), ["r1@0", "w1@0=0x56"]);
  assert.equal(bus.unclaimed.reads, 1);
  assert.equal(bus.unclaimed.writes, 1);
});

test("a higher-priority region inside a wider-only one splits the access around it", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const low = testDevice("low", 0x0, 8, [4], { fill: (i) => 0x10 + i });
  const high = testDevice("high", 0x2, 1, [1], { priority: 1, fill: () => 0xee });
  bus.register(low.spec);
  bus.register(high.spec);
  assert.equal(bus.read(0x0, 4, 0), 0x13ee1110);
  assert.deepEqual(summary(low.calls), ["r4@0", "r4@0"]);
  assert.deepEqual(summary(high.calls), ["r1@0"]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { Bus, BusConflictError } from "../../src/hw/bus/index.js";
import { testDevice } from "./helpers.js";

const constant = (value: number) => () => value;

test("where regions overlap the higher priority wins; the lower shows around it", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const low = testDevice("low", 0x1000, 0x100, [1, 2, 4], { fill: constant(0x11) });
  const high = testDevice("high", 0x1040, 0x10, [1, 2, 4], { priority: 5, fill: constant(0x22) });
  bus.register(high.spec);
  bus.register(low.spec); // registration order does not matter, priority does
  assert.equal(bus.read(0x103f, 1, 0), 0x11);
  assert.equal(bus.read(0x1040, 1, 0), 0x22);
  assert.equal(bus.read(0x104f, 1, 0), 0x22);
  assert.equal(bus.read(0x1050, 1, 0), 0x11);
  assert.deepEqual(bus.flatten(), [
    { start: 0x1000, end: 0x1040, region: "low", offset: 0 },
    { start: 0x1040, end: 0x1050, region: "high", offset: 0 },
    { start: 0x1050, end: 0x1100, region: "low", offset: 0x50 },
  ]);
  assert.deepEqual(bus.resolve(0x1051), { region: "low", offset: 0x51 });
});

test("a later, higher-priority registration overrides; removing it uncovers the lower", () => {
  const bus = new Bus({ name: "io", space: "port" });
  bus.register(testDevice("vga", 0x3c0, 0x20, [1], { fill: constant(0xaa) }).spec);
  assert.equal(bus.readNumber(0x3c4, 1, 0), 0xaa);
  const overlay = bus.register(
    testDevice("overlay", 0x3c4, 2, [1], { priority: 1, fill: constant(0xbb) }).spec,
  );
  assert.equal(bus.readNumber(0x3c4, 1, 0), 0xbb);
  overlay.remove();
  assert.equal(bus.readNumber(0x3c4, 1, 0), 0xaa);
});

test("negative priorities sit below the default", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  bus.register(testDevice("background", 0, 0x1000, [4], { priority: -1, fill: constant(1) }).spec);
  bus.register(testDevice("normal", 0x800, 4, [4], { fill: constant(2) }).spec);
  assert.equal(bus.read(0x800, 4, 0), 0x02020202);
  assert.equal(bus.read(0x804, 4, 0), 0x01010101);
});

test("an equal-priority overlap is refused at registration and changes nothing", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const first = bus.register(testDevice("first", 0x60, 4, [1], { fill: constant(0x60) }).spec);
  const clash = testDevice("clash", 0x63, 2, [1]);
  assert.throws(
    () => bus.register(clash.spec),
    (error: unknown) =>
      error instanceof BusConflictError &&
      error.existing === first &&
      /"clash" at 0x63\+0x2 overlaps "first" at 0x60\+0x4 with the same priority 0/.test(
        error.message,
      ),
  );
  assert.deepEqual(bus.mappings(), [first]);
  assert.equal(bus.readNumber(0x63, 1, 0), 0x60);
  assert.equal(bus.readNumber(0x64, 1, 0), 0xff);
});

test("touching regions of equal priority do not overlap", () => {
  const bus = new Bus({ name: "io", space: "port" });
  bus.register(testDevice("a", 0x60, 4, [1], { fill: constant(1) }).spec);
  bus.register(testDevice("b", 0x64, 4, [1], { fill: constant(2) }).spec);
  bus.register(testDevice("c", 0x5c, 4, [1], { fill: constant(3) }).spec);
  assert.equal(bus.readNumber(0x5f, 2, 0), 0x0103);
  assert.equal(bus.readNumber(0x63, 2, 0), 0x0201);
});

test("a disabled mapping neither answers nor conflicts; enabling into a conflict is refused", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const barA = bus.register(
    testDevice("barA", 0xe000_0000, 0x1000, [4], { fill: constant(0xa) }).spec,
  );
  barA.setEnabled(false);
  assert.equal(bus.read(0xe000_0000, 4, 0), 0xffff_ffff);
  const barB = bus.register(
    testDevice("barB", 0xe000_0000, 0x1000, [4], { fill: constant(0xb) }).spec,
  );
  assert.throws(() => barA.setEnabled(true), BusConflictError);
  assert.equal(barA.enabled, false);
  assert.equal(bus.read(0xe000_0000, 4, 0), 0x0b0b0b0b);
  barB.setEnabled(false);
  barA.setEnabled(true);
  assert.equal(bus.read(0xe000_0000, 4, 0), 0x0a0a0a0a);
});

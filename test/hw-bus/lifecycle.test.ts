import { test } from "node:test";
import assert from "node:assert/strict";
import { Bus, BusConflictError, BusError } from "../../src/hw/bus/index.js";
import { testDevice } from "./helpers.js";

const constant = (value: number) => () => value;

test("a removed region stops answering and frees its range", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const pit = bus.register(testDevice("i8254", 0x40, 4, [1], { fill: constant(0x40) }).spec);
  assert.equal(bus.readNumber(0x40, 1, 0), 0x40);
  pit.remove();
  assert.equal(pit.removed, true);
  assert.equal(bus.readNumber(0x40, 1, 0), 0xff);
  assert.deepEqual(bus.mappings(), []);
  bus.register(testDevice("other", 0x40, 4, [1], { fill: constant(0x41) }).spec);
  assert.equal(bus.readNumber(0x43, 1, 0), 0x41);
  pit.remove(); // harmless
  assert.throws(() => pit.move(0x50), /cannot move "i8254" on bus "io": removed/);
  assert.throws(() => pit.setEnabled(true), BusError);
});

test("moving a region (a reprogrammed BAR) takes effect at the next access", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const dev = testDevice("bar0", 0xfe00_0000, 0x1000, [4], { fill: (i) => i & 0xff });
  const bar = bus.register(dev.spec);
  assert.equal(bus.read(0xfe00_0010, 4, 0), 0x13121110);
  bar.move(0x8000_0000);
  assert.equal(bar.start, 0x8000_0000);
  assert.equal(bus.read(0xfe00_0010, 4, 0), 0xffff_ffff);
  assert.equal(bus.read(0x8000_0010, 4, 0), 0x13121110);
  assert.deepEqual(
    dev.calls.map((c) => c.offset),
    [0x10, 0x10],
  );
});

test("a move into a conflict, or out of the space, throws and leaves the region in place", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const a = bus.register(testDevice("a", 0x1000, 0x1000, [4], { fill: constant(0xa) }).spec);
  bus.register(testDevice("b", 0x4000, 0x1000, [4], { fill: constant(0xb) }).spec);
  assert.throws(() => a.move(0x4800), BusConflictError);
  assert.throws(() => a.move(2 ** 52 - 0x800), /beyond the mmio space/);
  assert.throws(() => a.move(0x2000, 6), /multiple of its smallest width/);
  assert.equal(a.start, 0x1000);
  assert.equal(a.length, 0x1000);
  assert.equal(bus.read(0x1000, 4, 0), 0x0a0a0a0a);
  a.move(0x3000, 0x1000); // touching b is fine
  assert.equal(bus.read(0x3ffc, 8, 0), 0x0b0b0b0b_0a0a0a0an);
});

test("a region can be resized in place by move(start, length)", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const window = bus.register(testDevice("w", 0x100, 0x10, [1], { fill: constant(1) }).spec);
  window.move(0x100, 0x8);
  assert.equal(bus.readNumber(0x107, 1, 0), 1);
  assert.equal(bus.readNumber(0x108, 1, 0), 0xff);
});

test("many moves between accesses each see the current placement", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("io-bar", 0xc000, 0x20, [1, 2, 4], { fill: (i) => i });
  const bar = bus.register(dev.spec);
  for (let i = 0; i < 200; i++) {
    const start = 0xc000 + ((i * 0x40) & 0x3fff);
    bar.move(start);
    assert.equal(bus.readNumber(start + 4, 4, 0), 0x07060504);
    assert.equal(bus.readNumber(start - 1, 1, 0), 0xff);
  }
});

test("a device may move itself from inside its own write handler", () => {
  const bus = new Bus({ name: "io", space: "port" });
  let self: ReturnType<Bus["register"]> | undefined;
  self = bus.register({
    name: "relocating",
    start: 0x200,
    length: 2,
    widths: [1, 2],
    read: () => 0x5a,
    write: (_offset, _size, value) => self?.move(Number(value)),
  });
  bus.writeNumber(0x200, 2, 0x300, 0);
  assert.equal(bus.readNumber(0x200, 1, 0), 0xff);
  assert.equal(bus.readNumber(0x301, 1, 0), 0x5a);
  self.remove();
  self = undefined;
  assert.equal(bus.readNumber(0x301, 1, 0), 0xff);
});

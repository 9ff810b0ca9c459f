import { test } from "node:test";
import assert from "node:assert/strict";
import { Bus, BusError } from "../../src/hw/bus/index.js";
import { summary, testDevice } from "./helpers.js";

const fill = (i: number) => 0x10 + i;

test("a 4-byte read of a byte-only device is four 1-byte reads, ascending, little-endian", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("bytes", 0x60, 8, [1], { fill });
  bus.register(dev.spec);
  assert.equal(bus.readNumber(0x62, 4, 0), 0x15141312);
  assert.deepEqual(summary(dev.calls), ["r1@2", "r1@3", "r1@4", "r1@5"]);
});

test("a 2-byte write to a byte-only device is two 1-byte writes, low byte first", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("bytes", 0x60, 4, [1]);
  bus.register(dev.spec);
  bus.writeNumber(0x61, 2, 0xbeef, 0);
  assert.deepEqual(summary(dev.calls), ["w1@1=0xef", "w1@2=0xbe"]);
});

test("a 1-byte write to a 4-byte-only device is a read-modify-write of the word", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("dwords", 0xcf8, 8, [4], { fill });
  bus.register(dev.spec);
  bus.writeNumber(0xcf8 + 6, 1, 0xab, 0);
  assert.deepEqual(summary(dev.calls), ["r4@4", "w4@4=0x17ab1514"]);
  assert.deepEqual([...dev.bytes], [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0xab, 0x17]);
});

test("a 1-byte read of a 4-byte-only device reads the word and extracts the byte", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("dwords", 0x100, 4, [4], { fill });
  bus.register(dev.spec);
  assert.equal(bus.readNumber(0x103, 1, 0), 0x13);
  assert.equal(bus.readNumber(0x101, 2, 0), 0x1211);
  assert.deepEqual(summary(dev.calls), ["r4@0", "r4@0"]);
});

test("a 2-byte write across two words of a 4-byte-only device is two read-modify-writes", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const dev = testDevice("dwords", 0x100, 8, [4], { fill });
  bus.register(dev.spec);
  bus.writeNumber(0x103, 2, 0xcdab, 0);
  assert.deepEqual(summary(dev.calls), ["r4@0", "w4@0=0xab121110", "r4@4", "w4@4=0x171615cd"]);
});

test("8-byte MMIO to a 4-byte device is two 4-byte accesses, low half first", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const dev = testDevice("regs", 0xfeb0_0000, 0x10, [4], { fill });
  bus.register(dev.spec);
  assert.equal(bus.read(0xfeb0_0008, 8, 0), 0x1f1e1d1c_1b1a1918n);
  bus.write(0xfeb0_0000, 8, 0x1122334455667788n, 0);
  assert.deepEqual(summary(dev.calls), ["r4@8", "r4@12", "w4@0=0x55667788", "w4@4=0x11223344"]);
});

test("a width the device lacks is split into naturally aligned widths it takes", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const dev = testDevice("mixed", 0x1000, 16, [1, 2, 4], { fill });
  bus.register(dev.spec);
  assert.equal(bus.read(0x1002, 8, 0), 0x1716151413121110n + 0x0202020202020202n);
  assert.deepEqual(summary(dev.calls), ["r2@2", "r4@4", "r2@8"]);
});

test("accesses of a width the device takes pass through unchanged, even unaligned", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const dev = testDevice("wide", 0x2000, 16, [1, 2, 4, 8], { fill });
  bus.register(dev.spec);
  assert.equal(bus.read(0x2001, 4, 0), 0x14131211);
  assert.equal(bus.read(0x2003, 8, 3), 0x1a19181716151413n);
  bus.write(0x2000, 8, 0xffn << 56n, 0);
  assert.deepEqual(summary(dev.calls), ["r4@1", "r8@3", "w8@0=0xff00000000000000"]);
});

test("a narrow write is widened to the device's smallest width, not its largest", () => {
  const bus = new Bus({ name: "mem", space: "mmio" });
  const dev = testDevice("words", 0x3000, 8, [2, 4], { fill });
  bus.register(dev.spec);
  bus.write(0x3001, 1, 0xaa, 0);
  assert.deepEqual(summary(dev.calls), ["r2@0", "w2@0=0xaa10"]);
});

test("results are truncated to the access size and written values too", () => {
  const bus = new Bus({ name: "io", space: "port" });
  const writes: number[] = [];
  bus.register({
    name: "sloppy",
    start: 0x80,
    length: 4,
    widths: [1, 4],
    read: (_o, size) => (size === 1 ? 0x1ff : -1),
    write: (_o, _s, value) => void writes.push(Number(value)),
  });
  assert.equal(bus.readNumber(0x80, 1, 0), 0xff);
  assert.equal(bus.readNumber(0x80, 4, 0), 0xffff_ffff);
  bus.writeNumber(0x80, 1, 0x1234, 0);
  bus.writeNumber(0x80, 4, -2, 0);
  assert.deepEqual(writes, [0x34, 0xffff_fffe]);
});

test("bad width declarations are refused with a clear error", () => {
  const port = new Bus({ name: "io", space: "port" });
  const mem = new Bus({ name: "mem", space: "mmio" });
  const base = { name: "d", start: 0, length: 8 };
  assert.throws(() => port.register({ ...base, widths: [8] }), /width 8 is not 1, 2 or 4/);
  assert.throws(() => mem.register({ ...base, widths: [] }), BusError);
  assert.throws(() => mem.register({ ...base, widths: [3 as 1] }), /width 3/);
  assert.throws(
    () => mem.register({ ...base, length: 6, widths: [4] }),
    /multiple of its smallest width 4/,
  );
  assert.deepEqual(port.mappings(), []);
  assert.deepEqual(mem.mappings(), []);
});

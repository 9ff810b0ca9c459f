import { test } from "node:test";
import assert from "node:assert/strict";
import { Bus, BusError, UNCLAIMED_LOG_CAPACITY } from "../../src/hw/bus/index.js";

test("unclaimed reads return all ones of the access size and are counted", () => {
  const ports = new Bus({ name: "io", space: "port" });
  const mem = new Bus({ name: "mem", space: "mmio" });
  assert.equal(ports.readNumber(0x80, 1, 0), 0xff);
  assert.equal(ports.readNumber(0x80, 2, 0), 0xffff);
  assert.equal(ports.readNumber(0x80, 4, 0), 0xffff_ffff);
  assert.equal(mem.read(0xfee0_0000, 8, 0), 0xffff_ffff_ffff_ffffn);
  assert.equal(mem.read(0xfee0_0000, 4, 0), 0xffff_ffff);
  assert.equal(ports.unclaimed.reads, 3);
  assert.equal(mem.unclaimed.reads, 2);
  assert.equal(mem.unclaimed.writes, 0);
});

test("unclaimed writes are dropped, counted and logged with their vCPU and value", () => {
  const mem = new Bus({ name: "mem", space: "mmio" });
  mem.write(0xd000_0000, 4, 0x1234, 1);
  mem.write(0xd000_0008, 8, 0xdead_beef_0000_0001n, 2);
  assert.equal(mem.unclaimed.writes, 2);
  assert.deepEqual(mem.unclaimed.recent(), [
    { write: true, address: 0xd000_0000, size: 4, vcpu: 1, value: 0x1234 },
    { write: true, address: 0xd000_0008, size: 8, vcpu: 2, value: 0xdead_beef_0000_0001n },
  ]);
});

test("the log keeps the last accesses, oldest first, and clear() resets it", () => {
  const ports = new Bus({ name: "io", space: "port" });
  const total = UNCLAIMED_LOG_CAPACITY + 5;
  for (let i = 0; i < total; i++) ports.writeNumber(0x100 + i, 1, i, 0);
  ports.readNumber(0x2000, 2, 7);
  const recent = ports.unclaimed.recent();
  assert.equal(recent.length, UNCLAIMED_LOG_CAPACITY);
  assert.equal(recent[0].address, 0x100 + total - UNCLAIMED_LOG_CAPACITY + 1);
  assert.deepEqual(recent.at(-1), {
    write: false,
    address: 0x2000,
    size: 2,
    vcpu: 7,
    value: undefined,
  });
  assert.equal(ports.unclaimed.writes, total);
  assert.equal(ports.unclaimed.reads, 1);
  ports.unclaimed.clear();
  assert.deepEqual(ports.unclaimed.recent(), []);
  assert.equal(ports.unclaimed.writes, 0);
});

test("a region without read/write handlers claims its range: all ones, writes swallowed", () => {
  const ports = new Bus({ name: "io", space: "port" });
  ports.register({ name: "post-code", start: 0x80, length: 1, widths: [1] });
  ports.writeNumber(0x80, 1, 0x42, 0);
  assert.equal(ports.readNumber(0x80, 1, 0), 0xff);
  assert.equal(ports.unclaimed.writes, 0);
  assert.equal(ports.unclaimed.reads, 0);
});

test("malformed accesses (a backend bug) throw BusError; the guest cannot cause them", () => {
  const ports = new Bus({ name: "io", space: "port" });
  const mem = new Bus({ name: "mem", space: "mmio" });
  assert.throws(() => ports.read(0x80, 8, 0), /bad port access size 8/);
  assert.throws(() => ports.readNumber(0x80, 3 as 1, 0), BusError);
  assert.throws(() => ports.readNumber(0x10000, 1, 0), /bad port address 65536/);
  assert.throws(() => ports.writeNumber(-1, 1, 0, 0), BusError);
  assert.throws(() => mem.read(2 ** 52, 4, 0), /bad mmio address/);
  assert.throws(() => mem.write(1.5, 4, 0, 0), BusError);
  assert.equal(ports.unclaimed.reads + ports.unclaimed.writes, 0);
});

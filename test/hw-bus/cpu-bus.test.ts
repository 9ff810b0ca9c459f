import { test } from "node:test";
import assert from "node:assert/strict";
import type { AccessHandler } from "../../src/hv/api.js";
import { CpuBus, createBusSpaces } from "../../src/hw/bus/index.js";
import { testDevice } from "./helpers.js";

test("CpuBus is an AccessHandler whose vCPU index reaches the device on every path", () => {
  const cpu = new CpuBus();
  const handler: AccessHandler = cpu;
  const port = testDevice("port-dev", 0x500, 4, [1, 2, 4]);
  const mmio = testDevice("mmio-dev", 0xfed0_0000, 0x100, [4]);
  cpu.port.register(port.spec);
  cpu.mmio.register(mmio.spec);
  handler.portRead(1, 0x500, 2);
  handler.portWrite(2, 0x502, 1, 0x12);
  handler.mmioRead(3, 0xfed0_0000, 4);
  handler.mmioWrite(4, 0xfed0_0004, 4, 0x99);
  handler.mmioRead(5, 0xfed0_0008, 8); // split into two 4-byte reads
  handler.mmioWrite(6, 0xfed0_0012, 1, 0x7); // read-modify-write
  assert.deepEqual(
    port.calls.map((c) => [c.op, c.vcpu]),
    [
      ["read", 1],
      ["write", 2],
    ],
  );
  assert.deepEqual(
    mmio.calls.map((c) => [c.op, c.offset, c.vcpu]),
    [
      ["read", 0x0, 3],
      ["write", 0x4, 4],
      ["read", 0x8, 5],
      ["read", 0xc, 5],
      ["read", 0x10, 6],
      ["write", 0x10, 6],
    ],
  );
});

test("CpuBus returns numbers for 1-4 byte accesses and a bigint for 8-byte MMIO", () => {
  const cpu = new CpuBus();
  cpu.mmio.register(testDevice("ram-like", 0x1000, 0x10, [8], { fill: (i) => i }).spec);
  assert.equal(cpu.mmioRead(0, 0x1000, 4), 0x03020100);
  assert.equal(cpu.mmioRead(0, 0x1000, 8), 0x0706050403020100n);
  cpu.mmioWrite(0, 0x1008, 8, 0xffn);
  cpu.mmioWrite(0, 0x1009, 1, 0xee); // a number is accepted too
  assert.equal(cpu.mmioRead(0, 0x1008, 8), 0xeeffn);
  assert.equal(cpu.portRead(0, 0x1000, 4), 0xffff_ffff);
});

test("createBusSpaces makes a port and an MMIO bus for one level of the hierarchy", () => {
  const cpu = new CpuBus("cpu0");
  const pci = createBusSpaces("pci0");
  assert.equal(pci.port.name, "pci0.port");
  assert.equal(pci.mmio.space, "mmio");
  assert.equal(cpu.port.name, "cpu0.port");
  cpu.port.mount(pci.port, { start: 0, length: 0x10000 });
  cpu.mmio.mount(pci.mmio, { start: 0x8000_0000, length: 0x7000_0000 });
  pci.mmio.register(testDevice("bar", 0x9000_0000, 0x10, [4], { fill: () => 0x33 }).spec);
  pci.mmio.register(testDevice("outside", 0x1000, 0x10, [4], { fill: () => 0x44 }).spec);
  assert.equal(cpu.mmioRead(0, 0x9000_0000, 4), 0x33333333);
  assert.equal(cpu.mmioRead(0, 0x1000, 4), 0xffff_ffff);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { Bus, BusError, CpuBus } from "../../src/hw/bus/index.js";
import { summary, testDevice } from "./helpers.js";

const constant = (value: number) => () => value;

/** cpu → chipset → pci → isa, for the port space, identity-mapped all the way. */
function portHierarchy() {
  const cpu = new CpuBus();
  const chipset = new Bus({ name: "chipset.port", space: "port" });
  const pci = new Bus({ name: "pci.port", space: "port" });
  const isa = new Bus({ name: "isa.port", space: "port" });
  cpu.port.mount(chipset, { start: 0, length: 0x10000 });
  chipset.mount(pci, { start: 0, length: 0x10000 });
  // ISA decodes subtractively: below every PCI device.
  pci.mount(isa, { start: 0, length: 0x10000, priority: -1 });
  return { cpu, chipset, pci, isa };
}

test("an access from the CPU reaches a device three buses down, with its offset and vCPU", () => {
  const { cpu, isa } = portHierarchy();
  const uart = testDevice("uart", 0x3f8, 8, [1], { fill: (i) => 0x30 + i });
  isa.register(uart.spec);
  assert.equal(cpu.portRead(2, 0x3fd, 1), 0x35);
  cpu.portWrite(3, 0x3f8, 1, 0x41);
  assert.deepEqual(
    uart.calls.map((c) => [c.op, c.offset, c.vcpu]),
    [
      ["read", 5, 2],
      ["write", 0, 3],
    ],
  );
});

test("a PCI device wins over ISA; where PCI has a hole, ISA answers", () => {
  const { cpu, pci, isa } = portHierarchy();
  isa.register(testDevice("isa-thing", 0xc000, 0x100, [1], { fill: constant(0x15) }).spec);
  pci.register(testDevice("pci-bar", 0xc000, 0x20, [1, 2, 4], { fill: constant(0xc1) }).spec);
  assert.equal(cpu.portRead(0, 0xc000, 1), 0xc1);
  assert.equal(cpu.portRead(0, 0xc020, 1), 0x15);
  assert.equal(cpu.portRead(0, 0xc01e, 4), 0x1515c1c1);
  assert.equal(cpu.portRead(0, 0xd000, 1), 0xff);
  assert.equal(cpu.port.unclaimed.reads, 1);
});

test("a child bus claims only what it holds: the parent's lower mappings show through", () => {
  const root = new Bus({ name: "root", space: "mmio" });
  const child = new Bus({ name: "child", space: "mmio" });
  root.register(
    testDevice("background", 0, 0x10000, [1], { priority: -5, fill: constant(0xbb) }).spec,
  );
  root.mount(child, { start: 0x1000, length: 0x1000 });
  child.register(testDevice("dev", 0x1800, 0x10, [1], { fill: constant(0xdd) }).spec);
  assert.equal(root.read(0x1000, 1, 0), 0xbb);
  assert.equal(root.read(0x1800, 1, 0), 0xdd);
  assert.equal(root.read(0x1810, 1, 0), 0xbb);
});

test("a higher-priority parent mapping wins over the child's window", () => {
  const root = new Bus({ name: "root", space: "mmio" });
  const child = new Bus({ name: "child", space: "mmio" });
  root.mount(child, { start: 0, length: 0x1_0000_0000 });
  child.register(testDevice("pci-bar", 0xfec0_0000, 0x1000, [4], { fill: constant(0x0b) }).spec);
  root.register(
    testDevice("ioapic", 0xfec0_0000, 0x100, [4], { priority: 1, fill: constant(0x0a) }).spec,
  );
  assert.equal(root.read(0xfec0_0000, 4, 0), 0x0a0a0a0a);
  assert.equal(root.read(0xfec0_0100, 4, 0), 0x0b0b0b0b);
});

test("the window clips the child: its devices outside the window are unreachable", () => {
  const root = new Bus({ name: "root", space: "mmio" });
  const child = new Bus({ name: "child", space: "mmio" });
  child.register(testDevice("straddler", 0x1ffc, 8, [1], { fill: constant(0x5a) }).spec);
  root.mount(child, { start: 0x1000, length: 0x1000 });
  assert.equal(root.read(0x1ffc, 8, 0), 0xffff_ffff_5a5a_5a5an);
  assert.deepEqual(root.flatten(), [
    { start: 0x1ffc, end: 0x2000, region: "straddler", offset: 0 },
  ]);
});

test("a window with childBase translates addresses, and its contents move with it", () => {
  const root = new Bus({ name: "root", space: "mmio" });
  const child = new Bus({ name: "child", space: "mmio" });
  const dev = testDevice("dev", 0x10, 4, [4], { fill: (i) => i + 1 });
  child.register(dev.spec);
  const window = root.mount(child, { start: 0xa0000, length: 0x100, childBase: 0 });
  assert.equal(root.read(0xa0010, 4, 0), 0x04030201);
  window.move(0xb0000);
  assert.equal(root.read(0xa0010, 4, 0), 0xffff_ffff);
  assert.equal(root.read(0xb0010, 4, 0), 0x04030201);
  assert.deepEqual(summary(dev.calls), ["r4@0", "r4@0"]);
});

test("moving an identity window keeps addresses untranslated", () => {
  const root = new Bus({ name: "root", space: "port" });
  const child = new Bus({ name: "child", space: "port" });
  child.register(testDevice("dev", 0x1010, 1, [1], { fill: constant(7) }).spec);
  const window = root.mount(child, { start: 0x1000, length: 0x100 });
  window.move(0x1010, 0x10);
  assert.equal(root.readNumber(0x1010, 1, 0), 7);
  window.move(0x2000);
  assert.equal(root.readNumber(0x1010, 1, 0), 0xff);
});

test("changes deep in the tree reach the root without remounting", () => {
  const { cpu, isa } = portHierarchy();
  assert.equal(cpu.portRead(0, 0x60, 1), 0xff);
  const kbd = isa.register(testDevice("i8042", 0x60, 1, [1], { fill: constant(0x1c) }).spec);
  assert.equal(cpu.portRead(0, 0x60, 1), 0x1c);
  kbd.move(0x64);
  assert.equal(cpu.portRead(0, 0x60, 1), 0xff);
  assert.equal(cpu.portRead(0, 0x64, 1), 0x1c);
});

test("unmounting a child removes its devices; it can then be mounted elsewhere", () => {
  const root = new Bus({ name: "root", space: "port" });
  const other = new Bus({ name: "other", space: "port" });
  const child = new Bus({ name: "child", space: "port" });
  child.register(testDevice("dev", 0x80, 1, [1], { fill: constant(0x80) }).spec);
  const window = root.mount(child, { start: 0, length: 0x100 });
  assert.equal(child.parent, window);
  assert.equal(root.readNumber(0x80, 1, 0), 0x80);
  window.remove();
  assert.equal(child.parent, undefined);
  assert.equal(root.readNumber(0x80, 1, 0), 0xff);
  other.mount(child, { start: 0, length: 0x100 });
  assert.equal(other.readNumber(0x80, 1, 0), 0x80);
});

test("bad mounts are refused: twice, cycles, wrong space, window beyond the child", () => {
  const a = new Bus({ name: "a", space: "mmio" });
  const b = new Bus({ name: "b", space: "mmio" });
  const c = new Bus({ name: "c", space: "mmio" });
  const ports = new Bus({ name: "ports", space: "port" });
  a.mount(b, { start: 0, length: 0x1000 });
  b.mount(c, { start: 0, length: 0x1000 });
  assert.throws(() => a.mount(b, { start: 0x1000, length: 0x1000 }), /already mounted on "a"/);
  assert.throws(() => c.mount(a, { start: 0, length: 0x1000 }), /cycle/);
  assert.throws(() => c.mount(c, { start: 0, length: 0x1000 }), /cycle/);
  assert.throws(
    () => ports.mount(new Bus({ name: "m", space: "mmio" }), { start: 0, length: 1 }),
    BusError,
  );
  assert.throws(
    () =>
      a.mount(new Bus({ name: "d", space: "mmio" }), {
        start: 0,
        length: 0x2000,
        childBase: 2 ** 52 - 1,
      }),
    /beyond/,
  );
});

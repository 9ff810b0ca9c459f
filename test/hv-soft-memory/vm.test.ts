import { test } from "node:test";
import assert from "node:assert/strict";
import { RegSet } from "../../src/hv/registers.js";
import { VirtualClock, ManualTimeSource } from "../../src/hw/clock.js";
import { readApicPage } from "../../src/hv/soft/lapic/index.js";
import type { VcpuExit } from "../../src/hv/exits.js";
import { HvError } from "../../src/hv/errors.js";
import { AddressSpace, PAGE_SIZE } from "../../src/hv/memory.js";
import type { RegisterValue } from "../../src/hv/registers.js";
import type { CpuCore } from "../../src/hv/soft/cpu-core.js";
import { SoftHypervisor, SOFT_CAPABILITIES } from "../../src/hv/soft/hypervisor.js";
import { SoftVm } from "../../src/hv/soft/vm.js";

const code = (c: string) => (e: unknown) => e instanceof HvError && e.code === c;
const EFER = 0xc0000080;

/** A CPU core that halts at once; enough to see createVcpu wire the factory's core in. */
function haltingCore(log: string[], index: number): CpuCore {
  return {
    registers: {
      read: (): RegisterValue => 0n,
      write: () => {},
    },
    run: (): VcpuExit => {
      log.push(`run ${index}`);
      return { kind: "hlt" };
    },
    completeAccess: () => {},
    msrs: [EFER],
    cpuidLeaves: [[0, 0]],
  };
}

test("capabilities report the soft backend's limits", () => {
  const hv = new SoftHypervisor();
  assert.equal(hv.capabilities.backend, "soft");
  assert.equal(hv.capabilities.addressSpaces, 2);
  assert.ok(hv.capabilities.maxVcpus >= 1 && hv.capabilities.maxMemorySlots >= 32);
  assert.ok(hv.capabilities.dirtyLog && hv.capabilities.notifiers);
  assert.equal(hv.createVm().capabilities, SOFT_CAPABILITIES);
  assert.ok(Object.isFrozen(SOFT_CAPABILITIES));
});

test("enableCapability validates the name and arguments and records them", () => {
  const vm = new SoftVm();
  vm.enableCapability("instruction-counted-tsc", { instructionsPerTick: 4 });
  vm.enableCapability("interrupt-window-exit", { vcpu: 1, enable: true });
  assert.deepEqual(vm.enabledCapability("instruction-counted-tsc"), [{ instructionsPerTick: 4 }]);
  assert.deepEqual(vm.enabledCapability("interrupt-window-exit"), [{ vcpu: 1, enable: true }]);
  assert.deepEqual(vm.enabledCapability("hide-lapic"), []);
  const bad: [string, unknown][] = [
    ["no-such-cap", {}],
    ["instruction-counted-tsc", { instructionsPerTick: 0 }],
    ["instruction-counted-tsc", {}],
    ["interrupt-window-exit", { vcpu: -1, enable: true }],
    ["interrupt-window-exit", { vcpu: 0, enable: "yes" }],
    ["hide-lapic", { vcpu: 1000 }],
    ["hide-lapic", null],
  ];
  for (const [cap, args] of bad) {
    assert.throws(
      () => (vm.enableCapability as (c: string, a: unknown) => void)(cap, args),
      code("invalid-argument"),
      `${cap} ${JSON.stringify(args)}`,
    );
  }
  assert.equal(vm.enabledCapability("hide-lapic").length, 0, "refused calls record nothing");
});

test("createVcpu without a factory builds the soft x86 CPU at its reset state", () => {
  const vm = new SoftVm();
  const vcpu = vm.createVcpu(0);
  assert.deepEqual(vm.vcpus, [vcpu]);
  // SDM vol. 3, table 9-1: after RESET the CPU fetches from F000:FFF0.
  const [rip] = vcpu.getState([{ set: RegSet.RIP, number: 0 }]);
  assert.equal(rip.value, 0xfff0n);
});

test("createVcpu takes its core from the factory (Vm option or hypervisor default)", () => {
  const log: string[] = [];
  const hv = new SoftHypervisor({ createCore: (_vm, index) => haltingCore(log, index) });
  const vm = hv.createVm();
  const v1 = vm.createVcpu(1);
  const v0 = vm.createVcpu(0);
  assert.deepEqual(vm.vcpus, [v1, v0], "a list in creation order");
  assert.deepEqual([v1.index, v0.index], [1, 0]);
  assert.equal(v0.run().kind, "hlt");
  assert.deepEqual(log, ["run 0"]);
  assert.throws(() => vm.createVcpu(1), code("invalid-argument"), "duplicate index");
  assert.throws(() => vm.createVcpu(vm.capabilities.maxVcpus), code("invalid-argument"));
  assert.throws(() => vm.createVcpu(0.5), code("invalid-argument"));
  let seenVm: SoftVm | undefined;
  const own = new SoftVm({ createCore: (v, i) => ((seenVm = v), haltingCore(log, i)) });
  own.createVcpu(0);
  assert.equal(seenVm, own);
});

test("APIC-bus messages reach the target's local APIC (IRR), given a clock", () => {
  const clock = new VirtualClock({ source: new ManualTimeSource() });
  const vm = new SoftVm({ clock });
  vm.createVcpu(0);
  vm.createVcpu(1);
  const apics = vm.apicBus;
  assert.ok(apics !== undefined);
  // Fixed delivery, physical destination APIC ID 1, vector 0x31 (IRR at 0x210, bit 17).
  vm.signalMsi({ address: (0xfee00000 | (1 << 12)) >>> 0, data: 0x31 });
  assert.equal(Number(readApicPage(apics.lapic(1), 0x210, 4)) & (1 << 17), 1 << 17);
  assert.equal(Number(readApicPage(apics.lapic(0), 0x210, 4)), 0);
});

test("without a clock there are no local APICs, and the entry points say so", () => {
  const vm = new SoftVm();
  assert.throws(() => vm.signalMsi({ address: 0xfee00000, data: 0x30 }), /created without a clock/);
  assert.throws(() => vm.setLint(0, 0, true), code("unsupported"));
  const listener = () => {};
  vm.addEoiListener(listener);
  assert.deepEqual(vm.eoiListeners, [listener]);
  const pic = { hasInterrupt: () => false, acknowledge: () => 0x20 };
  vm.setExtIntSource(pic);
  assert.equal(vm.extIntSource, pic);
  vm.setExtIntSource(undefined);
  assert.equal(vm.extIntSource, undefined);
  assert.throws(() => vm.setExtIntSource({} as typeof pic), code("invalid-argument"));
});

test("notifiers: exact matches are consumed and queued, delivered once via drain or microtask", async () => {
  const vm = new SoftVm();
  const hits: string[] = [];
  vm.addNotifier({
    space: "mmio",
    address: 0xfe003000,
    size: 2,
    data: 1,
    callback: () => hits.push("q1"),
  });
  vm.addNotifier({
    space: "mmio",
    address: 0xfe003000,
    size: 2,
    data: 2,
    callback: () => hits.push("q2"),
  });
  const any = vm.addNotifier({
    space: "port",
    address: 0xc050,
    size: 2,
    callback: () => hits.push("port"),
  });
  assert.equal(vm.matchNotifier("mmio", 0xfe003000, 2, 3), false, "other data: synchronous path");
  assert.equal(vm.matchNotifier("mmio", 0xfe003000, 4, 1), false, "other size");
  assert.equal(vm.matchNotifier("mmio", 0xfe003002, 2, 1), false, "other address");
  assert.equal(vm.matchNotifier("port", 0xfe003000, 2, 1), false, "other space");
  assert.equal(vm.matchNotifier("mmio", 0xfe003000, 2, 1), true);
  assert.equal(vm.matchNotifier("mmio", 0xfe003000, 2, 1), true);
  assert.equal(vm.matchNotifier("port", 0xc050, 2, 0x1234), true);
  assert.deepEqual(hits, [], "never called synchronously");
  assert.equal(vm.notifiers.pending, 2, "repeated signals coalesce");
  vm.notifiers.drain();
  assert.deepEqual(hits, ["q1", "port"]);
  assert.equal(vm.matchNotifier("mmio", 0xfe003000, 2, 2), true);
  await Promise.resolve();
  assert.deepEqual(hits, ["q1", "port", "q2"], "the microtask delivered it");
  any.remove();
  assert.equal(vm.matchNotifier("port", 0xc050, 2, 0), false, "removed");
  any.remove(); // idempotent
});

test("notifiers: bad and colliding specs are invalid-argument", () => {
  const vm = new SoftVm();
  const cb = () => {};
  vm.addNotifier({ space: "mmio", address: 0x1000, size: 4, data: 5, callback: cb });
  const bad = [
    { space: "mmio", address: 0x1000, size: 4, callback: cb }, // wildcard vs data: collision
    { space: "mmio", address: 0x1000, size: 4, data: 5, callback: cb }, // same data
    { space: "port", address: 0x10000, size: 1, callback: cb },
    { space: "port", address: 0x60, size: 8, callback: cb },
    { space: "mmio", address: 0x2000, size: 3, callback: cb },
    { space: "mmio", address: 0x2000, size: 1, data: 256, callback: cb },
    { space: "io", address: 0x60, size: 1, callback: cb },
    { space: "mmio", address: 0x3000, size: 4 },
  ];
  for (const spec of bad) {
    assert.throws(
      () => vm.addNotifier(spec as never),
      code("invalid-argument"),
      JSON.stringify(spec),
    );
  }
  vm.addNotifier({ space: "mmio", address: 0x1000, size: 4, data: 6, callback: cb });
  vm.addNotifier({ space: "mmio", address: 0x1000, size: 2, callback: cb });
});

test("after destroy every call fails with code destroyed, the same way each time", () => {
  const hv = new SoftHypervisor({ createCore: (_vm, i) => haltingCore([], i) });
  const vm = hv.createVm();
  const ram = vm.allocateMemory("ram", 4 * PAGE_SIZE);
  vm.setMemoryMap(AddressSpace.NORMAL, [
    { guestAddress: 0, size: ram.size, backing: ram, backingOffset: 0 },
  ]);
  const mem = vm.guestMemory(AddressSpace.NORMAL);
  const physical = vm.physical(AddressSpace.NORMAL);
  const vcpu = vm.createVcpu(0);
  let notified = 0;
  vm.addNotifier({ space: "port", address: 0x80, size: 1, callback: () => notified++ });
  vm.matchNotifier("port", 0x80, 1, 0);
  vm.destroy();
  const calls: [string, () => unknown][] = [
    ["allocateMemory", () => vm.allocateMemory("x", PAGE_SIZE)],
    ["setMemoryMap", () => vm.setMemoryMap(AddressSpace.NORMAL, [])],
    ["getMemoryMap", () => vm.getMemoryMap(AddressSpace.NORMAL)],
    [
      "dirtyPagesInRange",
      () => vm.dirtyPagesInRange({ backing: ram, offset: 0, length: PAGE_SIZE }),
    ],
    ["dirtyPagesByWork", () => vm.dirtyPagesByWork({ backing: ram, maxPages: 1 })],
    ["createVcpu", () => vm.createVcpu(1)],
    ["vcpus", () => vm.vcpus],
    ["enableCapability", () => vm.enableCapability("hide-lapic", {})],
    ["signalMsi", () => vm.signalMsi({ address: 0xfee00000, data: 0 })],
    ["setLint", () => vm.setLint(0, 0, false)],
    ["setExtIntSource", () => vm.setExtIntSource(undefined)],
    ["addEoiListener", () => vm.addEoiListener(() => {})],
    [
      "addNotifier",
      () => vm.addNotifier({ space: "port", address: 1, size: 1, callback: () => {} }),
    ],
    ["matchNotifier", () => vm.matchNotifier("port", 0x80, 1, 0)],
    ["physical", () => vm.physical(AddressSpace.NORMAL)],
    ["guestMemory", () => vm.guestMemory(AddressSpace.SMM)],
    ["old GuestMemory", () => mem.readU8(0)],
    ["old PhysicalMemory.setMap", () => physical.setMap([])],
    ["destroy", () => vm.destroy()],
  ];
  for (const [name, call] of calls) {
    for (let i = 0; i < 2; i++) {
      assert.throws(
        call,
        (e: unknown) => code("destroyed")(e) && (e as Error).message === "Vm has been destroyed",
        name,
      );
    }
  }
  assert.throws(() => vcpu.run(), code("destroyed"), "the vCPUs die with the Vm");
  assert.equal(physical.lookup(0), 0, "the CPU's map is empty");
  vm.notifiers.drain();
  assert.equal(notified, 0, "queued notifications are dropped");
});

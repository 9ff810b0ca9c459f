/**
 * The APIC against the real soft CPU: INIT/SIPI through the CPU's
 * RegisterStore, and interrupt delivery through CpuInterruptController.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AddressSpace } from "../../src/hv/memory.js";
import {
  cpuidNumber,
  MP_HALTED,
  MP_RUNNABLE,
  MP_WAIT_FOR_SIPI,
  RegSet,
} from "../../src/hv/registers.js";
import type { CpuIo } from "../../src/hv/soft/cpu/bus.js";
import { SoftCpuCore } from "../../src/hv/soft/cpu/core.js";
import { registerStoreLink } from "../../src/hv/soft/lapic/cpu-link.js";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import { withApicPage } from "../../src/hv/soft/lapic/mmio.js";
import { BackingRegistry } from "../../src/hv/soft/memory/backing-registry.js";
import { PhysicalMemory } from "../../src/hv/soft/memory/physical-memory.js";
import { decodeCpuid } from "../../src/hv/x86/register-values.js";
import { ManualTimeSource, VirtualClock } from "../../src/hw/clock.js";
import { ApicBus } from "../../src/hv/soft/lapic/apic-bus.js";
import { readReg, vectorsIn, writeReg } from "./helpers.js";

const SEG_CS = 1;
const stop = new Int32Array(1);
const board: CpuIo = {
  portRead: () => 0xff,
  portWrite: () => {},
  mmioRead: () => 0xffffffff,
  mmioWrite: () => {},
};

/** Two real CPUs with APICs on one bus, 1 MiB of RAM below the APIC page hole. */
function smp() {
  const registry = new BackingRegistry();
  const ram = registry.allocate("ram", 1 << 20, {});
  const physical = new PhysicalMemory(AddressSpace.NORMAL, registry, 16);
  physical.setMap([{ guestAddress: 0, size: 1 << 20, backing: ram, backingOffset: 0 }]);
  const clock = new VirtualClock({ source: new ManualTimeSource() });
  const bus = new ApicBus({ clock });
  const wakes = [0, 0];
  const cores = [0, 1].map((index) => {
    const core = new SoftCpuCore({ physical, vcpuIndex: index });
    const lapic = bus.attach(index, {
      link: registerStoreLink(core.registers, () => wakes[index]++),
    });
    core.cpu.interruptController = lapic;
    core.cpu.io = withApicPage(board, lapic);
    return { core, cpu: core.cpu, lapic };
  });
  return { ram, bus, cores, wakes };
}

test("INIT to an AP: the table 9-1 state, then wait-for-SIPI; SIPI starts it at vector << 8 : 0", () => {
  const { cores, ram } = smp();
  const [bsp, ap] = cores;
  ap.cpu.mpState = MP_RUNNABLE;
  ap.cpu.r32[0] = 0x1234;
  ap.cpu.setSegment(SEG_CS, 0x10, 0, 0xffffffff, 0xc09b);
  writeReg(bsp.lapic, Reg.ICR_HIGH, 1 << 24);
  writeReg(bsp.lapic, Reg.ICR_LOW, 0x4500); // INIT
  assert.equal(ap.cpu.mpState, MP_WAIT_FOR_SIPI);
  assert.equal(ap.cpu.segSel[SEG_CS], 0xf000);
  assert.equal(ap.cpu.segBase[SEG_CS] >>> 0, 0xffff0000);
  assert.equal(ap.cpu.eip, 0xfff0);
  assert.equal(ap.cpu.r32[0], 0);
  const leaf1 = ap.core.registers.read(RegSet.CPUID, cpuidNumber(1)) as Uint8Array;
  assert.equal(ap.cpu.r32[2 << 1] >>> 0, decodeCpuid(leaf1).eax >>> 0, "EDX = processor signature");
  assert.equal(ap.cpu.protectedMode, false);
  assert.equal(ap.core.run(1000, stop).kind, "hlt", "waiting for SIPI does not run");
  ram.bytes.set([0xb0, 0x5a, 0xf4], 0x9a000); // mov al, 0x5a; hlt
  writeReg(bsp.lapic, Reg.ICR_LOW, 0x4600 | 0x9a); // SIPI vector 0x9A
  assert.equal(ap.cpu.mpState, MP_RUNNABLE);
  assert.equal(ap.cpu.segSel[SEG_CS], 0x9a00);
  assert.equal(ap.cpu.segBase[SEG_CS], 0x9a000);
  assert.equal(ap.cpu.eip, 0);
  assert.equal(ap.core.run(1000, stop).kind, "hlt");
  assert.equal(ap.cpu.r8[0], 0x5a);
  writeReg(bsp.lapic, Reg.ICR_LOW, 0x4600 | 0x10); // a second SIPI is ignored
  assert.equal(ap.cpu.segSel[SEG_CS], 0x9a00);
});

test("INIT inside SMM is latched, and the CPU's registers are untouched", () => {
  const { cores } = smp();
  const [bsp, ap] = cores;
  ap.cpu.mpState = MP_RUNNABLE;
  ap.cpu.inSmm = true;
  ap.cpu.eip = 0x8000;
  writeReg(bsp.lapic, Reg.ICR_HIGH, 1 << 24);
  writeReg(bsp.lapic, Reg.ICR_LOW, 0x4500);
  assert.equal(ap.cpu.initLatched, true);
  assert.equal(ap.cpu.eip, 0x8000);
  assert.equal(ap.cpu.mpState, MP_RUNNABLE);
});

test("NMI and SMI IPIs set the CPU's latches", () => {
  const { cores } = smp();
  const [bsp, ap] = cores;
  writeReg(bsp.lapic, Reg.ICR_HIGH, 1 << 24);
  writeReg(bsp.lapic, Reg.ICR_LOW, 0x400);
  writeReg(bsp.lapic, Reg.ICR_LOW, 0x200);
  assert.equal(ap.cpu.nmiPending, true);
  assert.equal(ap.cpu.smiPending, true);
});

test("a halted CPU with IF=1 is woken by a fixed interrupt and runs its handler; EOI via MMIO", () => {
  const { cores, ram, wakes } = smp();
  const [bsp] = cores;
  const cpu = bsp.cpu;
  // IVT entry 0x40 → 0000:2000. Handler: mov al, 0x77; mov [0xfee000b0], eax (EOI); hlt.
  ram.bytes.set([0x00, 0x20, 0x00, 0x00], 0x40 * 4);
  ram.bytes.set([0xfb, 0xf4, 0xf4], 0x1000); // sti; hlt; hlt
  ram.bytes.set([0xb0, 0x77, 0x66, 0x67, 0xa3, 0xb0, 0x00, 0xe0, 0xfe, 0xf4], 0x2000);
  // Flat 4 GiB DS so the handler can reach the APIC page from real mode (unreal mode).
  cpu.setSegment(3, 0, 0, 0xffffffff, 0x93);
  cpu.setSegment(SEG_CS, 0, 0, 0xffff, 0x9b);
  cpu.eip = 0x1000;
  cpu.r32[4 << 1] = 0x8000;
  writeReg(bsp.lapic, Reg.SVR, 0x1ff);
  assert.equal(bsp.core.run(1000, stop).kind, "hlt");
  assert.equal(cpu.mpState, MP_HALTED);
  assert.equal(bsp.lapic.requestInterrupt(0x40, false), true);
  assert.equal(wakes[0], 1);
  assert.equal(bsp.core.run(1000, stop).kind, "hlt");
  assert.equal(cpu.r8[0], 0x77, "the handler ran");
  assert.deepEqual(vectorsIn(bsp.lapic, Reg.ISR0), [], "the handler's MMIO EOI retired it");
  assert.equal(readReg(bsp.lapic, Reg.PPR), 0);
});

/**
 * The CPU core over the real soft-backend pieces: the memory module's
 * PhysicalMemory (map entries, dirty log, code-write protocol, map
 * generations) and SoftVcpu's register catalog (every register readable,
 * and written back unchanged).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AddressSpace } from "../../src/hv/memory.js";
import { Msr, RegAttr, regKey, RegSet, Seg } from "../../src/hv/registers.js";
import { SoftCpuCore } from "../../src/hv/soft/cpu/core.js";
import { BackingRegistry } from "../../src/hv/soft/memory/backing-registry.js";
import { GuestMemory } from "../../src/hv/soft/memory/guest-memory.js";
import { PhysicalMemory } from "../../src/hv/soft/memory/physical-memory.js";
import { SoftVcpu } from "../../src/hv/soft/vcpu.js";
import { decodeSegment, encodeSegment } from "../../src/hv/x86/register-values.js";
import { TestIo } from "./harness.js";

function machine() {
  const registry = new BackingRegistry();
  const ram = registry.allocate("ram", 1 << 20, {});
  const physical = new PhysicalMemory(AddressSpace.NORMAL, registry, 16);
  physical.setMap([
    { guestAddress: 0, size: 1 << 20, backing: ram, backingOffset: 0, dirtyLog: true },
  ]);
  const io = new TestIo();
  const core = new SoftCpuCore({ physical, io });
  const cpu = core.cpu;
  // Real mode at 0:1000.
  cpu.setSegment(Seg.CS, 0, 0, 0xffff, 0x9b);
  cpu.eip = 0x1000;
  cpu.r32[8] = 0x7000;
  return { registry, ram, physical, core, cpu, io, dma: new GuestMemory(physical) };
}

const stop = new Int32Array(1);

test("runs from a PhysicalMemory backing, logs dirty pages, and sees DMA code writes", () => {
  const m = machine();
  m.ram.bytes.set([0xb8, 0x34, 0x12, 0xa3, 0x00, 0x50, 0xf4], 0x1000); // mov ax,0x1234; mov [0x5000],ax; hlt
  m.ram.dirty.takeRange(0, m.ram.dirty.pages);
  assert.equal(m.core.run(1000, stop).kind, "hlt");
  assert.equal(m.ram.bytes[0x5000] | (m.ram.bytes[0x5001] << 8), 0x1234);
  assert.deepEqual(m.ram.dirty.takeRange(0, m.ram.dirty.pages), [5]);
  assert.equal(m.ram.codePages[1], 1, "the CPU marked the code page");
  // A DMA write replaces the code: the next run must see it.
  m.dma.write(0x1001, Uint8Array.from([0x78, 0x56]));
  m.cpu.eip = 0x1000;
  m.cpu.mpState = 0;
  assert.equal(m.core.run(1000, stop).kind, "hlt");
  assert.equal(m.cpu.r16[0], 0x5678);
});

test("stores on the fast path keep marking dirty-logged pages after each harvest", () => {
  const m = machine();
  // mov [0x5000],ax; mov [0x6002],al; mov [0x5010],eax (66); hlt
  const code = [0xa3, 0x00, 0x50, 0xa2, 0x02, 0x60, 0x66, 0xa3, 0x10, 0x50, 0xf4];
  m.ram.bytes.set(code, 0x1000);
  for (let round = 0; round < 3; round++) {
    m.ram.dirty.takeRange(0, m.ram.dirty.pages);
    m.cpu.eip = 0x1000;
    m.cpu.mpState = 0;
    assert.equal(m.core.run(1000, stop).kind, "hlt");
    // Round 0 fills the TLB through the slow path; later rounds use the fast one.
    assert.deepEqual(m.ram.dirty.takeRange(0, m.ram.dirty.pages), [5, 6], `round ${round}`);
  }
});

test("a new memory map is picked up (TLB flushed by generation)", () => {
  const m = machine();
  m.ram.bytes.set([0xa1, 0x00, 0x80, 0xf4], 0x1000); // mov ax, [0x8000]; hlt
  m.ram.bytes[0x8000] = 0x11;
  assert.equal(m.core.run(1000, stop).kind, "hlt");
  assert.equal(m.cpu.r16[0], 0x11);
  // Punch a hole at page 8: the same load now goes to MMIO.
  m.physical.setMap([
    { guestAddress: 0, size: 0x8000, backing: m.ram, backingOffset: 0 },
    { guestAddress: 0x9000, size: 0x77000, backing: m.ram, backingOffset: 0x9000 },
  ]);
  m.io.mmioValues.set(0x8000, 0xbeef);
  m.cpu.eip = 0x1000;
  m.cpu.mpState = 0;
  assert.equal(m.core.run(1000, stop).kind, "hlt");
  assert.equal(m.cpu.r16[0], 0xbeef);
});

test("every catalog register reads, and writing the state back changes nothing", () => {
  const m = machine();
  const vcpu = new SoftVcpu({ destroyed: false }, 0, m.core);
  const all = vcpu.listRegisters();
  const before = vcpu.getState(all);
  const readOnly = new Set(all.filter((r) => r.attributes === RegAttr.READ_ONLY).map(regKey));
  vcpu.setState(before.filter((e) => !readOnly.has(regKey(e.id))));
  const after = vcpu.getState(all);
  // The TSC runs on by itself; everything else must be exactly as it was.
  const steady = (list: typeof before) =>
    list.filter((e) => !(e.id.set === RegSet.MSR && e.id.number === Msr.TSC));
  assert.deepEqual(steady(after), steady(before));
  assert.ok(before.length > 100);
});

test("segment and mode state set through registers drives execution", () => {
  const m = machine();
  const vcpu = new SoftVcpu({ destroyed: false }, 0, m.core);
  // Flat 32-bit protected mode, set entirely through setState.
  const flat = (selector: number, attributes: number) =>
    encodeSegment({ base: 0n, limit: 0xffffffff, selector, attributes });
  vcpu.setState([
    { id: { set: RegSet.CONTROL, number: 0 }, value: 0x11n },
    { id: { set: RegSet.SEGMENT, number: Seg.CS }, value: flat(8, 0xc09b) },
    { id: { set: RegSet.SEGMENT, number: Seg.DS }, value: flat(0x10, 0xc093) },
    { id: { set: RegSet.SEGMENT, number: Seg.SS }, value: flat(0x10, 0xc093) },
    { id: { set: RegSet.RIP, number: 0 }, value: 0x2000n },
  ]);
  assert.equal(m.cpu.protectedMode, true);
  assert.equal(m.cpu.code32, true);
  m.ram.bytes.set([0xb8, 0x78, 0x56, 0x34, 0x12, 0xf4], 0x2000); // mov eax, 0x12345678; hlt
  assert.equal(vcpu.run().kind, "hlt");
  const [rax, rip, cs] = vcpu.getState([
    { set: RegSet.GPR, number: 0 },
    { set: RegSet.RIP, number: 0 },
    { set: RegSet.SEGMENT, number: Seg.CS },
  ]);
  assert.equal(rax.value, 0x12345678n);
  assert.equal(rip.value, 0x2006n);
  assert.equal(decodeSegment(cs.value as Uint8Array).attributes, 0xc09b);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import type { EoiListener, MsiMessage } from "../../src/hv/api.js";
import { ApicBus } from "../../src/hv/soft/lapic/apic-bus.js";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import type { Lapic } from "../../src/hv/soft/lapic/lapic.js";
import { readApicPage, writeApicPage } from "../../src/hv/soft/lapic/mmio.js";
import { Bus } from "../../src/hw/bus/index.js";
import { ManualTimeSource, VirtualClock } from "../../src/hw/clock.js";
import { Ioapic, IOAPIC_STATE } from "../../src/hw/ioapic.js";
import { IrqError } from "../../src/hw/irq.js";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import { StateError } from "../../src/migration/state/index.js";

/** A Vm stand-in that records messages and lets the test play the EOI broadcast. */
class RecordingVm {
  readonly messages: MsiMessage[] = [];
  readonly listeners: EoiListener[] = [];
  signalMsi(message: MsiMessage): void {
    this.messages.push(message);
  }
  addEoiListener(listener: EoiListener): void {
    this.listeners.push(listener);
  }
  broadcastEoi(vector: number): void {
    for (const l of this.listeners) l(vector);
  }
}

function select(io: Ioapic, index: number): void {
  io.write(0x00, 1, index);
}
function writeIndirect(io: Ioapic, index: number, value: number): void {
  select(io, index);
  io.write(0x10, 4, value);
}
function readIndirect(io: Ioapic, index: number): number {
  select(io, index);
  return io.read(0x10, 4);
}
/** Programs redirection entry `pin`. */
function route(io: Ioapic, pin: number, low: number, destination = 0): void {
  writeIndirect(io, 0x11 + 2 * pin, destination << 24);
  writeIndirect(io, 0x10 + 2 * pin, low);
}

test("ID, version and arbitration registers; IOREGSEL reads back", () => {
  const io = new Ioapic(new RecordingVm(), { id: 3 });
  assert.equal(readIndirect(io, 0x00), 3 << 24);
  assert.equal(readIndirect(io, 0x01), 0x00170020, "version 0x20, 24 entries");
  assert.equal(readIndirect(io, 0x02), 3 << 24);
  writeIndirect(io, 0x00, 0xff00_0000);
  assert.equal(readIndirect(io, 0x00), 0x0f000000, "4-bit ID");
  writeIndirect(io, 0x01, 0);
  assert.equal(readIndirect(io, 0x01), 0x00170020, "read-only");
  select(io, 0x2f);
  assert.equal(io.read(0x00, 4), 0x2f);
  assert.equal(readIndirect(io, 0x40), 0, "past the table");
  assert.equal(io.read(0x13, 1), 0, "byte 3 of IOWIN");
});

test("redirection entries reset masked; only the defined bits are writable", () => {
  const io = new Ioapic(new RecordingVm());
  for (let pin = 0; pin < 24; pin++) {
    assert.equal(readIndirect(io, 0x10 + 2 * pin), 0x10000);
    assert.equal(readIndirect(io, 0x11 + 2 * pin), 0);
  }
  writeIndirect(io, 0x10, 0xffff_ffff);
  assert.equal(
    readIndirect(io, 0x10),
    0x1afff,
    "no delivery status, no remote IRR, nothing above 16",
  );
  writeIndirect(io, 0x11, 0xffff_ffff);
  assert.equal(readIndirect(io, 0x11), 0xff000000);
  select(io, 0x12);
  io.write(0x10, 2, 0x45); // IOWIN takes 32-bit writes only
  assert.equal(readIndirect(io, 0x12), 0x10000);
});

test("edge pins: one MSI per rising edge, in the documented format; masked edges are lost", () => {
  const vm = new RecordingVm();
  const io = new Ioapic(vm);
  route(io, 2, 0x0130, 5); // vector 0x30, lowest priority, physical, edge, unmasked
  io.setIrq(2, true);
  io.setIrq(2, true);
  io.setIrq(2, false);
  assert.deepEqual(vm.messages, [{ address: 0xfee05000, data: 0x4130 }]);
  route(io, 3, 0x10000 | 0x831, 0x0f); // masked, logical
  io.line(3).pulse();
  assert.equal(vm.messages.length, 1);
  route(io, 3, 0x831, 0x0f);
  assert.equal(vm.messages.length, 1, "an edge that came while masked is not held");
  io.line(3).pulse();
  assert.deepEqual(
    vm.messages[1],
    { address: 0xfee0f004, data: 0x4031 },
    "dest mode goes to the address",
  );
});

test("active-low polarity inverts the pin", () => {
  const vm = new RecordingVm();
  const io = new Ioapic(vm);
  route(io, 9, 0x2000 | 0x40);
  io.setIrq(9, true);
  assert.equal(vm.messages.length, 0);
  io.setIrq(9, false);
  assert.equal(vm.messages.length, 1);
});

test("level pins: remote IRR blocks repeats until EOI; a held level is sent again after it", () => {
  const vm = new RecordingVm();
  const io = new Ioapic(vm);
  route(io, 10, 0x8000 | 0x51, 1);
  io.setIrq(10, true);
  assert.deepEqual(vm.messages, [{ address: 0xfee01000, data: 0xc051 }]);
  assert.equal(readIndirect(io, 0x10 + 20) & 0x4000, 0x4000, "remote IRR");
  io.setIrq(10, true);
  assert.equal(vm.messages.length, 1);
  vm.broadcastEoi(0x52);
  assert.equal(vm.messages.length, 1, "another vector's EOI does nothing");
  vm.broadcastEoi(0x51);
  assert.equal(vm.messages.length, 2, "still asserted: re-sent");
  io.setIrq(10, false);
  vm.broadcastEoi(0x51);
  assert.equal(readIndirect(io, 0x10 + 20) & 0x4000, 0);
  assert.equal(vm.messages.length, 2);
});

test("the EOI register (version 0x20) clears remote IRR like a broadcast EOI", () => {
  const vm = new RecordingVm();
  const io = new Ioapic(vm);
  route(io, 4, 0x8000 | 0x61);
  io.setIrq(4, true);
  io.write(0x40, 4, 0x61);
  assert.equal(vm.messages.length, 2);
  io.setIrq(4, false);
  io.write(0x40, 4, 0x61);
  assert.equal(readIndirect(io, 0x18) & 0x4000, 0);
});

test("unmasking an asserted level pin sends it; switching to edge clears remote IRR", () => {
  const vm = new RecordingVm();
  const io = new Ioapic(vm);
  route(io, 11, 0x18000 | 0x70);
  io.setIrq(11, true);
  assert.equal(vm.messages.length, 0);
  route(io, 11, 0x8000 | 0x70);
  assert.equal(vm.messages.length, 1);
  route(io, 11, 0x70);
  assert.equal(readIndirect(io, 0x10 + 22) & 0x4000, 0);
});

test("non-fixed level entries never wait for an EOI; reserved modes send nothing", () => {
  const vm = new RecordingVm();
  const io = new Ioapic(vm);
  route(io, 5, 0x8000 | 0x400); // NMI, level
  io.setIrq(5, true);
  assert.equal(readIndirect(io, 0x1a) & 0x4000, 0);
  route(io, 6, 0x300 | 0x40); // delivery mode 3: reserved
  io.setIrq(6, true);
  assert.equal(vm.messages.length, 1);
});

test("bad pins and options are clear errors", () => {
  const io = new Ioapic(new RecordingVm());
  assert.throws(() => io.setIrq(24, true), IrqError);
  assert.throws(() => io.line(-1), IrqError);
  assert.throws(() => new Ioapic(new RecordingVm(), { base: 0xfec00010 }), DeviceOptionError);
  assert.throws(() => new Ioapic(new RecordingVm(), { id: 16 }), DeviceOptionError);
});

test("save/load round trip; a section with impossible bits is refused and changes nothing", () => {
  const vm = new RecordingVm();
  const io = new Ioapic(vm, { id: 2 });
  route(io, 1, 0x8000 | 0x44, 3);
  io.setIrq(1, true);
  route(io, 7, 0x2b45, 0xaa);
  select(io, 0x1e);
  const section = io.saveState();
  const copy = new Ioapic(new RecordingVm());
  copy.loadState(section);
  assert.deepEqual(IOAPIC_STATE.toJSON(copy.state), IOAPIC_STATE.toJSON(io.state));
  assert.equal(copy.read(0x00, 4), 0x1e);
  copy.eoi(0x44); // pin 1 is still asserted in the loaded state
  const fresh = new Ioapic(new RecordingVm());
  const state = IOAPIC_STATE.decode(section).state;
  state.redirectionLow[7] |= 0x4000; // remote IRR on an edge entry
  assert.throws(() => fresh.loadState(IOAPIC_STATE.save(state)), StateError);
  assert.equal(readIndirect(fresh, 0x1e), 0x10000, "unchanged");
});

test("end to end: MMIO bus → IOAPIC → local APIC → EOI → remote IRR cleared → re-delivery", () => {
  const clock = new VirtualClock({ source: new ManualTimeSource() });
  const apics = new ApicBus({ clock });
  const noop = { nmi() {}, smi() {}, init: () => true, sipi() {}, wake() {} };
  const lapics: Lapic[] = [0, 1].map((i) => apics.attach(i, { link: noop }));
  for (const l of lapics) writeApicPage(l, 0xf0, 4, 0x1ff);
  const io = new Ioapic(apics);
  const mmio = new Bus({ name: "mmio", space: "mmio" });
  io.register(mmio);
  const program = (pin: number, low: number, high: number) => {
    mmio.write(0xfec00000, 4, 0x11 + 2 * pin, 0);
    mmio.write(0xfec00010, 4, high, 0);
    mmio.write(0xfec00000, 4, 0x10 + 2 * pin, 0);
    mmio.write(0xfec00010, 4, low, 0);
  };
  program(16, 0x8000 | 0x90, 1 << 24); // level, vector 0x90, to APIC 1
  io.setIrq(16, true);
  const apic = lapics[1];
  assert.equal(apic.pendingVector(), 0x90);
  assert.equal(apic.acknowledge(0x90), 0x90);
  writeApicPage(apic, 0xb0, 4, 0); // EOI: broadcast, pin still high
  assert.equal(apic.acknowledge(apic.pendingVector()), 0x90, "re-delivered");
  io.setIrq(16, false);
  writeApicPage(apic, 0xb0, 4, 0);
  mmio.write(0xfec00000, 4, 0x30, 0);
  assert.equal(mmio.read(0xfec00010, 4, 0), 0x8090, "remote IRR clear");
  assert.equal(apic.pendingVector(), -1);
  // Directed EOI: the APIC suppresses the broadcast; the guest writes the IOAPIC's EOI register.
  writeApicPage(apic, 0xf0, 4, 0x11ff);
  io.setIrq(16, true);
  apic.acknowledge(apic.pendingVector());
  writeApicPage(apic, 0xb0, 4, 0);
  assert.equal(Number(readApicPage(apic, Reg.ISR0 * 16 + 0x40, 4)), 0, "0x90 retired locally");
  assert.equal(mmio.read(0xfec00010, 4, 0), 0xc090, "remote IRR still set");
  io.setIrq(16, false);
  mmio.write(0xfec00040, 4, 0x90, 0);
  assert.equal(mmio.read(0xfec00010, 4, 0), 0x8090);
  // Lowest priority among both APICs, logical flat destination 0b11.
  for (const [i, l] of lapics.entries()) writeApicPage(l, 0xd0, 4, (1 << i) << 24);
  writeApicPage(lapics[0], 0x80, 4, 0x70);
  program(17, 0x900 | 0x800 | 0xa1, 0x03 << 24);
  io.setIrq(17, true);
  assert.equal(lapics[1].pendingVector(), 0xa1, "vCPU 1 has the lower priority");
  assert.equal(lapics[0].pendingVector(), -1);
});

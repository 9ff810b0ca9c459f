import { test } from "node:test";
import assert from "node:assert/strict";
import type { ExtIntSource } from "../../src/hv/api.js";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import { enable, machine, readReg, take, vectorsIn, writeReg } from "./helpers.js";

/** A PIC stand-in: a queue of vectors, acknowledged in order. */
class FakePic implements ExtIntSource {
  readonly queue: number[] = [];
  acks = 0;
  hasInterrupt(): boolean {
    return this.queue.length > 0;
  }
  acknowledge(): number {
    this.acks++;
    return this.queue.shift() ?? 0x27; // the 8259's spurious IRQ 7
  }
}

test("virtual wire: LINT0 as ExtINT takes the PIC's vector at INTA, bypassing IRR and TPR", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  const pic = new FakePic();
  m.bus.setExtIntSource(pic);
  enable(apic);
  writeReg(apic, Reg.TPR, 0xff);
  pic.queue.push(0x08);
  assert.equal(apic.pendingVector(), -1, "INTR (LINT0) is low");
  m.bus.setLint(0, 0, true);
  assert.equal(m.links[0].wakes, 1);
  assert.equal(pic.acks, 0, "nothing acknowledged before the CPU asks");
  assert.equal(apic.pendingVector(), 0x08);
  assert.equal(apic.pendingVector(), 0x08, "held until taken, not acknowledged twice");
  assert.equal(pic.acks, 1);
  assert.equal(apic.acknowledge(0x08), 0x08);
  assert.deepEqual(vectorsIn(apic, Reg.ISR0), [], "ExtINT is not in service");
  assert.equal(apic.pendingVector(), -1, "the PIC has nothing more");
});

test("a masked LINT0 or a non-ExtINT mode keeps the PIC out", () => {
  const m = machine(2);
  const ap = m.lapics[1];
  const pic = new FakePic();
  m.bus.setExtIntSource(pic);
  pic.queue.push(0x20);
  m.bus.setLint(1, 0, true);
  assert.equal(ap.pendingVector(), -1, "the AP's LINT0 is masked after reset");
  enable(ap);
  writeReg(ap, Reg.LVT_LINT0, 0x700);
  assert.equal(ap.pendingVector(), 0x20);
});

test("LINT1 as NMI: one NMI per rising edge; polarity can invert the pin", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.LVT_LINT1, 0x400);
  m.bus.setLint(0, 1, true);
  m.bus.setLint(0, 1, true);
  m.bus.setLint(0, 1, false);
  assert.equal(m.links[0].nmis, 1);
  writeReg(apic, Reg.LVT_LINT1, 0x2400); // active low
  m.bus.setLint(0, 1, true);
  assert.equal(m.links[0].nmis, 1, "going high deasserts an active-low pin");
  m.bus.setLint(0, 1, false);
  assert.equal(m.links[0].nmis, 2);
});

test("LINT0 level-triggered fixed: remote IRR holds it until EOI, then a held level re-delivers", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.LVT_LINT0, 0x8000 | 0x61);
  m.bus.setLint(0, 0, true);
  assert.equal(readReg(apic, Reg.LVT_LINT0) & 0x4000, 0x4000, "remote IRR");
  assert.equal(take(apic), 0x61);
  assert.equal(take(apic), -1);
  writeReg(apic, Reg.EOI, 0);
  assert.equal(take(apic), 0x61, "still asserted: delivered again");
  m.bus.setLint(0, 0, false);
  writeReg(apic, Reg.EOI, 0);
  assert.equal(readReg(apic, Reg.LVT_LINT0) & 0x4000, 0);
  assert.equal(take(apic), -1);
});

test("LINT0 edge-triggered fixed interrupts on rising edges only", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.LVT_LINT0, 0x62);
  m.bus.setLint(0, 0, true);
  assert.equal(take(apic), 0x62);
  writeReg(apic, Reg.EOI, 0);
  m.bus.setLint(0, 0, true);
  assert.equal(take(apic), -1);
});

test("without an APIC (hidden or hardware-disabled) LINT0 is INTR and LINT1 is NMI", () => {
  for (const how of ["hidden", "disabled"]) {
    const m = machine(1);
    const [apic] = m.lapics;
    const pic = new FakePic();
    m.bus.setExtIntSource(pic);
    writeReg(apic, Reg.LVT_LINT0, 0x10000); // would mask LINT0 if the APIC were there
    if (how === "hidden") m.bus.hide(0);
    else apic.writeMsr(0x1b, 0xfee00000n);
    pic.queue.push(0x70);
    m.bus.setLint(0, 0, true);
    assert.equal(apic.pendingVector(), 0x70, how);
    assert.equal(apic.acknowledge(0x70), 0x70);
    m.bus.setLint(0, 1, true);
    assert.equal(m.links[0].nmis, 1, `${how}: NMI pin`);
    apic.requestInterrupt(0x90, false);
    assert.equal(apic.pendingVector(), -1, `${how}: no fixed interrupts`);
  }
});

test("an ExtINT message (IOAPIC delivery mode 7) is answered by the PIC at INTA", () => {
  const m = machine(2);
  const ap = m.lapics[1];
  const pic = new FakePic();
  m.bus.setExtIntSource(pic);
  pic.queue.push(0x31);
  assert.equal(m.bus.signalMsi({ address: 0xfee01000, data: 0x700 }), 1);
  assert.equal(ap.pendingVector(), 0x31);
  assert.equal(ap.acknowledge(0x31), 0x31);
  assert.equal(ap.pendingVector(), -1, "one message, one INTA");
});

test("setLint checks its arguments", () => {
  const m = machine(1);
  assert.throws(() => m.bus.setLint(3, 0, true), /no local APIC/);
  assert.throws(() => m.bus.setLint(0, 2 as 0, true), /pin 2/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import { ApicBus } from "../../src/hv/soft/lapic/apic-bus.js";
import type { Lapic } from "../../src/hv/soft/lapic/lapic.js";
import { enable, machine, readReg, take, writeReg, type TestMachine } from "./helpers.js";

/** Sends an IPI from `from` through ICR high then low. */
function send(from: Lapic, high: number, low: number): void {
  writeReg(from, Reg.ICR_HIGH, high);
  writeReg(from, Reg.ICR_LOW, low);
}

/** Which APICs have `vector` pending in IRR (by index). */
function receivers(m: TestMachine, vector: number): number[] {
  return m.lapics
    .filter((l) => (readReg(l, Reg.IRR0 + (vector >> 5)) & (1 << (vector & 31))) !== 0)
    .map((l) => l.index);
}

function fourCpus(): TestMachine {
  const m = machine(4);
  for (const l of m.lapics) enable(l);
  return m;
}

test("physical destination: only the APIC with that ID; 0xFF broadcasts", () => {
  const m = fourCpus();
  send(m.lapics[0], 2 << 24, 0x40);
  assert.deepEqual(receivers(m, 0x40), [2]);
  send(m.lapics[0], 0xff << 24, 0x41);
  assert.deepEqual(receivers(m, 0x41), [0, 1, 2, 3]);
  send(m.lapics[0], 9 << 24, 0x42);
  assert.deepEqual(receivers(m, 0x42), []);
  assert.equal(readReg(m.lapics[0], Reg.ICR_LOW), 0x42, "delivery status reads idle");
  assert.equal(readReg(m.lapics[0], Reg.ICR_HIGH), 9 << 24);
});

test("shorthands: self, all including self, all excluding self (destination ignored)", () => {
  const m = fourCpus();
  send(m.lapics[1], 3 << 24, 0x40 | (1 << 18));
  assert.deepEqual(receivers(m, 0x40), [1]);
  send(m.lapics[1], 3 << 24, 0x41 | (2 << 18));
  assert.deepEqual(receivers(m, 0x41), [0, 1, 2, 3]);
  send(m.lapics[1], 3 << 24, 0x42 | (3 << 18));
  assert.deepEqual(receivers(m, 0x42), [0, 2, 3]);
});

test("logical flat model: the destination is a bit mask of LDRs", () => {
  const m = fourCpus();
  m.lapics.forEach((l, i) => writeReg(l, Reg.LDR, (1 << i) << 24));
  send(m.lapics[0], 0b1010 << 24, 0x50 | (1 << 11));
  assert.deepEqual(receivers(m, 0x50), [1, 3]);
  send(m.lapics[0], 0xff << 24, 0x51 | (1 << 11));
  assert.deepEqual(receivers(m, 0x51), [0, 1, 2, 3], "0xFF: everyone");
});

test("logical cluster model: cluster nibble and member mask; cluster 15 is every cluster", () => {
  const m = fourCpus();
  const ldrs = [0x11, 0x12, 0x21, 0x22]; // clusters 1 and 2, members 1 and 2
  m.lapics.forEach((l, i) => {
    writeReg(l, Reg.DFR, 0x0fffffff);
    writeReg(l, Reg.LDR, ldrs[i] << 24);
  });
  send(m.lapics[0], 0x23 << 24, 0x60 | (1 << 11));
  assert.deepEqual(receivers(m, 0x60), [2, 3]);
  send(m.lapics[0], 0x12 << 24, 0x61 | (1 << 11));
  assert.deepEqual(receivers(m, 0x61), [1]);
  send(m.lapics[0], 0xf1 << 24, 0x62 | (1 << 11));
  assert.deepEqual(receivers(m, 0x62), [0, 2]);
});

test("lowest priority: the lowest APR wins, ties go to the lowest index, a focus processor first", () => {
  const m = fourCpus();
  m.lapics.forEach((l) => writeReg(l, Reg.LDR, 0x01 << 24));
  writeReg(m.lapics[0], Reg.TPR, 0x40);
  writeReg(m.lapics[1], Reg.TPR, 0x20);
  writeReg(m.lapics[2], Reg.TPR, 0x30);
  writeReg(m.lapics[3], Reg.TPR, 0x20);
  const lowest = 0x70 | (1 << 8) | (1 << 11);
  send(m.lapics[0], 0x01 << 24, lowest);
  assert.deepEqual(receivers(m, 0x70), [1], "APR 0x20 on 1 and 3: the lower index");
  // Vector 0x70 is now in vCPU 1's IRR: it is the focus processor, whatever its priority.
  writeReg(m.lapics[1], Reg.TPR, 0xf0);
  assert.equal(take(m.lapics[1]), -1);
  send(m.lapics[0], 0x01 << 24, lowest);
  assert.deepEqual(receivers(m, 0x70), [1], "merged into the focus processor's request");
  // Focus checking disabled (SVR bit 9): plain arbitration again.
  writeReg(m.lapics[1], Reg.SVR, 0x3ff);
  send(m.lapics[0], 0x01 << 24, lowest);
  assert.deepEqual(receivers(m, 0x70), [1, 3]);
});

test("lowest priority skips software-disabled APICs", () => {
  const m = fourCpus();
  writeReg(m.lapics[0], Reg.SVR, 0xff);
  writeReg(m.lapics[1], Reg.TPR, 0x10);
  writeReg(m.lapics[2], Reg.TPR, 0x10);
  writeReg(m.lapics[3], Reg.TPR, 0x10);
  send(m.lapics[1], 0xff << 24, 0x80 | (1 << 8));
  assert.deepEqual(receivers(m, 0x80), [1]);
});

test("NMI and SMI IPIs reach the CPU link; so does INIT, and SIPI carries its vector", () => {
  const m = fourCpus();
  send(m.lapics[0], 2 << 24, 0x400); // NMI
  send(m.lapics[0], 3 << 24, 0x200); // SMI
  assert.equal(m.links[2].nmis, 1);
  assert.equal(m.links[3].smis, 1);
  send(m.lapics[0], 0, 0x4500 | (3 << 18)); // INIT assert, all excluding self
  assert.deepEqual(
    m.links.map((l) => l.inits),
    [[], [false], [false], [false]],
  );
  send(m.lapics[0], 0, 0x0500 | (1 << 15) | (3 << 18)); // INIT level de-assert: no effect
  assert.equal(m.links[1].inits.length, 1);
  send(m.lapics[0], 1 << 24, 0x69a); // SIPI, vector 0x9A, to APIC 1
  assert.deepEqual(m.links[1].sipis, [0x9a]);
  assert.deepEqual(m.links[2].sipis, []);
});

test("INIT and SIPI never hit their own sender, even through a broadcast", () => {
  const m = fourCpus();
  send(m.lapics[2], 0xff << 24, 0x4500);
  send(m.lapics[2], 0xff << 24, 0x4610);
  assert.deepEqual(m.links[2].inits, []);
  assert.deepEqual(m.links[2].sipis, []);
  assert.deepEqual(m.links[0].sipis, [0x10]);
});

test("INIT resets the target APIC but keeps its ID and base; a latched INIT (SMM) does not", () => {
  const m = fourCpus();
  const target = m.lapics[1];
  writeReg(target, Reg.ID, 7 << 24);
  writeReg(target, Reg.TPR, 0x30);
  writeReg(target, Reg.LVT_TIMER, 0x40);
  writeReg(target, Reg.TIMER_INITIAL, 500);
  m.links[1].initTakes = false;
  send(m.lapics[0], 7 << 24, 0x4500);
  assert.equal(readReg(target, Reg.TPR), 0x30, "latched: nothing reset yet");
  m.links[1].initTakes = true;
  target.initLatchedInit(); // the CPU leaves SMM
  assert.equal(readReg(target, Reg.TPR), 0);
  assert.equal(readReg(target, Reg.SVR), 0xff);
  assert.equal(readReg(target, Reg.ID), 7 << 24);
  assert.equal(readReg(target, Reg.LVT_TIMER), 0x10000);
  assert.equal(m.clock.nextDeadline(), undefined, "the timer stopped");
  assert.equal(target.state.apicBase, 0xfee00800n);
});

test("fixed IPIs with vectors 0-15 are refused with 'send illegal vector'", () => {
  const m = fourCpus();
  send(m.lapics[0], 1 << 24, 0x0f);
  assert.deepEqual(receivers(m, 0x0f), []);
  writeReg(m.lapics[0], Reg.ESR, 0);
  assert.equal(readReg(m.lapics[0], Reg.ESR), 0x20);
  writeReg(m.lapics[1], Reg.ESR, 0);
  assert.equal(readReg(m.lapics[1], Reg.ESR), 0, "nothing reached the target");
});

test("MSI: destination, logical mode, redirection hint and level are decoded", () => {
  const m = fourCpus();
  m.lapics.forEach((l, i) => writeReg(l, Reg.LDR, (1 << i) << 24));
  assert.equal(m.bus.signalMsi({ address: 0xfee03000, data: 0x4031 }), 1);
  assert.deepEqual(receivers(m, 0x31), [3]);
  m.bus.signalMsi({ address: 0xfee0c004, data: 0x32 }); // logical, mask 0b1100
  assert.deepEqual(receivers(m, 0x32), [2, 3]);
  writeReg(m.lapics[2], Reg.TPR, 0x80);
  m.bus.signalMsi({ address: 0xfee0c00c, data: 0x33 }); // + redirection hint: one of them
  assert.deepEqual(receivers(m, 0x33), [3]);
  m.bus.signalMsi({ address: 0xfee01000, data: 0xc034 }); // level-triggered, asserted
  assert.equal(readReg(m.lapics[1], Reg.TMR0 + 1) & (1 << 0x14), 1 << 0x14);
  assert.equal(m.bus.signalMsi({ address: 0xfee01000, data: 0x8035 }), 0, "level de-assert");
});

test("MSI outside 0xFEExxxxx or with a reserved mode is dropped and counted; bad values throw", () => {
  const m = fourCpus();
  assert.equal(m.bus.signalMsi({ address: 0xfed00000, data: 0x40 }), 0);
  assert.equal(m.bus.signalMsi({ address: 0xfee00000, data: 0x340 }), 0);
  assert.equal(m.bus.droppedMessages, 2);
  assert.deepEqual(receivers(m, 0x40), []);
  assert.throws(() => m.bus.signalMsi({ address: -1, data: 0 }), /32-bit unsigned/);
  assert.throws(() => m.bus.signalMsi({ address: 0xfee00000, data: 1.5 }), /32-bit unsigned/);
});

test("hardware-disabled and hidden APICs are not on the bus", () => {
  const m = fourCpus();
  assert.equal(m.lapics[1].writeMsr(0x1b, 0xfee00000n), true); // global disable
  m.bus.hide(2);
  assert.equal(m.bus.signalMsi({ address: 0xfeeff000, data: 0x44 }), 2);
  assert.deepEqual(receivers(m, 0x44), [0, 3]);
});

test("attach refuses a second APIC for a vCPU, a duplicate APIC ID and bad options", () => {
  const m = machine(2);
  const link = m.links[0];
  assert.throws(() => m.bus.attach(1, { link }), /already has a local APIC/);
  assert.throws(() => m.bus.attach(2, { link, apicId: 1 }), /APIC ID 1 is already used/);
  assert.throws(() => m.bus.attach(2, { link, apicId: 255 }), /0-254/);
  assert.throws(() => m.bus.attach(2, { link: {} as never }), /CPU link/);
  assert.equal(m.bus.attach(2, { link, apicId: 9 }).physicalId, 9);
  m.bus.detach(2);
  assert.throws(() => m.bus.lapic(2), /no local APIC/);
  assert.throws(() => new ApicBus({} as never), /clock/);
});

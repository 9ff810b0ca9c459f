import { test } from "node:test";
import assert from "node:assert/strict";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import { enable, machine, readReg, take, vectorsIn, writeReg } from "./helpers.js";

test("the highest requested vector is taken first and moves from IRR to ISR", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  apic.requestInterrupt(0x31, false);
  apic.requestInterrupt(0x92, false);
  apic.requestInterrupt(0x45, false);
  assert.deepEqual(vectorsIn(apic, Reg.IRR0), [0x31, 0x45, 0x92]);
  assert.equal(take(apic), 0x92);
  assert.deepEqual(vectorsIn(apic, Reg.IRR0), [0x31, 0x45]);
  assert.deepEqual(vectorsIn(apic, Reg.ISR0), [0x92]);
  assert.equal(apic.pendingVector(), -1, "lower classes wait for the EOI of 0x92");
});

test("nesting: a higher class interrupts a handler; EOIs retire the highest in-service first", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  apic.requestInterrupt(0x40, false);
  assert.equal(take(apic), 0x40);
  apic.requestInterrupt(0x41, false); // same class: must wait
  assert.equal(apic.pendingVector(), -1);
  apic.requestInterrupt(0x80, false); // higher class: nests
  assert.equal(take(apic), 0x80);
  assert.deepEqual(vectorsIn(apic, Reg.ISR0), [0x40, 0x80]);
  writeReg(apic, Reg.EOI, 0);
  assert.deepEqual(vectorsIn(apic, Reg.ISR0), [0x40], "EOI retired 0x80");
  assert.equal(apic.pendingVector(), -1, "0x41 still blocked by 0x40 in service");
  writeReg(apic, Reg.EOI, 0);
  assert.equal(take(apic), 0x41);
  writeReg(apic, Reg.EOI, 0);
  assert.deepEqual(vectorsIn(apic, Reg.ISR0), []);
  writeReg(apic, Reg.EOI, 0); // an EOI with nothing in service is harmless
});

test("TPR blocks classes at or below it", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  writeReg(apic, Reg.TPR, 0x50);
  apic.requestInterrupt(0x5f, false);
  assert.equal(apic.pendingVector(), -1);
  apic.requestInterrupt(0x60, false);
  assert.equal(take(apic), 0x60);
  writeReg(apic, Reg.EOI, 0);
  writeReg(apic, Reg.TPR, 0x4f);
  assert.equal(take(apic), 0x5f);
});

test("a repeated request of a vector already in IRR is merged", () => {
  const { lapics, links } = machine(1);
  const [apic] = lapics;
  enable(apic);
  assert.equal(apic.requestInterrupt(0x70, false), true);
  assert.equal(apic.requestInterrupt(0x70, false), false);
  assert.equal(take(apic), 0x70);
  writeReg(apic, Reg.EOI, 0);
  assert.equal(take(apic), -1);
  assert.equal(links[0].wakes, 1, "the accepted request woke the CPU once");
});

test("an interrupt that vanished before the acknowledge gives the spurious vector, not in service", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  writeReg(apic, Reg.SVR, 0x1ef);
  apic.requestInterrupt(0x66, false);
  const vector = apic.pendingVector();
  assert.equal(vector, 0x66);
  writeReg(apic, Reg.TPR, 0xf0); // raised between the query and the INTA
  assert.equal(apic.acknowledge(vector), 0xef);
  assert.deepEqual(vectorsIn(apic, Reg.ISR0), []);
  assert.deepEqual(vectorsIn(apic, Reg.IRR0), [0x66], "still requested");
});

test("software-disabled: fixed interrupts are held in IRR and delivered once enabled", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  apic.requestInterrupt(0x90, false);
  assert.equal(apic.pendingVector(), -1);
  enable(apic);
  assert.equal(take(apic), 0x90);
});

test("EOI of a level-triggered vector reaches the EOI listeners; edge ones do not", () => {
  const { lapics, bus } = machine(1);
  const [apic] = lapics;
  enable(apic);
  const eois: number[] = [];
  bus.addEoiListener((v) => eois.push(v));
  apic.requestInterrupt(0x30, true);
  apic.requestInterrupt(0x31, false);
  assert.deepEqual(vectorsIn(apic, Reg.TMR0), [0x30]);
  assert.equal(take(apic), 0x31);
  writeReg(apic, Reg.EOI, 0);
  assert.equal(take(apic), 0x30);
  writeReg(apic, Reg.EOI, 0);
  assert.deepEqual(eois, [0x30]);
});

test("EOI-broadcast suppression (SVR bit 12) keeps level EOIs local", () => {
  const { lapics, bus } = machine(1);
  const [apic] = lapics;
  writeReg(apic, Reg.SVR, 0x11ff);
  const eois: number[] = [];
  bus.addEoiListener((v) => eois.push(v));
  apic.requestInterrupt(0x30, true);
  assert.equal(take(apic), 0x30);
  writeReg(apic, Reg.EOI, 0);
  assert.deepEqual(eois, []);
  assert.deepEqual(vectorsIn(apic, Reg.ISR0), []);
  assert.equal(readReg(apic, Reg.SVR), 0x11ff);
});

test("an edge request after a level one of the same vector clears its TMR bit", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  apic.requestInterrupt(0x50, true);
  assert.equal(take(apic), 0x50);
  writeReg(apic, Reg.EOI, 0);
  apic.requestInterrupt(0x50, false);
  assert.deepEqual(vectorsIn(apic, Reg.TMR0), []);
});

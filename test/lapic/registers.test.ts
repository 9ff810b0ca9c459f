import { test } from "node:test";
import assert from "node:assert/strict";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import { readApicPage, writeApicPage } from "../../src/hv/soft/lapic/mmio.js";
import { enable, machine, readReg, writeReg } from "./helpers.js";

test("reset state: ID, version, SVR, DFR, masked LVTs, LINT0 virtual wire on the BSP only", () => {
  const { lapics } = machine(2);
  const [bsp, ap] = lapics;
  assert.equal(readReg(ap, Reg.ID), 1 << 24);
  assert.equal(readReg(bsp, Reg.VERSION), 0x01050014);
  assert.equal(readReg(bsp, Reg.SVR), 0xff);
  assert.equal(readReg(bsp, Reg.DFR) >>> 0, 0xffffffff);
  assert.equal(readReg(bsp, Reg.TPR), 0);
  for (let lvt: number = Reg.LVT_TIMER; lvt <= Reg.LVT_ERROR; lvt++) {
    if (lvt !== Reg.LVT_LINT0)
      assert.equal(readReg(bsp, lvt), 0x10000, `lvt 0x${lvt.toString(16)}`);
    assert.equal(readReg(ap, lvt), 0x10000);
  }
  assert.equal(readReg(bsp, Reg.LVT_LINT0), 0x700, "ExtINT, unmasked");
  assert.equal(bsp.state.apicBase, 0xfee00900n);
  assert.equal(ap.state.apicBase, 0xfee00800n);
});

test("TPR and PPR: PPR is TPR unless the in-service class is higher", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  writeReg(apic, Reg.TPR, 0x1234_5637);
  assert.equal(readReg(apic, Reg.TPR), 0x37, "only bits 0-7 are kept");
  assert.equal(readReg(apic, Reg.PPR), 0x37);
  apic.requestInterrupt(0x51, false);
  apic.requestInterrupt(0x82, false);
  assert.equal(apic.acknowledge(apic.pendingVector()), 0x82);
  assert.equal(readReg(apic, Reg.PPR), 0x80, "ISR class 8 > TPR class 3: low nibble clear");
  writeReg(apic, Reg.TPR, 0x95);
  assert.equal(readReg(apic, Reg.PPR), 0x95);
  writeReg(apic, Reg.TPR, 0x80);
  assert.equal(readReg(apic, Reg.PPR), 0x80, "equal classes: TPR");
});

test("APR follows the SDM formula from TPR, IRR and ISR", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  writeReg(apic, Reg.TPR, 0x45);
  assert.equal(readReg(apic, Reg.APR), 0x45, "nothing requested or in service: TPR");
  apic.requestInterrupt(0x61, false);
  assert.equal(readReg(apic, Reg.APR), 0x60, "requested class above TPR");
  writeReg(apic, Reg.TPR, 0x70);
  assert.equal(readReg(apic, Reg.APR), 0x70);
  writeReg(apic, Reg.TPR, 0x00);
  apic.acknowledge(apic.pendingVector());
  assert.equal(readReg(apic, Reg.APR), 0x00, "TPR AND ISRV = 0, nothing requested");
  writeReg(apic, Reg.TPR, 0x6f);
  assert.equal(readReg(apic, Reg.APR), 0x60, "TPR class not above ISR class: TPR AND ISRV");
});

test("LDR and DFR keep only their defined bits; ID is writable in xAPIC mode", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  writeReg(apic, Reg.LDR, 0x12345678);
  assert.equal(readReg(apic, Reg.LDR), 0x12000000);
  writeReg(apic, Reg.DFR, 0x0000_0000);
  assert.equal(readReg(apic, Reg.DFR) >>> 0, 0x0fffffff, "cluster model; bits 0-27 read as ones");
  writeReg(apic, Reg.ID, 0x0700_00ff);
  assert.equal(readReg(apic, Reg.ID), 0x07000000);
  assert.equal(apic.physicalId, 7);
});

test("ESR: errors become readable only after a write, which also clears them", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  apic.requestInterrupt(3, false); // vectors 0-15 are illegal
  assert.equal(readReg(apic, Reg.ESR), 0, "not latched yet");
  writeReg(apic, Reg.ESR, 0);
  assert.equal(readReg(apic, Reg.ESR), 0x40, "receive illegal vector");
  writeReg(apic, Reg.ESR, 0);
  assert.equal(readReg(apic, Reg.ESR), 0, "the second write latches 'no new errors'");
});

test("reserved registers read 0 and report an illegal register address", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  assert.equal(readReg(apic, 0x04), 0);
  writeReg(apic, Reg.LVT_CMCI, 0x20); // no CMCI LVT in this model
  writeReg(apic, Reg.ESR, 0);
  assert.equal(readReg(apic, Reg.ESR), 0x80);
});

test("an LVT error entry turns detected errors into an interrupt", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  enable(apic);
  writeReg(apic, Reg.LVT_ERROR, 0xfe);
  apic.requestInterrupt(7, false);
  assert.equal(apic.pendingVector(), 0xfe);
});

test("read-only registers ignore writes; IRR/ISR/TMR are not writable by the guest", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  writeReg(apic, Reg.VERSION, 0);
  writeReg(apic, Reg.PPR, 0xff);
  writeReg(apic, Reg.IRR0 + 2, 0xffffffff);
  writeReg(apic, Reg.ISR0 + 3, 0xffffffff);
  assert.equal(readReg(apic, Reg.VERSION), 0x01050014);
  assert.equal(readReg(apic, Reg.PPR), 0);
  assert.equal(readReg(apic, Reg.IRR0 + 2), 0);
  assert.equal(readReg(apic, Reg.ISR0 + 3), 0);
});

test("LVT writes: writable bits only; masked while software-disabled", () => {
  const { lapics } = machine(2);
  const apic = lapics[1];
  writeReg(apic, Reg.LVT_THERMAL, 0x0000_0431);
  assert.equal(readReg(apic, Reg.LVT_THERMAL), 0x10431, "mask forced while disabled");
  enable(apic);
  writeReg(apic, Reg.LVT_THERMAL, 0xffff_f431);
  assert.equal(readReg(apic, Reg.LVT_THERMAL), 0x10431, "bits above 16 and 11-15 dropped");
  writeReg(apic, Reg.LVT_LINT1, 0xffff_ffff);
  assert.equal(readReg(apic, Reg.LVT_LINT1), 0x1a7ff, "no delivery status or remote IRR");
  writeReg(apic, Reg.LVT_ERROR, 0x0003_0733);
  assert.equal(readReg(apic, Reg.LVT_ERROR), 0x10033, "error LVT: vector and mask only");
  writeReg(apic, Reg.LVT_PERF, 0x400);
  assert.equal(readReg(apic, Reg.LVT_PERF), 0x400);
});

test("clearing the software enable masks every LVT entry; setting it again does not unmask", () => {
  const { lapics } = machine(2);
  const apic = lapics[1];
  enable(apic);
  writeReg(apic, Reg.LVT_TIMER, 0x40);
  writeReg(apic, Reg.LVT_LINT0, 0x700);
  writeReg(apic, Reg.SVR, 0xff);
  assert.equal(readReg(apic, Reg.LVT_TIMER), 0x10040);
  assert.equal(readReg(apic, Reg.LVT_LINT0), 0x10700);
  enable(apic);
  assert.equal(readReg(apic, Reg.LVT_TIMER), 0x10040);
  writeReg(apic, Reg.SVR, 0xffff_ffff);
  assert.equal(readReg(apic, Reg.SVR), 0x13ff, "vector, enable, focus, EOI suppression only");
});

test("MMIO: sub-dword reads see the register's bytes; padding reads 0; odd writes are dropped", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  writeReg(apic, Reg.LDR, 0xab000000);
  assert.equal(readApicPage(apic, 0xd3, 1), 0xab);
  assert.equal(readApicPage(apic, 0xd2, 2), 0xab00);
  assert.equal(readApicPage(apic, 0xd4, 4), 0, "padding");
  assert.equal(readApicPage(apic, 0x30, 8), 0x01050014n, "8-byte read: register + padding");
  writeApicPage(apic, 0x80, 1, 0x55);
  writeApicPage(apic, 0x84, 4, 0x55);
  writeApicPage(apic, 0x80, 2, 0x55);
  assert.equal(readReg(apic, Reg.TPR), 0, "only aligned 4-byte writes reach a register");
  writeApicPage(apic, 0x80, 4, 0x55n);
  assert.equal(readReg(apic, Reg.TPR), 0x55);
});

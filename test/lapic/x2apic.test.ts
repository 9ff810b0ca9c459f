import { test } from "node:test";
import assert from "node:assert/strict";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import type { Lapic } from "../../src/hv/soft/lapic/lapic.js";
import { withApicPage } from "../../src/hv/soft/lapic/mmio.js";
import type { CpuIo } from "../../src/hv/soft/cpu/bus.js";
import { machine, readReg, take } from "./helpers.js";

const APIC_BASE = 0x1b;
const msr = (reg: number) => 0x800 + reg;

function toX2apic(lapic: Lapic): void {
  const base = lapic.state.apicBase;
  assert.equal(lapic.writeMsr(APIC_BASE, base | 0x400n), true);
}

test("x2APIC MSRs fault in xAPIC mode", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  assert.equal(apic.readMsr(msr(Reg.ID)), undefined);
  assert.equal(apic.writeMsr(msr(Reg.TPR), 0n), false);
});

test("IA32_APIC_BASE transitions follow the x2APIC state machine", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  const base = 0xfee00000n;
  const bsp = 0x100n;
  assert.equal(apic.writeMsr(APIC_BASE, base | 0x400n), false, "x2APIC without enable");
  assert.equal(apic.writeMsr(APIC_BASE, base | 0x1n), false, "reserved bit 0");
  assert.equal(apic.writeMsr(APIC_BASE, 1n << 40n), false, "above MAXPHYADDR");
  assert.equal(apic.writeMsr(APIC_BASE, base), true, "xAPIC → disabled");
  assert.equal(apic.readMsr(APIC_BASE), base | bsp, "the BSP bit is kept");
  assert.equal(apic.writeMsr(APIC_BASE, base | 0xc00n), false, "disabled → x2APIC");
  assert.equal(apic.writeMsr(APIC_BASE, base | 0x800n), true, "disabled → xAPIC");
  assert.equal(apic.writeMsr(APIC_BASE, base | 0xc00n), true, "xAPIC → x2APIC");
  assert.equal(apic.writeMsr(APIC_BASE, base | 0x800n), false, "x2APIC → xAPIC");
  assert.equal(apic.writeMsr(APIC_BASE, base), true, "x2APIC → disabled");
  assert.equal(apic.readMsr(APIC_BASE), base | bsp);
});

test("a vCPU without x2APIC support refuses EXTD", () => {
  const { lapics } = machine(1, () => ({ x2apic: false }));
  assert.equal(lapics[0].writeMsr(APIC_BASE, 0xfee00c00n), false);
});

test("x2APIC ID, LDR and version; ID and LDR are read-only", () => {
  const { lapics } = machine(20);
  const apic = lapics[19];
  toX2apic(apic);
  assert.equal(apic.readMsr(msr(Reg.ID)), 19n);
  assert.equal(apic.readMsr(msr(Reg.LDR)), (1n << 16n) | (1n << 3n), "cluster 1, bit 3");
  assert.equal(apic.readMsr(msr(Reg.VERSION)), 0x01050014n);
  assert.equal(apic.writeMsr(msr(Reg.ID), 5n), false);
  assert.equal(apic.writeMsr(msr(Reg.LDR), 5n), false);
  assert.equal(apic.writeMsr(msr(Reg.PPR), 0n), false);
  assert.equal(apic.writeMsr(msr(Reg.IRR0), 0n), false);
  assert.equal(apic.writeMsr(msr(Reg.TIMER_CURRENT), 0n), false);
});

test("registers absent in x2APIC mode fault; write-only ones fault on read", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  toX2apic(apic);
  for (const reg of [Reg.APR, Reg.RRD, Reg.DFR, Reg.ICR_HIGH, Reg.LVT_CMCI, 0x04, 0x3a]) {
    assert.equal(apic.readMsr(msr(reg)), undefined, `read 0x${reg.toString(16)}`);
    assert.equal(apic.writeMsr(msr(reg), 0n), false, `write 0x${reg.toString(16)}`);
  }
  assert.equal(apic.readMsr(msr(Reg.EOI)), undefined);
  assert.equal(apic.readMsr(msr(Reg.SELF_IPI)), undefined);
});

test("reserved bits, high halves, and non-zero EOI/ESR writes fault without effect", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  toX2apic(apic);
  assert.equal(apic.writeMsr(msr(Reg.TPR), 0x100n), false);
  assert.equal(apic.writeMsr(msr(Reg.TPR), 1n << 32n), false);
  assert.equal(apic.writeMsr(msr(Reg.SVR), 0x4ffn), false, "bit 10 reserved");
  assert.equal(
    apic.writeMsr(msr(Reg.LVT_ERROR), 0x700n),
    false,
    "no delivery mode in the error LVT",
  );
  assert.equal(apic.writeMsr(msr(Reg.TIMER_DIVIDE), 0x4n), false);
  assert.equal(apic.writeMsr(msr(Reg.EOI), 1n), false);
  assert.equal(apic.writeMsr(msr(Reg.ESR), 1n), false);
  assert.equal(apic.readMsr(msr(Reg.TPR)), 0n);
  assert.equal(apic.writeMsr(msr(Reg.TPR), 0x20n), true);
  assert.equal(apic.writeMsr(msr(Reg.SVR), 0x1ffn), true);
  assert.equal(apic.writeMsr(msr(Reg.EOI), 0n), true);
  assert.equal(apic.readMsr(msr(Reg.TPR)), 0x20n);
});

test("the ICR is one 64-bit MSR with a 32-bit destination; x2APIC logical clusters route", () => {
  const m = machine(20);
  for (const l of m.lapics) {
    toX2apic(l);
    l.writeMsr(msr(Reg.SVR), 0x1ffn);
  }
  const [sender] = m.lapics;
  assert.equal(sender.writeMsr(msr(Reg.ICR_LOW), (17n << 32n) | 0x45n), true);
  assert.equal(sender.readMsr(msr(Reg.ICR_LOW)), (17n << 32n) | 0x45n);
  assert.equal(take(m.lapics[17]), 0x45);
  // Logical: cluster 1 (IDs 16-31), members 0 and 3 → IDs 16 and 19.
  sender.writeMsr(msr(Reg.ICR_LOW), (((1n << 16n) | 0b1001n) << 32n) | 0x846n);
  assert.equal(take(m.lapics[16]), 0x46);
  assert.equal(take(m.lapics[19]), 0x46);
  assert.equal(take(m.lapics[3]), -1, "cluster 0 member 3 is not addressed");
  sender.writeMsr(msr(Reg.ICR_LOW), (0xffffffffn << 32n) | 0x57n); // above the 0x4x in service
  assert.equal(m.lapics.filter((l) => take(l) === 0x57).length, 20, "broadcast");
  assert.equal(sender.writeMsr(msr(Reg.ICR_LOW), 0x1047n), false, "bit 12 is reserved");
});

test("SELF IPI MSR: a fixed edge interrupt to this APIC only", () => {
  const m = machine(2);
  for (const l of m.lapics) {
    toX2apic(l);
    l.writeMsr(msr(Reg.SVR), 0x1ffn);
  }
  assert.equal(m.lapics[1].writeMsr(msr(Reg.SELF_IPI), 0x5an), true);
  assert.equal(take(m.lapics[1]), 0x5a);
  assert.equal(take(m.lapics[0]), -1);
  assert.equal(m.lapics[1].writeMsr(msr(Reg.SELF_IPI), 0x15an), false);
});

test("the xAPIC page: per-CPU, relocatable, gone in x2APIC mode and when disabled", () => {
  const { lapics } = machine(2);
  const outside: string[] = [];
  const board: CpuIo = {
    portRead: () => 0xff,
    portWrite: () => {},
    mmioRead: (address) => {
      outside.push(address.toString(16));
      return 0xdead;
    },
    mmioWrite: (address) => {
      outside.push(address.toString(16));
    },
  };
  const io0 = withApicPage(board, lapics[0]);
  const io1 = withApicPage(board, lapics[1]);
  assert.equal(io1.mmioRead(0xfee00020, 4), 1 << 24, "each CPU sees its own APIC");
  assert.equal(io0.mmioRead(0xfee00020, 4), 0);
  io0.mmioWrite(0xfee00080, 4, 0x30);
  assert.equal(readReg(lapics[0], Reg.TPR), 0x30);
  assert.equal(io0.mmioRead(0xfee01000, 4), 0xdead, "past the page: the board");
  lapics[0].writeMsr(APIC_BASE, 0xfed00900n);
  assert.equal(io0.mmioRead(0xfed00080, 4), 0x30, "relocated");
  assert.equal(io0.mmioRead(0xfee00080, 4), 0xdead, "old page released");
  toX2apic(lapics[0]);
  assert.equal(io0.mmioRead(0xfed00080, 4), 0xdead, "no MMIO in x2APIC mode");
  lapics[1].writeMsr(APIC_BASE, 0xfee00000n);
  assert.equal(io1.mmioRead(0xfee00020, 4), 0xdead, "hardware-disabled");
  assert.equal(io0.portRead(0x60, 1), 0xff, "ports pass through");
  assert.deepEqual(outside, ["fee01000", "fee00080", "fed00080", "fee00020"]);
});

test("disabling the APIC resets it; re-enabling finds the power-up state", () => {
  const { lapics } = machine(2);
  const apic = lapics[1];
  apic.writeMsr(msr(0), 0n);
  apic.state.tpr = 0x40;
  apic.requestInterrupt(0x80, false);
  assert.equal(apic.writeMsr(APIC_BASE, 0xfee00000n), true);
  assert.equal(apic.writeMsr(APIC_BASE, 0xfee00800n), true);
  assert.equal(readReg(apic, Reg.TPR), 0);
  assert.equal(readReg(apic, Reg.IRR0 + 4), 0);
  assert.equal(readReg(apic, Reg.ID), 1 << 24);
});

test("a hidden APIC has no MSRs", () => {
  const m = machine(1);
  m.bus.hide(undefined);
  assert.equal(m.lapics[0].readMsr(APIC_BASE), undefined);
  assert.equal(m.lapics[0].writeMsr(APIC_BASE, 0xfee00900n), false);
  assert.equal(m.lapics[0].mmioBase, undefined);
});

test("the host may set IA32_APIC_BASE directly (state restore), still refusing invalid values", () => {
  const { lapics } = machine(1);
  const [apic] = lapics;
  toX2apic(apic);
  apic.state.tpr = 0x30;
  assert.equal(apic.writeMsr(APIC_BASE, 0xfee00800n, false), true, "x2APIC → xAPIC by the host");
  assert.equal(apic.readMsr(APIC_BASE), 0xfee00900n);
  assert.equal(readReg(apic, Reg.TPR), 0x30, "no reset");
  assert.equal(apic.writeMsr(APIC_BASE, 0xfee00400n, false), false, "x2APIC without enable");
  assert.equal(apic.writeMsr(APIC_BASE, 0xfee00801n, false), false, "reserved bit");
});

test("hide-lapic before the vCPU exists applies when its APIC is attached", () => {
  const m = machine(1);
  m.bus.hide(3);
  const late = m.bus.attach(3, { link: m.links[0] });
  assert.equal(late.hidden, true);
  assert.equal(m.lapics[0].hidden, false);
  assert.throws(() => m.bus.hide(-1), /non-negative/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { StateError } from "../../src/migration/state/index.js";
import { Reg, REGISTER_COUNT } from "../../src/hv/soft/lapic/constants.js";
import { LAPIC_STATE } from "../../src/hv/soft/lapic/state.js";
import {
  enable,
  machine,
  readReg,
  take,
  vectorsIn,
  writeReg,
  type TestMachine,
} from "./helpers.js";

/** An APIC with something in every part of its state. */
function busy(m: TestMachine): void {
  const apic = m.lapics[1];
  enable(apic);
  writeReg(apic, Reg.TPR, 0x20);
  writeReg(apic, Reg.LDR, 0x04000000);
  writeReg(apic, Reg.DFR, 0x0fffffff);
  writeReg(apic, Reg.ICR_HIGH, 0x03000000);
  writeReg(apic, Reg.LVT_LINT1, 0x400);
  apic.requestInterrupt(0x40, true);
  apic.requestInterrupt(0x91, false);
  take(apic);
  apic.requestInterrupt(3, false); // an error, not yet latched
  writeReg(apic, Reg.TIMER_DIVIDE, 0b0001);
  writeReg(apic, Reg.LVT_TIMER, 0x20050);
  writeReg(apic, Reg.TIMER_INITIAL, 1000);
  m.advance(1234);
  m.bus.setLint(1, 0, true);
}

test("save and load reproduce every register, and the timer fires on the same schedule", () => {
  const a = machine(2);
  const b = machine(2);
  busy(a);
  const section = a.lapics[1].saveState();
  assert.equal(section.length > 0, true);
  b.time.set(a.time.now()); // the machine restores its clock first
  b.clock.setTime(a.clock.now());
  b.lapics[1].loadState(section);
  assert.deepEqual(b.lapics[1].getRegisterPage(), a.lapics[1].getRegisterPage());
  assert.deepEqual(LAPIC_STATE.toJSON(b.lapics[1].state), LAPIC_STATE.toJSON(a.lapics[1].state));
  for (const m of [a, b]) {
    const apic = m.lapics[1];
    writeReg(apic, Reg.EOI, 0); // retire 0x91
    assert.equal(take(apic), 0x40, "the level-triggered request survived");
    writeReg(apic, Reg.EOI, 0);
    m.advance(4000 - 1234 - 1);
    assert.equal(take(apic), -1);
    m.advance(1);
    assert.equal(take(apic), 0x50, "the first 4000 ns period ends at the same virtual time");
    writeReg(apic, Reg.EOI, 0);
    m.advance(4000);
    assert.equal(take(apic), 0x50, "and the next one");
  }
});

test("a refused section changes nothing: wrong vCPU, BSP flag, x2APIC without enable, bad timer", () => {
  const a = machine(2);
  busy(a);
  const target = machine(3);
  busy(target);
  const before = target.lapics[2].getRegisterPage();
  const section = a.lapics[1].saveState();
  assert.throws(() => target.lapics[2].loadState(section), /for vCPU 1/);
  const bad = (change: (s: ReturnType<typeof LAPIC_STATE.decode>["state"]) => void) => {
    const state = LAPIC_STATE.decode(section).state;
    change(state);
    return LAPIC_STATE.save(state, { instance: 2 });
  };
  const cases = [
    bad((s) => (s.apicBase |= 0x100n)), // BSP on an AP
    bad((s) => (s.apicBase = 0xfee00400n)), // x2APIC without enable
    bad((s) => (s.apicBase |= 1n)), // reserved bit
    bad((s) => (s.timerInitial = 0)), // running with count 0
    bad((s) => (s.timerStart = Infinity)),
    bad((s) => (s.tscDeadline = 5n)), // no TSC on this vCPU
  ];
  for (const c of cases) {
    assert.throws(() => target.lapics[2].loadState(c), StateError);
    assert.deepEqual(target.lapics[2].getRegisterPage(), before);
  }
  assert.throws(() => target.lapics[2].loadState(section.subarray(0, 20)), StateError);
  assert.deepEqual(target.lapics[2].getRegisterPage(), before);
});

test("the register page moves APIC state without side effects", () => {
  const a = machine(2);
  busy(a);
  const page = a.lapics[1].getRegisterPage();
  assert.equal(page.length, REGISTER_COUNT);
  assert.equal(page[Reg.PPR], 0x90);
  const b = machine(2);
  b.time.set(a.time.now());
  b.clock.setTime(a.clock.now());
  const eois: number[] = [];
  b.bus.addEoiListener((v) => eois.push(v));
  b.lapics[1].setRegisterPage(page);
  assert.deepEqual(b.lapics[1].getRegisterPage(), page);
  assert.deepEqual(vectorsIn(b.lapics[1], Reg.TMR0), [0x40]);
  assert.deepEqual(eois, [], "no EOI was performed");
  assert.equal(take(b.lapics[0]), -1, "no IPI was sent");
  assert.equal(readReg(b.lapics[1], Reg.ESR), 0, "ESR copied, not latched");
  b.advance(100);
  assert.equal(readReg(b.lapics[1], Reg.TIMER_CURRENT), page[Reg.TIMER_CURRENT] - 25);
  assert.throws(() => b.lapics[1].setRegisterPage(new Uint32Array(3)), /64 dwords/);
});

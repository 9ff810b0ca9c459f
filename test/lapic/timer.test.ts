import { test } from "node:test";
import assert from "node:assert/strict";
import { Reg } from "../../src/hv/soft/lapic/constants.js";
import { timerDivisor } from "../../src/hv/soft/lapic/timer.js";
import { enable, machine, readReg, take, writeReg } from "./helpers.js";

/** A TSC at 2 GHz derived from the same manual time as the clock. */
function tscOf(time: { now(): number }) {
  return { read: () => BigInt(time.now()) * 2n, frequencyHz: 2_000_000_000 };
}

test("divide configuration values map to 1..128", () => {
  const expected: [number, number][] = [
    [0b0000, 2], [0b0001, 4], [0b0010, 8], [0b0011, 16],
    [0b1000, 32], [0b1001, 64], [0b1010, 128], [0b1011, 1],
  ]; // prettier-ignore
  for (const [config, divisor] of expected) assert.equal(timerDivisor(config), divisor);
});

test("one-shot: fires once at initial x divisor ns; the count falls and stays at 0", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.TIMER_DIVIDE, 0b0001); // divide by 4
  writeReg(apic, Reg.LVT_TIMER, 0x40);
  writeReg(apic, Reg.TIMER_INITIAL, 1000); // 4000 ns
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 1000);
  m.advance(1000);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 750);
  m.advance(2999);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 1);
  assert.equal(apic.pendingVector(), -1, "not yet");
  m.advance(1);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 0);
  assert.equal(take(apic), 0x40);
  writeReg(apic, Reg.EOI, 0);
  m.advance(1_000_000);
  assert.equal(apic.pendingVector(), -1, "one-shot fires once");
  assert.equal(readReg(apic, Reg.TIMER_INITIAL), 1000, "initial count is kept");
});

test("each divide value scales the expiry time", () => {
  for (const [config, divisor] of [
    [0b1011, 1],
    [0b0011, 16],
    [0b1010, 128],
  ]) {
    const m = machine(1);
    const [apic] = m.lapics;
    enable(apic);
    writeReg(apic, Reg.TIMER_DIVIDE, config);
    writeReg(apic, Reg.LVT_TIMER, 0x41);
    writeReg(apic, Reg.TIMER_INITIAL, 10);
    m.advance(10 * divisor - 1);
    assert.equal(apic.pendingVector(), -1, `divisor ${divisor}: early`);
    m.advance(1);
    assert.equal(apic.pendingVector(), 0x41, `divisor ${divisor}: on time`);
  }
});

test("periodic: reloads and fires every period; late runs coalesce without drift", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.TIMER_DIVIDE, 0b1011); // divide by 1
  writeReg(apic, Reg.LVT_TIMER, 0x20040); // periodic
  writeReg(apic, Reg.TIMER_INITIAL, 100);
  for (let period = 1; period <= 3; period++) {
    m.advance(99);
    assert.equal(apic.pendingVector(), -1);
    m.advance(1);
    assert.equal(take(apic), 0x40, `period ${period}`);
    writeReg(apic, Reg.EOI, 0);
    assert.equal(readReg(apic, Reg.TIMER_CURRENT), 100, "reloaded");
  }
  m.advance(30);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 70);
  const fired = m.clock.runDue();
  m.advance(1000); // 10 periods late: one interrupt, next expiry stays on the grid
  assert.equal(fired, 0);
  assert.equal(take(apic), 0x40);
  writeReg(apic, Reg.EOI, 0);
  assert.equal(m.clock.nextDeadline(), m.clock.now() + 70, "on the 100 ns grid");
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 70);
});

test("a masked timer counts but raises nothing; writing initial count 0 stops it", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.TIMER_DIVIDE, 0b1011);
  writeReg(apic, Reg.LVT_TIMER, 0x30050);
  writeReg(apic, Reg.TIMER_INITIAL, 50);
  m.advance(120);
  assert.equal(apic.pendingVector(), -1);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 30);
  writeReg(apic, Reg.LVT_TIMER, 0x20050); // unmask
  m.advance(30);
  assert.equal(take(apic), 0x50);
  writeReg(apic, Reg.TIMER_INITIAL, 0);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 0);
  assert.equal(m.clock.nextDeadline(), undefined);
});

test("a divide change keeps the current count and continues at the new rate", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.TIMER_DIVIDE, 0b1011); // 1 ns per count
  writeReg(apic, Reg.LVT_TIMER, 0x60);
  writeReg(apic, Reg.TIMER_INITIAL, 100);
  m.advance(40);
  writeReg(apic, Reg.TIMER_DIVIDE, 0b0000); // 2 ns per count
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 60);
  m.advance(100);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 10);
  m.advance(19);
  assert.equal(apic.pendingVector(), -1);
  m.advance(1);
  assert.equal(apic.pendingVector(), 0x60);
});

test("periodic to one-shot: the count runs out at the end of the current period", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.TIMER_DIVIDE, 0b1011);
  writeReg(apic, Reg.LVT_TIMER, 0x20070);
  writeReg(apic, Reg.TIMER_INITIAL, 100);
  m.advance(250);
  assert.equal(take(apic), 0x70);
  writeReg(apic, Reg.EOI, 0);
  writeReg(apic, Reg.LVT_TIMER, 0x70);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 50);
  m.advance(50);
  assert.equal(take(apic), 0x70);
  writeReg(apic, Reg.EOI, 0);
  m.advance(500);
  assert.equal(apic.pendingVector(), -1);
});

test("TSC-deadline: fires when the TSC reaches the deadline; a past deadline fires at once", () => {
  const time = { now: () => 0 };
  const m = machine(1, () => ({ tsc: tscOf(time) }));
  time.now = () => m.time.now();
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.LVT_TIMER, 0x40080); // TSC-deadline mode
  assert.equal(apic.readMsr(0x6e0), 0n);
  const tscNow = BigInt(m.time.now()) * 2n;
  assert.equal(apic.writeMsr(0x6e0, tscNow + 2000n), true); // 1000 ns at 2 GHz
  assert.equal(apic.readMsr(0x6e0), tscNow + 2000n);
  writeReg(apic, Reg.TIMER_INITIAL, 5); // ignored in TSC-deadline mode
  assert.equal(readReg(apic, Reg.TIMER_INITIAL), 0);
  assert.equal(readReg(apic, Reg.TIMER_CURRENT), 0);
  m.advance(999);
  assert.equal(apic.pendingVector(), -1);
  m.advance(1);
  assert.equal(take(apic), 0x80);
  assert.equal(apic.readMsr(0x6e0), 0n, "disarmed after expiry");
  writeReg(apic, Reg.EOI, 0);
  apic.writeMsr(0x6e0, 1n);
  assert.equal(take(apic), 0x80, "deadline already passed");
  writeReg(apic, Reg.EOI, 0);
  apic.writeMsr(0x6e0, BigInt(m.time.now()) * 2n + 100n);
  apic.writeMsr(0x6e0, 0n);
  m.advance(10_000);
  assert.equal(apic.pendingVector(), -1, "writing 0 disarms");
});

test("switching into or out of TSC-deadline mode disarms; MSR 6E0h is inert outside it", () => {
  const time = { now: () => 0 };
  const m = machine(1, () => ({ tsc: tscOf(time) }));
  time.now = () => m.time.now();
  const [apic] = m.lapics;
  enable(apic);
  writeReg(apic, Reg.LVT_TIMER, 0x40);
  writeReg(apic, Reg.TIMER_INITIAL, 1000);
  assert.equal(apic.writeMsr(0x6e0, 5n), true, "accepted but ignored");
  assert.equal(apic.readMsr(0x6e0), 0n);
  writeReg(apic, Reg.LVT_TIMER, 0x40040);
  assert.equal(readReg(apic, Reg.TIMER_INITIAL), 0, "one-shot count dropped");
  apic.writeMsr(0x6e0, BigInt(m.time.now()) * 2n + 500n);
  writeReg(apic, Reg.LVT_TIMER, 0x40);
  m.advance(100_000);
  assert.equal(apic.pendingVector(), -1, "deadline dropped too");
});

test("without a TSC there is no TSC-deadline mode: the MSR faults and the mode bit is reserved", () => {
  const m = machine(1);
  const [apic] = m.lapics;
  enable(apic);
  assert.equal(apic.readMsr(0x6e0), undefined);
  assert.equal(apic.writeMsr(0x6e0, 1n), false);
  writeReg(apic, Reg.LVT_TIMER, 0x40040);
  assert.equal(readReg(apic, Reg.LVT_TIMER), 0x40);
});

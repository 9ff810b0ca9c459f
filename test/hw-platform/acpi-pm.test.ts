import { test } from "node:test";
import assert from "node:assert/strict";
import { AcpiPm, PM_TIMER_HZ, type AcpiPmOptions } from "../../src/hw/acpi-pm.js";
import { BusConflictError } from "../../src/hw/bus/index.js";
import { timeOfTick } from "../../src/hw/clock.js";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import { StateError } from "../../src/migration/state/index.js";
import { RecordingLine, io, makeRig, type Rig } from "./helpers.js";

const PM1_STS = 0x600;
const PM1_EN = 0x602;
const PM1_CNT = 0x604;
const PM_TMR = 0x608;
const GPE0_STS = 0x620;
const GPE0_EN = 0x622;

const TMR = 1 << 0;
const PWRBTN = 1 << 8;
const SLP_EN = 1 << 13;
const BIT23_TICKS = 2 ** 23;

function setup(options: Partial<AcpiPmOptions> = {}, rig: Rig = makeRig()) {
  const sci = new RecordingLine();
  let powerOffs = 0;
  const pm = new AcpiPm({
    bus: rig.bus.port,
    clock: rig.clock,
    sci,
    onPowerOff: () => powerOffs++,
    ...options,
  });
  return { rig, pm, sci, powerOffs: () => powerOffs };
}

test("the PM timer counts at 3.579545 MHz from the virtual clock and wraps at 24 bits", () => {
  const { rig } = setup();
  assert.equal(io.in32(rig.bus, PM_TMR), 0);
  rig.advanceTo(1_000_000_000);
  assert.equal(io.in32(rig.bus, PM_TMR), PM_TIMER_HZ);
  rig.advanceTo(1_000_000_000 + 279); // 279 ns is 0.9987 ticks: not yet one more
  assert.equal(io.in32(rig.bus, PM_TMR), PM_TIMER_HZ);
  rig.advanceTo(1_000_000_000 + 280);
  assert.equal(io.in32(rig.bus, PM_TMR), PM_TIMER_HZ + 1);
  // Past 2^24 ticks the value starts again from 0; the upper byte reads 0.
  rig.advanceTo(timeOfTick(2 ** 24 + 5, PM_TIMER_HZ));
  assert.equal(io.in32(rig.bus, PM_TMR), 5);
  rig.advanceTo(timeOfTick(2 ** 24 - 1 + 2 ** 24, PM_TIMER_HZ));
  assert.equal(io.in32(rig.bus, PM_TMR), 0xff_ffff);
  assert.equal(io.in16(rig.bus, PM_TMR + 2), 0x00ff);
  assert.equal(io.in8(rig.bus, PM_TMR + 1), 0xff);
  io.out32(rig.bus, PM_TMR, 0); // read-only
  assert.equal(io.in32(rig.bus, PM_TMR), 0xff_ffff);
});

test("TMR_STS is set when bit 23 toggles; with TMR_EN it raises the SCI from a clock timer", () => {
  const { rig, sci } = setup();
  const toggle = timeOfTick(BIT23_TICKS, PM_TIMER_HZ);
  // TMR_EN clear: no clock timer, but the status bit still follows the counter.
  assert.equal(rig.clock.nextDeadline(), undefined);
  rig.advanceTo(toggle);
  assert.equal(io.in16(rig.bus, PM1_STS) & TMR, TMR);
  assert.equal(sci.level, false);
  io.out16(rig.bus, PM1_STS, TMR);
  assert.equal(io.in16(rig.bus, PM1_STS), 0);

  io.out16(rig.bus, PM1_EN, TMR);
  const next = timeOfTick(2 * BIT23_TICKS, PM_TIMER_HZ);
  assert.equal(rig.clock.nextDeadline(), next);
  rig.advanceTo(next - 1);
  assert.equal(sci.level, false);
  rig.advanceTo(next);
  assert.equal(sci.level, true, "the toggle raised the SCI without the guest looking");
  assert.equal(io.in16(rig.bus, PM1_STS) & TMR, TMR);
  // While TMR_STS is set nothing more can happen: no timer.
  assert.equal(rig.clock.nextDeadline(), undefined);
  io.out16(rig.bus, PM1_STS, TMR);
  assert.equal(sci.level, false);
  assert.equal(rig.clock.nextDeadline(), timeOfTick(3 * BIT23_TICKS, PM_TIMER_HZ));
  // Disabling cancels the timer and keeps the SCI low.
  io.out16(rig.bus, PM1_EN, 0);
  assert.equal(rig.clock.nextDeadline(), undefined);
  rig.advanceTo(timeOfTick(3 * BIT23_TICKS, PM_TIMER_HZ));
  assert.equal(sci.level, false);
});

test("PM1_STS and GPE0_STS bits clear only where 1s are written", () => {
  const { rig, pm, sci } = setup();
  pm.pressPowerButton();
  rig.advanceTo(timeOfTick(BIT23_TICKS, PM_TIMER_HZ));
  assert.equal(io.in16(rig.bus, PM1_STS), PWRBTN | TMR);
  io.out16(rig.bus, PM1_STS, 0); // writing 0 changes nothing
  io.out16(rig.bus, PM1_STS, 0x7efe); // neither bit 0 nor 8
  assert.equal(io.in16(rig.bus, PM1_STS), PWRBTN | TMR);
  io.out8(rig.bus, PM1_STS + 1, 0x01); // a byte write to the high half: PWRBTN_STS only
  assert.equal(io.in16(rig.bus, PM1_STS), TMR);
  // One dword write clears status and sets the enables at once.
  pm.pressPowerButton();
  io.out32(rig.bus, PM1_STS, (PWRBTN << 16) | PWRBTN);
  assert.equal(io.in16(rig.bus, PM1_STS), TMR);
  assert.equal(io.in16(rig.bus, PM1_EN), PWRBTN);
  assert.equal(io.in32(rig.bus, PM1_STS), (PWRBTN << 16) | TMR);
  assert.equal(sci.level, false);

  pm.raiseGpe(3);
  pm.raiseGpe(12);
  assert.equal(io.in16(rig.bus, GPE0_STS), (1 << 3) | (1 << 12));
  assert.equal(sci.level, false, "GPEs not enabled");
  io.out8(rig.bus, GPE0_EN, 1 << 3);
  assert.equal(sci.level, true);
  io.out8(rig.bus, GPE0_STS + 1, 1 << 4); // clears GPE 12 only
  assert.equal(io.in16(rig.bus, GPE0_STS), 1 << 3);
  assert.equal(sci.level, true);
  io.out16(rig.bus, GPE0_STS, 1 << 3);
  assert.equal(sci.level, false);
  assert.equal(io.in32(rig.bus, GPE0_STS), (1 << 3) << 16);
  assert.throws(() => pm.raiseGpe(16), DeviceOptionError);
});

test("the power button sets PWRBTN_STS and raises the SCI only when enabled", () => {
  const { rig, pm, sci } = setup();
  pm.pressPowerButton();
  assert.equal(io.in16(rig.bus, PM1_STS), PWRBTN);
  assert.equal(sci.level, false);
  io.out16(rig.bus, PM1_EN, PWRBTN);
  assert.equal(sci.level, true);
  assert.equal(pm.sciAsserted, true);
  io.out16(rig.bus, PM1_STS, PWRBTN);
  assert.equal(sci.level, false);
  pm.pressPowerButton();
  assert.equal(sci.level, true);
  assert.equal(sci.rises, 2);
});

test("SLP_EN with the \\_S5 sleep type powers off; other types are ignored and counted", () => {
  const { rig, pm, powerOffs } = setup();
  assert.equal(io.in16(rig.bus, PM1_CNT), 1, "SCI_EN always reads 1 (SMI_CMD is 0)");
  io.out16(rig.bus, PM1_CNT, 5 << 10); // SLP_TYP alone does nothing
  assert.equal(powerOffs(), 0);
  assert.equal(io.in16(rig.bus, PM1_CNT), (5 << 10) | 1);
  io.out16(rig.bus, PM1_CNT, (1 << 10) | SLP_EN); // S1-like: ignored
  io.out16(rig.bus, PM1_CNT, (3 << 10) | SLP_EN);
  assert.equal(powerOffs(), 0);
  assert.equal(pm.ignoredSleepRequests, 2);
  io.out16(rig.bus, PM1_CNT, (5 << 10) | SLP_EN);
  assert.equal(powerOffs(), 1);
  assert.equal(io.in16(rig.bus, PM1_CNT) & SLP_EN, 0, "SLP_EN is write-only");
  // The high byte alone carries SLP_TYP and SLP_EN.
  io.out8(rig.bus, PM1_CNT + 1, (SLP_EN | (5 << 10)) >> 8);
  assert.equal(powerOffs(), 2);

  const other = setup({ s5SleepType: 7 });
  io.out16(other.rig.bus, PM1_CNT, (5 << 10) | SLP_EN);
  assert.equal(other.powerOffs(), 0);
  io.out16(other.rig.bus, PM1_CNT, (7 << 10) | SLP_EN);
  assert.equal(other.powerOffs(), 1);
});

test("options are checked", () => {
  const rig = makeRig();
  assert.throws(() => setup({ s5SleepType: 8 }, rig), DeviceOptionError);
  assert.throws(
    () => setup({ ports: { pm1aEvt: 0xfffe, pm1aCnt: 0x604, pmTmr: 0x608, gpe0: 0x620 } }, rig),
    DeviceOptionError,
  );
  // A refused device leaves nothing registered behind.
  assert.equal(io.in16(rig.bus, PM1_CNT), 0xffff);
  assert.throws(() => new AcpiPm({ bus: rig.bus.port } as AcpiPmOptions), DeviceOptionError);
  // A port conflict half-way through registration also leaves nothing behind.
  setup({}, rig);
  const clash = { pm1aEvt: 0x700, pm1aCnt: 0x704, pmTmr: 0x608, gpe0: 0x720 };
  assert.throws(() => setup({ ports: clash }, rig), BusConflictError);
  assert.equal(io.in32(rig.bus, 0x700), 0xffff_ffff);
  assert.equal(io.in16(rig.bus, PM1_CNT), 1);
});

test("reset clears status, enables and control but the PM timer runs on", () => {
  const { rig, pm, sci } = setup();
  io.out16(rig.bus, PM1_EN, PWRBTN | TMR);
  io.out16(rig.bus, PM1_CNT, 5 << 10);
  pm.pressPowerButton();
  rig.advanceTo(12_345_678);
  const before = io.in32(rig.bus, PM_TMR);
  pm.reset();
  assert.equal(sci.level, false);
  assert.equal(io.in32(rig.bus, PM1_STS), 0);
  assert.equal(io.in16(rig.bus, PM1_CNT), 1);
  assert.equal(io.in32(rig.bus, PM_TMR), before);
  assert.equal(rig.clock.nextDeadline(), undefined);
});

test("state round trip mid-operation: status, enables, SCI and the armed toggle carry over", () => {
  const source = setup();
  const { rig, pm } = source;
  io.out16(rig.bus, PM1_EN, PWRBTN | TMR);
  io.out8(rig.bus, GPE0_EN, 0x01);
  io.out16(rig.bus, PM1_CNT, 5 << 10);
  pm.pressPowerButton();
  rig.advanceTo(1_500_000_000);
  const section = pm.saveState();

  const target = setup({}, makeRig(1_500_000_000));
  target.pm.loadState(section);
  assert.equal(target.sci.level, true, "the SCI is driven again after loading");
  assert.deepEqual(target.pm.state, pm.state);
  assert.equal(io.in16(target.rig.bus, PM1_STS), PWRBTN);
  assert.equal(io.in16(target.rig.bus, PM1_CNT), (5 << 10) | 1);
  assert.equal(io.in32(target.rig.bus, PM_TMR), io.in32(rig.bus, PM_TMR));
  assert.equal(target.rig.clock.nextDeadline(), timeOfTick(BIT23_TICKS, PM_TIMER_HZ));
  io.out16(target.rig.bus, PM1_STS, PWRBTN);
  assert.equal(target.sci.level, false);
  target.rig.advanceTo(timeOfTick(BIT23_TICKS, PM_TIMER_HZ));
  assert.equal(target.sci.level, true, "TMR_STS fires on the target");

  // A section of another device, or a damaged one, is refused and changes nothing.
  const fresh = setup();
  const snapshot = structuredClone(fresh.pm.state);
  const damaged = Uint8Array.from(section);
  damaged[1] ^= 0x20; // the first letter of the section name
  assert.throws(() => fresh.pm.loadState(damaged), StateError);
  assert.throws(() => fresh.pm.loadState(section.subarray(0, section.length - 1)), StateError);
  assert.deepEqual(fresh.pm.state, snapshot);
});

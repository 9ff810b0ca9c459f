import { test } from "node:test";
import assert from "node:assert/strict";
import { LegacyIrqGate } from "../../src/hw/hpet.js";
import { IsaIrqRouter, type IrqSink } from "../../src/hw/irq.js";
import {
  ENABLE_CNF,
  GEN_CONF,
  GINTR_STA,
  INT_ENB,
  INT_LEVEL,
  LEG_RT_CNF,
  MAIN_CNT,
  MODE_32,
  PERIODIC,
  TICK_NS,
  TIMER_CMP,
  TIMER_CONF,
  VAL_SET,
  route,
  setupHpet,
} from "./hpet-helpers.js";

test("a 64-bit one-shot timer fires once when the counter reaches the comparator", () => {
  const { rig, mmio, pins } = setupHpet();
  mmio.write64(TIMER_CONF(2), BigInt(INT_ENB | route(20)));
  mmio.write64(TIMER_CMP(2), 1000n);
  assert.equal(rig.clock.nextDeadline(), undefined, "nothing is armed while the HPET is halted");
  mmio.write32(GEN_CONF, ENABLE_CNF);
  assert.equal(rig.clock.nextDeadline(), 1000 * TICK_NS);
  rig.advanceTo(1000 * TICK_NS - 1);
  assert.equal(pins[20].pulses, 0);
  rig.advanceTo(1000 * TICK_NS);
  assert.equal(pins[20].pulses, 1);
  assert.equal(pins[21].pulses, 0);
  rig.advanceTo(100_000 * TICK_NS);
  assert.equal(pins[20].pulses, 1, "a 64-bit comparator matches again only after 2^64 ticks");
  assert.equal(rig.clock.nextDeadline(), undefined);
  assert.equal(mmio.read64(TIMER_CMP(2)), 1000n);
  assert.equal(mmio.read32(GINTR_STA), 0, "edge-triggered timers leave GINTR_STA alone");
});

test("a 32-bit one-shot timer compares the counter's low half, across its wrap", () => {
  const { rig, mmio, pins } = setupHpet();
  mmio.write64(MAIN_CNT, 0xffff_ff00n); // halted: writable
  mmio.write64(TIMER_CONF(2), BigInt(INT_ENB | MODE_32 | route(21)));
  mmio.write32(TIMER_CMP(2), 0x10);
  mmio.write32(TIMER_CMP(2) + 4, 0x1234); // no upper half in 32-bit mode
  assert.equal(mmio.read64(TIMER_CMP(2)), 0x10n);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  assert.equal(rig.clock.nextDeadline(), 0x110 * TICK_NS);
  rig.advanceTo(0x110 * TICK_NS);
  assert.equal(pins[21].pulses, 1);
  assert.equal(mmio.read64(MAIN_CNT), 0x1_0000_0010n, "the main counter itself is 64 bits");
  assert.equal(rig.clock.nextDeadline(), (0x110 + 2 ** 32) * TICK_NS);

  // The same comparator as a 64-bit timer lies 2^64 - 2^32 ticks behind: never.
  const wide = setupHpet();
  wide.mmio.write64(MAIN_CNT, 0xffff_ff00n);
  wide.mmio.write64(TIMER_CONF(2), BigInt(INT_ENB | route(21)));
  wide.mmio.write64(TIMER_CMP(2), 0x10n);
  wide.mmio.write32(GEN_CONF, ENABLE_CNF);
  assert.equal(wide.rig.clock.nextDeadline(), undefined);
});

test("periodic mode: VAL_SET sets the accumulator, later writes the period, late ticks coalesce", () => {
  const { rig, mmio, pins } = setupHpet();
  mmio.write64(TIMER_CONF(0), BigInt(INT_ENB | PERIODIC | VAL_SET | route(22)));
  mmio.write64(TIMER_CMP(0), 1000n); // accumulator and period
  assert.equal(mmio.read32(TIMER_CONF(0)) & VAL_SET, 0, "VAL_SET clears itself");
  mmio.write64(TIMER_CMP(0), 500n); // period only
  assert.equal(mmio.read64(TIMER_CMP(0)), 1000n);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(1000 * TICK_NS);
  assert.equal(pins[22].pulses, 1);
  assert.equal(mmio.read64(TIMER_CMP(0)), 1500n);
  rig.advanceTo(1500 * TICK_NS);
  rig.advanceTo(2000 * TICK_NS);
  assert.equal(pins[22].pulses, 3);
  // The run loop was 10 periods late: one interrupt, and the accumulator catches up.
  rig.advanceTo(7250 * TICK_NS);
  assert.equal(pins[22].pulses, 4);
  assert.equal(mmio.read64(TIMER_CMP(0)), 7500n);
  assert.equal(rig.clock.nextDeadline(), 7500 * TICK_NS);
  // Without VAL_SET a write changes only the period: the next match stays at 7500.
  mmio.write64(TIMER_CMP(0), 100n);
  rig.advanceTo(7500 * TICK_NS);
  rig.advanceTo(7600 * TICK_NS);
  assert.equal(pins[22].pulses, 6);
  assert.equal(mmio.read64(TIMER_CMP(0)), 7700n);
});

test("periodic 32-bit mode, programmed as Linux's HPET clockevent does", () => {
  const { rig, mmio, pins } = setupHpet();
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(12_345 * TICK_NS);
  const delta = 100_000; // 10 ms
  mmio.write32(TIMER_CONF(0), INT_ENB | PERIODIC | VAL_SET | MODE_32 | route(20));
  const now = mmio.read32(MAIN_CNT);
  mmio.write32(TIMER_CMP(0), now + delta);
  mmio.write32(TIMER_CMP(0), delta);
  for (let period = 1; period <= 10; period++) {
    rig.advanceTo((now + period * delta) * TICK_NS - 1);
    assert.equal(pins[20].pulses, period - 1);
    rig.advanceTo((now + period * delta) * TICK_NS);
    assert.equal(pins[20].pulses, period);
  }
});

test("only timer 0 can be periodic; every timer is 64-bit capable", () => {
  const { mmio } = setupHpet();
  for (let n = 0; n < 3; n++) {
    mmio.write32(TIMER_CONF(n), PERIODIC);
    const config = mmio.read32(TIMER_CONF(n));
    assert.equal((config & PERIODIC) !== 0, n === 0, `timer ${n} TYPE_CNF`);
    assert.equal((config & (1 << 4)) !== 0, n === 0, `timer ${n} PER_INT_CAP`);
    assert.equal(config & (1 << 5), 1 << 5, `timer ${n} SIZE_CAP`);
    assert.equal(config & (1 << 15), 0, "no FSB delivery");
  }
});

test("level-triggered timers hold their line and GINTR_STA until written 1 to clear", () => {
  const { rig, mmio, pins } = setupHpet();
  mmio.write64(TIMER_CONF(2), BigInt(INT_LEVEL | INT_ENB | route(20)));
  mmio.write64(TIMER_CMP(2), 100n);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(100 * TICK_NS);
  assert.equal(pins[20].level, true);
  assert.equal(mmio.read32(GINTR_STA), 1 << 2);
  assert.equal(rig.clock.nextDeadline(), undefined, "nothing to do while the status is set");
  mmio.write32(GINTR_STA, 0);
  mmio.write32(GINTR_STA, 0b011);
  assert.equal(pins[20].level, true, "0s and other timers' bits clear nothing");
  // Halting the HPET masks the line; the status stays.
  mmio.write32(GEN_CONF, 0);
  assert.equal(pins[20].level, false);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  assert.equal(pins[20].level, true);
  mmio.write32(GINTR_STA, 1 << 2);
  assert.equal(pins[20].level, false);
  assert.equal(mmio.read32(GINTR_STA), 0);
  assert.equal(pins[20].rises, 2);

  // With Tn_INT_ENB_CNF clear the status is still set, but no interrupt.
  mmio.write64(TIMER_CONF(2), BigInt(INT_LEVEL | route(20)));
  mmio.write64(TIMER_CMP(2), 300n);
  rig.advanceTo(300 * TICK_NS);
  assert.equal(mmio.read32(GINTR_STA), 1 << 2);
  assert.equal(pins[20].level, false);
  mmio.write64(TIMER_CONF(2), BigInt(INT_LEVEL | INT_ENB | route(20)));
  assert.equal(pins[20].level, true);
  // Switching to edge mode drops the status and the line.
  mmio.write64(TIMER_CONF(2), BigInt(INT_ENB | route(20)));
  assert.equal(mmio.read32(GINTR_STA), 0);
  assert.equal(pins[20].level, false);
});

test("timers sharing a pin hold it until both let go", () => {
  const { rig, mmio, pins } = setupHpet();
  for (const n of [1, 2]) {
    mmio.write64(TIMER_CONF(n), BigInt(INT_LEVEL | INT_ENB | route(23)));
    mmio.write64(TIMER_CMP(n), BigInt(100 * n));
  }
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(200 * TICK_NS);
  assert.equal(mmio.read32(GINTR_STA), 0b110);
  mmio.write32(GINTR_STA, 0b010);
  assert.equal(pins[23].level, true);
  mmio.write32(GINTR_STA, 0b100);
  assert.equal(pins[23].level, false);
});

test("LEG_RT_CNF: timer 0 takes IRQ0 and timer 1 IRQ8 while the PIT and RTC are gated off", () => {
  const router = new IsaIrqRouter();
  const events: string[] = [];
  const sink: IrqSink = { setIrq: (irq, level) => events.push(`${irq}${level ? "+" : "-"}`) };
  router.addSink(sink);
  const pit = new LegacyIrqGate(router.line(0));
  const rtc = new LegacyIrqGate(router.line(8));
  const { rig, mmio, pins, legacyChanges } = setupHpet({
    legacyIrq0: router.line(0),
    legacyIrq8: router.line(8),
    onLegacyReplacementChange: (enabled) => {
      legacyChanges.push(enabled);
      pit.setOpen(!enabled);
      rtc.setOpen(!enabled);
    },
  });
  pit.setLevel(true);
  assert.equal(router.level(0), true);
  mmio.write64(TIMER_CONF(0), BigInt(INT_ENB | route(20)));
  mmio.write64(TIMER_CMP(0), 100n);
  mmio.write64(TIMER_CONF(1), BigInt(INT_LEVEL | INT_ENB | route(21)));
  mmio.write64(TIMER_CMP(1), 200n);
  mmio.write32(GEN_CONF, ENABLE_CNF | LEG_RT_CNF);
  assert.deepEqual(legacyChanges, [true]);
  assert.equal(router.level(0), false, "the PIT's level no longer reaches IRQ0");
  events.length = 0;
  rig.advanceTo(100 * TICK_NS);
  assert.deepEqual(events, ["0+", "0-"], "timer 0's edge on IRQ0");
  pit.pulse();
  assert.deepEqual(events, ["0+", "0-"], "the PIT stays gated");
  rig.advanceTo(200 * TICK_NS);
  assert.equal(router.level(8), true);
  assert.equal(pins[20].pulses + pins[21].rises, 0, "the routed pins are bypassed");
  // Leaving legacy mode: timer 1 moves to its pin, IRQ8 drops, the PIT's line is back.
  pit.setLevel(true);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  assert.deepEqual(legacyChanges, [true, false]);
  assert.equal(router.level(8), false);
  assert.equal(pins[21].level, true);
  assert.equal(router.level(0), true);
});

test("legacy one-shot as guests/devices/hpet.asm programs it: one IRQ0 edge, at the comparator", () => {
  // An edge-triggered input (the master PIC's IR0): counts rises of ISA IRQ 0.
  const router = new IsaIrqRouter();
  let level = false;
  const rises: number[] = [];
  router.addSink({
    setIrq: (irq, high) => {
      if (irq !== 0) return;
      if (high && !level) rises.push(rig.clock.now());
      level = high;
    },
  });
  const pit = new LegacyIrqGate(router.line(0));
  const { rig, mmio } = setupHpet({
    legacyIrq0: router.line(0),
    onLegacyReplacementChange: (enabled) => pit.setOpen(!enabled),
  });
  // The PIT has counted out a mode 0 count of 1 (pit_quiet): OUT0 is high.
  pit.setLevel(true);
  rises.length = 0;
  const program = () => {
    mmio.write32(GEN_CONF, 0);
    mmio.write32(MAIN_CNT, 0);
    mmio.write32(MAIN_CNT + 4, 0);
    mmio.write32(TIMER_CONF(0), INT_ENB);
    mmio.write32(TIMER_CMP(0), 50_000); // 5 ms
    mmio.write32(TIMER_CMP(0) + 4, 0);
  };
  program();
  const enabled = rig.clock.now();
  mmio.write32(GEN_CONF, ENABLE_CNF | LEG_RT_CNF);
  assert.equal(router.level(0), false, "the PIT's high OUT0 is cut off, without an edge");
  rig.advanceTo(enabled + 4_999_900);
  assert.deepEqual(rises, [], "nothing before the comparator matches");
  rig.advanceTo(enabled + 5_000_000);
  rig.advance(15_000_000);
  assert.deepEqual(rises, [enabled + 5_000_000], "one edge, 5 ms after ENABLE_CNF");
  // Programming it again (measure_retry's second try): leaving legacy mode gives the PIT's
  // high OUT0 back to IRQ0, an edge QEMU makes too (pit_irq_control re-drives OUT0). A
  // guest whose PIC still holds it sees an interrupt as soon as it unmasks IRQ0.
  rises.length = 0;
  program();
  assert.deepEqual(rises, [rig.clock.now()], "reopening the PIT's gate raised IRQ0");
});

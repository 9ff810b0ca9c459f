import { test } from "node:test";
import assert from "node:assert/strict";
import { HPET_BASE, Hpet, type HpetOptions } from "../../src/hw/hpet.js";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import { StateError } from "../../src/migration/state/index.js";
import { makeRig } from "./helpers.js";
import {
  ENABLE_CNF,
  GEN_CONF,
  GINTR_STA,
  INT_ENB,
  INT_LEVEL,
  LEG_RT_CNF,
  MAIN_CNT,
  PERIODIC,
  TICK_NS,
  TIMER_CMP,
  TIMER_CONF,
  VAL_SET,
  route,
  setupHpet,
} from "./hpet-helpers.js";

const CAPABILITIES = (100_000_000n << 32n) | 0x8086_a201n;

test("GCAP_ID: 10 MHz, vendor 8086, legacy replacement, 64-bit counter, 3 timers, rev 1", () => {
  const { mmio } = setupHpet();
  assert.equal(mmio.read64(0), CAPABILITIES);
  assert.equal(mmio.read32(0), 0x8086_a201);
  assert.equal(mmio.read32(4), 100_000_000);
  assert.equal(mmio.read8(2), 0x86);
  // An unaligned dword sees the bytes it covers.
  assert.equal(mmio.read32(2) >>> 0, Number((CAPABILITIES >> 16n) & 0xffff_ffffn));
  mmio.write64(0, 0n);
  assert.equal(mmio.read64(0), CAPABILITIES, "read-only");
  assert.equal(mmio.read64(0x118), 0n, "FSB route: not offered");
  assert.equal(mmio.read64(0x3f8), 0n, "unused space");
});

test("the main counter runs at 10 MHz only while ENABLE_CNF is set", () => {
  const { rig, mmio } = setupHpet();
  rig.advanceTo(5_000_000);
  assert.equal(mmio.read64(MAIN_CNT), 0n, "halted after reset");
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(6_000_000); // 1 ms
  assert.equal(mmio.read64(MAIN_CNT), 10_000n);
  rig.advanceTo(6_000_099);
  assert.equal(mmio.read64(MAIN_CNT), 10_000n);
  rig.advanceTo(6_000_100);
  assert.equal(mmio.read32(MAIN_CNT), 10_001);
  assert.equal(mmio.read32(MAIN_CNT + 4), 0);
  mmio.write32(GEN_CONF, 0);
  rig.advanceTo(9_000_000);
  assert.equal(mmio.read64(MAIN_CNT), 10_001n);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(9_001_000);
  assert.equal(mmio.read64(MAIN_CNT), 10_011n, "counting resumes from the halted value");
});

test("the main counter is written only while halted, whole or by halves", () => {
  const { rig, mmio } = setupHpet();
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(1000 * TICK_NS);
  mmio.write64(MAIN_CNT, 0x1234n);
  mmio.write32(MAIN_CNT + 4, 7);
  assert.equal(mmio.read64(MAIN_CNT), 1000n, "writes while running are ignored");
  mmio.write32(GEN_CONF, 0);
  mmio.write64(MAIN_CNT, 0xffff_fffe_0000_0000n);
  mmio.write32(MAIN_CNT, 0xffff_fff0);
  assert.equal(mmio.read64(MAIN_CNT), 0xffff_fffe_ffff_fff0n);
  mmio.write32(MAIN_CNT + 4, 0xffff_ffff);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(1020 * TICK_NS);
  assert.equal(mmio.read64(MAIN_CNT), 0x4n, "the 64-bit counter wraps");
  assert.equal(mmio.read32(MAIN_CNT + 4), 0);
});

test("narrow or unaligned writes are ignored rather than merged", () => {
  const { mmio } = setupHpet();
  mmio.write8(GEN_CONF, ENABLE_CNF);
  assert.equal(mmio.read32(GEN_CONF), 0);
  mmio.write32(GEN_CONF, 0xffff_ffff);
  assert.equal(mmio.read64(GEN_CONF), BigInt(ENABLE_CNF | LEG_RT_CNF), "reserved bits stay 0");
});

test("INT_ROUTE takes only pins in INT_ROUTE_CAP (20-23 by default)", () => {
  const { rig, mmio, pins } = setupHpet();
  assert.equal(mmio.read32(TIMER_CONF(2) + 4), 0x00f0_0000);
  assert.deepEqual(Object.keys(pins).map(Number), [20, 21, 22, 23]);
  mmio.write32(TIMER_CONF(2), INT_ENB | route(23));
  mmio.write32(TIMER_CONF(2), INT_ENB | route(5));
  assert.equal(
    (mmio.read32(TIMER_CONF(2)) >> 9) & 0x1f,
    23,
    "an unsupported pin reads back the old one",
  );
  mmio.write32(TIMER_CONF(2) + 4, 0);
  assert.equal(mmio.read32(TIMER_CONF(2) + 4), 0x00f0_0000, "the capability is read-only");
  mmio.write64(TIMER_CMP(2), 10n);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(10 * TICK_NS);
  assert.equal(pins[23].pulses, 1);

  const custom = setupHpet({ routeCapability: (1 << 2) | (1 << 8) });
  assert.deepEqual(Object.keys(custom.pins).map(Number), [2, 8]);
  custom.mmio.write32(TIMER_CONF(1), route(8));
  assert.equal((custom.mmio.read32(TIMER_CONF(1)) >> 9) & 0x1f, 8);
});

test("clock timers are armed only for enabled comparators of a running HPET", () => {
  const { rig, mmio } = setupHpet();
  mmio.write64(TIMER_CMP(1), 50n);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  assert.equal(rig.clock.nextDeadline(), undefined, "Tn_INT_ENB_CNF clear");
  mmio.write32(TIMER_CONF(1), INT_ENB | route(20));
  assert.equal(rig.clock.nextDeadline(), 50 * TICK_NS);
  mmio.write32(GEN_CONF, 0);
  assert.equal(rig.clock.nextDeadline(), undefined, "halted");
});

test("options are checked", () => {
  const rig = makeRig();
  const base = { bus: rig.bus.mmio, clock: rig.clock };
  assert.throws(() => new Hpet({ ...base, base: HPET_BASE + 0x10 }), DeviceOptionError);
  assert.throws(() => new Hpet({ ...base, routeCapability: 0 }), DeviceOptionError);
  assert.throws(() => new Hpet({ ...base, routeCapability: 2 ** 32 }), DeviceOptionError);
  const noLine = (() => undefined) as unknown as HpetOptions["irqForPin"];
  assert.throws(() => new Hpet({ ...base, irqForPin: noLine }), DeviceOptionError);
  assert.throws(() => new Hpet({ bus: rig.bus.mmio } as HpetOptions), DeviceOptionError);
  new Hpet(base).detach();
});

test("reset halts and zeroes the counter, clears the configuration and gives IRQ0/IRQ8 back", () => {
  const { rig, hpet, mmio, legacy8, legacyChanges } = setupHpet();
  mmio.write64(TIMER_CONF(1), BigInt(INT_LEVEL | INT_ENB));
  mmio.write64(TIMER_CMP(1), 5n);
  mmio.write32(GEN_CONF, ENABLE_CNF | LEG_RT_CNF);
  rig.advanceTo(10 * TICK_NS);
  assert.equal(legacy8.level, true);
  hpet.reset();
  assert.equal(legacy8.level, false);
  assert.deepEqual(legacyChanges, [true, false]);
  assert.equal(mmio.read64(GEN_CONF), 0n);
  assert.equal(mmio.read64(MAIN_CNT), 0n);
  assert.equal(mmio.read64(GINTR_STA), 0n);
  assert.equal(mmio.read64(TIMER_CMP(1)), 0xffff_ffff_ffff_ffffn);
  assert.equal(rig.clock.nextDeadline(), undefined);
});

test("state round trip mid-operation: counter, comparators, status and lines carry over", () => {
  const source = setupHpet();
  const { rig, mmio } = source;
  mmio.write64(TIMER_CONF(0), BigInt(INT_ENB | PERIODIC | VAL_SET | route(20)));
  mmio.write64(TIMER_CMP(0), 700n);
  mmio.write64(TIMER_CONF(2), BigInt(INT_LEVEL | INT_ENB | route(21)));
  mmio.write64(TIMER_CMP(2), 1000n);
  mmio.write32(GEN_CONF, ENABLE_CNF);
  rig.advanceTo(2_000 * TICK_NS + 50);
  const section = source.hpet.saveState();

  const target = setupHpet({}, makeRig(rig.clock.now()));
  target.hpet.loadState(section);
  assert.deepEqual(target.hpet.state, source.hpet.state);
  assert.equal(target.pins[21].level, true, "the level line is driven again");
  for (const offset of [MAIN_CNT, GINTR_STA, TIMER_CMP(0), TIMER_CONF(0), TIMER_CMP(2)]) {
    assert.equal(
      target.mmio.read64(offset),
      mmio.read64(offset),
      `register 0x${offset.toString(16)}`,
    );
  }
  assert.equal(target.rig.clock.nextDeadline(), rig.clock.nextDeadline());
  const before = source.pins[20].pulses; // 700 and 1400 arrived as one late edge
  for (const at of [2_100, 2_800, 3_500]) {
    rig.advanceTo(at * TICK_NS);
    target.rig.advanceTo(at * TICK_NS);
    assert.equal(target.pins[20].pulses, source.pins[20].pulses - before, `pulses by tick ${at}`);
  }
  assert.equal(target.pins[20].pulses, 3);

  // A state this device cannot hold (a periodic timer 1) is refused, changing nothing.
  const unchanged = structuredClone(target.hpet.state);
  source.hpet.state.timers[1].config = PERIODIC;
  assert.throws(() => target.hpet.loadState(source.hpet.saveState()), StateError);
  assert.deepEqual(target.hpet.state, unchanged);
});

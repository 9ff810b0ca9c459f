import { test } from "node:test";
import assert from "node:assert/strict";
import { IrqError, IsaIrqRouter, NO_IRQ, irqLine, type IrqSink } from "../../src/hw/irq.js";

class LogSink implements IrqSink {
  readonly log: string[] = [];
  setIrq(irq: number, level: boolean): void {
    this.log.push(`${irq}${level ? "+" : "-"}`);
  }
}

test("the router fans each ISA IRQ out to every sink", () => {
  const router = new IsaIrqRouter();
  const pic = new LogSink();
  const ioapic = new LogSink();
  router.addSink(pic);
  router.addSink(ioapic);
  router.line(4).setLevel(true);
  router.line(0).pulse();
  router.line(4).setLevel(false);
  const expected = ["4+", "0+", "0-", "4-"];
  assert.deepEqual(pic.log, expected);
  assert.deepEqual(ioapic.log, expected);
  assert.equal(router.level(4), false);
});

test("a sink attached late learns which IRQs are already high", () => {
  const router = new IsaIrqRouter();
  router.line(8).setLevel(true);
  router.line(3).setLevel(true);
  router.line(3).setLevel(false);
  const late = new LogSink();
  router.addSink(late);
  assert.deepEqual(late.log, ["8+"]);
  router.removeSink(late);
  router.line(8).setLevel(false);
  assert.deepEqual(late.log, ["8+"]);
  assert.throws(() => {
    router.addSink(late);
    router.addSink(late);
  }, IrqError);
});

test("the same line object is handed out for an IRQ (no allocation per use)", () => {
  const router = new IsaIrqRouter();
  assert.equal(router.line(1), router.line(1));
  assert.throws(() => router.line(16), /ISA IRQ 16 does not exist/);
  assert.throws(() => router.setIrq(-1, true), IrqError);
});

test("irqLine wraps a callback and NO_IRQ goes nowhere", () => {
  const levels: boolean[] = [];
  const line = irqLine((level) => levels.push(level));
  line.setLevel(true);
  line.pulse();
  assert.deepEqual(levels, [true, true, false]);
  NO_IRQ.pulse();
  NO_IRQ.setLevel(true);
});

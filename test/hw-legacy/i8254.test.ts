import { test } from "node:test";
import assert from "node:assert/strict";
import { timeOfTick } from "../../src/hw/clock.js";
import { IsaIrqRouter } from "../../src/hw/irq.js";
import { I8254, PIT_HZ, i8254StateDescription } from "../../src/hw/legacy/i8254.js";
import { I8259 } from "../../src/hw/legacy/i8259.js";
import { StateError } from "../../src/migration/state/index.js";
import { RecordingLine, rig, type Rig } from "./helpers.js";

function setup(startNs = 0) {
  const r = rig(startNs);
  const irq0 = new RecordingLine();
  const pit = new I8254({ bus: r.bus, clock: r.clock, irq0 });
  return { ...r, pit, irq0, ...tools(r) };
}

function tools(r: Rig) {
  /** Moves to PIT tick `tick` (virtual time 0 is tick 0). */
  const at = (tick: number): void => r.runUntil(timeOfTick(tick, PIT_HZ));
  /** Control word then the count (LSB, MSB as `access` says). */
  const program = (channel: number, mode: number, count: number, access = 3, bcd = false): void => {
    r.outb(0x43, (channel << 6) | (access << 4) | (mode << 1) | (bcd ? 1 : 0));
    if (access !== 2) r.outb(0x40 + channel, count & 0xff);
    if (access !== 1) r.outb(0x40 + channel, count >> 8);
  };
  /** Counter latch command, then LSB and MSB. */
  const latched = (channel: number): number => {
    r.outb(0x43, channel << 6);
    return r.inb(0x40 + channel) | (r.inb(0x40 + channel) << 8);
  };
  return { at, program, latched };
}

/** OUT and the latched count of `channel` at each tick from `from` on. */
function sample(p: ReturnType<typeof setup>, channel: 0 | 1 | 2, from: number, ticks: number) {
  const outs: number[] = [];
  const counts: number[] = [];
  for (let t = from; t < from + ticks; t++) {
    p.at(t);
    outs.push(p.pit.output(channel) ? 1 : 0);
    counts.push(p.latched(channel));
  }
  return { outs, counts };
}

test("mode 0: OUT low while counting down, high at terminal count, counter wraps", () => {
  const p = setup();
  p.program(0, 0, 3);
  const { outs, counts } = sample(p, 0, 0, 6);
  assert.deepEqual(outs, [0, 0, 0, 1, 1, 1]);
  assert.deepEqual(counts, [3, 2, 1, 0, 0xffff, 0xfffe]);
  assert.equal(p.irq0.rises, 1);
});

test("mode 2: rate generator, OUT low for the one tick the count is 1", () => {
  const p = setup();
  p.program(0, 2, 4);
  // The control word itself raises OUT from its power-on low: a first edge, as on hardware.
  assert.equal(p.irq0.rises, 1);
  const { outs, counts } = sample(p, 0, 0, 9);
  assert.deepEqual(outs, [1, 1, 1, 0, 1, 1, 1, 0, 1]);
  assert.deepEqual(counts, [4, 3, 2, 1, 4, 3, 2, 1, 4]);
  assert.equal(p.irq0.rises, 3);
});

test("mode 3: square wave, odd and even counts", () => {
  const even = setup();
  even.program(0, 3, 6);
  const a = sample(even, 0, 0, 12);
  assert.deepEqual(a.outs, [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  assert.deepEqual(a.counts, [6, 4, 2, 6, 4, 2, 6, 4, 2, 6, 4, 2]);
  const odd = setup();
  odd.program(0, 3, 5); // high (N+1)/2 ticks, low (N-1)/2, counting N-1 down by two
  const b = sample(odd, 0, 0, 10);
  assert.deepEqual(b.outs, [1, 1, 1, 0, 0, 1, 1, 1, 0, 0]);
  assert.deepEqual(b.counts, [4, 2, 0, 4, 2, 4, 2, 0, 4, 2]);
});

test("mode 4: software strobe, one tick low after the count reaches 0", () => {
  const p = setup();
  p.program(0, 4, 3);
  const rises = p.irq0.rises;
  const { outs, counts } = sample(p, 0, 0, 6);
  assert.deepEqual(outs, [1, 1, 1, 0, 1, 1]);
  assert.deepEqual(counts, [3, 2, 1, 0, 0xffff, 0xfffe]);
  assert.equal(p.irq0.rises, rises + 1);
});

test("mode 1: a GATE rising edge starts the one-shot, and retriggers it", () => {
  const p = setup();
  p.program(2, 1, 3);
  let s = sample(p, 2, 0, 3);
  assert.deepEqual(s.outs, [1, 1, 1], "waits for the trigger");
  p.outb(0x61, 0x01); // GATE2 rises at tick 2
  s = sample(p, 2, 2, 5);
  assert.deepEqual(s.outs, [0, 0, 0, 1, 1]);
  assert.deepEqual(s.counts.slice(0, 3), [3, 2, 1]);
  p.outb(0x61, 0x00);
  p.outb(0x61, 0x01); // retrigger at tick 6
  s = sample(p, 2, 6, 4);
  assert.deepEqual(s.outs, [0, 0, 0, 1]);
});

test("mode 5: hardware strobe after the GATE edge", () => {
  const p = setup();
  p.program(2, 5, 3);
  p.at(4);
  assert.equal(p.pit.output(2), true);
  p.outb(0x61, 0x01);
  const s = sample(p, 2, 4, 6);
  assert.deepEqual(s.outs, [1, 1, 1, 0, 1, 1]);
});

test("GATE low pauses mode 0 and freezes mode 2 with OUT high; the rising edge reloads mode 2", () => {
  const p = setup();
  p.outb(0x61, 0x01);
  p.program(2, 0, 10);
  p.at(4);
  p.outb(0x61, 0x00); // pause at count 6
  p.at(50);
  assert.equal(p.latched(2), 6);
  p.outb(0x61, 0x01);
  p.at(55);
  assert.equal(p.latched(2), 1);
  p.at(56);
  assert.equal(p.pit.output(2), true);

  const q = setup();
  q.outb(0x61, 0x01);
  q.program(2, 2, 5);
  q.at(4); // count 1: OUT low
  assert.equal(q.pit.output(2), false);
  q.outb(0x61, 0x00);
  assert.equal(q.pit.output(2), true, "GATE low forces OUT high");
  q.at(20);
  assert.equal(q.latched(2), 1);
  q.outb(0x61, 0x01);
  assert.equal(q.latched(2), 5, "reloaded by the GATE edge");
  q.at(24);
  assert.equal(q.pit.output(2), false);
});

test("a new count in mode 2 takes effect at the end of the current period", () => {
  const p = setup();
  p.program(0, 2, 10);
  p.at(5);
  p.outb(0x40, 4);
  p.outb(0x40, 0);
  p.outb(0x43, 0xe2); // read-back status of channel 0
  assert.equal(p.inb(0x40) & 0x40, 0x40, "null count until the reload");
  const s = sample(p, 0, 8, 10);
  assert.deepEqual(s.outs, [1, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
  assert.deepEqual(s.counts, [2, 1, 4, 3, 2, 1, 4, 3, 2, 1]);
});

test("channel 0 in mode 2 raises IRQ 0 once per period, through the PIC too", () => {
  const r = rig();
  const router = new IsaIrqRouter();
  const pic = new I8259({ bus: r.bus });
  router.addSink(pic);
  const pit = new I8254({ bus: r.bus, clock: r.clock, irq0: router.line(0) });
  r.outb(0x20, 0x11);
  r.outb(0x21, 0x30);
  r.outb(0x21, 0x04);
  r.outb(0x21, 0x01);
  const t = tools(r);
  t.program(0, 2, 1193); // about 1 kHz
  let interrupts = 0;
  for (let ms = 1; ms <= 10; ms++) {
    r.runUntil(ms * 1_000_000 + 100_000);
    while (pic.hasInterrupt()) {
      assert.equal(pic.acknowledge(), 0x30);
      r.outb(0x20, 0x20);
      interrupts++;
    }
  }
  assert.equal(interrupts, 10);
  assert.equal(pit.output(0), true);
});

test("a late run loop still delivers an IRQ 0 edge, and nothing is scheduled in mode 0 after the count", () => {
  const p = setup();
  p.program(0, 2, 100);
  p.at(10);
  const rises = p.irq0.rises;
  p.source.set(timeOfTick(550, PIT_HZ)); // five periods pass with no timer run
  p.clock.runDue();
  assert.equal(p.irq0.rises, rises + 1, "coalesced into one edge, not lost");
  assert.equal(p.irq0.level, true);

  const q = setup();
  q.program(0, 0, 50);
  q.at(60);
  assert.equal(q.clock.nextDeadline(), undefined, "idle: no timer armed");
});

test("counter latch holds the value until read; a second latch is ignored", () => {
  const p = setup();
  p.program(0, 2, 1000);
  p.at(100);
  p.outb(0x43, 0x00);
  p.at(200);
  p.outb(0x43, 0x00);
  assert.equal(p.inb(0x40) | (p.inb(0x40) << 8), 900);
  assert.equal(p.latched(0), 800);
});

test("read-back latches status and count; status comes first", () => {
  const p = setup();
  p.program(1, 3, 0x1234);
  p.at(10);
  p.outb(0x43, 0xc4); // read-back: count and status of counter 1
  const status = p.inb(0x41);
  assert.equal(status, 0x80 | (3 << 4) | (3 << 1), "OUT high, count loaded, LSB+MSB, mode 3");
  p.at(11);
  assert.equal(p.inb(0x41) | (p.inb(0x41) << 8), 0x1234 - 20);
  p.outb(0x43, 0x70); // mode 0 control word for counter 1: OUT low, null count
  p.outb(0x43, 0xe4); // read-back status only
  assert.equal(p.inb(0x41), 0x40 | (3 << 4));
});

test("access modes LSB-only and MSB-only, and unlatched LSB/MSB reads alternate", () => {
  const p = setup();
  p.program(0, 0, 0x50, 1);
  p.at(16);
  assert.equal(p.inb(0x40), 0x40);
  p.program(0, 0, 0x0300, 2);
  p.at(16 + 0x100);
  assert.equal(p.inb(0x40), 0x02);
  p.program(0, 2, 0x1000);
  p.at(16 + 0x100 + 0x10);
  assert.equal(p.inb(0x40), 0xf0);
  assert.equal(p.inb(0x40), 0x0f);
});

test("BCD counting counts in decimal", () => {
  const p = setup();
  p.program(0, 0, 0x0100, 3, true);
  p.at(1);
  assert.equal(p.latched(0), 0x0099);
  p.at(100);
  assert.equal(p.latched(0), 0);
  p.at(101);
  assert.equal(p.latched(0), 0x9999);
});

test("port 0x61: GATE2 and speaker bits, OUT2 in bit 5, refresh toggling in bit 4", () => {
  const p = setup();
  p.outb(0x61, 0xff);
  assert.equal(p.inb(0x61) & 0x0f, 0x0f);
  assert.equal(p.pit.speakerOn, true);
  // Linux's PIT calibration: GATE2 high, speaker off, mode 0 with count 0xffff.
  p.outb(0x61, (p.inb(0x61) & ~0x02) | 0x01);
  p.outb(0x43, 0xb0);
  p.outb(0x42, 0xff);
  p.outb(0x42, 0xff);
  p.at(65534);
  assert.equal(p.inb(0x61) & 0x20, 0);
  p.at(65535);
  assert.equal(p.inb(0x61) & 0x20, 0x20);
  const before = p.inb(0x61) & 0x10;
  p.advance(15_085);
  assert.notEqual(p.inb(0x61) & 0x10, before);
  assert.equal(p.inb(0x43), 0xff, "the control register cannot be read");
});

test("save/load round-trips a counting PIT, which carries on on the target", () => {
  const p = setup();
  p.program(0, 2, 1000);
  p.program(2, 3, 333);
  p.outb(0x61, 0x03);
  p.at(300);
  p.outb(0x43, 0x80); // latch counter 2, leave it unread
  const saved = p.pit.saveState();
  const json = JSON.stringify(p.pit.state);
  const ns = p.clock.now();

  const q = setup(ns);
  q.pit.loadState(saved);
  assert.equal(JSON.stringify(q.pit.state), json);
  assert.equal(q.latched(0), 700);
  assert.equal(q.inb(0x42) | (q.inb(0x42) << 8), p.inb(0x42) | (p.inb(0x42) << 8));
  const rises = q.irq0.rises;
  q.at(999);
  assert.equal(q.irq0.rises, rises);
  q.at(1000);
  assert.equal(q.irq0.rises, rises + 1, "the timer was re-armed from the loaded state");
  assert.throws(() => q.pit.loadState(saved.slice(0, 20)));
});

test("reset unprograms the counters and lowers IRQ 0", () => {
  const p = setup();
  p.program(0, 2, 10);
  p.outb(0x61, 0x03);
  p.pit.reset();
  assert.equal(p.irq0.level, false);
  assert.equal(p.inb(0x61) & 0x0f, 0);
  assert.equal(p.clock.nextDeadline(), undefined);
});

test("a snapshot with an impossible time is refused and changes nothing", () => {
  const p = setup();
  p.program(0, 2, 100);
  const hostile = structuredClone(p.pit.state);
  hostile.channels[0].startTick = Number.NaN;
  const section = i8254StateDescription.save(hostile);
  const before = JSON.stringify(p.pit.state);
  assert.throws(
    () => p.pit.loadState(section),
    (e: unknown) => e instanceof StateError && e.field === "channels[0].startTick",
  );
  assert.equal(JSON.stringify(p.pit.state), before);
});

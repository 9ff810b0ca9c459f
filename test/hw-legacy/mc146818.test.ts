import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Mc146818,
  rtcStateDescription,
  type Mc146818Options,
} from "../../src/hw/legacy/mc146818.js";
import { StateError } from "../../src/migration/state/index.js";
import { DeviceOptionError } from "../../src/hw/legacy/errors.js";
import { RecordingLine, rig } from "./helpers.js";

/** Thursday 2024-02-29 23:59:58 UTC, on a whole second. */
const LEAP_NIGHT = new Date(Date.UTC(2024, 1, 29, 23, 59, 58));
const SECOND = 1_000_000_000;

function setup(options: Partial<Mc146818Options> = {}, startNs = 0) {
  const r = rig(startNs);
  const irq = new RecordingLine();
  const masks: boolean[] = [];
  const rtc = new Mc146818({
    bus: r.bus,
    clock: r.clock,
    irq,
    startTime: LEAP_NIGHT,
    onNmiMaskChange: (m) => masks.push(m),
    ...options,
  });
  const read = (index: number): number => {
    r.outb(0x70, index);
    return r.inb(0x71);
  };
  const write = (index: number, value: number): void => {
    r.outb(0x70, index);
    r.outb(0x71, value);
  };
  /** [century, year, month, day, weekday, hour, minute, second] as raw register bytes. */
  const clockBytes = (): number[] => [0x32, 9, 8, 7, 6, 4, 2, 0].map(read);
  return { ...r, irq, rtc, read, write, clockBytes, masks };
}

test("time reads in BCD, 24-hour, and rolls over a leap day into March", () => {
  const t = setup();
  assert.deepEqual(t.clockBytes(), [0x20, 0x24, 0x02, 0x29, 5, 0x23, 0x59, 0x58]);
  t.advance(2 * SECOND);
  assert.deepEqual(t.clockBytes(), [0x20, 0x24, 0x03, 0x01, 6, 0x00, 0x00, 0x00]);
  assert.equal(t.read(0x0d), 0x80, "battery good");
});

test("binary and 12-hour formats", () => {
  const t = setup();
  t.write(0x0b, 0x04); // binary, 12-hour
  assert.equal(t.read(4), 0x80 | 11, "11 PM");
  assert.equal(t.read(0), 58);
  assert.equal(t.read(9), 24);
  t.advance(2 * SECOND);
  assert.equal(t.read(4), 12, "midnight is 12 AM");
  t.write(0x0b, 0x00); // BCD, 12-hour
  t.advance(12 * 3600 * SECOND);
  assert.equal(t.read(4), 0x80 | 0x12, "noon is 12 PM");
});

test("with SET the registers are written one by one, then the clock runs from them", () => {
  const t = setup();
  t.write(0x0b, 0x82); // SET, 24-hour BCD
  const frozen = t.clockBytes();
  t.advance(5 * SECOND);
  assert.deepEqual(t.clockBytes(), frozen, "stopped");
  t.write(0x07, 0x31); // day 31 while the month is still February: kept as written
  t.write(0x08, 0x01);
  t.write(0x09, 0x25);
  t.write(0x04, 0x10);
  t.write(0x02, 0x15);
  t.write(0x00, 0x30);
  t.write(0x06, 0x02); // the guest says Monday (it was a Friday)
  assert.equal(t.read(0x07), 0x31);
  t.write(0x0b, 0x02);
  assert.deepEqual(t.clockBytes(), [0x20, 0x25, 0x01, 0x31, 0x02, 0x10, 0x15, 0x30]);
  t.advance(SECOND - 1);
  assert.equal(t.read(0), 0x30);
  t.advance(1);
  assert.equal(t.read(0), 0x31, "the first update one second after SET cleared");
  t.advance(24 * 3600 * SECOND);
  assert.equal(t.read(6), 0x03, "the weekday keeps its offset");
  assert.equal(t.read(7), 0x01);
  assert.equal(t.read(8), 0x02);
});

test("a time register written while running changes only that field", () => {
  const t = setup();
  t.advance(SECOND / 2);
  t.write(0x02, 0x10); // minutes
  assert.deepEqual(t.clockBytes().slice(5), [0x23, 0x10, 0x58]);
  t.advance(SECOND / 2);
  assert.equal(t.read(0), 0x59, "still in phase with the old seconds");
});

test("SET going high clears UIE", () => {
  const t = setup();
  t.write(0x0b, 0x12);
  t.write(0x0b, 0x92);
  assert.equal(t.read(0x0b), 0x82);
});

test("update-ended interrupt once per second, held until register C is read", () => {
  const t = setup();
  t.write(0x0b, 0x12); // UIE
  t.advance(SECOND - 1);
  assert.equal(t.irq.level, false);
  t.advance(1);
  assert.equal(t.irq.level, true);
  t.advance(3 * SECOND);
  assert.equal(t.irq.rises, 1, "stays high: no new edge until C is read");
  // The default 1024 Hz periodic flag and the 00:00:00 alarm (reached at second 2) show too.
  assert.equal(t.read(0x0c), 0x80 | 0x40 | 0x20 | 0x10);
  assert.equal(t.irq.level, false);
  assert.equal(t.read(0x0c), 0x00, "reading C cleared it");
  t.runUntil(5 * SECOND);
  assert.equal(t.irq.rises, 2);
});

test("alarm interrupt at the matching time; don't-care bytes match every value", () => {
  const t = setup();
  // 00:00:05 on March 1st.
  t.write(0x01, 0x05);
  t.write(0x03, 0x00);
  t.write(0x05, 0x00);
  t.write(0x0b, 0x22); // AIE
  t.runUntil(7 * SECOND - 1);
  assert.equal(t.irq.level, false);
  t.runUntil(7 * SECOND);
  assert.equal(t.irq.level, true);
  assert.equal(t.read(0x0c) & 0xa0, 0xa0);

  const u = setup();
  u.write(0x01, 0xc0);
  u.write(0x03, 0xff);
  u.write(0x05, 0xc0);
  u.write(0x0b, 0x22);
  for (let s = 1; s <= 3; s++) {
    u.runUntil(s * SECOND);
    assert.equal(u.irq.level, true, `alarm at second ${s}`);
    u.read(0x0c);
  }
});

test("alarm flag is raised when polled even with the interrupt disabled", () => {
  const t = setup();
  t.write(0x01, 0x00);
  t.write(0x03, 0x00);
  t.write(0x05, 0x00);
  t.source.set(10 * SECOND);
  assert.equal(t.read(0x0c) & 0xb0, 0x30, "UF and AF, no IRQF");
  assert.equal(t.irq.level, false);
});

test("periodic interrupt at the selected rate", () => {
  for (const [rate, perSecond] of [
    [6, 1024],
    [15, 2],
    [3, 8192],
  ] as const) {
    const t = setup();
    t.write(0x0a, 0x20 | rate);
    t.write(0x0b, 0x42); // PIE
    let interrupts = 0;
    for (;;) {
      const next = t.clock.nextDeadline();
      if (next === undefined || next > SECOND) break;
      t.runUntil(next);
      if (t.irq.level) {
        interrupts++;
        assert.equal(t.read(0x0c) & 0xc0, 0xc0);
      }
    }
    assert.equal(interrupts, perSecond, `rate ${rate}`);
  }
});

test("rate select 0 turns the periodic flag off; PF is set without PIE", () => {
  const t = setup();
  t.advance(SECOND / 100);
  assert.equal(t.read(0x0c) & 0x40, 0x40);
  t.write(0x0a, 0x20);
  t.advance(SECOND / 10);
  assert.equal(t.read(0x0c) & 0x40, 0);
});

test("UIP reads 1 in the 244 µs before each update", () => {
  const t = setup();
  t.runUntil(SECOND - 244_141 - 1);
  assert.equal(t.read(0x0a), 0x26);
  t.runUntil(SECOND - 244_141);
  assert.equal(t.read(0x0a), 0xa6);
  assert.equal(t.read(0), 0x58, "the time has not changed yet");
  t.runUntil(SECOND);
  assert.equal(t.read(0x0a), 0x26);
  assert.equal(t.read(0), 0x59);
  t.write(0x0a, 0xff);
  assert.equal(t.read(0x0a) & 0x80, 0, "UIP is read-only and off while held");
});

test("a divider held in reset stops the time; the first update comes half a second after release", () => {
  const t = setup();
  t.write(0x0a, 0x76);
  t.advance(10 * SECOND);
  assert.equal(t.read(0), 0x58);
  t.write(0x0a, 0x26);
  t.advance(SECOND / 2 - 1);
  assert.equal(t.read(0), 0x58);
  t.advance(1);
  assert.equal(t.read(0), 0x59);
});

test("CMOS memory size bytes follow the RAM below and above 4 GiB", () => {
  const MiB = 1024 * 1024;
  const big = setup({ ram: { below4g: 3584 * MiB, above4g: 2048 * MiB } });
  const bytesAt = (t: typeof big, indexes: number[]): number[] => indexes.map(t.read);
  assert.deepEqual(bytesAt(big, [0x15, 0x16]), [0x80, 0x02]);
  assert.deepEqual(bytesAt(big, [0x17, 0x18, 0x30, 0x31]), [0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual(bytesAt(big, [0x34, 0x35]), [0x00, 0xdf]);
  assert.deepEqual(bytesAt(big, [0x5b, 0x5c, 0x5d]), [0x00, 0x80, 0x00]);
  const small = setup({ ram: { below4g: 32 * MiB, above4g: 0 } });
  assert.deepEqual(bytesAt(small, [0x17, 0x18, 0x34, 0x35, 0x5b]), [0x00, 0x7c, 0x00, 0x01, 0]);
  assert.throws(() => setup({ ram: { below4g: -1, above4g: 0 } }), DeviceOptionError);
});

test("port 0x70 bit 7 masks NMI; CMOS RAM keeps bytes; C and D are read-only", () => {
  const t = setup();
  t.outb(0x70, 0x80 | 0x40);
  assert.equal(t.rtc.nmiMasked, true);
  assert.deepEqual(t.masks, [true]);
  t.outb(0x71, 0xab);
  assert.equal(t.read(0x40), 0xab);
  assert.equal(t.rtc.nmiMasked, false);
  assert.deepEqual(t.masks, [true, false]);
  t.write(0x0d, 0x00);
  assert.equal(t.read(0x0d), 0x80);
  t.rtc.setCmosByte(0x3d, 0x21);
  assert.equal(t.read(0x3d), 0x21);
  assert.throws(() => t.rtc.setCmosByte(0x0b, 0), DeviceOptionError);
  assert.equal(t.inb(0x70), 0xff, "the index port is write-only");
});

test("local time option shows the host's local time", () => {
  const t = setup({ localTime: true });
  const offsetMinutes = -LEAP_NIGHT.getTimezoneOffset();
  const local = new Date(LEAP_NIGHT.getTime() + offsetMinutes * 60_000);
  const bcd = (v: number): number => ((Math.floor(v / 10) % 10) << 4) | (v % 10);
  assert.equal(t.read(4), bcd(local.getUTCHours()));
  assert.equal(t.read(2), bcd(local.getUTCMinutes()));
});

test("save/load round-trips the RTC mid-period and the copy keeps time and interrupts", () => {
  const t = setup({}, 0);
  t.write(0x0b, 0x52); // PIE, UIE
  t.write(0x40, 0x99);
  t.runUntil(Math.floor(SECOND / 3));
  const saved = t.rtc.saveState();
  const now = t.clock.now();
  const u = setup({ startTime: new Date(0) }, now);
  u.rtc.loadState(saved);
  assert.deepEqual(u.clockBytes(), t.clockBytes());
  assert.equal(u.read(0x40), 0x99);
  assert.equal(u.irq.level, t.irq.level);
  u.read(0x0c);
  t.read(0x0c);
  t.advance(SECOND);
  u.advance(SECOND);
  assert.deepEqual(u.clockBytes(), t.clockBytes());
  assert.equal(u.read(0x0c), t.read(0x0c));
  assert.throws(() => u.rtc.loadState(saved.subarray(0, 30)));
});

test("reset clears the interrupt enables and flags but keeps the time", () => {
  const t = setup();
  t.write(0x0b, 0x72);
  t.advance(SECOND);
  assert.equal(t.irq.level, true);
  t.rtc.reset();
  assert.equal(t.irq.level, false);
  assert.equal(t.read(0x0b), 0x02);
  assert.equal(t.read(0), 0x59);
});

test("a snapshot with a time beyond the calendar is refused and changes nothing", () => {
  const t = setup();
  const hostile = structuredClone(t.rtc.state);
  hostile.baseSeconds = 1e15;
  const before = t.clockBytes();
  assert.throws(() => t.rtc.loadState(rtcStateDescription.save(hostile)), StateError);
  hostile.baseSeconds = 0;
  hostile.phaseNs = Number.POSITIVE_INFINITY;
  assert.throws(() => t.rtc.loadState(rtcStateDescription.save(hostile)), /phaseNs/);
  assert.deepEqual(t.clockBytes(), before);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ManualTimeSource,
  VirtualClock,
  hostTimeSource,
  ticksAt,
  timeOfTick,
} from "../../src/hw/clock.js";

test("virtual time follows the source while running and stands still while paused", () => {
  const source = new ManualTimeSource(5_000);
  const clock = new VirtualClock({ source, start: 100 });
  assert.equal(clock.now(), 100);
  source.advance(50);
  assert.equal(clock.now(), 150);
  clock.pause();
  source.advance(1_000_000);
  assert.equal(clock.now(), 150);
  assert.equal(clock.paused, true);
  clock.resume();
  source.advance(25);
  assert.equal(clock.now(), 175);
  assert.equal(clock.asNanosecondClock()(), 175n);
});

test("a clock created paused does not move until resumed", () => {
  const source = new ManualTimeSource();
  const clock = new VirtualClock({ source, paused: true });
  source.advance(10);
  assert.equal(clock.now(), 0);
  clock.resume();
  source.advance(10);
  assert.equal(clock.now(), 10);
});

test("now() never goes backwards even if the source does", () => {
  let host = 1000;
  const clock = new VirtualClock({ source: { now: () => host } });
  host = 1500;
  assert.equal(clock.now(), 500);
  host = 1200;
  assert.equal(clock.now(), 500);
  host = 1600;
  assert.equal(clock.now(), 600);
});

test("setTime moves virtual time for a snapshot load", () => {
  const source = new ManualTimeSource();
  const clock = new VirtualClock({ source });
  source.advance(1000);
  clock.setTime(77);
  assert.equal(clock.now(), 77);
  source.advance(3);
  assert.equal(clock.now(), 80);
  assert.throws(() => clock.setTime(-1), RangeError);
});

test("timers fire in deadline order, ties in arming order, only when due", () => {
  const source = new ManualTimeSource();
  const clock = new VirtualClock({ source });
  const fired: string[] = [];
  clock.schedule(300, () => fired.push("c"));
  clock.schedule(100, () => fired.push("a"));
  clock.schedule(200, () => fired.push("b1"));
  clock.schedule(200, () => fired.push("b2"));
  assert.equal(clock.nextDeadline(), 100);
  assert.equal(clock.runDue(), 0);
  source.set(200);
  assert.equal(clock.runDue(), 3);
  assert.deepEqual(fired, ["a", "b1", "b2"]);
  assert.equal(clock.nextDeadline(), 300);
  assert.equal(clock.timeUntilNextDeadline(), 100);
  source.set(1000);
  clock.runDue();
  assert.deepEqual(fired, ["a", "b1", "b2", "c"]);
  assert.equal(clock.nextDeadline(), undefined);
  assert.equal(clock.timeUntilNextDeadline(), undefined);
});

test("a timer re-armed in place moves, and a cancelled one never fires", () => {
  const source = new ManualTimeSource();
  const clock = new VirtualClock({ source });
  let count = 0;
  const timer = clock.createTimer(() => count++, "t");
  assert.equal(timer.armed, false);
  timer.arm(500);
  timer.arm(50);
  assert.equal(clock.nextDeadline(), 50);
  const other = clock.schedule(60, () => (count += 100));
  clock.cancel(other);
  other.cancel();
  source.set(1000);
  assert.equal(clock.runDue(), 1);
  assert.equal(count, 1);
  assert.equal(timer.armed, false);
  assert.throws(() => timer.arm(Number.NaN), /not a finite number/);
});

test("a periodic timer re-arming itself in its callback allocates no new timer", () => {
  const source = new ManualTimeSource();
  const clock = new VirtualClock({ source });
  const times: number[] = [];
  const timer = clock.createTimer(() => {
    times.push(clock.now());
    timer.arm(timer.deadline + 10);
  });
  timer.arm(10);
  for (let t = 10; t <= 50; t += 10) {
    source.set(t);
    clock.runDue();
  }
  assert.deepEqual(times, [10, 20, 30, 40, 50]);
});

test("runDue stops after its limit when a callback keeps re-arming in the past", () => {
  const source = new ManualTimeSource(100);
  const clock = new VirtualClock({ source });
  let count = 0;
  const timer = clock.createTimer(() => {
    count++;
    timer.arm(0);
  });
  timer.arm(0);
  assert.equal(clock.runDue(25), 25);
  assert.equal(count, 25);
});

test("the earliest-change listener fires only when a new earliest deadline appears", () => {
  const clock = new VirtualClock({ source: new ManualTimeSource() });
  let wakeups = 0;
  clock.onEarliestChange(() => wakeups++);
  const a = clock.schedule(100, () => {});
  assert.equal(wakeups, 1);
  clock.schedule(200, () => {});
  assert.equal(wakeups, 1);
  a.arm(150); // later: no need to wake anyone
  assert.equal(wakeups, 1);
  a.arm(20);
  assert.equal(wakeups, 2);
});

test("many timers stay ordered through random arming and cancelling", () => {
  const source = new ManualTimeSource();
  const clock = new VirtualClock({ source });
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const fired: number[] = [];
  const timers = Array.from({ length: 40 }, (_, i) => clock.createTimer(() => fired.push(i)));
  const expected = new Map<number, number>();
  for (let round = 0; round < 400; round++) {
    const i = Math.floor(random() * timers.length);
    if (random() < 0.3) {
      timers[i].cancel();
      expected.delete(i);
    } else {
      const deadline = Math.floor(random() * 10_000);
      timers[i].arm(deadline);
      expected.set(i, deadline);
    }
  }
  source.set(20_000);
  clock.runDue();
  const order = [...expected.entries()].sort((x, y) => x[1] - y[1]).map(([i]) => i);
  assert.deepEqual(
    fired.map((i) => expected.get(i)),
    order.map((i) => expected.get(i)),
  );
  assert.equal(fired.length, expected.size);
});

test("ticksAt and timeOfTick are exact, checked against bigint arithmetic", () => {
  const rates = [1_193_182, 32_768, 3_579_545];
  const samples = [0, 1, 837, 838, 999_999_999, 1_000_000_000, 123_456_789_012_345, 2 ** 52];
  for (const hz of rates) {
    for (const ns of samples) {
      const exact = Number((BigInt(ns) * BigInt(hz)) / 1_000_000_000n);
      assert.equal(ticksAt(ns, hz), exact, `ticksAt(${ns}, ${hz})`);
      const t = timeOfTick(exact, hz);
      assert.equal(ticksAt(t, hz), exact);
      if (t > 0)
        assert.ok(ticksAt(t - 1, hz) < exact, `timeOfTick(${exact}, ${hz}) is the first ns`);
    }
  }
});

test("the host source is monotonic and starts near zero", () => {
  const source = hostTimeSource();
  const a = source.now();
  const b = source.now();
  assert.ok(a >= 0 && a < 1e9);
  assert.ok(b >= a);
});

test("ManualTimeSource refuses going backwards and bad values", () => {
  const source = new ManualTimeSource(10);
  assert.throws(() => source.set(5), /before the current time/);
  assert.throws(() => source.advance(-1), RangeError);
  assert.throws(() => source.advance(0.5), RangeError);
});

import assert from "node:assert/strict";
import test from "node:test";
import type { AccessHandler, ExtIntSource, Vcpu } from "../../src/hv/api.js";
import type { VcpuExit } from "../../src/hv/exits.js";
import { ManualTimeSource, VirtualClock } from "../../src/hw/clock.js";
import { DueTimers, InstructionRate, MIN_SLICE, RunLoop } from "../../src/machine/run-loop.js";

/** A vCPU double: halted unless `pending` interrupts are queued. */
function fakeVcpu(log: { runs: number; pending: number }): Vcpu {
  return {
    index: 0,
    run(): VcpuExit {
      log.runs++;
      if (log.pending > 0) {
        log.pending--;
        return { kind: "budget" };
      }
      return { kind: "hlt" };
    },
    kick() {},
    listRegisters: () => [],
    getState: () => [],
    setState() {},
    completeAccess() {},
    destroy() {},
  };
}

test("an idle guest (all vCPUs halted, no timer due) sleeps instead of spinning", async () => {
  const log = { runs: 0, pending: 0 };
  const clock = new VirtualClock();
  const loop = new RunLoop({ vcpus: [fakeVcpu(log)], clock });
  setTimeout(() => loop.requestStop({ kind: "poweroff" }), 300);
  const reason = await loop.run();
  assert.deepEqual(reason, { kind: "poweroff" });
  // Sleeping in steps of at most 100 ms: a handful of runs, not thousands.
  assert.ok(log.runs <= 10, `vCPU was run ${log.runs} times in 300 ms while halted`);
});

test("a timer due while halted wakes the loop at its deadline", async () => {
  const log = { runs: 0, pending: 0 };
  const clock = new VirtualClock();
  const loop = new RunLoop({ vcpus: [fakeVcpu(log)], clock });
  const fired: number[] = [];
  const start = clock.now();
  clock.schedule(start + 30e6, () => {
    fired.push(clock.now() - start);
    loop.requestStop({ kind: "exit", status: 3 });
  });
  const reason = await loop.run();
  assert.deepEqual(reason, { kind: "exit", status: 3 });
  assert.equal(fired.length, 1);
  assert.ok(fired[0] >= 30e6 && fired[0] < 90e6, `fired after ${fired[0] / 1e6} ms`);
});

test("virtual time stands still while the loop is not running", async () => {
  const clock = new VirtualClock();
  const loop = new RunLoop({ vcpus: [fakeVcpu({ runs: 0, pending: 1 })], clock });
  setTimeout(() => loop.requestStop({ kind: "poweroff" }), 20);
  await loop.run();
  const stopped = clock.now();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(clock.now(), stopped);
});

/**
 * A vCPU double that runs `perNs` instructions per virtual nanosecond on a
 * manual clock: `run({budget})` moves the time on by the budget's duration.
 * `during` runs inside run() first, as a port write would (it may arm a
 * timer); a kick then ends the run as the soft CPU's next block would.
 */
class SteadyVcpu implements Vcpu {
  readonly budgets: number[] = [];
  /** Virtual time at the start of each run. */
  readonly starts: number[] = [];
  kicks = 0;
  during: (() => void) | undefined;
  private kickPending = false;

  /** A kick is waiting to end the current run (as the soft CPU sees at its next block). */
  get kickRequested(): boolean {
    return this.kickPending;
  }

  constructor(
    readonly index: number,
    private readonly source: ManualTimeSource,
    public perNs: number,
  ) {}

  run(options?: { budget?: number }): VcpuExit {
    const budget = options?.budget ?? 1_000_000;
    this.budgets.push(budget);
    this.starts.push(this.source.now());
    this.during?.();
    if (this.kickPending) {
      this.kickPending = false;
      return { kind: "kicked" };
    }
    this.source.advance(Math.round(budget / this.perNs));
    return { kind: "budget" };
  }
  kick(): void {
    this.kicks++;
    this.kickPending = true;
  }
  listRegisters = () => [];
  getState = () => [];
  setState(): void {}
  completeAccess(): void {}
  destroy(): void {}
}

function manualClock() {
  const source = new ManualTimeSource(1_000_000);
  return { source, clock: new VirtualClock({ source }) };
}

test("a 2 ms periodic timer fires within a short slice of each deadline, not a whole slice late", async () => {
  const { source, clock } = manualClock();
  // 10 instructions per us: the default 200 000-instruction slice lasts 20 ms.
  const vcpu = new SteadyVcpu(0, source, 0.01);
  const loop = new RunLoop({ vcpus: [vcpu], clock });
  const lateness: number[] = [];
  const timer = clock.createTimer(() => {
    lateness.push(clock.now() - timer.deadline);
    if (lateness.length === 20) loop.requestStop({ kind: "poweroff" });
    else timer.arm(timer.deadline + 2_000_000);
  });
  timer.arm(clock.now() + 2_000_000);
  assert.deepEqual(await loop.run(), { kind: "poweroff" });
  // Slices halve the distance down to MIN_SLICE (100 us here): never later than one of those.
  const worst = Math.max(...lateness);
  assert.ok(worst <= MIN_SLICE / 0.01, `a timer fired ${worst / 1000} us late`);
  assert.ok(Math.max(...vcpu.budgets) < 200_000, "no slice ran its full 200 000 instructions");
});

test("a vCPU that slows down less than twice still ends its slices by the deadline", async () => {
  const { source, clock } = manualClock();
  const vcpu = new SteadyVcpu(0, source, 0.02);
  const loop = new RunLoop({ vcpus: [vcpu], clock });
  // Learn the fast rate first, then slow down (a polling loop full of port I/O).
  let late = 0;
  const timer = clock.createTimer(() => {
    late = clock.now() - timer.deadline;
    loop.requestStop({ kind: "poweroff" });
  });
  clock.schedule(clock.now() + 3_000_000, () => {
    vcpu.perNs = 0.011;
    timer.arm(clock.now() + 5_000_000);
  });
  await loop.run();
  assert.ok(late <= MIN_SLICE / 0.011, `the one-shot fired ${late / 1000} us late`);
});

test("a timer armed during a slice kicks the vCPU, and the next slice is bounded by it", async () => {
  const { source, clock } = manualClock();
  const vcpu = new SteadyVcpu(0, source, 0.01);
  const loop = new RunLoop({ vcpus: [vcpu], clock, quantumNs: 10_000_000 });
  let fired = -1;
  let runs = 0;
  vcpu.during = () => {
    runs++;
    // The guest programs a 1 ms one-shot from inside its fifth slice (an I/O write).
    if (runs === 5) {
      const deadline = clock.now() + 1_000_000;
      clock.schedule(deadline, () => {
        fired = clock.now() - deadline;
        loop.requestStop({ kind: "poweroff" });
      });
    }
  };
  await loop.run();
  assert.equal(vcpu.kicks >= 1, true, "the running vCPU was kicked");
  assert.ok(vcpu.budgets[5] <= 0.5 * 1_000_000 * 0.01, `next budget ${vcpu.budgets[5]}`);
  assert.ok(fired >= 0 && fired <= MIN_SLICE / 0.01, `fired ${fired / 1000} us late`);
});

test("without timers, slices last a quantum, so a busy vCPU cannot starve another", async () => {
  const { source, clock } = manualClock();
  const busy = new SteadyVcpu(0, source, 0.01);
  const other = new SteadyVcpu(1, source, 0.01);
  const loop = new RunLoop({ vcpus: [busy, other], clock, quantumNs: 1_000_000 });
  clock.schedule(clock.now() + 50_000_000, () => loop.requestStop({ kind: "poweroff" }));
  await loop.run();
  // Budgets never exceed quantum x rate (the 50 ms timer is far away after the start).
  assert.equal(busy.budgets[0], MIN_SLICE, "the first slice measures the rate");
  const later = busy.budgets.slice(1, -5);
  assert.ok(later.length > 10);
  for (const b of later) assert.ok(Math.abs(b - 10_000) <= 1, `budget ${b} for a 1 ms quantum`);
  const gaps = other.starts.slice(1).map((t, i) => t - other.starts[i]);
  assert.ok(Math.max(...gaps) <= 2_000_001, `vCPU 1 waited ${Math.max(...gaps) / 1e6} ms`);
});

test("InstructionRate: unknown until measured, follows slowdowns fast and speedups slowly", () => {
  const rate = new InstructionRate();
  assert.equal(rate.estimate, undefined);
  assert.equal(rate.budget(1e6, 200_000), MIN_SLICE);
  assert.equal(rate.budget(1e6, 500), 500, "never more than the maximum");
  rate.record(10_000, 0);
  assert.equal(rate.estimate, undefined, "a slice that took no time says nothing");
  rate.record(10_000, 1_000_000);
  assert.equal(rate.estimate, 0.01);
  assert.equal(rate.budget(2_000_000, 200_000), 20_000);
  assert.equal(rate.budget(10, 200_000), MIN_SLICE, "never below MIN_SLICE");
  assert.equal(rate.budget(1e9, 200_000), 200_000);
  rate.record(5_000, 1_000_000); // twice as slow
  assert.equal(rate.estimate, 0.01 + (0.005 - 0.01) * InstructionRate.FALL);
  const before = rate.estimate ?? 0;
  rate.record(20_000, 1_000_000); // much faster
  assert.equal(rate.estimate, before + (0.02 - before) * InstructionRate.RISE);
});

test("RunLoop refuses a bad slice or quantum", () => {
  const clock = new VirtualClock();
  assert.throws(() => new RunLoop({ vcpus: [], clock, slice: 0 }), RangeError);
  assert.throws(() => new RunLoop({ vcpus: [], clock, slice: 1.5 }), RangeError);
  assert.throws(() => new RunLoop({ vcpus: [], clock, quantumNs: -1 }), RangeError);
  assert.throws(() => new RunLoop({ vcpus: [], clock, quantumNs: NaN }), RangeError);
});

test("DueTimers.beforeReads: a port or MMIO read first fires the timers due by now; writes do not", () => {
  const { source, clock } = manualClock();
  const log: string[] = [];
  const handler: AccessHandler = {
    portRead: (_v, port) => (log.push(`in ${port}`), 0x5a),
    portWrite: (_v, port) => void log.push(`out ${port}`),
    mmioRead: (_v, address) => (log.push(`read ${address}`), 7n),
    mmioWrite: (_v, address) => void log.push(`write ${address}`),
  };
  const wrapped = new DueTimers(clock).beforeReads(handler);
  const timer = clock.createTimer(() => log.push("timer"));
  timer.arm(clock.now() + 100);
  assert.equal(wrapped.portRead(0, 0x3fa, 1), 0x5a);
  assert.deepEqual(log, ["in 1018"], "not due yet");
  source.advance(100);
  wrapped.portWrite(0, 0x3f8, 1, 0);
  wrapped.mmioWrite(0, 0x1000, 4, 1);
  assert.deepEqual(log, ["in 1018", "out 1016", "write 4096"], "writes pass straight through");
  assert.equal(wrapped.mmioRead(0, 0x2000, 8), 7n);
  assert.deepEqual(log.slice(3), ["timer", "read 8192"], "the due timer fired before the read");
  timer.arm(clock.now());
  wrapped.portRead(0, 0x20, 1);
  assert.deepEqual(log.slice(5), ["timer", "in 32"]);
});

test("DueTimers.beforeAcknowledge: the PIC's INTA comes after the timers due by now", () => {
  const { source, clock } = manualClock();
  const log: string[] = [];
  const pic: ExtIntSource = {
    hasInterrupt: () => (log.push("has"), true),
    acknowledge: () => (log.push("ack"), 0x20),
  };
  const wrapped = new DueTimers(clock).beforeAcknowledge(pic);
  clock.schedule(clock.now() + 10, () => log.push("timer"));
  source.advance(10);
  assert.equal(wrapped.hasInterrupt(), true);
  assert.deepEqual(log, ["has"], "asking fires nothing (it is asked before every block)");
  assert.equal(wrapped.acknowledge(), 0x20);
  assert.deepEqual(log, ["has", "timer", "ack"]);
});

test("DueTimers.observedClock: reading the time once a timer is due ends the slice", () => {
  const { source, clock } = manualClock();
  const due = new DueTimers(clock);
  let ends = 0;
  due.onDueObserved(() => ends++);
  const observed = due.observedClock();
  const fired: number[] = [];
  observed.createTimer(() => fired.push(clock.now()), "device").arm(clock.now() + 500);
  source.advance(499);
  assert.equal(observed.now(), clock.now());
  assert.equal(ends, 0, "not due yet");
  source.advance(1);
  observed.now();
  assert.equal(ends, 1, "due: the running slice is asked to end");
  assert.equal(fired.length, 0, "the timer fires where the loop fires it, not inside the read");
  assert.equal(due.fire(), 1);
  observed.now();
  assert.equal(ends, 1, "nothing due any more");
});

test("DueTimers.fire: not from inside a timer callback, nor while the clock is paused", () => {
  const { clock } = manualClock();
  const due = new DueTimers(clock);
  const log: string[] = [];
  const second = clock.createTimer(() => log.push("second"));
  clock.schedule(clock.now(), () => {
    second.arm(clock.now());
    assert.equal(due.fire(), 0, "a callback reading through DueTimers fires nothing");
    log.push("first");
  });
  assert.equal(due.fire(), 2);
  assert.deepEqual(log, ["first", "second"]);
  clock.pause();
  clock.schedule(0, () => log.push("paused"));
  assert.equal(due.fire(), 0);
  assert.equal(log.length, 2);
});

test("a vCPU reading the TSC in a long slice ends it once a timer is due", async () => {
  const { source, clock } = manualClock();
  const due = new DueTimers(clock);
  const tsc = due.observedClock();
  // A rate estimate 100 times too high: the slice would run 100 times past the deadline.
  const vcpu = new SteadyVcpu(0, source, 0.01);
  const loop = new RunLoop({ vcpus: [vcpu], clock, dueTimers: due });
  let late = -1;
  let deadline = 0;
  let runs = 0;
  vcpu.during = () => {
    if (++runs === 3) {
      deadline = clock.now() + 1_000_000;
      clock.schedule(deadline, () => {
        late = clock.now() - deadline;
        loop.requestStop({ kind: "poweroff" });
      });
      vcpu.perNs = 0.0001;
    }
    // The guest polls the TSC every 10 us of the slice.
    if (runs >= 3) {
      for (let i = 0; i < 300 && !vcpu.kickRequested; i++) {
        source.advance(10_000);
        tsc.now();
      }
    }
  };
  await loop.run();
  assert.ok(late >= 0 && late <= 10_000, `the timer fired ${late / 1000} us late`);
});

test("RunLoop refuses DueTimers of another clock", () => {
  const clock = new VirtualClock();
  assert.throws(
    () => new RunLoop({ vcpus: [], clock, dueTimers: new DueTimers(new VirtualClock()) }),
    RangeError,
  );
});

import assert from "node:assert/strict";
import test from "node:test";
import type { Vcpu } from "../../src/hv/api.js";
import type { VcpuExit } from "../../src/hv/exits.js";
import { VirtualClock } from "../../src/hw/clock.js";
import { RunLoop } from "../../src/machine/run-loop.js";

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

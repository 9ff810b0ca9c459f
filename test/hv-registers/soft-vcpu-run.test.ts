import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { HvError } from "../../src/hv/errors.js";
import type { VcpuExit } from "../../src/hv/exits.js";
import { Msr, RegSet } from "../../src/hv/registers.js";
import { DEFAULT_RUN_BUDGET, SoftVcpu } from "../../src/hv/soft/vcpu.js";
import { MemoryCore } from "./memory-core.js";

function makeVcpu(index = 0) {
  const host = { destroyed: false };
  const core = new MemoryCore([Msr.EFER], [[0, 0]]);
  const vcpu = new SoftVcpu(host, index, core);
  return { host, core, vcpu };
}

/** What a CPU does at its next block boundary: stop if kicked, else use up the budget. */
function honourFlag(stopFlag: Int32Array): VcpuExit {
  return stopFlag[0] !== 0 ? { kind: "kicked" } : { kind: "budget" };
}

const withCode =
  (code: string, pattern = /./) =>
  (e: unknown) =>
    e instanceof HvError && e.code === code && pattern.test(e.message);

const rax = { set: RegSet.GPR, number: 0 };

describe("SoftVcpu kick", () => {
  it("answers a kick made before run() at once, without entering the CPU", () => {
    const { core, vcpu } = makeVcpu();
    vcpu.kick();
    assert.deepEqual(vcpu.run(), { kind: "kicked" });
    assert.equal(core.budgets.length, 0);
    assert.deepEqual(vcpu.run(), { kind: "budget" }, "one kick, one kicked exit");
    assert.equal(core.budgets.length, 1);
  });

  it("stops a running run() and clears the flag after the kicked exit", () => {
    const { core, vcpu } = makeVcpu();
    core.script.push((_budget, flag) => {
      vcpu.kick(); // e.g. from an AccessHandler or a timer callback
      return honourFlag(flag);
    });
    assert.deepEqual(vcpu.run(), { kind: "kicked" });
    assert.equal(vcpu.kickFlag[0], 0);
    assert.deepEqual(vcpu.run(), { kind: "budget" });
  });

  it("merges kicks made before the kicked exit is returned", () => {
    const { vcpu } = makeVcpu();
    vcpu.kick();
    vcpu.kick();
    assert.deepEqual(vcpu.run(), { kind: "kicked" });
    assert.deepEqual(vcpu.run(), { kind: "budget" });
  });

  it("keeps a kick that arrived during a run that exited for another reason", () => {
    const { core, vcpu } = makeVcpu();
    core.script.push(() => {
      vcpu.kick();
      return { kind: "hlt" }; // the CPU exited before its next flag check
    });
    assert.deepEqual(vcpu.run(), { kind: "hlt" });
    assert.deepEqual(vcpu.run(), { kind: "kicked" }, "the kick is not lost");
    assert.deepEqual(vcpu.run(), { kind: "budget" });
  });

  it("can be kicked from another thread through kickFlag", async () => {
    const { core, vcpu } = makeVcpu();
    const inRun = new Int32Array(new SharedArrayBuffer(4));
    const vcpuModule = new URL("../../src/hv/soft/vcpu.js", import.meta.url).href;
    const worker = new Worker(
      `const { workerData } = require("node:worker_threads");
       import(workerData.vcpuModule).then(({ kickThroughFlag }) => {
         Atomics.wait(workerData.inRun, 0, 0, 5000);
         kickThroughFlag(workerData.kickFlag);
       });`,
      { eval: true, workerData: { vcpuModule, inRun, kickFlag: vcpu.kickFlag } },
    );
    let waited = "";
    core.script.push((_budget, flag) => {
      Atomics.store(inRun, 0, 1);
      Atomics.notify(inRun, 0);
      waited = Atomics.wait(flag, 0, 0, 5000); // a halted CPU sleeping on the flag
      return honourFlag(flag);
    });
    const exit = vcpu.run();
    await new Promise((resolve) => worker.once("exit", resolve));
    assert.deepEqual(exit, { kind: "kicked" });
    assert.notEqual(waited, "timed-out", "the worker's kick woke the CPU");
    assert.equal(core.budgets.length, 1, "the kick arrived while the CPU ran");
    assert.deepEqual(vcpu.run(), { kind: "budget" });
  });
});

describe("SoftVcpu run", () => {
  it("passes the default or given budget and refuses bad ones", () => {
    const { core, vcpu } = makeVcpu();
    vcpu.run();
    vcpu.run({ budget: 500 });
    assert.deepEqual(core.budgets, [DEFAULT_RUN_BUDGET, 500]);
    for (const budget of [0, -1, 1.5, NaN, Infinity]) {
      assert.throws(() => vcpu.run({ budget }), withCode("invalid-argument", /budget/));
    }
  });

  it("refuses run() until a port read is completed, and checks the value", () => {
    const { core, vcpu } = makeVcpu(2);
    core.script.push(() => ({ kind: "io", port: 0x71, size: 2, write: false, value: 0 }));
    assert.equal(vcpu.run().kind, "io");
    assert.throws(() => vcpu.run(), withCode("busy", /vcpu 2: complete the pending port read/));
    assert.throws(() => vcpu.completeAccess(0x10000), withCode("invalid-argument", /2-byte port/));
    assert.throws(() => vcpu.completeAccess(-1), withCode("invalid-argument"));
    assert.throws(() => vcpu.completeAccess(1.5), withCode("invalid-argument"));
    assert.deepEqual(core.completed, [], "a refused value completes nothing");
    vcpu.completeAccess(0x1234n);
    assert.deepEqual(core.completed, [0x1234], "the CPU gets a number for a 2-byte read");
    assert.throws(() => vcpu.completeAccess(1), withCode("busy", /no port or MMIO access/));
    assert.equal(vcpu.run().kind, "budget");
  });

  it("gives the CPU a bigint for an 8-byte MMIO read", () => {
    const { core, vcpu } = makeVcpu();
    core.script.push(() => ({
      kind: "mmio",
      address: 0xfee00000,
      size: 8,
      write: false,
      value: 0,
    }));
    vcpu.run();
    assert.throws(
      () => vcpu.completeAccess(1n << 64n),
      withCode("invalid-argument", /8-byte MMIO/),
    );
    vcpu.completeAccess(0xffff_ffff_ffff_ffffn);
    vcpu.run();
    assert.deepEqual(core.completed, [0xffff_ffff_ffff_ffffn]);
  });

  it("needs no completion after a write exit", () => {
    const { core, vcpu } = makeVcpu();
    core.script.push(() => ({ kind: "io", port: 0x80, size: 1, write: true, value: 0x42 }));
    vcpu.run();
    vcpu.completeAccess(0); // allowed, does nothing
    assert.deepEqual(core.completed, []);
    assert.equal(vcpu.run().kind, "budget");
    assert.throws(() => vcpu.completeAccess(0), withCode("busy"));
  });

  it("refuses state access and nested runs while run() is active", () => {
    const { core, vcpu } = makeVcpu();
    const errors: unknown[] = [];
    core.script.push(() => {
      for (const call of [
        () => vcpu.getState([rax]),
        () => vcpu.setState([{ id: rax, value: 1n }]),
        () => vcpu.run(),
        () => vcpu.completeAccess(0),
      ]) {
        try {
          call();
        } catch (e) {
          errors.push(e);
        }
      }
      return { kind: "hlt" };
    });
    vcpu.run();
    assert.equal(errors.length, 4);
    assert.ok(errors.every(withCode("busy", /while run\(\) is active/)));
    assert.equal(vcpu.getState([rax])[0].value, 0n, "nothing was written");
  });

  it("stays usable when the CPU throws", () => {
    const { core, vcpu } = makeVcpu();
    core.script.push(() => {
      throw new Error("device handler failed");
    });
    assert.throws(() => vcpu.run(), /device handler failed/);
    assert.equal(vcpu.run().kind, "budget");
    assert.equal(vcpu.getState([rax])[0].value, 0n);
  });
});

describe("SoftVcpu lifetime", () => {
  const calls = (vcpu: SoftVcpu): [string, () => unknown][] => [
    ["listRegisters", () => vcpu.listRegisters()],
    ["getState", () => vcpu.getState([rax])],
    ["setState", () => vcpu.setState([{ id: rax, value: 1n }])],
    ["run", () => vcpu.run()],
    ["completeAccess", () => vcpu.completeAccess(0)],
    ["kick", () => vcpu.kick()],
    ["destroy", () => vcpu.destroy()],
  ];

  function errorsOf(vcpu: SoftVcpu): { name: string; code: string; message: string }[] {
    const out = [];
    for (let round = 0; round < 2; round++) {
      for (const [call, fn] of calls(vcpu)) {
        try {
          fn();
          assert.fail(`${call} succeeded on a destroyed vcpu`);
        } catch (e) {
          assert.ok(e instanceof HvError, `${call} threw ${String(e)}`);
          out.push({ name: e.name, code: e.code, message: e.message });
        }
      }
    }
    return out;
  }

  it("fails every call after destroy() with the same error", () => {
    const { vcpu } = makeVcpu(3);
    vcpu.destroy();
    assert.equal(vcpu.destroyed, true);
    const errors = errorsOf(vcpu);
    const expected = { name: "HvError", code: "destroyed", message: "vcpu 3 has been destroyed" };
    assert.deepEqual(errors, Array(errors.length).fill(expected));
  });

  it("fails every call the same way once its Vm is destroyed", () => {
    const { host, vcpu } = makeVcpu(1);
    vcpu.run();
    host.destroyed = true;
    assert.equal(vcpu.destroyed, true);
    const errors = errorsOf(vcpu);
    const expected = { name: "HvError", code: "destroyed", message: "vcpu 1 has been destroyed" };
    assert.deepEqual(errors, Array(errors.length).fill(expected));
  });

  it("stops a run in progress when destroyed from inside it", () => {
    const { core, vcpu } = makeVcpu();
    core.script.push((_budget, flag) => {
      vcpu.destroy();
      return honourFlag(flag);
    });
    assert.deepEqual(vcpu.run(), { kind: "kicked" });
    assert.throws(() => vcpu.run(), withCode("destroyed"));
  });

  it("refuses a bad index", () => {
    const core = new MemoryCore([], []);
    for (const index of [-1, 1.5, NaN]) {
      assert.throws(
        () => new SoftVcpu({ destroyed: false }, index, core),
        withCode("invalid-argument"),
      );
    }
  });
});

/**
 * Flags that parse but belong to later issues fail like usage errors, with
 * "... is not implemented yet". The table below must cover exactly the
 * features in NOT_YET_IMPLEMENTED, so deleting a line there fails this test
 * until its case here is removed too (and a happy-path test is written).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NOT_YET_IMPLEMENTED } from "../../src/cli/not-implemented.js";
import { runCli } from "./cli-harness.js";

/** [feature in NOT_YET_IMPLEMENTED, arguments after `run`, expected message] */
const CASES: [string, string[], string][] = [
  ["-drive", ["-demo", "-drive", "file=disk.img,if=virtio"], "-drive is not implemented yet"],
  [
    "-device",
    ["-demo", "-device", "virtio-net-pci,id=n0"],
    "-device virtio-net-pci is not implemented yet (available: isa-debug-exit, loader)",
  ],
  ["-qmp", ["-demo", "-qmp", "unix:/tmp/qmp.sock,server,wait=off"], "-qmp is not implemented yet"],
  ["-snapshot", ["-demo", "-snapshot"], "-snapshot is not implemented yet"],
  ["-S", ["-demo", "-S"], "-S is not implemented yet"],
  ["-accel kvm", ["-demo", "-accel", "kvm"], "-accel kvm is not implemented yet (use -accel soft)"],
  ["-smp maxcpus", ["-demo", "-smp", "2,maxcpus=4"], "-smp maxcpus is not implemented yet"],
  ["-machine help", ["-M", "help"], "-machine help is not implemented yet"],
  [
    "firmware boot",
    ["-m", "256M"],
    "firmware boot is not implemented yet (give -kernel FILE or -demo)",
  ],
];

test("each not-yet-implemented feature fails with exit 2 and one clear line", async () => {
  for (const [, argv, message] of CASES) {
    const result = await runCli(["run", ...argv]);
    assert.equal(result.stderr, `tsvm: ${message}\n`, argv.join(" "));
    assert.equal(result.status, 2);
    assert.equal(result.configs.length, 0, "the runner must not be called");
  }
});

test("-machine accel=kvm is caught like -accel kvm", async () => {
  const result = await runCli(["run", "-demo", "-machine", "pc,accel=kvm"]);
  assert.equal(result.stderr, "tsvm: -accel kvm is not implemented yet (use -accel soft)\n");
  assert.equal(result.status, 2);
});

test("the cases above cover exactly the NOT_YET_IMPLEMENTED list", () => {
  assert.deepEqual(CASES.map(([feature]) => feature).sort(), [...NOT_YET_IMPLEMENTED].sort());
});

test("the available device driver and a plain -smp are let through", async () => {
  const result = await runCli(["run", "-demo", "-device", "isa-debug-exit", "-smp", "2"]);
  assert.equal(result.stderr, "");
  assert.equal(result.configs.length, 1);
});

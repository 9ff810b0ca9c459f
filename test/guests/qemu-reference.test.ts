/**
 * Runs every guest test kernel under QEMU's TCG (the reference CPU) and
 * requires a clean pass: each check "ok", the summary line with 0 failed and
 * isa-debug-exit status 1 ((0 << 1) | 1). This proves the kernels themselves
 * right before tsvm's CPU runs them. Skipped when QEMU is not installed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { guestKernels, parseGuestOutput, reportProblems } from "./guest-kernels.js";

const QEMU = "qemu-system-i386";
/** The default CPU (qemu32: no NX) and everything TCG can do (NX, SSE…). */
const CPU_MODELS = ["qemu32", "max"];

function qemuMissing(): string | false {
  const probe = spawnSync(QEMU, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return `${QEMU} is not installed (Debian: apt-get install qemu-system-x86)`;
  }
  return false;
}

const skip = qemuMissing();
const kernels = guestKernels();

test("the five guest test kernels are present", () => {
  const names = kernels.map((k) => k.name);
  for (const name of ["faults", "fpu", "modes", "paging", "tasks"]) {
    assert.ok(names.includes(name), `guests/tests/${name}.asm is missing`);
  }
});

for (const kernel of kernels) {
  for (const cpu of CPU_MODELS) {
    test(`${kernel.name} passes under QEMU TCG (-cpu ${cpu})`, { skip }, () => {
      const run = spawnSync(
        QEMU,
        [
          "-kernel",
          kernel.binary,
          "-device",
          "isa-debug-exit,iobase=0xf4,iosize=0x04",
          "-debugcon",
          "stdio",
          "-display",
          "none",
          "-serial",
          "none",
          "-no-reboot",
          "-m",
          "64",
          "-accel",
          "tcg",
          "-cpu",
          cpu,
        ],
        { encoding: "utf8", timeout: 20_000 },
      );
      assert.equal(run.error, undefined, `QEMU did not finish: ${String(run.error)}`);
      const report = parseGuestOutput(run.stdout);
      const context = `\n--- stdout ---\n${run.stdout}--- stderr ---\n${run.stderr}`;
      assert.deepEqual(reportProblems(report), [], context);
      assert.equal(run.status, 1, `exit status ${run.status} (1 means all passed)${context}`);
      const last = run.stdout.trimEnd().split("\n").at(-1);
      assert.equal(last, `tsvm-test: done ${report.results.length} passed 0 failed`);
    });
  }
}

/**
 * Runs every guest test kernel under QEMU's TCG (the reference CPU) and
 * requires a clean pass: each check "ok", the summary line with 0 failed and
 * isa-debug-exit status 1 ((0 << 1) | 1). This proves the kernels themselves
 * right before tsvm's CPU runs them. Kernels marked `; tsvm-test: x86_64`
 * run on qemu-system-x86_64 (its default qemu64 model and max), the others
 * on qemu-system-i386. Skipped when QEMU is not installed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { guestKernels, parseGuestOutput, reportProblems } from "./guest-kernels.js";

const QEMU = "qemu-system-i386";
const QEMU_64 = "qemu-system-x86_64";
/** The default CPU (qemu32: no NX) and everything TCG can do (NX, SSE…). */
const CPU_MODELS = ["qemu32", "max"];
/** x86-64 kernels: the default 64-bit CPU (no 1-GiB pages) and everything. */
const CPU_MODELS_64 = ["qemu64", "max"];

function qemuMissing(qemu: string): string | false {
  const probe = spawnSync(qemu, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return `${qemu} is not installed (Debian: apt-get install qemu-system-x86)`;
  }
  return false;
}

const missing = { [QEMU]: qemuMissing(QEMU), [QEMU_64]: qemuMissing(QEMU_64) };
const kernels = guestKernels();

test("the five guest test kernels are present", () => {
  const names = kernels.map((k) => k.name);
  for (const name of ["faults", "fpu", "modes", "paging", "tasks"]) {
    assert.ok(names.includes(name), `guests/tests/${name}.asm is missing`);
  }
});

for (const kernel of kernels) {
  const qemu = kernel.x86_64 ? QEMU_64 : QEMU;
  const skip = missing[qemu];
  for (const cpu of kernel.x86_64 ? CPU_MODELS_64 : CPU_MODELS) {
    test(`${kernel.name} passes under QEMU TCG (-cpu ${cpu})`, { skip }, () => {
      const run = spawnSync(
        qemu,
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

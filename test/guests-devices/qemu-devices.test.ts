/**
 * Runs every device test kernel under QEMU's TCG on its i440FX PC, the
 * reference that proves the kernels right before tsvm runs them
 * (tsvm-devices.test.ts): every check "ok", a complete summary, and the
 * expected ending. QEMU reports how the guest stopped as a QMP SHUTDOWN
 * event (the debug console then goes to a file, QMP to stdout); the
 * isa-debug-exit ending is its exit status. Skipped when QEMU is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGuestOutput, reportProblems } from "../guests/guest-kernels.js";
import { DEVICE_RUNS, runBinary, type DeviceRun, type DeviceRunEnd } from "./device-runs.js";

const QEMU = "qemu-system-i386";

function qemuMissing(): string | false {
  const probe = spawnSync(QEMU, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return `${QEMU} is not installed (Debian: apt-get install qemu-system-x86)`;
  }
  return false;
}

/** How QEMU reports each ending: exit status and SHUTDOWN reason (none for debug-exit). */
const QEMU_ENDING: Record<DeviceRunEnd, { status: number; reason: string | undefined }> = {
  exit: { status: 1, reason: undefined },
  poweroff: { status: 0, reason: "guest-shutdown" },
  reset: { status: 0, reason: "guest-reset" },
  "triple-fault": { status: 0, reason: "guest-reset" },
};

/** The `reason` of the QMP SHUTDOWN event in QEMU's stdout, if there is one. */
function shutdownReason(qmp: string): string | undefined {
  for (const line of qmp.split("\n")) {
    if (!line.includes('"SHUTDOWN"')) continue;
    const event = JSON.parse(line) as { event?: string; data?: { reason?: string } };
    if (event.event === "SHUTDOWN") return event.data?.reason;
  }
  return undefined;
}

function qemuArgs(r: DeviceRun, cpu: string, dir: string): string[] {
  return [
    ...["-M", "pc", "-accel", "tcg", "-cpu", cpu, "-smp", String(r.cpus), "-m", "64"],
    ...["-kernel", runBinary(r), "-append", r.cmdline],
    ...["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
    ...["-debugcon", `file:${join(dir, "debugcon.txt")}`],
    ...["-serial", r.com1 ? `file:${join(dir, "com1.txt")}` : "none"],
    ...["-qmp", "stdio", "-display", "none", "-no-reboot"],
  ];
}

const skip = qemuMissing();

for (const r of DEVICE_RUNS) {
  for (const cpu of r.qemuCpus) {
    test(`device kernel ${r.name} passes under QEMU TCG (-cpu ${cpu})`, { skip }, () => {
      const dir = mkdtempSync(join(tmpdir(), "tsvm-devices-"));
      try {
        writeFileSync(join(dir, "debugcon.txt"), "");
        const run = spawnSync(QEMU, qemuArgs(r, cpu, dir), {
          encoding: "utf8",
          input: '{"execute":"qmp_capabilities"}\n',
          timeout: 30_000,
        });
        assert.equal(run.error, undefined, `QEMU did not finish: ${String(run.error)}`);
        const log = readFileSync(join(dir, "debugcon.txt"), "latin1");
        const context = `\n--- debugcon ---\n${log}--- qmp ---\n${run.stdout}${run.stderr}`;
        assert.deepEqual(reportProblems(parseGuestOutput(log)), [], context);
        const ending = QEMU_ENDING[r.ends];
        assert.equal(run.status, ending.status, `exit status ${run.status}${context}`);
        assert.equal(shutdownReason(run.stdout), ending.reason, `SHUTDOWN event${context}`);
        if (r.com1Output !== undefined) {
          assert.equal(readFileSync(join(dir, "com1.txt"), "latin1"), r.com1Output, "COM1");
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

/**
 * Shared by the Linux boot tests: Debian's kernel with the busybox initramfs
 * boots on `-accel soft` through the real `tsvm run` command, reaches
 * userspace, sees the right number of CPUs and powers off cleanly (exit
 * status 0). Any kernel warning, oops, "BUG:" or panic fails the test.
 *
 * The files come from scripts/fetch-guests.sh (.ci/run runs it); without
 * them the tests are skipped with the reason.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import test from "node:test";
import { linuxGuestFiles, repoRoot, type GuestArch } from "../../bench/guest-files.js";
import { USERSPACE_MARKER } from "../../src/machine/initramfs/busybox-initramfs.js";

/** Lines that mean the kernel is unhappy (kernel/panic.c, lib/bug.c, arch/x86/mm/fault.c). */
const TROUBLE = [
  /WARNING:/,
  /\bBUG:/,
  /Oops/,
  /Kernel panic/,
  /general protection fault/,
  /invalid opcode:/,
  /Call Trace:/,
  /soft lockup/,
  /RCU stall/i,
  /rcu_sched self-detected stall/,
];

const BOOT_TIMEOUT_MS = 12 * 60 * 1000;

function boot(
  arch: GuestArch,
  smp: number,
): Promise<{ output: string; code: number | null; signal: string | null }> {
  const files = linuxGuestFiles(arch);
  if ("missing" in files) throw new Error(files.missing);
  const args = [
    join(repoRoot(), "bin", "tsvm.js"),
    "run",
    "-m",
    "256M",
    "-smp",
    String(smp),
    "-kernel",
    files.kernel,
    "-initrd",
    files.initrd,
    "-append",
    // cryptomgr.notests: skip the kernel's crypto self-tests (~110 s of CPU on the soft backend).
    "console=ttyS0 panic=-1 cryptomgr.notests",
    "-nographic",
    "-no-reboot",
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("latin1")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("latin1")));
    const timer = setTimeout(() => child.kill("SIGKILL"), BOOT_TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ output, code, signal });
    });
  });
}

/** Registers the boot tests of `arch` with -smp 1 and 2. */
export function linuxBootTests(arch: GuestArch): void {
  for (const smp of [1, 2]) {
    const files = linuxGuestFiles(arch);
    const skip = "missing" in files ? files.missing : false;
    test(
      `Debian ${arch} kernel boots to userspace with -smp ${smp} and powers off`,
      { skip, timeout: BOOT_TIMEOUT_MS + 60_000 },
      async () => {
        const { output, code, signal } = await boot(arch, smp);
        const tail = output.slice(-6000);
        const markerLine = output.split("\n").find((l) => l.includes(USERSPACE_MARKER));
        assert.ok(markerLine !== undefined, `no userspace marker; last output:\n${tail}`);
        assert.match(markerLine, new RegExp(`cpus=${smp}\\b`), `the guest should see ${smp} CPUs`);
        for (const pattern of TROUBLE) {
          const line = output.split("\n").find((l) => pattern.test(l));
          assert.equal(line, undefined, `kernel trouble (${pattern}): ${line}\n${tail}`);
        }
        assert.match(output, /reboot: Power down/, `no ACPI power-off; last output:\n${tail}`);
        assert.equal(signal, null, `killed by ${signal}`);
        assert.equal(code, 0, `exit status; last output:\n${tail}`);
      },
    );
  }
}

/**
 * Boots the demo guest under QEMU's TCG (the reference PC: SeaBIOS's ACPI
 * tables, PM block at 0x600, \_S5 type 0, HPET at 0xFED00000) and checks
 * what it reports and that it powers the machine off through ACPI. Two
 * more runs take devices away (no PSE/APIC/TSC/HPET, then no ACPI at all)
 * to check that every probe copes. Skipped when QEMU is not installed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { demoPaths, parseDemoOutput, type DemoReport } from "./demo-output.js";

const QEMU = "qemu-system-i386";
const TIMEOUT_MS = 20_000;

function qemuMissing(): string | false {
  const probe = spawnSync(QEMU, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return `${QEMU} is not installed (Debian: apt-get install qemu-system-x86)`;
  }
  return false;
}

const skip = qemuMissing();

function qemuArgs(extra: string[]): string[] {
  const common = ["-serial", "stdio", "-display", "none", "-no-reboot", "-accel", "tcg"];
  return ["-kernel", demoPaths().binary, ...common, ...extra];
}

/** Runs QEMU to its end; the guest must power it off (status 0). */
function bootToPowerOff(extra: string[]): DemoReport {
  const run = spawnSync(QEMU, qemuArgs(extra), { encoding: "utf8", timeout: TIMEOUT_MS });
  const context = `\n--- stdout ---\n${run.stdout}--- stderr ---\n${run.stderr}`;
  assert.equal(run.error, undefined, `QEMU did not finish in time: ${String(run.error)}${context}`);
  assert.equal(run.status, 0, `QEMU exit status ${run.status}${context}`);
  const report = parseDemoOutput(run.stdout);
  // A triple fault also ends QEMU with status 0 under -no-reboot: the last
  // line proves the guest got as far as the power-off write.
  assert.deepEqual(report.exceptions, [], context);
  assert.ok(report.powerOffAttempted, `no power-off line${context}`);
  assert.equal(report.powerOffFailed, false, context);
  assert.match(report.lines.filter(Boolean).at(-1) ?? "", /^power: ACPI S5/, context);
  return report;
}

function near(actual: number | undefined, expected: number, tolerance: number, what: string) {
  assert.ok(actual !== undefined, `${what}: no value`);
  const deviation = Math.abs(actual - expected) / expected;
  assert.ok(
    deviation <= tolerance,
    `${what}: ${actual} MHz, expected ${expected} ± ${tolerance * 100}%`,
  );
}

test("the demo reports the QEMU PC and powers it off through ACPI", { skip }, () => {
  const started = Date.now();
  const r = bootToPowerOff(["-m", "128", "-smp", "2"]);
  assert.ok(Date.now() - started < TIMEOUT_MS);

  assert.match(r.vendor ?? "", /^(GenuineIntel|AuthenticAMD)$/);
  assert.match(r.lines.find((l) => l.startsWith("CPU: features")) ?? "", / pse .*\bapic\b/);
  assert.equal(r.paging, "4 MiB pages (CPUID has PSE)");

  // -m 128, less what the firmware keeps (the EBDA, its ACPI tables).
  assert.ok(r.memoryMap.some((m) => m.first === 0x100000n && m.kind === "usable"));
  assert.ok(r.memoryMap.some((m) => m.kind === "reserved"));
  assert.ok(r.usableMiB !== undefined && r.usableMiB >= 120 && r.usableMiB < 128, `${r.usableMiB}`);

  for (const sig of ["FACP", "APIC", "HPET"]) assert.ok(r.acpiTables.includes(sig), sig);
  assert.deepEqual(r.madtApicIds, [0, 1]);
  assert.ok(r.lines.some((l) => l.includes("PM1a_CNT 0x0604, PM_TMR 0x0608")));
  assert.equal(r.slpTypA, 0);

  assert.equal(r.timers.get("PIT")?.status, "reference");
  assert.equal(r.timers.get("TSC")?.status, "measured");
  const pm = r.timers.get("ACPI PM timer");
  near(pm?.mhz, 3.579545, 0.1, "PM timer");
  assert.equal(pm?.nominalMhz, 3.579545);
  const hpet = r.timers.get("HPET");
  near(hpet?.mhz, 100, 0.1, "HPET");
  assert.equal(hpet?.nominalMhz, 100);
  // QEMU's APIC timer counts at 1 GHz (divide by 1).
  near(r.timers.get("local APIC timer")?.mhz, 1000, 0.1, "APIC timer");
  assert.match(r.timers.get("RTC")?.status ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /);

  assert.deepEqual(r.cpusUp, [[1, 1]]);
  assert.equal(r.cpusRunning, 2);
  assert.ok(r.lines.includes("SMP: 2 CPUs running"));
});

test("without PSE, APIC, TSC and HPET the demo uses 4 KiB pages and one CPU", { skip }, () => {
  const r = bootToPowerOff(["-m", "64", "-smp", "2", "-cpu", "qemu32,-pse,-apic,-tsc", "-no-hpet"]);
  assert.equal(r.paging, "4 KiB pages (no PSE)");
  assert.ok(r.lines.includes("local APIC: not found (CPUID)"));
  assert.equal(r.timers.get("TSC")?.status, "not found (CPUID)");
  assert.equal(r.timers.get("HPET")?.status, "not found");
  assert.equal(r.timers.get("local APIC timer")?.status, "not found");
  near(r.timers.get("ACPI PM timer")?.mhz, 3.579545, 0.1, "PM timer");
  assert.equal(r.cpusRunning, 1);
  assert.ok(r.usableMiB !== undefined && r.usableMiB >= 56 && r.usableMiB < 64, `${r.usableMiB}`);
});

test("without ACPI the demo says so, reports power-off failed and halts", { skip }, async () => {
  const child = spawn(QEMU, qemuArgs(["-m", "32", "-smp", "2", "-no-acpi"]));
  let stdout = "";
  const outcome = await new Promise<"halted" | "ended" | "timeout">((resolve) => {
    const timer = setTimeout(() => resolve("timeout"), TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("power-off failed")) {
        clearTimeout(timer);
        resolve("halted");
      }
    });
    child.on("exit", () => {
      clearTimeout(timer);
      resolve("ended");
    });
  });
  child.kill("SIGKILL");
  assert.equal(outcome, "halted", stdout);
  const r = parseDemoOutput(stdout);
  assert.deepEqual(r.exceptions, []);
  assert.ok(r.lines.some((l) => l.startsWith("ACPI: no RSDP found")));
  assert.equal(r.timers.get("ACPI PM timer")?.status, "not found (no FADT PM_TMR_BLK)");
  assert.equal(r.timers.get("PIT")?.status, "reference");
  assert.equal(r.cpusRunning, 1);
  assert.equal(r.powerOffAttempted, false);
});

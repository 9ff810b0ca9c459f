/**
 * `tsvm run -demo` (what `npm start` runs): the built-in guest boots on the
 * soft backend through the real command, finds what this machine has, starts
 * every vCPU and powers off through ACPI with exit status 0.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import test from "node:test";
import { repoRoot } from "../../bench/guest-files.js";
import { parseDemoOutput } from "./demo-output.js";

function runDemo(smp: number) {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot(), "bin", "tsvm.js"), "run", "-demo", "-smp", String(smp)],
    { encoding: "latin1", timeout: 60_000 },
  );
  return { status: r.status, text: `${r.stdout}${r.stderr}` };
}

for (const smp of [1, 3]) {
  test(`the demo guest runs on tsvm with -smp ${smp} and powers off`, () => {
    const { status, text } = runDemo(smp);
    const report = parseDemoOutput(text);
    assert.deepEqual(report.exceptions, [], text);
    assert.equal(report.vendor, "GenuineIntel", text);
    assert.deepEqual(report.acpiTables, ["FACP", "APIC", "HPET"], text);
    assert.deepEqual(
      report.madtApicIds,
      Array.from({ length: smp }, (_, i) => i),
      text,
    );
    assert.equal(report.slpTypA, 5, text);
    assert.equal(report.cpusRunning, smp, text);
    assert.equal(report.cpusUp.length, smp - 1, text);
    // The platform timers agree with the PIT, which the guest uses as its reference.
    for (const [name, nominal] of [
      ["ACPI PM timer", 3.579545],
      ["HPET", 10],
    ] as const) {
      const t = report.timers.get(name);
      assert.ok(t?.mhz !== undefined, `${name} measured:\n${text}`);
      assert.ok(
        Math.abs(t.mhz / nominal - 1) < 0.05,
        `${name} ${t.mhz} MHz vs ${nominal}:\n${text}`,
      );
    }
    assert.ok(report.powerOffAttempted && !report.powerOffFailed, text);
    assert.equal(status, 0, text);
  });
}

/**
 * Runs every device test kernel on tsvm's PC (soft backend): the same
 * binaries, command lines and expected endings as the QEMU reference
 * (qemu-devices.test.ts). A kernel whose device is not wired into PcMachine
 * yet is listed in TSVM_TODO: it still runs, and node:test reports it as
 * "todo" instead of failing the suite.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import type { CharBackend } from "../../src/hw/legacy/index.js";
import { resolveMachineType } from "../../src/machine/machine-types.js";
import { loadPcBoot } from "../../src/machine/pc/pc-boot.js";
import { PcMachine } from "../../src/machine/pc/pc-machine.js";
import type { StopReason } from "../../src/machine/run-loop.js";
import { parseGuestOutput, reportProblems } from "../guests/guest-kernels.js";
import { DEVICE_RUNS, runBinary, type DeviceRun } from "./device-runs.js";

/**
 * Runs that cannot pass on tsvm yet, with the reason; remove an entry once
 * its run passes. (The devices are all wired; what is left are bugs the
 * kernels found. "Late timers": the run loop only runs clock timers between
 * vCPU slices of 200 000 instructions, so a timer interrupt arrives up to a
 * slice (about 10 ms) late and periodic rates come out far too low.)
 */
const TSVM_TODO: Readonly<Record<string, string>> = {
  pic: "late timers: IRQ0 at 2 ms comes every 3-14 ms",
  pit: "late timers: IRQ0 rates and the mode 0 one-shot are 5-20 ms late",
  rtc: "late timers: the IRQ8 periodic interrupt at 512 Hz comes every ~7 ms",
  uart: "late timers: the character-timeout interrupt (IIR 0xCC) is often missing 10 ms after the data stopped",
  ioapic: "late timers: IRQ0 through the IOAPIC at 2 ms comes every 6-19 ms",
  hpet:
    "late timers; the counter advances 2-5x faster than the TSC over 20 ms; in legacy " +
    "replacement mode a 5 ms one-shot raises IRQ0 within 100 us of ENABLE_CNF, then again at 5 ms",
  lapic:
    "late timers: the APIC timer one-shot (5 ms) and periodic (2 ms) interrupts come 10-25 ms late",
};

/** Guest time a kernel may take, with room for a slow host. */
const WATCHDOG_MS = 30_000;

/** Collects what the guest writes. */
class CaptureBackend implements CharBackend {
  text = "";
  write(bytes: Uint8Array): boolean {
    this.text += Buffer.from(bytes).toString("latin1");
    return true;
  }
  onInput(): void {}
  onDrain(): void {}
  async close(): Promise<void> {}
}

/** The stop reason a run that passed every check ends with. */
function expectedStop(r: DeviceRun): (reason: StopReason) => boolean {
  switch (r.ends) {
    case "exit":
      return (reason) => reason.kind === "exit" && reason.status === 1;
    case "poweroff":
      return (reason) => reason.kind === "poweroff";
    case "reset":
      return (reason) => reason.kind === "reset";
    case "triple-fault":
      return (reason) => reason.kind === "shutdown";
  }
}

for (const r of DEVICE_RUNS) {
  const todo = TSVM_TODO[r.name];
  test(`device kernel ${r.name} passes on tsvm`, { todo }, async () => {
    const debugcon = new CaptureBackend();
    const com1 = new CaptureBackend();
    const machine = new PcMachine({
      type: resolveMachineType("pc"),
      memoryBytes: 64 << 20,
      cpus: r.cpus,
      serial: r.com1 ? [com1] : [],
      debugcon,
      debugExit: { iobase: 0xf4, iosize: 4 },
    });
    try {
      const kernel = readFileSync(runBinary(r));
      loadPcBoot(machine, { kind: "kernel", kernel, cmdline: r.cmdline });
      const watchdog = setTimeout(
        () => machine.loop.requestStop({ kind: "host-quit" }),
        WATCHDOG_MS,
      );
      const reason = await machine.run();
      clearTimeout(watchdog);
      const log = `\n--- debugcon ---\n${debugcon.text}`;
      assert.deepEqual(reportProblems(parseGuestOutput(debugcon.text)), [], log);
      assert.ok(expectedStop(r)(reason), `ended with ${JSON.stringify(reason)}${log}`);
      if (r.com1Output !== undefined) assert.equal(com1.text, r.com1Output, "COM1 output");
    } finally {
      machine.destroy();
    }
  });
}

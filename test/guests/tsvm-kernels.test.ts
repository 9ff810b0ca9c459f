/**
 * Runs every guest test kernel on tsvm's soft backend: the same binaries and
 * the same expected verdict as on QEMU (qemu-reference.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import type { CharBackend } from "../../src/hw/legacy/index.js";
import { resolveMachineType } from "../../src/machine/machine-types.js";
import { loadPcBoot } from "../../src/machine/pc/pc-boot.js";
import { PcMachine } from "../../src/machine/pc/pc-machine.js";
import { guestKernels, parseGuestOutput, reportProblems } from "./guest-kernels.js";

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

for (const kernel of guestKernels()) {
  test(`guest kernel ${kernel.name} passes on the soft backend`, async () => {
    const debugcon = new CaptureBackend();
    const machine = new PcMachine({
      type: resolveMachineType("pc"),
      memoryBytes: 64 << 20,
      cpus: 1,
      serial: [],
      debugcon,
      debugExit: { iobase: 0xf4, iosize: 4 },
    });
    try {
      loadPcBoot(machine, { kind: "kernel", kernel: readFileSync(kernel.binary), cmdline: "" });
      const watchdog = setTimeout(() => machine.loop.requestStop({ kind: "host-quit" }), 60_000);
      const reason = await machine.run();
      clearTimeout(watchdog);
      const report = parseGuestOutput(debugcon.text);
      const failures = report.results
        .filter((r) => !r.ok)
        .map((r) => `not ok ${r.number} - ${r.description}`);
      assert.deepEqual(failures, [], `${kernel.name} failures:\n${debugcon.text}`);
      assert.deepEqual(reportProblems(report), [], debugcon.text);
      assert.deepEqual(reason, { kind: "exit", status: 1 }, debugcon.text);
    } finally {
      machine.destroy();
    }
  });
}

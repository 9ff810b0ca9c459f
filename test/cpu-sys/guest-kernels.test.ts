/**
 * Runs the guest test kernels that exercise the system part (guests/tests:
 * modes, faults, tasks; see its README) on the soft CPU, entered the way a
 * Multiboot loader enters them, and requires every check to pass. The same
 * binaries pass under QEMU (test/guests/qemu-reference.test.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { IF } from "../../src/hv/soft/cpu/constants.js";
import { CpuHarness } from "../cpu/harness.js";
import { guestTestsDir, parseGuestOutput, reportProblems } from "../guests/guest-kernels.js";

/** Multiboot a.out-kludge kernels load at 1 MiB and start after the 32-byte header. */
const LOAD_ADDRESS = 0x100000;
const ENTRY = LOAD_ADDRESS + 32;
const MULTIBOOT_MAGIC = 0x2badb002;
const DEBUG_CONSOLE_PORT = 0xe9;
const EXIT_PORT = 0xf4;

/** Boots `name`.bin and returns its debug-console text and the exit port value. */
function runKernel(name: string): { text: string; exitValue: number | undefined } {
  const h = CpuHarness.flat32({ ramSize: 32 * 1024 * 1024 });
  h.poke(LOAD_ADDRESS, readFileSync(join(guestTestsDir(), `${name}.bin`)));
  h.cpu.eip = ENTRY;
  h.eax = MULTIBOOT_MAGIC;
  h.eflags = h.eflags & ~IF;
  const exit = h.run(50_000_000);
  assert.equal(exit.kind, "hlt", `${name}: ended with ${JSON.stringify(exit)}`);
  const writes = h.io.log.filter((a) => a.space === "port" && a.write);
  const text = writes
    .filter((a) => a.address === DEBUG_CONSOLE_PORT)
    .map((a) => String.fromCharCode(a.value & 0xff))
    .join("");
  const exitValue = writes.find((a) => a.address === EXIT_PORT)?.value;
  return { text, exitValue };
}

for (const name of ["modes", "faults", "tasks"]) {
  test(`guest kernel ${name}: every check passes on the soft CPU`, () => {
    const { text, exitValue } = runKernel(name);
    assert.deepEqual(reportProblems(parseGuestOutput(text)), [], text);
    assert.equal(exitValue, 0, "failure count written to the exit port");
  });
}

/**
 * Boots every guest test kernel (guests/tests/*.bin, verified under QEMU) on
 * the soft CPU through the harness, the way a Multiboot loader would: the
 * file at 1 MiB, entry after the 32-byte header, flat 32-bit protected mode,
 * EAX = 0x2BADB002. Output goes to port 0xE9; port 0xF4 ends the run.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { guestKernels, parseGuestOutput, reportProblems } from "../guests/guest-kernels.js";
import { CpuHarness } from "./harness.js";

const LOAD_ADDRESS = 0x100000;
const HEADER_SIZE = 32;
/** Generous: the kernels need well under 10 million instructions. */
const MAX_SLICES = 100;
const SLICE = 1_000_000;

for (const kernel of guestKernels()) {
  test(`guest kernel ${kernel.name} passes every check on the soft CPU`, () => {
    const h = CpuHarness.flat32({ ramSize: 64 << 20 });
    h.poke(LOAD_ADDRESS, readFileSync(kernel.binary));
    h.start(LOAD_ADDRESS + HEADER_SIZE);
    h.eax = 0x2badb002;
    let output = "";
    let exitCode = -1;
    h.io.onPortWrite = (port, _size, value) => {
      if (port === 0xe9) output += String.fromCharCode(value & 0xff);
      if (port === 0xf4) {
        exitCode = value & 0xff;
        h.stop[0] = 1;
      }
    };
    for (let slice = 0; slice < MAX_SLICES && exitCode < 0; slice++) {
      const exit = h.core.run(SLICE, h.stop);
      if (exit.kind !== "budget" && exit.kind !== "kicked") {
        assert.fail(`${kernel.name}: stopped with ${JSON.stringify(exit)}\n${output}`);
      }
    }
    assert.equal(exitCode, 0, `${kernel.name} did not report success:\n${output}`);
    assert.deepEqual(reportProblems(parseGuestOutput(output)), []);
  });
}

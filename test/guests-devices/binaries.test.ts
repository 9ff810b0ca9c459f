/**
 * The committed device kernels (guests/devices/*.bin) are loadable
 * Multiboot 1 images (a.out kludge, loaded at 1 MiB) that match their
 * sources, and the run table covers every one of them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { DEVICE_RUNS, deviceKernels, deviceKernelsDir } from "./device-runs.js";

const MAGIC = 0x1badb002;
const LOAD_ADDR = 0x100000;
const kernels = deviceKernels();

test("every device kernel has a run, and every run a kernel", () => {
  const names = kernels.map((k) => k.name);
  const run = new Set(DEVICE_RUNS.map((r) => r.kernel));
  assert.deepEqual(
    names.filter((n) => !run.has(n)),
    [],
    "kernels without a run in device-runs.ts",
  );
  assert.deepEqual(
    [...run].filter((k) => !names.includes(k)),
    [],
    "runs without a kernel source",
  );
  assert.equal(new Set(DEVICE_RUNS.map((r) => r.name)).size, DEVICE_RUNS.length, "run names");
});

for (const kernel of kernels) {
  test(`${kernel.name}.bin is an a.out-kludge Multiboot image loaded at 1 MiB`, () => {
    assert.ok(
      existsSync(kernel.binary),
      `${kernel.binary} is missing: run scripts/build-device-tests.sh`,
    );
    const image = readFileSync(kernel.binary);
    const field = (index: number) => image.readUInt32LE(index * 4);
    assert.equal(field(0), MAGIC, "magic at offset 0");
    assert.equal(field(1) & 0x10000, 0x10000, "flags bit 16 (address fields valid)");
    assert.equal((field(0) + field(1) + field(2)) % 2 ** 32, 0, "checksum");
    assert.equal(field(4), LOAD_ADDR, "load_addr");
    assert.equal(field(5) - field(4), image.length, "load_end_addr covers the whole file");
    assert.ok(field(7) >= LOAD_ADDR + 32 && field(7) < field(5), "entry_addr inside the image");
  });
}

const nasmMissing = spawnSync("nasm", ["-v"]).error === undefined ? false : "nasm is not installed";

test(
  "the committed device .bin files are assembled from the current sources",
  { skip: nasmMissing },
  () => {
    const script = join(deviceKernelsDir(), "..", "..", "scripts", "build-device-tests.sh");
    const run = spawnSync("sh", [script, "--check"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(
      run.stdout.split("\n").filter((l) => l.endsWith("is up to date")).length,
      kernels.length,
    );
  },
);

/**
 * The committed demo guest is a loadable Multiboot 1 image (a.out kludge,
 * Multiboot 0.6.96, 3.1.1-3.1.3) assembled from the current sources, and
 * its build script behaves on machines with and without nasm.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { demoPaths } from "./demo-output.js";

const LOAD_ADDR = 0x100000;

test("demo.bin is an a.out-kludge Multiboot image loaded whole at 1 MiB", () => {
  const image = readFileSync(demoPaths().binary);
  const field = (index: number) => image.readUInt32LE(index * 4);
  assert.equal(field(0), 0x1badb002, "magic at offset 0");
  assert.equal(field(1), 0x10000, "flags: only bit 16 (address fields valid)");
  assert.equal((field(0) + field(1) + field(2)) % 2 ** 32, 0, "checksum");
  assert.equal(field(3), LOAD_ADDR, "header_addr");
  assert.equal(field(4), LOAD_ADDR, "load_addr");
  assert.equal(field(5) - LOAD_ADDR, image.length, "load_end_addr covers the file");
  assert.equal(field(6), field(5), "bss_end_addr: no bss");
  assert.ok(field(7) >= LOAD_ADDR + 32 && field(7) < field(5), "entry inside the image");
  // Its fixed work areas start at 0x140000 (guests/demo/layout.inc).
  assert.ok(LOAD_ADDR + image.length <= 0x140000, "image overlaps the IDT area");
});

const nasmMissing = spawnSync("nasm", ["-v"]).error === undefined ? false : "nasm is not installed";

test("demo.bin is assembled from the current sources", { skip: nasmMissing }, () => {
  const run = spawnSync("sh", [demoPaths().buildScript, "--check"], {
    encoding: "utf8",
    timeout: 20_000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /demo\.bin is up to date/);
});

test("the build script refuses unknown arguments", () => {
  const run = spawnSync("sh", [demoPaths().buildScript, "--bogus"], { encoding: "utf8" });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /usage:/);
});

test("without nasm the build script leaves demo.bin alone and exits 0", () => {
  // A PATH holding only what the script needs before it looks for nasm.
  const bin = mkdtempSync(join(tmpdir(), "tsvm-demo-nonasm-"));
  try {
    const dirnameTool = spawnSync("sh", ["-c", "command -v dirname"], { encoding: "utf8" });
    symlinkSync(dirnameTool.stdout.trim(), join(bin, "dirname"));
    const before = readFileSync(demoPaths().binary);
    const run = spawnSync("/bin/sh", [demoPaths().buildScript], {
      encoding: "utf8",
      env: { PATH: bin },
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /nasm is not installed/);
    assert.deepEqual(readFileSync(demoPaths().binary), before);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

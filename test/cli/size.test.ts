import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSize, parseSize } from "../../src/cli/size.js";

const MiB = 2 ** 20;

test("a bare number is in the default unit", () => {
  assert.equal(parseSize("512", "-m", "M"), 512 * MiB);
  assert.equal(parseSize("512", "-x", "B"), 512);
});

test("suffixes are binary and case-insensitive", () => {
  assert.equal(parseSize("4k", "-m", "M"), 4096);
  assert.equal(parseSize("512M", "-m", "M"), 512 * MiB);
  assert.equal(parseSize("2G", "-m", "M"), 2 * 1024 * MiB);
  assert.equal(parseSize("2g", "-m", "M"), 2 * 1024 * MiB);
  assert.equal(parseSize("1T", "-m", "M"), 2 ** 40);
  assert.equal(parseSize("100B", "-m", "M"), 100);
});

test("fractions are exact and must come out as whole bytes", () => {
  assert.equal(parseSize("1.5G", "-m", "M"), 1536 * MiB);
  assert.equal(parseSize("0.5K", "-m", "M"), 512);
  assert.throws(() => parseSize("1.3B", "-m", "M"), {
    message: "-m: '1.3B' is not a whole number of bytes",
  });
});

test("malformed sizes are refused with the flag named", () => {
  for (const bad of ["banana", "", "-1", "1.", ".5G", "1GB", "0x100", " 1G"]) {
    assert.throws(() => parseSize(bad, "-m", "M"), /^UsageError: -m: /, bad);
  }
  assert.throws(() => parseSize("5Q", "-m", "M"), { message: /unknown size suffix 'Q'/ });
});

test("sizes beyond a safe integer are refused", () => {
  assert.throws(() => parseSize("9E", "-m", "M"), { message: "-m: '9E' is too large" });
  assert.equal(parseSize("1P", "-m", "M"), 2 ** 50);
});

test("formatSize picks the largest exact unit", () => {
  assert.equal(formatSize(MiB), "1M");
  assert.equal(formatSize(1536 * MiB), "1536M");
  assert.equal(formatSize(2 ** 31), "2G");
  assert.equal(formatSize(1000), "1000B");
});

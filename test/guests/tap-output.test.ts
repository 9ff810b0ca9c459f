/** The reader of the kernels' debug-console protocol (guests/tests/README.md). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGuestOutput, reportProblems } from "./guest-kernels.js";

const clean = [
  "ok 1 - entered by a Multiboot loader",
  "ok 2 - NX: fetch faults # SKIP no NX",
  "1..2",
  "tsvm-test: done 2 passed 0 failed",
  "",
].join("\n");

test("a clean run has no problems and keeps skips as passes", () => {
  const report = parseGuestOutput(clean);
  assert.equal(report.results.length, 2);
  assert.equal(report.results[1].skipped, true);
  assert.equal(report.results[1].ok, true);
  assert.deepEqual(report.summary, { passed: 2, failed: 0 });
  assert.deepEqual(reportProblems(report), []);
});

test("a failed check is reported with its description", () => {
  const report = parseGuestOutput(
    "ok 1 - a\nnot ok 2 - b: got 0x1 expected 0x2\n1..2\ntsvm-test: done 1 passed 1 failed\n",
  );
  assert.deepEqual(reportProblems(report), ["not ok 2 - b: got 0x1 expected 0x2"]);
});

test("a bail-out, a missing summary and a wrong plan are all problems", () => {
  const report = parseGuestOutput("ok 1 - a\nnot ok 2 - unexpected exception\nBail out!\n1..3\n");
  assert.deepEqual(reportProblems(report), [
    "not ok 2 - unexpected exception",
    "the kernel bailed out",
    "plan says 3 checks, 2 were reported",
    "no 'tsvm-test: done' line",
  ]);
});

test("a summary that disagrees with the lines, or skipped numbers, are problems", () => {
  const report = parseGuestOutput("ok 1 - a\nok 3 - c\n1..2\ntsvm-test: done 3 passed 0 failed\n");
  assert.deepEqual(reportProblems(report), [
    "result 2 is numbered 3",
    "summary says 3 passed 0 failed, lines say 2 passed 0 failed",
  ]);
});

test("no output at all is a problem, not a pass", () => {
  assert.ok(reportProblems(parseGuestOutput("")).includes("no checks were reported"));
});

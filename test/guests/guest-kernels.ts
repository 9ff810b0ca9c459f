/**
 * Shared by the tests that boot the guest test kernels (guests/tests/*.bin):
 * where the kernels are, and how their debug-console output is read. The
 * output protocol is described in guests/tests/README.md.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** One `ok N - …` / `not ok N - …` line. */
export interface GuestResult {
  number: number;
  ok: boolean;
  description: string;
  skipped: boolean;
}

/** Everything a kernel reported on the debug console. */
export interface GuestReport {
  results: GuestResult[];
  /** N from the `1..N` line, if one was printed. */
  plan: number | undefined;
  /** From `tsvm-test: done P passed F failed`, if it was printed. */
  summary: { passed: number; failed: number } | undefined;
  bailedOut: boolean;
}

/** A kernel source and the binary assembled from it. */
export interface GuestKernel {
  name: string;
  source: string;
  binary: string;
  /** The source says `; tsvm-test: x86_64`: it enters long mode (needs an x86-64 CPU). */
  x86_64: boolean;
}

/** The source line that marks a kernel needing an x86-64 CPU. */
const X86_64_MARKER = /^;\s*tsvm-test:\s*x86_64\b/m;

const RESULT_LINE = /^(not )?ok (\d+) - (.*)$/;
const PLAN_LINE = /^1\.\.(\d+)$/;
const SUMMARY_LINE = /^tsvm-test: done (\d+) passed (\d+) failed$/;

/** Reads the TAP-like lines of a kernel's output; other lines are ignored. */
export function parseGuestOutput(text: string): GuestReport {
  const report: GuestReport = {
    results: [],
    plan: undefined,
    summary: undefined,
    bailedOut: false,
  };
  for (const line of text.split("\n")) {
    const result = RESULT_LINE.exec(line);
    if (result) {
      report.results.push({
        number: Number(result[2]),
        ok: result[1] === undefined,
        description: result[3],
        skipped: / # SKIP /.test(result[3]),
      });
      continue;
    }
    const plan = PLAN_LINE.exec(line);
    if (plan) {
      report.plan = Number(plan[1]);
      continue;
    }
    const summary = SUMMARY_LINE.exec(line);
    if (summary) {
      report.summary = { passed: Number(summary[1]), failed: Number(summary[2]) };
      continue;
    }
    if (line.startsWith("Bail out!")) report.bailedOut = true;
  }
  return report;
}

/**
 * Everything wrong with a report, as readable sentences; empty when the
 * kernel ran to the end and every check passed.
 */
export function reportProblems(report: GuestReport): string[] {
  const problems: string[] = [];
  report.results.forEach((result, index) => {
    if (result.number !== index + 1) {
      problems.push(`result ${index + 1} is numbered ${result.number}`);
    }
    if (!result.ok) problems.push(`not ok ${result.number} - ${result.description}`);
  });
  if (report.bailedOut) problems.push("the kernel bailed out");
  if (report.plan === undefined) problems.push("no 1..N plan line");
  else if (report.plan !== report.results.length) {
    problems.push(`plan says ${report.plan} checks, ${report.results.length} were reported`);
  }
  if (report.summary === undefined) problems.push("no 'tsvm-test: done' line");
  else {
    const passed = report.results.filter((r) => r.ok).length;
    const failed = report.results.length - passed;
    if (report.summary.passed !== passed || report.summary.failed !== failed) {
      problems.push(
        `summary says ${report.summary.passed} passed ${report.summary.failed} failed, ` +
          `lines say ${passed} passed ${failed} failed`,
      );
    }
  }
  if (report.results.length === 0) problems.push("no checks were reported");
  return problems;
}

/**
 * The guests/tests folder: searched upwards from this module (dist/test/…
 * inside the repository) and then from the working directory (for builds
 * placed outside the repository).
 */
export function guestTestsDir(): string {
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, "guests", "tests");
      if (existsSync(join(candidate, "lib", "start.inc"))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error("guests/tests not found above the test module or the working directory");
}

/** Every kernel source in guests/tests, sorted by name. */
export function guestKernels(dir: string = guestTestsDir()): GuestKernel[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".asm"))
    .sort()
    .map((file) => {
      const name = file.slice(0, -".asm".length);
      const source = join(dir, file);
      const x86_64 = X86_64_MARKER.test(readFileSync(source, "utf8"));
      return { name, source, binary: join(dir, `${name}.bin`), x86_64 };
    });
}

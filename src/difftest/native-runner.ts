/**
 * The client of the native runner (tools/difftest/native-runner.c): builds
 * it when needed, keeps one child process for a whole run, and streams
 * cases to it in batches.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CaseResult, type DiffCase, manualCase } from "./case.js";
import { defaultFxsave } from "./fxsave.js";
import { RunnerProcess } from "./runner-process.js";
import { decodeResult, encodeCases, RESULT_SIZE } from "./wire.js";

export { NativeRunnerError } from "./runner-process.js";

/** A native-runner problem: it could not start, died, or answered garbage. */

/** Where the native runner is, or why it cannot run here. */
export type NativeBuild = { readonly path: string } | { readonly skip: string };

/** The repository root: the first ancestor of `from` holding tools/difftest/native-runner.c. */
export function findRepoRoot(from: string): string | null {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "tools", "difftest", "native-runner.c"))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * Builds the runner into `<repo>/.cache/difftest/native-runner` if it is
 * missing or older than its source. Returns `{ skip }` with the reason when
 * this host cannot run it (not x86-64 Linux, no gcc with -m32 support...).
 */
export function buildNativeRunner(): NativeBuild {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return {
      skip: `the native runner needs x86-64 Linux (this is ${process.platform}/${process.arch})`,
    };
  }
  const root = findRepoRoot(process.cwd()) ?? findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  if (root === null) return { skip: "tools/difftest/native-runner.c not found" };
  const tools = join(root, "tools", "difftest");
  const sources = [join(tools, "native-runner.c"), join(tools, "build.sh")];
  const out = join(root, ".cache", "difftest", "native-runner");
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return { path: out };
  mkdirSync(dirname(out), { recursive: true });
  // Build beside the target and rename: test files run in parallel may build at once.
  const temp = `${out}.${process.pid}.tmp`;
  const r = spawnSync("sh", [join(tools, "build.sh"), temp], { encoding: "utf8" });
  if (r.error !== undefined) return { skip: `cannot run the build: ${r.error.message}` };
  if (r.status !== 0) {
    rmSync(temp, { force: true });
    const why = (r.stderr || r.stdout).trim().split("\n").slice(0, 3).join(" / ");
    return { skip: `gcc -m32 cannot build the native runner: ${why}` };
  }
  renameSync(temp, out);
  return { path: out };
}

/**
 * Runs the runner once on an empty case (just INT3) and checks the answer;
 * returns why it cannot run here (no 32-bit support in the kernel, a
 * sandbox...), or null when it works.
 */
export function probeNativeRunner(path: string): string | null {
  const probe = manualCase({ code: [], text: "int3" }, defaultFxsave());
  const r = spawnSync(path, [], { input: encodeCases([probe]), timeout: 10_000 });
  if (r.error !== undefined) return `cannot run the native runner: ${r.error.message}`;
  if (r.status !== 0 || r.stdout.length !== RESULT_SIZE) {
    const why = r.signal ?? `status ${r.status}`;
    return `the native runner does not work here (${why}): ${r.stderr.toString().trim()}`;
  }
  const result = decodeResult(r.stdout, 0);
  return result.vector === 3
    ? null
    : `the native runner's probe ended with vector ${result.vector}`;
}

/** Builds and probes the runner: its path, or why the differential test cannot run here. */
export function prepareNativeRunner(): NativeBuild {
  const build = buildNativeRunner();
  if ("skip" in build) return build;
  const problem = probeNativeRunner(build.path);
  return problem === null ? build : { skip: problem };
}

/** One native-runner child process; `run` batches are served in order. */
export class NativeRunner {
  private readonly process: RunnerProcess;

  constructor(path: string) {
    this.process = new RunnerProcess(path);
  }

  /** Runs `cases` natively; results in the same order. */
  async run(cases: readonly DiffCase[]): Promise<CaseResult[]> {
    if (cases.length === 0) return [];
    const output = await this.process.exchange(encodeCases(cases), cases.length * RESULT_SIZE);
    return cases.map((_, i) => decodeResult(output, i));
  }

  /** Ends the child (it exits at end of input). */
  close(): void {
    this.process.close();
  }
}

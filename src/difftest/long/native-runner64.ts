/**
 * The client of the 64-bit native runner (tools/difftest/native-runner64.c):
 * builds it with tools/difftest/build64.sh when needed, probes it, and
 * streams batches of cases to one child process (as native-runner.ts does
 * for the i386 runner).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultFxsave } from "../fxsave.js";
import { findRepoRoot, type NativeBuild } from "../native-runner.js";
import { RunnerProcess } from "../runner-process.js";
import { type CaseResult64, type DiffCase64, manualCase64 } from "./case64.js";
import { decodeResult64, encodeCases64, RESULT_SIZE_64 } from "./wire64.js";

/** Builds `<repo>/.cache/difftest/native-runner64` if missing or stale, or says why it can't. */
export function buildNativeRunner64(): NativeBuild {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return {
      skip: `the 64-bit native runner needs x86-64 Linux (this is ${process.platform}/${process.arch})`,
    };
  }
  const root = findRepoRoot(process.cwd()) ?? findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  if (root === null) return { skip: "tools/difftest not found" };
  const tools = join(root, "tools", "difftest");
  const sources = [join(tools, "native-runner64.c"), join(tools, "build64.sh")];
  if (!sources.every((f) => existsSync(f)))
    return { skip: "tools/difftest/native-runner64.c not found" };
  const out = join(root, ".cache", "difftest", "native-runner64");
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return { path: out };
  mkdirSync(dirname(out), { recursive: true });
  // Build beside the target and rename: parallel test files may build at once.
  const temp = `${out}.${process.pid}.tmp`;
  const r = spawnSync("sh", [join(tools, "build64.sh"), temp], { encoding: "utf8" });
  if (r.error !== undefined) return { skip: `cannot run the build: ${r.error.message}` };
  if (r.status !== 0) {
    rmSync(temp, { force: true });
    const why = (r.stderr || r.stdout).trim().split("\n").slice(0, 3).join(" / ");
    return { skip: `gcc cannot build the 64-bit native runner: ${why}` };
  }
  renameSync(temp, out);
  return { path: out };
}

/** Runs an empty case (just INT3): null when the runner works, otherwise why not. */
export function probeNativeRunner64(path: string): string | null {
  const probe = manualCase64([], defaultFxsave());
  const r = spawnSync(path, [], { input: encodeCases64([probe]), timeout: 10_000 });
  if (r.error !== undefined) return `cannot run the 64-bit native runner: ${r.error.message}`;
  if (r.status !== 0 || r.stdout.length !== RESULT_SIZE_64) {
    const why = r.signal ?? `status ${r.status}`;
    return `the 64-bit native runner does not work here (${why}): ${r.stderr.toString().trim()}`;
  }
  const vector = decodeResult64(r.stdout, 0).vector;
  return vector === 3 ? null : `the 64-bit native runner's probe ended with vector ${vector}`;
}

/** Builds and probes the runner: its path, or why it cannot run here. */
export function prepareNativeRunner64(): NativeBuild {
  const build = buildNativeRunner64();
  if ("skip" in build) return build;
  const problem = probeNativeRunner64(build.path);
  return problem === null ? build : { skip: problem };
}

/** One 64-bit native-runner child process; `run` batches are served in order. */
export class NativeRunner64 {
  private readonly process: RunnerProcess;

  constructor(path: string) {
    this.process = new RunnerProcess(path);
  }

  /** Runs `cases` natively; results in the same order. */
  async run(cases: readonly DiffCase64[]): Promise<CaseResult64[]> {
    if (cases.length === 0) return [];
    const output = await this.process.exchange(encodeCases64(cases), cases.length * RESULT_SIZE_64);
    return cases.map((_, i) => decodeResult64(output, i));
  }

  /** Ends the child (it exits at end of input). */
  close(): void {
    this.process.close();
  }
}

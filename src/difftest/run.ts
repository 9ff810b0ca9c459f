/**
 * Runs groups of generated cases on both sides and collects the verdicts:
 * per group and per form, counts of passing, mismatching and
 * not-yet-implemented cases, and the first few failures in full.
 *
 * Native batches are pipelined with the soft side: while the soft CPU works
 * through batch k, the native runner already has batch k + 1.
 */
import type { DiffCase } from "./case.js";
import { compareResults, type Difference, type Verdict } from "./compare.js";
import { type Group, generateCase } from "./groups/group.js";
import type { NativeRunner } from "./native-runner.js";
import type { SoftRunner } from "./soft-runner.js";

export interface FormStats {
  readonly form: string;
  cases: number;
  passed: number;
  mismatched: number;
  unimplemented: number;
}

/** A failing case, kept for the report. */
export interface Failure {
  readonly case: DiffCase;
  readonly verdict: Verdict;
  readonly differences: readonly Difference[];
}

export interface GroupStats {
  readonly group: Group;
  cases: number;
  passed: number;
  mismatched: number;
  unimplemented: number;
  /** Every form of the group, in order, with its counts. */
  readonly forms: FormStats[];
  /** The first failures (mismatches first, then unimplemented), up to the run's limit. */
  readonly failures: Failure[];
  /** Wall time of the group in milliseconds. */
  ms: number;
}

export interface RunOptions {
  readonly seed: number;
  readonly groups: readonly Group[];
  /** Cases per group. */
  readonly casesPerGroup: number;
  readonly native: NativeRunner;
  readonly soft: SoftRunner;
  /** Cases per native batch (default 256). */
  readonly batchSize?: number;
  /** Failures kept per group (default 5 mismatches + 2 unimplemented). */
  readonly keepFailures?: number;
  /** Called after each group. */
  readonly onGroup?: (stats: GroupStats) => void;
}

/** Lets the event loop deliver native output while the soft side computes. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs every group; resolves with their statistics. */
export async function runGroups(options: RunOptions): Promise<GroupStats[]> {
  const all: GroupStats[] = [];
  for (const group of options.groups) {
    const stats = await runGroup(group, options);
    options.onGroup?.(stats);
    all.push(stats);
  }
  return all;
}

async function runGroup(group: Group, options: RunOptions): Promise<GroupStats> {
  const start = performance.now();
  const batchSize = options.batchSize ?? 256;
  const keep = options.keepFailures ?? 5;
  const stats: GroupStats = {
    group,
    cases: 0,
    passed: 0,
    mismatched: 0,
    unimplemented: 0,
    forms: group.forms.map((f) => ({
      form: f.name,
      cases: 0,
      passed: 0,
      mismatched: 0,
      unimplemented: 0,
    })),
    failures: [],
    ms: 0,
  };
  const formIndex = new Map(group.forms.map((f, i) => [f.name, i]));
  const total = options.casesPerGroup;
  const makeBatch = (from: number): DiffCase[] => {
    const batch: DiffCase[] = [];
    for (let i = from; i < Math.min(total, from + batchSize); i++) {
      batch.push(generateCase(group, options.seed, i));
    }
    return batch;
  };
  let unimplementedKept = 0;
  let batch = makeBatch(0);
  let nativePromise = options.native.run(batch);
  for (let from = 0; from < total; from += batchSize) {
    const nativeResults = await nativePromise;
    const current = batch;
    if (from + batchSize < total) {
      batch = makeBatch(from + batchSize);
      nativePromise = options.native.run(batch);
    }
    for (let k = 0; k < current.length; k++) {
      if (k % 64 === 63) await yieldToEventLoop();
      const c = current[k];
      const soft = options.soft.run(c);
      const verdict = compareResults(c, nativeResults[k], soft, options.soft.fpuAvailable);
      const form = stats.forms[formIndex.get(c.form) ?? 0];
      stats.cases++;
      form.cases++;
      if (verdict.verdict === "pass") {
        stats.passed++;
        form.passed++;
        continue;
      }
      if (verdict.verdict === "mismatch") {
        stats.mismatched++;
        form.mismatched++;
        const mismatches = stats.failures.filter((f) => f.verdict === "mismatch").length;
        if (mismatches < keep) stats.failures.splice(mismatches, 0, { case: c, ...verdict });
      } else {
        stats.unimplemented++;
        form.unimplemented++;
        if (unimplementedKept < 2) {
          unimplementedKept++;
          stats.failures.push({ case: c, ...verdict });
        }
      }
    }
  }
  stats.ms = performance.now() - start;
  return stats;
}

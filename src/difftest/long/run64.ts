/**
 * Runs 64-bit groups on both sides (pipelined like run.ts: the native
 * runner works on batch k + 1 while the soft CPU runs batch k) and formats
 * failures and the coverage summary.
 */
import type { Difference, Verdict } from "../compare.js";
import { vectorName } from "../layout.js";
import type { DiffCase64 } from "./case64.js";
import { compareResults64 } from "./compare64.js";
import { generateCase64, type Group64 } from "./group64.js";
import type { NativeRunner64 } from "./native-runner64.js";
import type { SoftRunner64 } from "./soft-runner64.js";
import { reg64Name } from "./builder64.js";

export interface FormStats64 {
  readonly form: string;
  cases: number;
  passed: number;
  mismatched: number;
  unimplemented: number;
}

export interface Failure64 {
  readonly case: DiffCase64;
  readonly verdict: Verdict;
  readonly differences: readonly Difference[];
}

export interface GroupStats64 {
  readonly group: Group64;
  cases: number;
  passed: number;
  mismatched: number;
  unimplemented: number;
  readonly forms: FormStats64[];
  /** The first failures (up to 5 mismatches, then up to 2 unimplemented). */
  readonly failures: Failure64[];
  ms: number;
}

export interface RunOptions64 {
  readonly seed: number;
  readonly groups: readonly Group64[];
  readonly casesPerGroup: number;
  readonly native: NativeRunner64;
  readonly soft: SoftRunner64;
  readonly onGroup?: (stats: GroupStats64) => void;
}

const BATCH = 256;

/** Runs every group; resolves with their statistics. */
export async function runGroups64(options: RunOptions64): Promise<GroupStats64[]> {
  const all: GroupStats64[] = [];
  for (const group of options.groups) {
    const stats = await runGroup64(group, options);
    options.onGroup?.(stats);
    all.push(stats);
  }
  return all;
}

async function runGroup64(group: Group64, o: RunOptions64): Promise<GroupStats64> {
  const start = performance.now();
  const forms = group.forms.map((f) => ({
    form: f.name,
    cases: 0,
    passed: 0,
    mismatched: 0,
    unimplemented: 0,
  }));
  const stats: GroupStats64 = {
    group,
    cases: 0,
    passed: 0,
    mismatched: 0,
    unimplemented: 0,
    forms,
    failures: [],
    ms: 0,
  };
  const formIndex = new Map(group.forms.map((f, i) => [f.name, i]));
  const makeBatch = (from: number): DiffCase64[] => {
    const batch: DiffCase64[] = [];
    for (let i = from; i < Math.min(o.casesPerGroup, from + BATCH); i++)
      batch.push(generateCase64(group, o.seed, i));
    return batch;
  };
  let unimplementedKept = 0;
  let batch = makeBatch(0);
  let pending = o.native.run(batch);
  for (let from = 0; from < o.casesPerGroup; from += BATCH) {
    const nativeResults = await pending;
    const current = batch;
    if (from + BATCH < o.casesPerGroup) {
      batch = makeBatch(from + BATCH);
      pending = o.native.run(batch);
    }
    for (let k = 0; k < current.length; k++) {
      if (k % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
      const c = current[k];
      const v = compareResults64(c, nativeResults[k], o.soft.run(c), o.soft.fpuAvailable);
      const form = forms[formIndex.get(c.form) ?? 0];
      stats.cases++;
      form.cases++;
      if (v.verdict === "pass") {
        stats.passed++;
        form.passed++;
      } else if (v.verdict === "mismatch") {
        stats.mismatched++;
        form.mismatched++;
        const kept = stats.failures.filter((f) => f.verdict === "mismatch").length;
        if (kept < 5) stats.failures.splice(kept, 0, { case: c, ...v });
      } else {
        stats.unimplemented++;
        form.unimplemented++;
        if (unimplementedKept++ < 2) stats.failures.push({ case: c, ...v });
      }
    }
  }
  stats.ms = performance.now() - start;
  return stats;
}

/** A group's status word. */
export function groupStatus64(s: GroupStats64): string {
  if (s.mismatched > 0) return "MISMATCH";
  if (s.unimplemented === s.cases && s.cases > 0) return "not implemented yet";
  if (s.unimplemented > 0) return "partly implemented";
  return "pass";
}

/** One failing case in full: code, inputs, differences. */
export function formatFailure64(f: Failure64, seed: number): string {
  const c = f.case;
  const bytes = (b: Uint8Array): string =>
    Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
  const regs = Array.from(c.gpr, (v, i) => `${reg64Name(i, 64)}=${v.toString(16)}`).join(" ");
  const lines = [
    `[${c.group}] ${c.form} — case ${c.index} (seed ${seed}): ${c.text}`,
    `  code: ${bytes(c.code)}`,
    `  in:   ${regs} rflags=${c.rflags.toString(16)}`,
    `  ${{ unimplemented: "not implemented (soft #UD)", mismatch: "mismatch", pass: "no differences" }[f.verdict]}:`,
  ];
  for (const d of f.differences)
    lines.push(`    ${d.field.padEnd(14)} native ${d.native}  soft ${d.soft}`);
  return lines.join("\n");
}

/** Forms with failures, one line each. */
export function formatFormProblems64(s: GroupStats64): string[] {
  return s.forms
    .filter((f) => f.mismatched > 0 || f.unimplemented > 0)
    .map(
      (f) =>
        `  ${s.group.name}: ${f.form}: ${f.mismatched} mismatched, ${f.unimplemented} unimplemented of ${f.cases}`,
    );
}

/** The coverage table: one line per group and a total. */
export function formatSummary64(all: readonly GroupStats64[], gated: ReadonlySet<string>): string {
  const lines = [
    "group          gate  cases    pass     mismatch unimpl   forms (verified/exercised)  ms     status",
  ];
  let cases = 0;
  let exercised = 0;
  let verified = 0;
  for (const s of all) {
    const ex = s.forms.filter((f) => f.cases > 0).length;
    const ok = s.forms.filter((f) => f.cases > 0 && f.passed === f.cases).length;
    cases += s.cases;
    exercised += ex;
    verified += ok;
    lines.push(
      [
        s.group.name.padEnd(14),
        (gated.has(s.group.name) ? "yes" : "no").padEnd(5),
        String(s.cases).padEnd(8),
        String(s.passed).padEnd(8),
        String(s.mismatched).padEnd(8),
        String(s.unimplemented).padEnd(8),
        `${ok}/${ex}`.padEnd(27),
        String(Math.round(s.ms)).padEnd(6),
        groupStatus64(s),
      ].join(" "),
    );
  }
  lines.push(`total: ${cases} cases, ${exercised} forms exercised, ${verified} verified`);
  return lines.join("\n");
}

/** Vector name re-export for callers that print results. */
export { vectorName };

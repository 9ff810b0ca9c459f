/**
 * Human-readable output: one failing case in full (bytes, text, inputs,
 * native vs soft), and the coverage summary (forms and cases per group).
 */
import type { CaseResult, DiffCase } from "./case.js";
import { FX_FCW, FX_FSW, FX_FTW, FX_ST, readU16 } from "./fxsave.js";
import { REG32_NAMES, vectorName } from "./layout.js";
import type { Failure, GroupStats } from "./run.js";

const EMPTY_RESULT: CaseResult = {
  vector: 0,
  errorCode: 0,
  cr2: 0,
  eip: 0,
  gpr: new Uint32Array(8),
  eflags: 0,
  fxsave: new Uint8Array(512),
  data: new Uint8Array(0),
};

function h32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, "0");
}

function bytesText(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** The case's inputs: registers, flags, and the initial data it placed. */
export function caseInputs(c: DiffCase): string {
  const regs = REG32_NAMES.map((n, i) => `${n}=${h32(c.gpr[i])}`).join(" ");
  const lines = [`  in:   ${regs} eflags=${h32(c.eflags)}`];
  for (const span of c.dataInit.slice(0, 4)) {
    lines.push(
      `  data: [${h32(0x10000000 + span.offset)}] ${bytesText(span.bytes.subarray(0, 32))}`,
    );
  }
  if (c.undefinedFlags !== 0) lines.push(`  undefined flags ignored: ${h32(c.undefinedFlags)}`);
  if (c.compareFpu)
    lines.push(
      formatResult("fpu in", { ...EMPTY_RESULT, fxsave: c.fxsave }, true)
        .split("\n")
        .slice(2)
        .join("\n"),
    );
  return lines.join("\n");
}

/** One failing case in full. */
export function formatFailure(f: Failure, seed: number): string {
  const c = f.case;
  const head = `[${c.group}] ${c.form} — case ${c.index} (seed ${seed}): ${c.text}`;
  const lines = [head, `  code: ${bytesText(c.code)}`, caseInputs(c)];
  const label = f.verdict === "unimplemented" ? "not implemented (soft #UD)" : "mismatch";
  lines.push(`  ${label}:`);
  for (const d of f.differences) {
    lines.push(`    ${d.field.padEnd(14)} native ${d.native}  soft ${d.soft}`);
  }
  return lines.join("\n");
}

/** A group's status word for the summary. */
export function groupStatus(s: GroupStats): string {
  if (s.mismatched > 0) return "MISMATCH";
  if (s.unimplemented === s.cases && s.cases > 0) return "not implemented yet";
  if (s.unimplemented > 0) return "partly implemented";
  return "pass";
}

/** Forms the run exercised, and those whose every case passed. */
export function formCounts(s: GroupStats): { total: number; exercised: number; verified: number } {
  const exercised = s.forms.filter((f) => f.cases > 0).length;
  const verified = s.forms.filter((f) => f.cases > 0 && f.passed === f.cases).length;
  return { total: s.forms.length, exercised, verified };
}

/** The coverage table: one line per group and a total line. */
export function formatSummary(all: readonly GroupStats[], gated: ReadonlySet<string>): string {
  const lines = [
    "group          gate  cases    pass     mismatch unimpl   forms (verified/exercised)  ms     status",
  ];
  let cases = 0;
  let forms = 0;
  let verified = 0;
  for (const s of all) {
    const f = formCounts(s);
    cases += s.cases;
    forms += f.exercised;
    verified += f.verified;
    lines.push(
      [
        s.group.name.padEnd(14),
        (gated.has(s.group.name) ? "yes" : "no").padEnd(5),
        String(s.cases).padEnd(8),
        String(s.passed).padEnd(8),
        String(s.mismatched).padEnd(8),
        String(s.unimplemented).padEnd(8),
        `${f.verified}/${f.exercised}`.padEnd(27),
        String(Math.round(s.ms)).padEnd(6),
        groupStatus(s),
      ].join(" "),
    );
  }
  lines.push(`total: ${cases} cases, ${forms} forms exercised, ${verified} verified`);
  return lines.join("\n");
}

/** Forms with failures, one line each (for the groups that are not all green). */
export function formatFormProblems(s: GroupStats): string[] {
  return s.forms
    .filter((f) => f.mismatched > 0 || f.unimplemented > 0)
    .map(
      (f) =>
        `  ${s.group.name}: ${f.form}: ${f.mismatched} mismatched, ${f.unimplemented} unimplemented of ${f.cases}`,
    );
}

/** Everything a result holds, for `--case` output. */
export function formatResult(label: string, r: CaseResult, fpu: boolean): string {
  const lines = [
    `  ${label}: ${vectorName(r.vector)}${r.detail !== undefined ? ` (${r.detail})` : ""} eip=${h32(r.eip)} err=${h32(r.errorCode)} cr2=${h32(r.cr2)}`,
    `    ${REG32_NAMES.map((n, i) => `${n}=${h32(r.gpr[i])}`).join(" ")} eflags=${h32(r.eflags)}`,
  ];
  if (fpu) {
    const fx = r.fxsave;
    const st = [];
    for (let i = 0; i < 8; i++) {
      const off = FX_ST + 16 * i;
      const sig = Array.from(fx.subarray(off, off + 8), (x) => x.toString(16).padStart(2, "0"))
        .reverse()
        .join("");
      st.push(
        `st${i}=${readU16(fx, off + 8)
          .toString(16)
          .padStart(4, "0")}:${sig}`,
      );
    }
    lines.push(
      `    fcw=${readU16(fx, FX_FCW).toString(16)} fsw=${readU16(fx, FX_FSW).toString(16)} ftw=${fx[FX_FTW].toString(2).padStart(8, "0")}`,
      `    ${st.slice(0, 4).join(" ")}`,
      `    ${st.slice(4).join(" ")}`,
    );
  }
  return lines.join("\n");
}

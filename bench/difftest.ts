/**
 * On-demand differential run of the soft CPU against the host CPU
 * (docs/DIFFTEST.md). Runs N cases (default one million) spread over all
 * instruction groups, 32-bit and 64-bit mode (src/difftest/long/), prints per-group counts, mismatches and the forms
 * covered, and exits with status 1 if a gated group has a mismatch.
 *
 *   node dist/bench/difftest.js [--cases N] [--per-group N] [--seed S]
 *        [--groups a,b] [--show K] [--case group#index] [--list]
 */
import { GATED_GROUPS } from "../src/difftest/gating.js";
import { generateCase } from "../src/difftest/groups/group.js";
import { ALL_GROUPS, findGroup } from "../src/difftest/groups/index.js";
import { NativeRunner, prepareNativeRunner } from "../src/difftest/native-runner.js";
import { compareResults } from "../src/difftest/compare.js";
import {
  caseInputs,
  formatFailure,
  formatFormProblems,
  formatResult,
  formatSummary,
  groupStatus,
} from "../src/difftest/report.js";
import { runGroups } from "../src/difftest/run.js";
import { SoftRunner } from "../src/difftest/soft-runner.js";
import { generateCase64 } from "../src/difftest/long/group64.js";
import { ALL_GROUPS_64, findGroup64 } from "../src/difftest/long/groups64.js";
import { NativeRunner64, prepareNativeRunner64 } from "../src/difftest/long/native-runner64.js";
import { compareResults64 } from "../src/difftest/long/compare64.js";
import {
  formatFailure64,
  formatFormProblems64,
  formatSummary64,
  groupStatus64,
  runGroups64,
} from "../src/difftest/long/run64.js";
import { SoftRunner64 } from "../src/difftest/long/soft-runner64.js";

interface Options {
  cases: number;
  perGroup: number | null;
  seed: number;
  groups: string[] | null;
  show: number;
  one: string | null;
  list: boolean;
}

function usage(message: string): never {
  console.error(`difftest: ${message}`);
  console.error(
    "usage: difftest [--cases N] [--per-group N] [--seed S] [--groups a,b] [--show K] [--case group#index] [--list]",
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    cases: 1_000_000,
    perGroup: null,
    seed: 1,
    groups: null,
    show: 3,
    one: null,
    list: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    const count = (): number => {
      const v = Number(value());
      if (!Number.isSafeInteger(v) || v < 0) usage(`${arg} needs a non-negative integer`);
      return v;
    };
    if (arg === "--cases") o.cases = count();
    else if (arg === "--per-group") o.perGroup = count();
    else if (arg === "--seed") o.seed = count();
    else if (arg === "--show") o.show = count();
    else if (arg === "--groups") o.groups = value().split(",");
    else if (arg === "--case") o.one = value();
    else if (arg === "--list") o.list = true;
    else usage(`unknown argument ${arg}`);
  }
  for (const g of o.groups ?? [])
    if (findGroup(g) === undefined && findGroup64(g) === undefined)
      usage(`no group "${g}" (see --list)`);
  return o;
}

async function runOne(
  spec: string,
  seed: number,
  native: NativeRunner,
  soft: SoftRunner,
): Promise<void> {
  const [name, index] = spec.split("#");
  const group = findGroup(name);
  if (group === undefined || !/^\d+$/.test(index ?? ""))
    usage(`--case wants group#index, got "${spec}"`);
  const c = generateCase(group, seed, Number(index));
  const [n] = await native.run([c]);
  const s = soft.run(c);
  const verdict = compareResults(c, n, s, soft.fpuAvailable);
  console.log(`[${c.group}] ${c.form} — case ${c.index} (seed ${seed}): ${c.text}`);
  console.log(`  code: ${Array.from(c.code, (x) => x.toString(16).padStart(2, "0")).join(" ")}`);
  console.log(caseInputs(c));
  console.log(formatResult("native", n, c.compareFpu));
  console.log(formatResult("soft", s, c.compareFpu));
  console.log(`  verdict: ${verdict.verdict}`);
  for (const d of verdict.differences)
    console.log(`    ${d.field}: native ${d.native}, soft ${d.soft}`);
}

/** `--case` for a 64-bit group: both results and the differences. */
async function runOne64(spec: string, seed: number): Promise<number> {
  const [name, index] = spec.split("#");
  const group = findGroup64(name);
  if (group === undefined || !/^\d+$/.test(index ?? ""))
    usage(`--case wants group#index, got "${spec}"`);
  const build = prepareNativeRunner64();
  if ("skip" in build) {
    console.error(`difftest: cannot run here: ${build.skip}`);
    return 2;
  }
  const native = new NativeRunner64(build.path);
  const soft = new SoftRunner64();
  try {
    const c = generateCase64(group, seed, Number(index));
    const [n] = await native.run([c]);
    const s = soft.run(c);
    const verdict = compareResults64(c, n, s, soft.fpuAvailable);
    console.log(formatFailure64({ case: c, ...verdict }, seed));
    for (const [label, r] of [
      ["native", n],
      ["soft", s],
    ] as const) {
      const regs = Array.from(r.gpr, (v) => v.toString(16)).join(" ");
      console.log(
        `  ${label}: vector ${r.vector} rip=${r.rip.toString(16)} rflags=${r.rflags.toString(16)} gprs ${regs}`,
      );
    }
    console.log(`  verdict: ${verdict.verdict}`);
    return 0;
  } finally {
    native.close();
    soft.destroy();
  }
}

/** Runs the 64-bit groups; returns the gated failures. */
async function run64(groups: typeof ALL_GROUPS_64, perGroup: number, o: Options): Promise<number> {
  if (groups.length === 0) return 0;
  const build = prepareNativeRunner64();
  if ("skip" in build) {
    console.error(`difftest: 64-bit mode cannot run here: ${build.skip}`);
    return 0;
  }
  const native = new NativeRunner64(build.path);
  const soft = new SoftRunner64();
  try {
    console.log(
      `difftest 64-bit: seed ${o.seed}, ${perGroup} cases in each of ${groups.length} groups`,
    );
    const stats = await runGroups64({
      seed: o.seed,
      groups,
      casesPerGroup: perGroup,
      native,
      soft,
      onGroup: (s) => {
        const rate = Math.round(s.cases / (s.ms / 1000));
        console.log(`  ${s.group.name}: ${groupStatus64(s)} (${s.cases} cases, ${rate}/s)`);
      },
    });
    let gatedFailures = 0;
    for (const s of stats) {
      if (s.mismatched + s.unimplemented === 0) continue;
      if (GATED_GROUPS.has(s.group.name)) gatedFailures += s.mismatched + s.unimplemented;
      console.log(`\n${s.group.name}: ${groupStatus64(s)}`);
      for (const line of formatFormProblems64(s)) console.log(line);
      for (const f of s.failures.slice(0, o.show)) console.log(formatFailure64(f, o.seed));
    }
    console.log("");
    console.log(formatSummary64(stats, GATED_GROUPS));
    return gatedFailures;
  } finally {
    native.close();
    soft.destroy();
  }
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const groups =
    o.groups === null ? ALL_GROUPS : ALL_GROUPS.filter((g) => o.groups?.includes(g.name));
  const groups64 =
    o.groups === null ? ALL_GROUPS_64 : ALL_GROUPS_64.filter((g) => o.groups?.includes(g.name));
  if (o.list) {
    for (const g of ALL_GROUPS) {
      console.log(
        `${g.name} (${g.forms.length} forms${GATED_GROUPS.has(g.name) ? ", gated" : ""}): ${g.title}`,
      );
      for (const f of g.forms) console.log(`  ${f.name}`);
    }
    for (const g of ALL_GROUPS_64) {
      const gate = GATED_GROUPS.has(g.name) ? ", gated" : "";
      console.log(`${g.name} (${g.forms.length} forms${gate}): ${g.title}`);
      for (const f of g.forms) console.log(`  ${f.name}`);
    }
    return 0;
  }
  if (o.one !== null && findGroup64(o.one.split("#")[0]) !== undefined)
    return runOne64(o.one, o.seed);
  const perGroup = o.perGroup ?? Math.ceil(o.cases / (groups.length + groups64.length));
  if (groups.length === 0) return (await run64(groups64, perGroup, o)) > 0 ? 1 : 0;
  const build = prepareNativeRunner();
  if ("skip" in build) {
    console.error(`difftest: cannot run here: ${build.skip}`);
    return 2;
  }
  const native = new NativeRunner(build.path);
  const soft = new SoftRunner();
  try {
    if (o.one !== null) {
      await runOne(o.one, o.seed, native, soft);
      return 0;
    }
    console.log(`difftest: seed ${o.seed}, ${perGroup} cases in each of ${groups.length} groups`);
    const start = performance.now();
    const stats = await runGroups({
      seed: o.seed,
      groups,
      casesPerGroup: perGroup,
      native,
      soft,
      onGroup: (s) => {
        const rate = Math.round(s.cases / (s.ms / 1000));
        console.log(`  ${s.group.name}: ${groupStatus(s)} (${s.cases} cases, ${rate}/s)`);
      },
    });
    let gatedFailures = 0;
    for (const s of stats) {
      if (s.mismatched + s.unimplemented === 0) continue;
      if (GATED_GROUPS.has(s.group.name)) gatedFailures += s.mismatched + s.unimplemented;
      console.log(`\n${s.group.name}: ${groupStatus(s)}`);
      for (const line of formatFormProblems(s)) console.log(line);
      for (const f of s.failures.slice(0, o.show)) console.log(formatFailure(f, o.seed));
    }
    console.log("");
    console.log(formatSummary(stats, GATED_GROUPS));
    gatedFailures += await run64(groups64, perGroup, o);
    console.log(`time: ${((performance.now() - start) / 1000).toFixed(1)} s`);
    return gatedFailures > 0 ? 1 : 0;
  } finally {
    native.close();
    soft.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(2);
  },
);

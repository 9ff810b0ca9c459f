/**
 * On-demand differential run of the soft CPU against the host CPU
 * (docs/DIFFTEST.md). Runs N cases (default one million) spread over all
 * instruction groups, prints per-group counts, mismatches and the forms
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
    if (findGroup(g) === undefined) usage(`no group "${g}" (see --list)`);
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

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const groups =
    o.groups === null ? ALL_GROUPS : ALL_GROUPS.filter((g) => o.groups?.includes(g.name));
  if (o.list) {
    for (const g of ALL_GROUPS) {
      console.log(
        `${g.name} (${g.forms.length} forms${GATED_GROUPS.has(g.name) ? ", gated" : ""}): ${g.title}`,
      );
      for (const f of g.forms) console.log(`  ${f.name}`);
    }
    return 0;
  }
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
    const perGroup = o.perGroup ?? Math.ceil(o.cases / groups.length);
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

/**
 * The differential test of the soft CPU against the host CPU (issue 3): every
 * instruction group of src/difftest/groups runs CASES_PER_GROUP generated
 * cases with a fixed seed on both sides and compares registers, flags,
 * memory and x87/MMX state.
 *
 * Groups listed in src/difftest/gating.ts must match completely (any
 * mismatch or soft #UD fails CI). The others run as `todo` subtests: their
 * results are printed — "not implemented yet", "partly implemented" or the
 * mismatches — without failing the run. Skipped, with the reason, where the
 * native runner cannot be built or run (not x86-64 Linux, no gcc -m32).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { GATED_GROUPS } from "../../src/difftest/gating.js";
import { ALL_GROUPS } from "../../src/difftest/groups/index.js";
import { NativeRunner, prepareNativeRunner } from "../../src/difftest/native-runner.js";
import {
  formatFailure,
  formatFormProblems,
  formatSummary,
  groupStatus,
} from "../../src/difftest/report.js";
import { type GroupStats, runGroups } from "../../src/difftest/run.js";
import { SoftRunner } from "../../src/difftest/soft-runner.js";

const SEED = 0x7d1ff;
const CASES_PER_GROUP = 1000;

const build = prepareNativeRunner();
const skip = "skip" in build ? build.skip : false;
let native: NativeRunner | null = null;
let soft: SoftRunner | null = null;
const results: GroupStats[] = [];

before(() => {
  if ("path" in build) {
    native = new NativeRunner(build.path);
    soft = new SoftRunner();
  }
});

after(() => {
  native?.close();
  soft?.destroy();
  if (results.length > 0) {
    console.log(`\ndifferential test, seed ${SEED}, ${CASES_PER_GROUP} cases per group:`);
    console.log(formatSummary(results, GATED_GROUPS));
  }
});

for (const group of ALL_GROUPS) {
  const gated = GATED_GROUPS.has(group.name);
  test(
    `difftest ${group.name}: ${group.title}`,
    { skip, todo: gated ? false : "not in the gating list yet (src/difftest/gating.ts)" },
    async () => {
      if (native === null || soft === null) throw new Error("native runner not started");
      const [stats] = await runGroups({
        seed: SEED,
        groups: [group],
        casesPerGroup: CASES_PER_GROUP,
        native,
        soft,
      });
      results.push(stats);
      const bad = stats.mismatched + stats.unimplemented;
      const details = [
        `${group.name}: ${groupStatus(stats)} — ${stats.mismatched} mismatched, ${stats.unimplemented} not implemented, of ${stats.cases}`,
        ...formatFormProblems(stats).slice(0, 20),
        ...stats.failures.map((f) => formatFailure(f, SEED)),
      ].join("\n");
      if (bad > 0 && !gated) console.log(details);
      assert.equal(bad, 0, details);
      assert.equal(stats.cases, CASES_PER_GROUP);
    },
  );
}

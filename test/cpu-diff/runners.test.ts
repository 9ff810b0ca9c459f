/**
 * Both runners on hand-written cases with known outcomes (so each side is
 * checked on its own, not only against the other), and the tester's own
 * sanity check: a deliberately wrong soft result must be reported.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { type CaseResult, type DiffCase, manualCase } from "../../src/difftest/case.js";
import { defaultFxsave, FX_FSW, FX_FTW, FX_ST, readU16 } from "../../src/difftest/fxsave.js";
import { findGroup } from "../../src/difftest/groups/index.js";
import {
  CF,
  CODE_ADDR,
  DATA_ADDR,
  VEC_BP,
  VEC_DE,
  VEC_GP,
  VEC_PF,
  VEC_UD,
} from "../../src/difftest/layout.js";
import { NativeRunner, prepareNativeRunner } from "../../src/difftest/native-runner.js";
import { runGroups } from "../../src/difftest/run.js";
import { SoftRunner } from "../../src/difftest/soft-runner.js";

interface Expectation {
  readonly name: string;
  readonly c: DiffCase;
  readonly vector: number;
  readonly eip: number;
  readonly errorCode?: number;
  readonly cr2?: number;
  readonly gpr?: readonly number[];
  readonly eflags?: number;
  readonly check?: (r: CaseResult) => void;
}

const fx = defaultFxsave;
const zeroData = (r: CaseResult): void =>
  assert.ok(
    r.data.every((b) => b === 0),
    "the data area is untouched",
  );

const EXPECTATIONS: Expectation[] = [
  {
    name: "add eax, ebx ends at the INT3 marker",
    c: manualCase({ code: [0x01, 0xd8], gpr: [1, 0, 0, 2, 0, 0, 0, 0] }, fx()),
    vector: VEC_BP,
    eip: CODE_ADDR + 3,
    gpr: [3, 0, 0, 2, 0, 0, 0, 0],
    eflags: 0x206, // PF: 3 has two bits set
  },
  {
    name: "div ecx by zero: #DE at the instruction",
    c: manualCase({ code: [0xf7, 0xf1], gpr: [5, 0, 0, 0, 0, 0, 0, 0] }, fx()),
    vector: VEC_DE,
    eip: CODE_ADDR,
  },
  { name: "ud2", c: manualCase({ code: [0x0f, 0x0b] }, fx()), vector: VEC_UD, eip: CODE_ADDR },
  {
    name: "read past the data area: #PF, user read of a missing page",
    c: manualCase({ code: [0xa1, 0x00, 0x20, 0x00, 0x10] }, fx()),
    vector: VEC_PF,
    eip: CODE_ADDR,
    errorCode: 4,
    cr2: DATA_ADDR + 0x2000,
  },
  {
    name: "write past the data area: #PF with W",
    c: manualCase({ code: [0xa3, 0x08, 0x20, 0x00, 0x10] }, fx()),
    vector: VEC_PF,
    eip: CODE_ADDR,
    errorCode: 6,
    cr2: DATA_ADDR + 0x2008,
  },
  {
    name: "hlt at CPL 3: #GP(0)",
    c: manualCase({ code: [0xf4] }, fx()),
    vector: VEC_GP,
    eip: CODE_ADDR,
    errorCode: 0,
  },
  {
    name: "a wild ESP does not matter, and nothing lands in the data area",
    c: manualCase({ code: [0x90], gpr: [0, 0, 0, 0, 0xdeadbeef, 0, 0, 0] }, fx()),
    vector: VEC_BP,
    eip: CODE_ADDR + 2,
    check: zeroData,
  },
  {
    name: "ESP inside the data area: the end marker leaves it untouched",
    c: manualCase({ code: [0x90], gpr: [0, 0, 0, 0, DATA_ADDR + 0x1000, 0, 0, 0] }, fx()),
    vector: VEC_BP,
    eip: CODE_ADDR + 2,
    check: zeroData,
  },
  {
    name: "push stores into the data area",
    c: manualCase({ code: [0x50], gpr: [0x11223344, 0, 0, 0, DATA_ADDR + 0x100, 0, 0, 0] }, fx()),
    vector: VEC_BP,
    eip: CODE_ADDR + 2,
    gpr: [0x11223344, 0, 0, 0, DATA_ADDR + 0xfc, 0, 0, 0],
    check: (r) => assert.deepEqual([...r.data.subarray(0xfc, 0x100)], [0x44, 0x33, 0x22, 0x11]),
  },
  {
    name: "fld1: x87 state comes back through the FXSAVE image",
    c: manualCase({ code: [0xd9, 0xe8], compareFpu: true }, fx()),
    vector: VEC_BP,
    eip: CODE_ADDR + 3,
    check: (r) => {
      assert.equal((readU16(r.fxsave, FX_FSW) >> 11) & 7, 7, "TOP 7");
      assert.equal(r.fxsave[FX_FTW], 0x80, "R7 valid");
      assert.equal(readU16(r.fxsave, FX_ST + 8), 0x3fff);
      assert.equal(r.fxsave[FX_ST + 7], 0x80);
    },
  },
];

function checkAll(results: readonly CaseResult[]): void {
  EXPECTATIONS.forEach((e, i) => {
    const r = results[i];
    assert.equal(r.vector, e.vector, `${e.name}: vector`);
    assert.equal(r.eip, e.eip, `${e.name}: eip`);
    if (e.errorCode !== undefined) assert.equal(r.errorCode, e.errorCode, `${e.name}: error code`);
    if (e.cr2 !== undefined) assert.equal(r.cr2, e.cr2, `${e.name}: cr2`);
    if (e.gpr !== undefined) assert.deepEqual([...r.gpr], e.gpr, `${e.name}: gprs`);
    if (e.eflags !== undefined)
      assert.equal(r.eflags & 0x8d5, e.eflags & 0x8d5, `${e.name}: flags`);
    e.check?.(r);
  });
}

const build = prepareNativeRunner();
const skip = "skip" in build ? build.skip : false;
let native: NativeRunner | null = null;
const nativeRunner = (): NativeRunner => {
  if (!("path" in build)) throw new Error("no native runner");
  native ??= new NativeRunner(build.path);
  return native;
};
after(() => native?.close());

test("soft runner: known outcomes", () => {
  const soft = new SoftRunner();
  try {
    // Copy each result's data: it is a view of the soft RAM, reused by the next run.
    checkAll(
      EXPECTATIONS.map((e) => {
        const r = soft.run(e.c);
        return { ...r, data: Uint8Array.from(r.data) };
      }),
    );
  } finally {
    soft.destroy();
  }
});

test("native runner: known outcomes", { skip }, async () => {
  checkAll(await nativeRunner().run(EXPECTATIONS.map((e) => e.c)));
});

test("the tester reports a wrong soft result (flipped CF every 50th case)", { skip }, async () => {
  const soft = new SoftRunner();
  const run = soft.run.bind(soft);
  let n = 0;
  soft.run = (c) => {
    const r = run(c);
    return ++n % 50 === 0 ? { ...r, eflags: r.eflags ^ CF } : r;
  };
  const group = findGroup("alu-rr");
  assert.ok(group !== undefined);
  const [stats] = await runGroups({
    seed: 3,
    groups: [group],
    casesPerGroup: 200,
    native: nativeRunner(),
    soft,
  });
  soft.destroy();
  assert.equal(stats.mismatched, 4);
  assert.equal(stats.passed, 196);
  assert.ok(stats.failures.every((f) => f.differences.some((d) => d.field === "eflags")));
});

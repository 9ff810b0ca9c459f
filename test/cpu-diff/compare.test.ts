import assert from "node:assert/strict";
import { test } from "node:test";
import { type CaseResult, type DiffCase, manualCase } from "../../src/difftest/case.js";
import { compareResults, ulpDistance } from "../../src/difftest/compare.js";
import { defaultFxsave, FX_FSW, FX_FTW, FX_ST, writeU16 } from "../../src/difftest/fxsave.js";
import { AF, CF, RF, VEC_BP, VEC_PF, VEC_UD } from "../../src/difftest/layout.js";

function result(over: Partial<CaseResult> = {}): CaseResult {
  return {
    vector: VEC_BP,
    errorCode: 0,
    cr2: 0,
    eip: 0x20000003,
    gpr: Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    eflags: 0x202,
    fxsave: defaultFxsave(),
    data: new Uint8Array(0x2000),
    ...over,
  };
}

const plain: DiffCase = manualCase({ code: [0x90] }, defaultFxsave());

test("identical results pass; every compared field is checked", () => {
  assert.equal(compareResults(plain, result(), result(), true).verdict, "pass");
  const gpr = Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 9);
  const v = compareResults(plain, result(), result({ gpr }), true);
  assert.equal(v.verdict, "mismatch");
  assert.deepEqual(v.differences, [{ field: "edi", native: "00000008", soft: "00000009" }]);
  assert.equal(
    compareResults(plain, result(), result({ eip: 0x20000004 }), true).differences[0].field,
    "eip",
  );
  assert.equal(
    compareResults(plain, result(), result({ eflags: 0x202 | CF }), true).differences[0].field,
    "eflags",
  );
  const data = new Uint8Array(0x2000);
  data[0x123] = 1;
  const d = compareResults(plain, result(), result({ data }), true).differences[0];
  assert.deepEqual(d, { field: "mem 10000123", native: "00", soft: "01" });
});

test("undefined flags, undefined registers and RF are ignored; nothing else is", () => {
  const c: DiffCase = { ...plain, undefinedFlags: AF, undefinedRegs: 1 << 2 };
  const gpr = Uint32Array.of(1, 2, 99, 4, 5, 6, 7, 8);
  assert.equal(
    compareResults(c, result(), result({ eflags: 0x202 | AF | RF, gpr }), true).verdict,
    "pass",
  );
  assert.equal(
    compareResults(c, result(), result({ eflags: 0x202 | CF }), true).verdict,
    "mismatch",
  );
});

test("a soft #UD where the host ran is 'unimplemented'; vectors and fault details compared", () => {
  assert.equal(
    compareResults(plain, result(), result({ vector: VEC_UD }), true).verdict,
    "unimplemented",
  );
  assert.equal(
    compareResults(plain, result({ vector: VEC_UD }), result({ vector: VEC_UD }), true).verdict,
    "pass",
  );
  assert.equal(
    compareResults(plain, result({ vector: VEC_UD }), result(), true).verdict,
    "mismatch",
  );
  const pf = { vector: VEC_PF, errorCode: 6, cr2: 0x10002000 };
  assert.equal(compareResults(plain, result(pf), result(pf), true).verdict, "pass");
  const fields = compareResults(
    plain,
    result(pf),
    result({ ...pf, errorCode: 7, cr2: 0x10002001 }),
    true,
  ).differences.map((x) => x.field);
  assert.deepEqual(fields, ["error code", "cr2"]);
});

test("x87 state: non-empty registers, tags, status word (minus undefined bits)", () => {
  const c: DiffCase = { ...plain, compareFpu: true, undefinedFsw: 0x4500 };
  const native = defaultFxsave();
  native[FX_FTW] = 0x01; // R0 valid (TOP 0: ST(0))
  native[FX_ST + 9] = 0x3f;
  const soft = Uint8Array.from(native);
  soft[FX_ST + 16 * 3] = 0x55; // ST(3) is empty: its contents do not matter
  writeU16(soft, FX_FSW, 0x4100); // C3/C0 are undefined for this case
  assert.equal(
    compareResults(c, result({ fxsave: native }), result({ fxsave: soft }), true).verdict,
    "pass",
  );
  soft[FX_ST] = 1;
  assert.deepEqual(
    compareResults(c, result({ fxsave: native }), result({ fxsave: soft }), true).differences.map(
      (x) => x.field,
    ),
    ["st0"],
  );
  assert.equal(
    compareResults({ ...c, fpuUlps: 1 }, result({ fxsave: native }), result({ fxsave: soft }), true)
      .verdict,
    "pass",
  );
  assert.equal(compareResults(c, result(), result(), false).verdict, "unimplemented");
});

test("ulp distance counts representable values, across exponents too", () => {
  const f = (se: number, sig: bigint): Uint8Array => {
    const b = new Uint8Array(16);
    for (let i = 0; i < 8; i++) b[i] = Number((sig >> BigInt(8 * i)) & 0xffn);
    writeU16(b, 8, se);
    return b;
  };
  assert.equal(ulpDistance(f(0x3fff, 1n << 63n), f(0x3fff, (1n << 63n) + 2n), 0), 2);
  // The largest significand below 2 and 2.0 are neighbours.
  assert.equal(ulpDistance(f(0x3fff, (1n << 64n) - 1n), f(0x4000, 1n << 63n), 0), 1);
  assert.equal(ulpDistance(f(0x3fff, 1n << 63n), f(0xbfff, 1n << 63n), 0), Infinity);
});

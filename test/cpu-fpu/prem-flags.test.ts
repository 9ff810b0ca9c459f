/**
 * FPREM / FPREM1 condition codes and results in the cases beside a complete
 * reduction (SDM vol. 2, FPREM and FPREM1; the host CPU in the differential
 * tester agrees with every expectation here):
 * - complete: C2 = 0 and C0, C3, C1 = quotient bits Q2, Q1, Q0;
 * - partial (exponents 64 or more apart): C2 = 1 and C0 = C1 = C3 = 0 — the
 *   SDM's Operation assigns only C2 there, the quotient bits of a partial
 *   step mean nothing, and the host clears them;
 * - invalid operand, NaN operand or stack underflow: C2 = 0 ("reduction
 *   complete" is all software may loop on), C1 = 0, C0 and C3 unchanged.
 * A pseudo-denormal remainder comes back in its normal encoding (exponent
 * field 1; SDM vol. 1, 8.2.2: its value is that of exponent 1).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { C0, C1, C2, C3, CC, DE, FLAGS, IE, INDEFINITE, runX87, SF, st, fsw } from "./x87-start.js";

const FPREM = [0xd9, 0xf8];
const FPREM1 = [0xd9, 0xf5];
const ONE = "3fff:8000000000000000";
const TWO = "4000:8000000000000000";
const ALL_CC = C0 | C1 | C2 | C3;

/** Condition codes and flags after `code` from ST(0), ST(1) and the starting codes. */
function prem(code: number[], st0: string | null, st1: string | null, cc = ALL_CC) {
  const h = runX87(code, { st: [st0, st1], fsw: cc });
  return { cc: fsw(h) & CC, flags: fsw(h) & FLAGS, st0: st(h, 0) };
}

test("complete reduction: quotient bits in C0 C3 C1, C2 = 0", () => {
  // 7 rem 2: FPREM truncates, q = 3 (Q1 = Q0 = 1), remainder 1.
  assert.deepEqual(prem(FPREM, "4001:e000000000000000", TWO, 0), {
    cc: C3 | C1,
    flags: 0,
    st0: ONE,
  });
  // FPREM1 rounds 3.5 to the even 4 (Q2 = 1): remainder -1.
  assert.deepEqual(prem(FPREM1, "4001:e000000000000000", TWO, ALL_CC), {
    cc: C0,
    flags: 0,
    st0: "bfff:8000000000000000",
  });
});

test("partial remainder: C2 = 1 and C0 C1 C3 cleared", () => {
  // 2^100 rem 3: exponents 99 apart.
  for (const code of [FPREM, FPREM1]) {
    const r = prem(code, "4063:8000000000000000", "4000:c000000000000000", C0 | C1 | C3);
    assert.equal(r.cc, C2, code.join(" "));
    assert.equal(r.flags, 0);
  }
});

test("invalid operands: IE, indefinite, C2 and C1 cleared, C0 and C3 kept", () => {
  for (const code of [FPREM, FPREM1]) {
    // x rem 0.
    assert.deepEqual(prem(code, ONE, "0000:0000000000000000"), {
      cc: C0 | C3,
      flags: IE,
      st0: INDEFINITE,
    });
    // An unnormal dividend.
    assert.deepEqual(prem(code, "747e:6e7da0a79b9c681f", "7ffd:f77a388099cbc35f", C0 | C2), {
      cc: C0,
      flags: IE,
      st0: INDEFINITE,
    });
  }
});

test("a QNaN operand: no flag, the NaN returned, C2 and C1 cleared, C0 and C3 kept", () => {
  for (const code of [FPREM, FPREM1]) {
    assert.deepEqual(prem(code, "7fff:c000000000000000", ONE), {
      cc: C0 | C3,
      flags: 0,
      st0: "7fff:c000000000000000",
    });
  }
});

test("stack underflow: IE and SF, C2 and C1 cleared", () => {
  for (const code of [FPREM, FPREM1]) {
    assert.deepEqual(prem(code, ONE, null), { cc: C0 | C3, flags: IE | SF, st0: INDEFINITE });
  }
});

test("a pseudo-denormal remainder is written with exponent field 1", () => {
  // |ST(0)| < |ST(1)|: the remainder is ST(0) itself; quotient 0.
  assert.deepEqual(prem(FPREM, "0000:8000000000000001", ONE), {
    cc: 0,
    flags: DE,
    st0: "0001:8000000000000001",
  });
  assert.deepEqual(prem(FPREM1, "8000:c000000000000000", ONE), {
    cc: 0,
    flags: DE,
    st0: "8001:c000000000000000",
  });
  // ST(1) = +∞ leaves ST(0) too.
  assert.deepEqual(prem(FPREM, "0000:8000000000000001", "7fff:8000000000000000"), {
    cc: 0,
    flags: DE,
    st0: "0001:8000000000000001",
  });
  // A true denormal stays as it is.
  assert.deepEqual(prem(FPREM, "0000:0000000000000001", ONE), {
    cc: 0,
    flags: DE,
    st0: "0000:0000000000000001",
  });
});

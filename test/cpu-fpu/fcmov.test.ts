/**
 * FCMOVcc and stack underflow (SDM vol. 2, FCMOVcc: "#IS Stack underflow
 * occurred"; vol. 1, 8.5.1.1: the masked response writes the real
 * indefinite to the destination). An empty source underflows whether or not
 * the condition holds, so ST(0) becomes the indefinite either way.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { C1, FLAGS, IE, INDEFINITE, runX87, SF, st, fsw } from "./x87-start.js";

const FCMOVB_ST1 = [0xda, 0xc1]; // moves when CF = 1
const FCMOVNB_ST1 = [0xdb, 0xc1]; // moves when CF = 0
const ONE = "3fff:8000000000000000";
const TWO = "4000:8000000000000000";
const CF = 1;

test("an empty ST(1) underflows and ST(0) gets the indefinite, condition true or false", () => {
  for (const [code, eflags, name] of [
    [FCMOVB_ST1, 2, "FCMOVB, CF = 0 (false)"],
    [FCMOVB_ST1, 2 | CF, "FCMOVB, CF = 1 (true)"],
    [FCMOVNB_ST1, 2 | CF, "FCMOVNB, CF = 1 (false)"],
  ] as const) {
    const h = runX87(code, { st: [ONE, null], eflags, fsw: C1 });
    assert.equal(st(h, 0), INDEFINITE, name);
    assert.equal(fsw(h) & (FLAGS | C1), IE | SF, name);
  }
});

test("an empty ST(0) underflows too", () => {
  const h = runX87(FCMOVB_ST1, { st: [null, TWO], eflags: 2 });
  assert.equal(st(h, 0), INDEFINITE);
  assert.equal(fsw(h) & FLAGS, IE | SF);
});

test("with both registers full the condition decides and nothing is raised", () => {
  let h = runX87(FCMOVB_ST1, { st: [ONE, TWO], eflags: 2 });
  assert.equal(st(h, 0), ONE);
  assert.equal(fsw(h) & FLAGS, 0);
  h = runX87(FCMOVB_ST1, { st: [ONE, TWO], eflags: 2 | CF });
  assert.equal(st(h, 0), TWO);
  assert.equal(fsw(h) & FLAGS, 0);
});

test("C1 is left alone when nothing underflows (SDM: set to 0 only on underflow)", () => {
  for (const eflags of [2, 2 | CF]) {
    const h = runX87(FCMOVB_ST1, { st: [ONE, TWO], eflags, fsw: C1 });
    assert.equal(fsw(h) & C1, C1);
  }
});

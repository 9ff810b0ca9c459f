/**
 * Special operands and the remaining exact operations: NaN propagation
 * (SDM vol. 1 table 4-7), invalid operations, signed zeros, infinities,
 * unmasked overflow/underflow bias, comparisons, FSCALE, FXTRACT, FPREM/FPREM1
 * and the load-constant rounding.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { F80 } from "../../src/hv/soft/cpu/fpu/f80.js";
import { FpEnv } from "../../src/hv/soft/cpu/fpu/env.js";
import { f80Add, f80Div, f80Mul, f80Sub } from "../../src/hv/soft/cpu/fpu/arith.js";
import { f80Sqrt } from "../../src/hv/soft/cpu/fpu/sqrt.js";
import { Cmp, f80Compare } from "../../src/hv/soft/cpu/fpu/compare.js";
import { f80Extract, f80Scale } from "../../src/hv/soft/cpu/fpu/scale.js";
import { f80Prem, PremResult } from "../../src/hv/soft/cpu/fpu/prem.js";
import { FpConst, loadConstant } from "../../src/hv/soft/cpu/fpu/consts.js";
import { FMT_EXT } from "../../src/hv/soft/cpu/fpu/round.js";
import { DE, exactOf, f80, IE, OE, PE, Rng, UE, ZE } from "./ref.js";

const ONE = f80(0x3fff, 0x8000000000000000n);
const TWO = f80(0x4000, 0x8000000000000000n);
const INF = f80(0x7fff, 0x8000000000000000n);
const NINF = f80(0xffff, 0x8000000000000000n);
const ZERO = f80(0, 0n);
const NZERO = f80(0x8000, 0n);
const QNAN_A = f80(0x7fff, 0xc000000000001234n);
const QNAN_B = f80(0xffff, 0xc000000000005678n);
const SNAN_A = f80(0x7fff, 0x8000000000009999n);
const UNNORMAL = f80(0x3fff, 0x4000000000000000n);
const PSEUDO_DENORMAL = f80(0, 0x8000000000000000n);
const DENORMAL = f80(0, 0x0000000000000001n);

function op2(
  fn: typeof f80Add,
  a: F80,
  b: F80,
  rc = 0,
  masks = 0x3f,
): { r: string; flags: number } {
  const env = new FpEnv();
  env.rc = rc;
  env.masks = masks;
  const out = new F80();
  fn(env, FMT_EXT, a, b, out);
  return { r: out.toString(), flags: env.flags };
}

test("NaN propagation follows the x87 rules", () => {
  // QNaN with SNaN: the QNaN wins, IE for the SNaN.
  assert.deepEqual(op2(f80Add, SNAN_A, QNAN_B), { r: "ffff:c000000000005678", flags: IE });
  // One SNaN: quieted, IE.
  assert.deepEqual(op2(f80Mul, ONE, SNAN_A), { r: "7fff:c000000000009999", flags: IE });
  // Two QNaNs: larger significand.
  assert.deepEqual(op2(f80Sub, QNAN_A, QNAN_B), { r: "ffff:c000000000005678", flags: 0 });
  // Equal significands: the positive one.
  const negA = f80(0xffff, 0xc000000000001234n);
  assert.equal(op2(f80Div, negA, QNAN_A).r, "7fff:c000000000001234");
  // Unsupported formats are invalid even next to a NaN.
  assert.deepEqual(op2(f80Add, UNNORMAL, QNAN_A), { r: "ffff:c000000000000000", flags: IE });
});

test("invalid operations give the real indefinite; zeros and infinities keep IEEE signs", () => {
  assert.deepEqual(op2(f80Sub, INF, INF), { r: "ffff:c000000000000000", flags: IE });
  assert.deepEqual(op2(f80Mul, ZERO, NINF), { r: "ffff:c000000000000000", flags: IE });
  assert.deepEqual(op2(f80Div, ZERO, NZERO), { r: "ffff:c000000000000000", flags: IE });
  assert.deepEqual(op2(f80Div, INF, NINF), { r: "ffff:c000000000000000", flags: IE });
  assert.deepEqual(op2(f80Div, ONE, NZERO), { r: "ffff:8000000000000000", flags: ZE });
  assert.deepEqual(op2(f80Div, DENORMAL, ZERO), { r: "7fff:8000000000000000", flags: ZE | DE });
  assert.equal(op2(f80Sub, ONE, ONE).r, "0000:0000000000000000");
  assert.equal(op2(f80Sub, ONE, ONE, 1).r, "8000:0000000000000000"); // -0 when rounding down
  assert.equal(op2(f80Add, NZERO, NZERO).r, "8000:0000000000000000");
  assert.equal(op2(f80Add, INF, DENORMAL).flags, DE);
  assert.equal(op2(f80Mul, NINF, TWO).r, "ffff:8000000000000000");
  const env = new FpEnv();
  const out = new F80();
  f80Sqrt(env, FMT_EXT, f80(0xbfff, 0x8000000000000000n), out);
  assert.equal(out.toString(), "ffff:c000000000000000");
  f80Sqrt(env, FMT_EXT, NZERO, out);
  assert.equal(out.toString(), "8000:0000000000000000");
  // Pseudo-denormals are accepted as operands (value of exponent 1) with DE.
  assert.deepEqual(op2(f80Add, PSEUDO_DENORMAL, ZERO), { r: "0001:8000000000000000", flags: DE });
});

test("masked overflow depends on RC; unmasked OE/UE bias the exponent by 24576", () => {
  const big = f80(0x7ffe, 0xffffffffffffffffn);
  assert.deepEqual(op2(f80Add, big, big), { r: "7fff:8000000000000000", flags: OE | PE });
  assert.deepEqual(op2(f80Add, big, big, 3), { r: "7ffe:ffffffffffffffff", flags: OE | PE });
  const neg = f80(0xfffe, 0xffffffffffffffffn);
  assert.equal(op2(f80Add, neg, neg, 2).r, "fffe:ffffffffffffffff");
  assert.equal(op2(f80Add, neg, neg, 1).r, "ffff:8000000000000000");
  // Unmasked overflow: 2·max = 2^16385 → exponent 0x7fff+1-24576.
  const un = op2(f80Add, big, big, 0, 0x3f & ~OE);
  assert.equal(un.r, (0x7fff - 24576).toString(16) + ":ffffffffffffffff");
  assert.equal(un.flags, OE);
  // Unmasked underflow on an exact tiny result: UE without PE, biased up.
  const tiny = f80(0x0001, 0x8000000000000000n);
  const half = f80(0x3ffe, 0x8000000000000000n);
  const uu = op2(f80Mul, tiny, half, 0, 0x3f & ~UE);
  assert.deepEqual(uu, { r: (24576).toString(16) + ":8000000000000000", flags: UE });
  // Masked: exact denormal, no UE.
  assert.deepEqual(op2(f80Mul, tiny, half), { r: "0000:4000000000000000", flags: 0 });
});

test("comparisons: ordered vs unordered rules", () => {
  const env = new FpEnv();
  assert.equal(f80Compare(env, ONE, TWO, false), Cmp.LESS);
  assert.equal(f80Compare(env, ZERO, NZERO, false), Cmp.EQUAL);
  assert.equal(f80Compare(env, NINF, f80(0xc000, 0x8000000000000000n), false), Cmp.LESS);
  assert.equal(
    f80Compare(env, f80(0xc000, 0x8000000000000000n), f80(0xbfff, 0xffffffffffffffffn), false),
    Cmp.LESS,
  );
  assert.equal(f80Compare(env, PSEUDO_DENORMAL, f80(1, 0x8000000000000000n), false), Cmp.EQUAL);
  assert.equal(env.flags, DE);
  env.reset();
  assert.equal(f80Compare(env, QNAN_A, ONE, true), Cmp.UNORDERED);
  assert.equal(env.flags, 0);
  assert.equal(f80Compare(env, QNAN_A, ONE, false), Cmp.UNORDERED);
  assert.equal(env.flags, IE);
  env.reset();
  assert.equal(f80Compare(env, SNAN_A, ONE, true), Cmp.UNORDERED);
  assert.equal(env.flags, IE);
});

test("FSCALE and FXTRACT", () => {
  const env = new FpEnv();
  const out = new F80();
  const three = f80(0x4000, 0xc000000000000000n);
  f80Scale(env, three, f80(0xc000, 0xe000000000000000n), out); // 3 · 2^trunc(-3.5) = 3/8
  assert.equal(out.toString(), "3ffd:c000000000000000");
  f80Scale(env, ONE, f80(0x400d, 0x8000000000000000n), out); // 2^16384: overflow
  assert.equal(out.toString(), "7fff:8000000000000000");
  assert.equal(env.flags, OE | PE);
  env.reset();
  f80Scale(env, ZERO, INF, out);
  assert.equal(env.flags, IE);
  const e = new F80();
  const s = new F80();
  env.reset();
  f80Extract(env, f80(0xc005, 0xa000000000000000n), e, s); // -80 = -1.25 · 2^6
  assert.equal(e.toString(), "4001:c000000000000000");
  assert.equal(s.toString(), "bfff:a000000000000000");
  f80Extract(env, NZERO, e, s);
  assert.equal(e.toString(), "ffff:8000000000000000");
  assert.equal(s.toString(), "8000:0000000000000000");
  assert.equal(env.flags, ZE);
  env.reset();
  f80Extract(env, DENORMAL, e, s);
  assert.equal(env.flags, DE);
  assert.equal(e.toString(), "c00d:807a000000000000"); // -16382-63 = -16445
});

test("FPREM/FPREM1 give the exact remainder and quotient bits", () => {
  const rng = new Rng(5);
  const env = new FpEnv();
  const out = new F80();
  const res = new PremResult();
  for (let i = 0; i < 2000; i++) {
    const a = f80(
      (rng.int(2) << 15) | (16383 + rng.int(55)),
      (BigInt(rng.u32() | 0x80000000) << 32n) | BigInt(rng.u32()),
    );
    const b = f80(
      (rng.int(2) << 15) | (16383 - 5 + rng.int(10)),
      (BigInt(rng.u32() | 0x80000000) << 32n) | BigInt(rng.u32()),
    );
    for (const ieee of [false, true]) {
      env.reset();
      f80Prem(env, a, b, ieee, out, res);
      const xa = exactOf(a);
      const xb = exactOf(b);
      const s = Math.min(xa.s, xb.s);
      const na = xa.q << BigInt(xa.s - s);
      const nb = xb.q << BigInt(xb.s - s);
      let q = na / nb;
      let r = na - q * nb;
      if (ieee && (2n * r > nb || (2n * r === nb && (q & 1n) === 1n))) {
        q += 1n;
        r -= nb;
      }
      const xr = exactOf(out);
      const got =
        (xr.sign ? -1n : 1n) * (xr.s >= s ? xr.q << BigInt(xr.s - s) : xr.q >> BigInt(s - xr.s));
      const want = (xa.sign ? -1n : 1n) * r;
      const ctx = `a=${a} b=${b} ieee=${ieee}`;
      assert.equal(got, want, ctx);
      assert.equal(res.quotient, Number(q & 7n), ctx);
      assert.equal(res.incomplete, false);
      assert.equal(env.flags, 0, ctx);
    }
  }
  // A huge exponent difference reduces partially and says so.
  env.reset();
  f80Prem(env, f80(16383 + 200, 0xc000000000000000n), ONE, false, out, res);
  assert.equal(res.incomplete, true);
  assert.ok((out.se & 0x7fff) < 16383 + 200 - 31);
  env.reset();
  f80Prem(env, INF, ONE, false, out, res);
  assert.equal(env.flags, IE);
});

test("load constants are the exact values rounded under RC", () => {
  const out = new F80();
  const want: [FpConst, string[]][] = [
    [
      FpConst.PI,
      [
        "4000:c90fdaa22168c235",
        "4000:c90fdaa22168c234",
        "4000:c90fdaa22168c235",
        "4000:c90fdaa22168c234",
      ],
    ],
    [
      FpConst.L2T,
      [
        "4000:d49a784bcd1b8afe",
        "4000:d49a784bcd1b8afe",
        "4000:d49a784bcd1b8aff",
        "4000:d49a784bcd1b8afe",
      ],
    ],
    [
      FpConst.L2E,
      [
        "3fff:b8aa3b295c17f0bc",
        "3fff:b8aa3b295c17f0bb",
        "3fff:b8aa3b295c17f0bc",
        "3fff:b8aa3b295c17f0bb",
      ],
    ],
    [
      FpConst.LG2,
      [
        // log10(2) = 0x0.4d104d427de7fbcc47c4…: below the last kept bit come 1000 1…, more than
        // half an ulp, so round-to-nearest goes up (as the host CPU does).
        "3ffd:9a209a84fbcff799",
        "3ffd:9a209a84fbcff798",
        "3ffd:9a209a84fbcff799",
        "3ffd:9a209a84fbcff798",
      ],
    ],
    [
      FpConst.LN2,
      [
        "3ffe:b17217f7d1cf79ac",
        "3ffe:b17217f7d1cf79ab",
        "3ffe:b17217f7d1cf79ac",
        "3ffe:b17217f7d1cf79ab",
      ],
    ],
  ];
  for (const [c, values] of want) {
    for (let rc = 0; rc < 4; rc++) {
      loadConstant(c, rc, out);
      assert.equal(out.toString(), values[rc], `const ${c} rc ${rc}`);
    }
  }
  loadConstant(FpConst.ONE, 1, out);
  assert.equal(out.toString(), "3fff:8000000000000000");
});

/**
 * add/sub/mul/div/sqrt against exact bigint rationals, in every rounding and
 * precision control, on random and edge operands (masked exceptions); and
 * against JS's own double arithmetic with PC = 53, RC = nearest.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { F80 } from "../../src/hv/soft/cpu/fpu/f80.js";
import { FpEnv } from "../../src/hv/soft/cpu/fpu/env.js";
import { f80Add, f80Div, f80Mul, f80Sub } from "../../src/hv/soft/cpu/fpu/arith.js";
import { f80Sqrt } from "../../src/hv/soft/cpu/fpu/sqrt.js";
import { f80FromF64, f80ToF64, U64 } from "../../src/hv/soft/cpu/fpu/convert-float.js";
import { FMT_EXT, FMT_EXT24, FMT_EXT53, RoundFormat } from "../../src/hv/soft/cpu/fpu/round.js";
import {
  DE,
  Exact,
  exactOf,
  fromRatio,
  randomOperand,
  refRound,
  Rng,
  show,
  sigOf,
  UE,
  OE,
  PE,
} from "./ref.js";

const FORMATS: readonly [number, RoundFormat][] = [
  [64, FMT_EXT],
  [53, FMT_EXT53],
  [24, FMT_EXT24],
];

type Op = "add" | "sub" | "mul" | "div" | "sqrt";

/** The exact mathematical result of op on two finite nonzero values. */
function exactResult(op: Op, a: Exact, b: Exact): Exact {
  const va = { sign: a.sign, q: a.q, s: a.s };
  const vb = { sign: op === "sub" ? b.sign ^ 1 : b.sign, q: b.q, s: b.s };
  if (op === "add" || op === "sub") {
    const s = Math.min(va.s, vb.s);
    const ia = (va.sign ? -va.q : va.q) << BigInt(va.s - s);
    const ib = (vb.sign ? -vb.q : vb.q) << BigInt(vb.s - s);
    const sum = ia + ib;
    return { sign: sum < 0n ? 1 : 0, q: sum < 0n ? -sum : sum, s, sticky: false };
  }
  if (op === "mul")
    return { sign: va.sign ^ vb.sign, q: va.q * vb.q, s: va.s + vb.s, sticky: false };
  if (op === "div") {
    const r = fromRatio(va.sign ^ vb.sign, va.q, vb.q, 200);
    return { ...r, s: r.s + va.s - vb.s };
  }
  // sqrt: scale to an even exponent with plenty of bits.
  let q = va.q;
  let s = va.s;
  const extra = 400;
  q <<= BigInt(extra);
  s -= extra;
  if ((s & 1) !== 0) {
    q <<= 1n;
    s -= 1;
  }
  let r = 1n << BigInt(Math.ceil(q.toString(2).length / 2) + 1);
  for (;;) {
    const y = (r + q / r) >> 1n;
    if (y >= r) break;
    r = y;
  }
  return { sign: 0, q: r, s: s / 2, sticky: r * r !== q };
}

function run(op: Op, env: FpEnv, fmt: RoundFormat, a: F80, b: F80, out: F80): void {
  if (op === "add") f80Add(env, fmt, a, b, out);
  else if (op === "sub") f80Sub(env, fmt, a, b, out);
  else if (op === "mul") f80Mul(env, fmt, a, b, out);
  else if (op === "div") f80Div(env, fmt, a, b, out);
  else f80Sqrt(env, fmt, a, out);
}

function checkRandom(op: Op, seed: number, count: number): void {
  const rng = new Rng(seed);
  const env = new FpEnv();
  const out = new F80();
  for (let i = 0; i < count; i++) {
    const a = randomOperand(rng, op === "mul" || op === "div");
    const b = randomOperand(rng, false);
    if (op === "sqrt") a.se &= 0x7fff;
    if (rng.int(3) === 0 && op !== "sqrt") {
      // Same exponent neighbourhood: cancellation and carries.
      b.se = (b.se & 0x8000) | (a.se & 0x7fff) || 1;
      if ((b.se & 0x7fff) === 0) b.hi &= 0x7fffffff;
      else b.hi = (b.hi | 0x80000000) >>> 0;
    }
    const zeroA = (a.hi | a.lo) === 0;
    const zeroB = (b.hi | b.lo) === 0;
    if (zeroA || (zeroB && op !== "sqrt")) continue;
    const [p, fmt] = FORMATS[rng.int(3)];
    const rc = rng.int(4);
    env.reset();
    env.rc = rc;
    run(op, env, fmt, a, b, out);
    const x = exactResult(op, exactOf(a), exactOf(b));
    let exp = refRound(x, p, rc);
    if (x.q === 0n) exp = { se: rc === 1 ? 0x8000 : 0, sig: 0n, flags: 0, c1: 0 };
    const denormalIn = (a.se & 0x7fff) === 0 || (op !== "sqrt" && (b.se & 0x7fff) === 0);
    const wantFlags = exp.flags | (denormalIn ? DE : 0);
    const ctx = `${op} #${i} a=${a} b=${b} p=${p} rc=${rc}`;
    assert.equal(show(out.se, sigOf(out)), show(exp.se, exp.sig), ctx);
    assert.equal(env.flags & (DE | UE | OE | PE), wantFlags, `${ctx} flags`);
    assert.equal(env.c1, exp.c1, `${ctx} C1`);
  }
}

for (const [i, op] of (["add", "sub", "mul", "div", "sqrt"] as const).entries()) {
  test(`${op}: random operands, all RC and PC, against exact rationals`, () => {
    checkRandom(op, 0x1234 + i * 77, 3000);
  });
}

test("PC=53, RC=nearest agrees with JS double arithmetic", () => {
  const rng = new Rng(99);
  const env = new FpEnv();
  const dv = new DataView(new ArrayBuffer(8));
  const toF80 = (d: number): F80 => {
    dv.setFloat64(0, d);
    const o = new F80();
    f80FromF64(env, dv.getUint32(0), dv.getUint32(4), o);
    return o;
  };
  const u = new U64();
  const toDouble = (a: F80): number => {
    f80ToF64(env, a, u);
    dv.setUint32(0, u.hi);
    dv.setUint32(4, u.lo);
    return dv.getFloat64(0);
  };
  const out = new F80();
  for (let i = 0; i < 4000; i++) {
    dv.setUint32(0, (rng.u32() & 0x3fffffff) | ((rng.u32() & 1) << 31) | 0x1ff00000);
    dv.setUint32(4, rng.u32());
    const x = dv.getFloat64(0);
    dv.setUint32(0, (rng.u32() & 0x3fffffff) | ((rng.u32() & 1) << 31) | 0x1ff00000);
    dv.setUint32(4, rng.u32());
    const y = dv.getFloat64(0);
    const cases: [Op, number][] = [
      ["add", x + y],
      ["sub", x - y],
      ["mul", x * y],
      ["div", x / y],
      ["sqrt", Math.sqrt(Math.abs(x))],
    ];
    for (const [op, want] of cases) {
      if (!Number.isFinite(want) || (want !== 0 && Math.abs(want) < 2.3e-308)) continue;
      env.reset();
      run(op, env, FMT_EXT53, op === "sqrt" ? toF80(Math.abs(x)) : toF80(x), toF80(y), out);
      assert.equal(toDouble(out), want, `${op}(${x}, ${y})`);
    }
  }
});

/**
 * 64-bit integer arithmetic (REX.W forms) against BigInt references: the
 * eight ALU operations with every flag, INC/DEC/NEG/NOT, MUL/IMUL (128-bit
 * products), DIV/IDIV (128/64 division and #DE), and the 32-bit forms'
 * zero extension.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AF,
  ARITH,
  CF,
  imm32,
  LongEnv,
  MASK64,
  OF,
  pairs,
  RAX,
  RBX,
  RDX,
  SIGN64,
  szp,
  ZF,
} from "./env.js";

const env = new LongEnv();

const signed = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Reference for op `k` (ADD OR ADC SBB AND SUB XOR CMP) of a, b with carry-in `c`. */
function aluRef(k: number, a: bigint, b: bigint, c: bigint): { r: bigint; flags: number } {
  let wide: bigint;
  switch (k) {
    case 0:
    case 2:
      wide = a + b + (k === 2 ? c : 0n);
      break;
    case 3:
    case 5:
    case 7:
      wide = a - b - (k === 3 ? c : 0n);
      break;
    case 1:
      wide = a | b;
      break;
    case 4:
      wide = a & b;
      break;
    default:
      wide = a ^ b;
  }
  const r = wide & MASK64;
  let flags = szp(r);
  if (k === 1 || k === 4 || k === 6) return { r, flags };
  const add = k === 0 || k === 2;
  if (add ? wide > MASK64 : wide < 0n) flags |= CF;
  const sa = (a & SIGN64) !== 0n;
  const sb = (b & SIGN64) !== 0n;
  const sr = (r & SIGN64) !== 0n;
  if (add ? sa === sb && sr !== sa : sa !== sb && sr !== sa) flags |= OF;
  if (((a ^ b ^ r) & 0x10n) !== 0n) flags |= AF;
  return { r, flags };
}

const ALU_NAMES = ["ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"];

describe("64-bit ALU operations (op rax, rbx) match BigInt, flags included", () => {
  for (let k = 0; k < 8; k++) {
    test(ALU_NAMES[k], () => {
      const logic = k === 1 || k === 4 || k === 6;
      const mask = logic ? ARITH & ~AF : ARITH; // AF is undefined after logic ops
      for (const [a, b] of pairs(BigInt(k + 1), 40)) {
        for (const carry of k === 2 || k === 3 ? [0n, 1n] : [0n]) {
          env.run([0x48, (k << 3) | 1, 0xd8], { [RAX]: a, [RBX]: b }, 0x2 | Number(carry));
          const ref = aluRef(k, a, b, carry);
          const what = `${ALU_NAMES[k]} ${a.toString(16)}, ${b.toString(16)} c=${carry}`;
          assert.equal(env.reg(RAX), k === 7 ? a : ref.r, what);
          assert.equal(env.flags & mask, ref.flags & mask, `${what} flags`);
        }
      }
    });
  }

  test("group 1 with a sign-extended imm32 and imm8 (81 /0, 83 /5)", () => {
    env.run([0x48, 0x81, 0xc0, ...imm32(0x80000000)], { [RAX]: 0x100000000n });
    assert.equal(env.reg(RAX), 0x80000000n, "0x1_0000_0000 + (-2^31)");
    env.run([0x48, 0x83, 0xe8, 0x01], { [RAX]: 0n });
    assert.equal(env.reg(RAX), MASK64);
    assert.equal(env.flags & (CF | ZF), CF);
  });
});

describe("64-bit INC, DEC, NEG, NOT", () => {
  test("INC/DEC keep CF; NEG sets CF for a non-zero operand; NOT changes no flag", () => {
    for (const [a] of pairs(9n, 20)) {
      env.run([0x48, 0xff, 0xc0], { [RAX]: a }, 0x2 | CF); // inc rax
      const inc = (a + 1n) & MASK64;
      assert.equal(env.reg(RAX), inc);
      const incOf = a === 0x7fffffffffffffffn ? OF : 0;
      const incAf = ((a ^ 1n ^ inc) & 0x10n) !== 0n ? AF : 0;
      assert.equal(env.flags & ARITH, CF | szp(inc) | incOf | incAf, `inc ${a.toString(16)}`);
      env.run([0x48, 0xff, 0xc8], { [RAX]: a }, 0x2); // dec rax
      const dec = (a - 1n) & MASK64;
      assert.equal(env.reg(RAX), dec);
      assert.equal(env.flags & (CF | OF), a === SIGN64 ? OF : 0, `dec ${a.toString(16)}`);
      env.run([0x48, 0xf7, 0xd8], { [RAX]: a }); // neg rax
      const neg = -a & MASK64;
      assert.equal(env.reg(RAX), neg);
      assert.equal(env.flags & (CF | OF | ZF), (a !== 0n ? CF : ZF) | (a === SIGN64 ? OF : 0));
      env.run([0x48, 0xf7, 0xd0], { [RAX]: a }, 0x2 | ZF); // not rax
      assert.equal(env.reg(RAX), ~a & MASK64);
      assert.equal(env.flags & ARITH, ZF);
    }
  });
});

describe("64-bit multiplication", () => {
  test("MUL/IMUL r64: RDX:RAX is the full 128-bit product; CF=OF when the upper half matters", () => {
    for (const [a, b] of pairs(21n, 40)) {
      env.run([0x48, 0xf7, 0xe3], { [RAX]: a, [RBX]: b }); // mul rbx
      const p = a * b;
      assert.equal(env.reg(RAX), p & MASK64);
      assert.equal(env.reg(RDX), p >> 64n, `mul ${a.toString(16)} * ${b.toString(16)}`);
      assert.equal(env.flags & (CF | OF), p >> 64n !== 0n ? CF | OF : 0);
      env.run([0x48, 0xf7, 0xeb], { [RAX]: a, [RBX]: b }); // imul rbx
      const s = signed(a) * signed(b);
      assert.equal(env.reg(RAX), s & MASK64);
      assert.equal(env.reg(RDX), (s >> 64n) & MASK64, `imul ${a.toString(16)} * ${b.toString(16)}`);
      const fits = s === signed(s & MASK64);
      assert.equal(env.flags & (CF | OF), fits ? 0 : CF | OF);
    }
  });

  test("IMUL r64, r/m64 and IMUL r64, r/m64, imm32 truncate, CF=OF on overflow", () => {
    for (const [a, b] of pairs(33n, 40)) {
      env.run([0x48, 0x0f, 0xaf, 0xc3], { [RAX]: a, [RBX]: b }); // imul rax, rbx
      const s = signed(a) * signed(b);
      assert.equal(env.reg(RAX), s & MASK64);
      assert.equal(env.flags & (CF | OF), s === signed(s & MASK64) ? 0 : CF | OF);
    }
    env.run([0x48, 0x69, 0xc3, ...imm32(-3)], { [RBX]: 0x4000000000000000n }); // imul rax, rbx, -3
    assert.equal(env.reg(RAX), (-3n * 0x4000000000000000n) & MASK64);
    assert.equal(env.flags & (CF | OF), CF | OF);
    env.run([0x48, 0x6b, 0xc3, 0x07], { [RBX]: -5n }); // imul rax, rbx, 7
    assert.equal(env.reg(RAX), -35n & MASK64);
    assert.equal(env.flags & (CF | OF), 0);
  });
});

describe("64-bit division", () => {
  const DE_HANDLER = 0x3000;
  env.h.setIdt64(0, DE_HANDLER);
  env.h.poke(DE_HANDLER, [0xf4]);

  /** Runs DIV/IDIV rbx; returns true if it raised #DE (the handler halted). */
  function divide(idiv: boolean, hi: bigint, lo: bigint, d: bigint): boolean {
    env.h.setReg64(4, 0x80000n);
    env.run([0x48, 0xf7, idiv ? 0xfb : 0xf3], { [RDX]: hi, [RAX]: lo, [RBX]: d });
    return env.h.rip === BigInt(DE_HANDLER + 1);
  }

  test("DIV r64: 128/64 quotient and remainder, #DE on zero or overflow", () => {
    const rng = pairs(45n, 60);
    for (const [x, d] of rng) {
      const hi = d === 0n ? 0n : x % d; // keep the quotient within 64 bits
      const lo = (x * 0x9e3779b97f4a7c15n) & MASK64;
      const faulted = divide(false, hi, lo, d);
      if (d === 0n) {
        assert.ok(faulted, "divide by zero");
        continue;
      }
      const n = (hi << 64n) | lo;
      assert.ok(!faulted, `div ${n.toString(16)} / ${d.toString(16)}`);
      assert.equal(env.reg(RAX), n / d);
      assert.equal(env.reg(RDX), n % d);
    }
    assert.ok(divide(false, 5n, 0n, 5n), "quotient of 2^64 * 5 / 5 overflows");
  });

  test("IDIV r64: signed, truncated toward zero, #DE when the quotient does not fit", () => {
    const cases: [bigint, bigint][] = [
      [-7n, 2n],
      [7n, -2n],
      [-7n, -2n],
      [-(1n << 100n) + 12345n, 0x123456789n],
      [(1n << 126n) - 1n, 0x7fffffffffffffffn],
      [-(1n << 63n), -1n],
      [-(1n << 63n) * (1n << 63n), -(1n << 63n)],
    ];
    const rng = pairs(77n, 30);
    for (const [a, b] of rng)
      cases.push([signed(a) * (signed(b) >> 7n) + signed(b >> 3n), signed(b)]);
    for (const [n, d] of cases) {
      const u = BigInt.asUintN(128, n);
      const faulted = divide(true, u >> 64n, u & MASK64, d);
      if (d === 0n) {
        assert.ok(faulted);
        continue;
      }
      const q = n / d; // BigInt division truncates toward zero, like IDIV
      const fits = q >= -(1n << 63n) && q < 1n << 63n;
      assert.equal(faulted, !fits, `idiv ${n} / ${d}`);
      if (!fits) continue;
      assert.equal(env.reg(RAX), q & MASK64, `idiv ${n} / ${d}`);
      assert.equal(env.reg(RDX), (n % d) & MASK64);
    }
  });
});

describe("32-bit operations in 64-bit mode", () => {
  test("a 32-bit register result zeroes bits 63:32; 16/8-bit results keep them", () => {
    env.run([0x01, 0xd8], { [RAX]: 0xffffffff_00000001n, [RBX]: 1n }); // add eax, ebx
    assert.equal(env.reg(RAX), 2n);
    env.run([0x66, 0x01, 0xd8], { [RAX]: 0xffffffff_00000001n, [RBX]: 1n }); // add ax, bx
    assert.equal(env.reg(RAX), 0xffffffff_00000002n);
    env.run([0x00, 0xd8], { [RAX]: 0xffffffff_000000ffn, [RBX]: 1n }); // add al, bl
    assert.equal(env.reg(RAX), 0xffffffff_00000000n);
    env.run([0x89, 0xd8], { [RAX]: MASK64, [RBX]: MASK64 }); // mov eax, ebx
    assert.equal(env.reg(RAX), 0xffffffffn);
  });
});

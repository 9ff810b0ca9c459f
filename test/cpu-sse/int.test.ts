/**
 * SSE2 packed integer instructions on XMM registers and the SSE/SSE2
 * additions on MMX registers, against lane-by-lane bigint references over
 * random and edge operands; register and aligned-memory sources.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DATA, SseEnv, mem, rr } from "./env.js";
import { Rng } from "./gen.js";
import { join, lanes, randomBytes, saturate } from "./lanes.js";

type Ref = (a: number[], b: number[]) => number[];

/** A lane-wise reference: f on lanes of `width` bytes. */
function lanewise(width: number, signed: boolean, f: (x: bigint, y: bigint) => bigint): Ref {
  return (a, b) => {
    const x = lanes(a, width, signed);
    const y = lanes(b, width, signed);
    return join(
      x.map((v, i) => f(v, y[i])),
      width,
    );
  };
}
const sat = (width: number, signed: boolean, f: (x: bigint, y: bigint) => bigint): Ref =>
  lanewise(width, signed, (x, y) => saturate(f(x, y), width, signed));
const add = (x: bigint, y: bigint) => x + y;
const sub = (x: bigint, y: bigint) => x - y;
const ones = (width: number) => (1n << BigInt(width * 8)) - 1n;

const cases: [string, number, Ref, boolean][] = [
  // [name, opcode (0F xx), reference, has an MMX form added by SSE/SSE2]
  ["paddb", 0xfc, lanewise(1, false, add), false],
  ["paddw", 0xfd, lanewise(2, false, add), false],
  ["paddd", 0xfe, lanewise(4, false, add), false],
  ["paddq", 0xd4, lanewise(8, false, add), true],
  ["paddsb", 0xec, sat(1, true, add), false],
  ["paddsw", 0xed, sat(2, true, add), false],
  ["paddusb", 0xdc, sat(1, false, add), false],
  ["paddusw", 0xdd, sat(2, false, add), false],
  ["psubb", 0xf8, lanewise(1, false, sub), false],
  ["psubw", 0xf9, lanewise(2, false, sub), false],
  ["psubd", 0xfa, lanewise(4, false, sub), false],
  ["psubq", 0xfb, lanewise(8, false, sub), true],
  ["psubsb", 0xe8, sat(1, true, sub), false],
  ["psubsw", 0xe9, sat(2, true, sub), false],
  ["psubusb", 0xd8, sat(1, false, sub), false],
  ["psubusw", 0xd9, sat(2, false, sub), false],
  ["pcmpeqb", 0x74, lanewise(1, false, (x, y) => (x === y ? ones(1) : 0n)), false],
  ["pcmpeqw", 0x75, lanewise(2, false, (x, y) => (x === y ? ones(2) : 0n)), false],
  ["pcmpeqd", 0x76, lanewise(4, false, (x, y) => (x === y ? ones(4) : 0n)), false],
  ["pcmpgtb", 0x64, lanewise(1, true, (x, y) => (x > y ? -1n : 0n)), false],
  ["pcmpgtw", 0x65, lanewise(2, true, (x, y) => (x > y ? -1n : 0n)), false],
  ["pcmpgtd", 0x66, lanewise(4, true, (x, y) => (x > y ? -1n : 0n)), false],
  ["pmullw", 0xd5, lanewise(2, true, (x, y) => x * y), false],
  ["pmulhw", 0xe5, lanewise(2, true, (x, y) => (x * y) >> 16n), false],
  ["pmulhuw", 0xe4, lanewise(2, false, (x, y) => (x * y) >> 16n), true],
  ["pand", 0xdb, lanewise(8, false, (x, y) => x & y), false],
  ["pandn", 0xdf, lanewise(8, false, (x, y) => ~x & y), false],
  ["por", 0xeb, lanewise(8, false, (x, y) => x | y), false],
  ["pxor", 0xef, lanewise(8, false, (x, y) => x ^ y), false],
  ["pminub", 0xda, lanewise(1, false, (x, y) => (x < y ? x : y)), true],
  ["pmaxub", 0xde, lanewise(1, false, (x, y) => (x > y ? x : y)), true],
  ["pminsw", 0xea, lanewise(2, true, (x, y) => (x < y ? x : y)), true],
  ["pmaxsw", 0xee, lanewise(2, true, (x, y) => (x > y ? x : y)), true],
  ["pavgb", 0xe0, lanewise(1, false, (x, y) => (x + y + 1n) / 2n), true],
  ["pavgw", 0xe3, lanewise(2, false, (x, y) => (x + y + 1n) / 2n), true],
  [
    "pmuludq",
    0xf4,
    (a, b) => {
      const x = lanes(a, 4, false);
      const y = lanes(b, 4, false);
      const out: bigint[] = [];
      for (let q = 0; q < x.length / 2; q++) out.push(x[2 * q] * y[2 * q]);
      return join(out, 8);
    },
    true,
  ],
  [
    "pmaddwd",
    0xf5,
    (a, b) => {
      const x = lanes(a, 2, true);
      const y = lanes(b, 2, true);
      const out: bigint[] = [];
      for (let i = 0; i < x.length; i += 2) out.push(x[i] * y[i] + x[i + 1] * y[i + 1]);
      return join(out, 4);
    },
    false,
  ],
  [
    "psadbw",
    0xf6,
    (a, b) => {
      const out: bigint[] = [];
      for (let q = 0; q < a.length / 8; q++) {
        let s = 0;
        for (let i = 0; i < 8; i++) s += Math.abs(a[q * 8 + i] - b[q * 8 + i]);
        out.push(BigInt(s));
      }
      return join(out, 8);
    },
    true,
  ],
];

/** Operands with edge lanes mixed in (0, all ones, the signed extremes). */
function operand(rng: Rng, n: number): number[] {
  const b = randomBytes(() => rng.u32(), n);
  for (let i = 0; i < n; i++) {
    if (rng.int(4) === 0) b[i] = rng.pick([0, 0xff, 0x80, 0x7f, 0x01]);
  }
  return b;
}

test("SSE2 integer ops on XMM registers match lane-wise references", () => {
  const e = new SseEnv();
  const rng = new Rng(99);
  for (const [name, opcode, ref] of cases) {
    for (let k = 0; k < 40; k++) {
      const a = operand(rng, 16);
      const b = operand(rng, 16);
      e.setBytes(3, a);
      e.setBytes(5, b);
      e.exec([0x66, 0x0f, opcode, ...rr(3, 5)]);
      assert.deepEqual(e.bytes(3), ref(a, b), `${name} xmm3, xmm5`);
      assert.deepEqual(e.bytes(5), b, `${name}: source unchanged`);
    }
    // Same register as both operands, and an aligned memory operand.
    const a = operand(rng, 16);
    e.setBytes(2, a);
    e.exec([0x66, 0x0f, opcode, ...rr(2, 2)]);
    assert.deepEqual(e.bytes(2), ref(a, a), `${name} xmm2, xmm2`);
    const b = operand(rng, 16);
    e.setBytes(7, a);
    e.poke(DATA, b);
    e.exec([0x66, 0x0f, opcode, ...mem(7, DATA)]);
    assert.deepEqual(e.bytes(7), ref(a, b), `${name} xmm7, [mem]`);
  }
});

test("the MMX forms of the SSE/SSE2 integer additions", () => {
  const e = new SseEnv();
  const rng = new Rng(7);
  const regs = e.cpu.fpu.regs;
  const setMm = (n: number, bytes: number[]) => {
    const l = lanes(bytes, 4, false);
    regs[n].lo = Number(l[0]);
    regs[n].hi = Number(l[1]);
  };
  const getMm = (n: number) => join([BigInt(regs[n].lo), BigInt(regs[n].hi)], 4);
  for (const [name, opcode, ref, mmx] of cases) {
    if (!mmx) continue;
    for (let k = 0; k < 30; k++) {
      const a = operand(rng, 8);
      const b = operand(rng, 8);
      setMm(1, a);
      setMm(6, b);
      e.cpu.fpu.top = 3;
      e.cpu.fpu.emptyMask = 0xff;
      e.exec([0x0f, opcode, ...rr(1, 6)]);
      assert.deepEqual(getMm(1), ref(a, b), `${name} mm1, mm6`);
      assert.equal(regs[1].se, 0xffff, "written MMX register: exponent all ones");
      assert.equal(e.cpu.fpu.top, 0, "MMX transition: TOP = 0");
      assert.equal(e.cpu.fpu.emptyMask, 0, "MMX transition: all valid");
    }
    const a = operand(rng, 8);
    const b = operand(rng, 8);
    setMm(2, a);
    e.poke(DATA + 3, b); // m64 operands of MMX forms need no alignment
    e.exec([0x0f, opcode, ...mem(2, DATA + 3)]);
    assert.deepEqual(getMm(2), ref(a, b), `${name} mm2, [mem]`);
  }
});

test("shifts by immediate and by register, including byte shifts and saturated counts", () => {
  const e = new SseEnv();
  const rng = new Rng(5);
  const specs: [string, number, number, number, number, boolean][] = [
    // [name, opcode by xmm, group opcode, /reg, lane bytes, arithmetic?]
    ["psllw", 0xf1, 0x71, 6, 2, false],
    ["psrlw", 0xd1, 0x71, 2, 2, false],
    ["psraw", 0xe1, 0x71, 4, 2, true],
    ["pslld", 0xf2, 0x72, 6, 4, false],
    ["psrld", 0xd2, 0x72, 2, 4, false],
    ["psrad", 0xe2, 0x72, 4, 4, true],
    ["psllq", 0xf3, 0x73, 6, 8, false],
    ["psrlq", 0xd3, 0x73, 2, 8, false],
  ];
  for (const [name, byReg, group, reg, width, arith] of specs) {
    const bits = BigInt(width * 8);
    const left = reg === 6;
    const ref = (a: number[], count: bigint): number[] =>
      join(
        lanes(a, width, arith).map((v) => {
          if (left) return count >= bits ? 0n : v << count;
          if (arith) return v >> (count >= bits ? bits - 1n : count);
          return count >= bits ? 0n : v >> count;
        }),
        width,
      );
    for (const count of [0, 1, 7, 8, 15, 16, 31, 32, 33, 63, 64, 200]) {
      const a = operand(rng, 16);
      e.setBytes(4, a);
      e.exec([0x66, 0x0f, group, 0xc0 | (reg << 3) | 4, count]);
      assert.deepEqual(e.bytes(4), ref(a, BigInt(count)), `${name} xmm4, ${count}`);
      e.setBytes(4, a);
      e.setU64(6, [BigInt(count), 0n]);
      e.exec([0x66, 0x0f, byReg, ...rr(4, 6)]);
      assert.deepEqual(e.bytes(4), ref(a, BigInt(count)), `${name} xmm4, xmm6 (${count})`);
    }
    // A count with high bits set anywhere in the low quadword saturates.
    const a = operand(rng, 16);
    e.setBytes(4, a);
    e.setU64(6, [1n << 40n, 0n]);
    e.exec([0x66, 0x0f, byReg, ...rr(4, 6)]);
    assert.deepEqual(e.bytes(4), ref(a, 1n << 40n), `${name}: huge count`);
  }
  // PSRLDQ / PSLLDQ.
  for (const n of [0, 1, 5, 15, 16, 255]) {
    const a = operand(rng, 16);
    e.setBytes(1, a);
    e.exec([0x66, 0x0f, 0x73, 0xc0 | (3 << 3) | 1, n]);
    const right = a.map((_, i) => (i + n < 16 ? a[i + n] : 0));
    assert.deepEqual(e.bytes(1), right, `psrldq ${n}`);
    e.setBytes(1, a);
    e.exec([0x66, 0x0f, 0x73, 0xc0 | (7 << 3) | 1, n]);
    const leftShift = a.map((_, i) => (i - n >= 0 ? a[i - n] : 0));
    assert.deepEqual(e.bytes(1), leftShift, `pslldq ${n}`);
  }
});
